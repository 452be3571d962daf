/**
 * Rows → Parquet tables through an embedded DuckDB. Rows are serialized as JSON lines into a
 * chunk file per table, which DuckDB copies (read_ndjson, typed) straight into Hive-partitioned
 * Parquet every CHUNK_ROWS rows and at the end: `<dir>/<table>/host=<h>/date=<d>/data_<k>_0.parquet`
 * for the table's k-th chunk, zstd compressed. Nothing is held in DuckDB between chunks, so memory
 * does not grow with the input. Why DuckDB, and why through JSON lines: docs/tables.md ("Writer").
 */
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { TableRows } from '../table/collector.ts';
import { jsonRowWriter } from '../table/json-row.ts';
import type { Row } from '../table/rows.ts';
import { describeSchema, SCHEMA_VERSION, TABLE_NAMES, TABLES, type TableName } from '../table/schema.ts';
import { ndjsonSelectSql, quoteString } from './duckdb-schema.ts';

/** The file that marks a directory as a netrec table export (and says its schema version). */
export const MANIFEST = 'netrec-tables.json';
/** Rows per row group: DuckDB's default, large enough for scans, small enough to skip by stats. */
export const ROW_GROUP_ROWS = 122_880;
/**
 * Rows serialized before DuckDB writes them out: one Parquet file per partition and chunk, of two
 * full row groups; bounds the chunk file (a few hundred MB at most).
 */
const CHUNK_ROWS = 2 * ROW_GROUP_ROWS;
/**
 * Distinct values per column chunk up to which DuckDB dictionary-encodes it. DuckDB's default
 * lets it build dictionaries far larger, and it spent about half of the events table's write in
 * them; at this limit the events files came out 9% smaller, too (docs/performance.md, issue 18).
 */
const DICTIONARY_LIMIT = 4096;

export interface Manifest {
  schemaVersion: number;
  netrecVersion: string;
  tables: Record<TableName, number>;
}

/** Bytes of JSON lines gathered before they are written to a chunk file. */
const LINE_BUFFER = 1 << 22;

/**
 * JSON lines into a file through a reused buffer: each line is encoded into it as it is made, with
 * no array of lines and no joined string per batch for the garbage collector.
 */
class LineFile {
  private readonly buffer = Buffer.allocUnsafe(LINE_BUFFER);
  private used = 0;
  private readonly fd: number;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'w');
  }

  line(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    if (this.used + text.length * 3 + 1 > this.buffer.length) {
      this.flush();
      if (text.length * 3 + 1 > this.buffer.length) {
        writeSync(this.fd, `${text}\n`);
        return;
      }
    }
    this.used += this.buffer.write(text, this.used);
    this.buffer[this.used++] = 0x0a;
  }

  private flush(): void {
    for (let at = 0; at < this.used; ) at += writeSync(this.fd, this.buffer, at, this.used - at);
    this.used = 0;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }
}

/**
 * A partition's directory name as DuckDB's PARTITION_BY writes it (checked on hostile names,
 * DuckDB 1.5.6): RFC 3986 percent-encoding, which is encodeURIComponent's plus !'()*. Undefined
 * for a value it cannot encode (a lone surrogate), which is left to DuckDB.
 */
export function partitionDirectory(column: string, value: string): string | undefined {
  try {
    return `${column}=${encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
  } catch {
    return undefined;
  }
}

interface Chunk {
  /** The chunk file being written; undefined until the chunk's first row. */
  lines: LineFile | undefined;
  /**
   * The one partition all the chunk's rows are in, or null when they are in several (undefined:
   * no rows yet). One partition, the usual case, is written to its file directly, without
   * PARTITION_BY, which gathers every row of a partition in DuckDB's memory before writing.
   */
  partition: { host: string; date: string } | null | undefined;
  rows: number;
  /** Chunks of the table written so far (the k of their file names). */
  written: number;
}

export class ParquetTables {
  private readonly rows = Object.fromEntries(TABLE_NAMES.map((n) => [n, 0])) as Record<TableName, number>;
  private readonly chunks = {} as Record<TableName, Chunk>;
  /**
   * The chunk DuckDB is writing out, if any: the rows of the next are serialized meanwhile (one
   * core each); a chunk waits for it before it starts, so at most one is in DuckDB at a time.
   */
  private inFlight: Promise<void> = Promise.resolve();

  private constructor(
    private readonly connection: DuckDBConnection,
    private readonly spill: string,
    private readonly dir: string,
  ) {
    for (const name of TABLE_NAMES) {
      mkdirSync(join(dir, name));
      this.chunks[name] = { lines: undefined, partition: undefined, rows: 0, written: 0 };
    }
  }

  /**
   * `spill`: an empty directory for the chunk files and DuckDB's temporary data; `dir`: an empty
   * directory for the tables.
   */
  static async open(spill: string, dir: string): Promise<ParquetTables> {
    // One thread: DuckDB writes a chunk while JavaScript serializes the next. Two threads spent
    // more CPU on the same files and held more memory (docs/performance.md, issue 18).
    const instance = await DuckDBInstance.create(':memory:', { temp_directory: join(spill, 'duckdb'), memory_limit: '1GB', threads: '1' });
    return new ParquetTables(await instance.connect(), spill, dir);
  }

  async add(rows: TableRows): Promise<void> {
    for (const name of TABLE_NAMES) await this.append(name, rows[name]);
  }

  private async append(name: TableName, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const write = WRITERS[name];
    const chunk = this.chunks[name];
    chunk.lines ??= new LineFile(join(this.spill, `${name}.${chunk.written}.ndjson`));
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      chunk.lines.line(write(row));
      const p = chunk.partition;
      if (p === undefined) chunk.partition = { host: row.host as string, date: row.date as string };
      else if (p !== null && (p.host !== row.host || p.date !== row.date)) chunk.partition = null;
    }
    chunk.rows += rows.length;
    this.rows[name] += rows.length;
    if (chunk.rows >= CHUNK_ROWS) await this.flush(name);
  }

  /**
   * Starts writing the table's chunk out as Parquet files, one per partition it touches, once the
   * chunk before it is written (whose failure is thrown here).
   */
  private async flush(name: TableName): Promise<void> {
    const chunk = this.chunks[name];
    const lines = chunk.lines;
    if (lines === undefined) return;
    chunk.lines = undefined;
    lines.close();
    const k = chunk.written++;
    const partition = chunk.partition;
    chunk.partition = undefined;
    chunk.rows = 0;
    await this.inFlight;
    const options = `FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}, DICTIONARY_SIZE_LIMIT ${DICTIONARY_LIMIT}`;
    const select = ndjsonSelectSql(TABLES[name], lines.file);
    const host = partition ? partitionDirectory('host', partition.host) : undefined;
    let sql: string;
    if (partition && host !== undefined) {
      // What PARTITION_BY would write: the file in the partition's directory, without its columns.
      const target = join(this.dir, name, host, `date=${partition.date}`);
      mkdirSync(target, { recursive: true });
      sql = `COPY (SELECT * EXCLUDE (host, date) FROM (${select})) TO ${quoteString(join(target, `data_${k}_0.parquet`))} (${options})`;
    } else {
      // OVERWRITE_OR_IGNORE lets a chunk write into the partition directories earlier chunks
      // made; its files have their own names, so nothing is overwritten.
      sql = `COPY (${select}) TO ${quoteString(join(this.dir, name))} (${options}, PARTITION_BY (host, date), OVERWRITE_OR_IGNORE true, FILENAME_PATTERN 'data_${k}_{i}')`;
    }
    const copy = this.connection.run(sql).then(() => rmSync(lines.file));
    // Awaited by the next flush, write or close; until then its failure is not unhandled.
    copy.catch(() => {});
    this.inFlight = copy;
  }

  /** Writes the rest of every table and the manifest. */
  async write(netrecVersion: string): Promise<Manifest> {
    for (const name of TABLE_NAMES) await this.flush(name);
    await this.inFlight;
    const manifest: Manifest = { schemaVersion: SCHEMA_VERSION, netrecVersion, tables: { ...this.rows } };
    writeFileSync(join(this.dir, MANIFEST), `${JSON.stringify({ ...manifest, columns: describeSchema().split('\n') }, null, 2)}\n`);
    return manifest;
  }

  /** Closes everything, also after a failure (a chunk DuckDB is still writing is waited for). */
  async close(): Promise<void> {
    for (const name of TABLE_NAMES) this.chunks[name].lines?.close();
    await this.inFlight.catch(() => {});
    this.connection.closeSync();
    rmSync(join(this.spill, 'duckdb'), { recursive: true, force: true });
  }
}

const WRITERS = Object.fromEntries(TABLE_NAMES.map((n) => [n, jsonRowWriter(TABLES[n])])) as Record<TableName, (row: Row) => string>;
