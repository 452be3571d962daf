/**
 * Rows → Parquet tables through an embedded DuckDB: rows are appended to DuckDB tables as the
 * replay goes (DuckDB spills to a temporary directory past its memory limit), then each table is
 * copied out as Hive-partitioned Parquet, `<dir>/<table>/host=<h>/date=<d>/*.parquet`, zstd
 * compressed. Why DuckDB and not a JavaScript writer: docs/tables.md ("Writer").
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import type { TableRows } from '../table/collector.ts';
import type { Row } from '../table/rows.ts';
import { describeSchema, SCHEMA_VERSION, TABLE_NAMES, TABLES, type TableName } from '../table/schema.ts';
import { createTableSql, rowAppender } from './duckdb-schema.ts';

/** The file that marks a directory as a netrec table export (and says its schema version). */
export const MANIFEST = 'netrec-tables.json';
/** Rows per row group: DuckDB's default, large enough for scans, small enough to skip by stats. */
export const ROW_GROUP_ROWS = 122_880;

export interface Manifest {
  schemaVersion: number;
  netrecVersion: string;
  tables: Record<TableName, number>;
}

export class ParquetTables {
  private readonly rows: Record<TableName, number> = { packets: 0, events: 0, dns: 0, processes: 0 };

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly appenders: Record<TableName, DuckDBAppender>,
  ) {}

  /** `spill`: a directory DuckDB may write temporary data to. */
  static async open(spill: string): Promise<ParquetTables> {
    const instance = await DuckDBInstance.create(':memory:', { temp_directory: spill, memory_limit: '1GB', threads: '2' });
    const connection = await instance.connect();
    const appenders = {} as Record<TableName, DuckDBAppender>;
    for (const name of TABLE_NAMES) {
      await connection.run(createTableSql(TABLES[name]));
      appenders[name] = await connection.createAppender(name);
    }
    return new ParquetTables(connection, appenders);
  }

  add(rows: TableRows): void {
    for (const name of TABLE_NAMES) this.append(name, rows[name]);
  }

  private append(name: TableName, rows: readonly Row[]): void {
    if (rows.length === 0) return;
    APPEND[name](this.appenders[name], rows);
    this.appenders[name].flushSync();
    this.rows[name] += rows.length;
  }

  /** Writes every table under `dir` (which exists and is empty) and the manifest. */
  async write(dir: string, netrecVersion: string): Promise<Manifest> {
    for (const name of TABLE_NAMES) {
      this.appenders[name].closeSync();
      const target = join(dir, name);
      mkdirSync(target);
      if (this.rows[name] === 0) continue;
      await this.connection.run(
        `COPY (SELECT * FROM "${name}") TO '${target.replace(/'/g, "''")}' ` +
          `(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}, PARTITION_BY (host, date), OVERWRITE_OR_IGNORE true)`,
      );
    }
    const manifest: Manifest = { schemaVersion: SCHEMA_VERSION, netrecVersion, tables: { ...this.rows } };
    writeFileSync(join(dir, MANIFEST), JSON.stringify({ ...manifest, columns: describeSchema().split('\n') }, null, 2) + '\n');
    return manifest;
  }

  close(): void {
    this.connection.closeSync();
  }
}

const APPEND = Object.fromEntries(TABLE_NAMES.map((n) => [n, rowAppender(TABLES[n])])) as Record<TableName, ReturnType<typeof rowAppender>>;
