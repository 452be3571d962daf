/**
 * SQL over table exports with the embedded DuckDB: each table (packets, events, dns, processes)
 * is a view over the Parquet files of every export given (Hive columns host and date typed as
 * netrec writes them); a table no export has rows for is an empty table of its schema, so a
 * query naming it still runs. An engine error (bad SQL, a missing table) is a value: its message.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, DuckDBTypeId, type DuckDBConnection } from '@duckdb/node-api';
import type { Cell, QueryResult } from '../table/result.ts';
import { TABLE_NAMES, TABLES } from '../table/schema.ts';
import { createTableSql, quoteIdent, quoteString } from './duckdb-schema.ts';

const WIDE = new Set<DuckDBTypeId>([DuckDBTypeId.BIGINT, DuckDBTypeId.UBIGINT, DuckDBTypeId.HUGEINT, DuckDBTypeId.UHUGEINT]);

export type QueryOutcome = { result: QueryResult } | { error: string };

export async function runDuckQuery(exports: readonly string[], sql: string): Promise<QueryOutcome> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  try {
    await defineTables(connection, exports);
    let reader;
    try {
      reader = await connection.runAndReadAll(sql);
    } catch (err) {
      return { error: oneLine(err) };
    }
    const wide = reader.columnTypes().map((t) => WIDE.has(t.typeId));
    const rows = reader.getRowsJson().map((row) => row.map((v, i) => (wide[i] && typeof v === 'string' ? BigInt(v) : (v as Cell))));
    return { result: { columns: reader.columnNames(), rows } };
  } finally {
    connection.closeSync();
  }
}

async function defineTables(connection: DuckDBConnection, exports: readonly string[]): Promise<void> {
  for (const name of TABLE_NAMES) {
    const globs = exports.filter((dir) => hasParquet(join(dir, name))).map((dir) => quoteString(join(dir, name, '**', '*.parquet')));
    if (globs.length === 0) {
      await connection.run(createTableSql(TABLES[name]).replace(/^CREATE TABLE/, 'CREATE TEMP TABLE'));
      continue;
    }
    await connection.run(
      `CREATE TEMP VIEW ${quoteIdent(name)} AS SELECT * FROM read_parquet([${globs.join(', ')}], hive_partitioning = true, hive_types = {'host': VARCHAR, 'date': DATE}, union_by_name = true)`,
    );
  }
}

function hasParquet(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.parquet'));
}

/** DuckDB's message on one line (its messages span lines: the error, then LINE and a caret). */
function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\^$/.test(l))
    .join(' ');
}
