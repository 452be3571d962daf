/**
 * Rows → Parquet tables through an embedded DuckDB. Rows are serialized as JSON lines into a
 * chunk file per table, which DuckDB ingests (read_ndjson, typed) every CHUNK_ROWS rows and at
 * the end; DuckDB spills to a temporary directory past its memory limit. Each table is then
 * copied out as Hive-partitioned Parquet, `<dir>/<table>/host=<h>/date=<d>/*.parquet`, zstd
 * compressed. Why DuckDB, and why through JSON lines: docs/tables.md ("Writer").
 */
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { TableRows } from '../table/collector.ts';
import { jsonRowWriter } from '../table/json-row.ts';
import type { Row } from '../table/rows.ts';
import { describeSchema, SCHEMA_VERSION, TABLE_NAMES, TABLES, type TableName } from '../table/schema.ts';
import { createTableSql, ingestSql, quoteIdent, quoteString } from './duckdb-schema.ts';

/** The file that marks a directory as a netrec table export (and says its schema version). */
export const MANIFEST = 'netrec-tables.json';
/** Rows per row group: DuckDB's default, large enough for scans, small enough to skip by stats. */
export const ROW_GROUP_ROWS = 122_880;
/** Rows serialized before DuckDB ingests them: bounds the chunk file (a few hundred MB at most). */
const CHUNK_ROWS = 200_000;

export interface Manifest {
  schemaVersion: number;
  netrecVersion: string;
  tables: Record<TableName, number>;
}

interface Chunk {
  file: string;
  fd: number;
  rows: number;
}

export class ParquetTables {
  private readonly rows = Object.fromEntries(TABLE_NAMES.map((n) => [n, 0])) as Record<TableName, number>;
  private readonly chunks = {} as Record<TableName, Chunk>;

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly spill: string,
  ) {
    for (const name of TABLE_NAMES) {
      const file = join(spill, `${name}.ndjson`);
      this.chunks[name] = { file, fd: openSync(file, 'w'), rows: 0 };
    }
  }

  /** `spill`: an empty directory for the chunk files and DuckDB's temporary data. */
  static async open(spill: string): Promise<ParquetTables> {
    const instance = await DuckDBInstance.create(':memory:', { temp_directory: join(spill, 'duckdb'), memory_limit: '1GB', threads: '2' });
    const connection = await instance.connect();
    for (const name of TABLE_NAMES) await connection.run(createTableSql(TABLES[name]));
    return new ParquetTables(connection, spill);
  }

  async add(rows: TableRows): Promise<void> {
    for (const name of TABLE_NAMES) await this.append(name, rows[name]);
  }

  private async append(name: TableName, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const write = WRITERS[name];
    const lines = new Array<string>(rows.length);
    for (let i = 0; i < rows.length; i++) lines[i] = write(rows[i]!);
    const chunk = this.chunks[name];
    writeSync(chunk.fd, `${lines.join('\n')}\n`);
    chunk.rows += rows.length;
    this.rows[name] += rows.length;
    if (chunk.rows >= CHUNK_ROWS) await this.ingest(name);
  }

  private async ingest(name: TableName): Promise<void> {
    const chunk = this.chunks[name];
    if (chunk.rows === 0) return;
    closeSync(chunk.fd);
    chunk.fd = -1;
    await this.connection.run(ingestSql(TABLES[name], chunk.file));
    chunk.fd = openSync(chunk.file, 'w');
    chunk.rows = 0;
  }

  /** Writes every table under `dir` (which exists and is empty) and the manifest. */
  async write(dir: string, netrecVersion: string): Promise<Manifest> {
    for (const name of TABLE_NAMES) {
      await this.ingest(name);
      const target = join(dir, name);
      mkdirSync(target);
      if (this.rows[name] === 0) continue;
      await this.connection.run(
        `COPY (SELECT * FROM ${quoteIdent(name)}) TO ${quoteString(target)} ` +
          `(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}, PARTITION_BY (host, date), OVERWRITE_OR_IGNORE true)`,
      );
    }
    const manifest: Manifest = { schemaVersion: SCHEMA_VERSION, netrecVersion, tables: { ...this.rows } };
    writeFileSync(join(dir, MANIFEST), `${JSON.stringify({ ...manifest, columns: describeSchema().split('\n') }, null, 2)}\n`);
    return manifest;
  }

  close(): void {
    for (const name of TABLE_NAMES) if (this.chunks[name].fd !== -1) closeSync(this.chunks[name].fd);
    this.connection.closeSync();
    rmSync(join(this.spill, 'duckdb'), { recursive: true, force: true });
  }
}

const WRITERS = Object.fromEntries(TABLE_NAMES.map((n) => [n, jsonRowWriter(TABLES[n])])) as Record<TableName, (row: Row) => string>;
