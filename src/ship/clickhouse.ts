/**
 * ClickHouse through its HTTP interface with the official client (@clickhouse/client): a server
 * named by `http://HOST:PORT/[DB]`, the shards of a cluster, the tables' DDL, and queries whose
 * results come back as QueryResult (64-bit integers exact). SQL here is what Debian 12's
 * clickhouse-server 18.16 accepts and current releases still do: MergeTree with PARTITION BY and
 * ORDER BY, Distributed, no ON CLUSTER (it needs ZooKeeper), no DateTime64, no nested types in
 * stored columns (structs and lists of structs are JSON text in String columns).
 */
import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import type { Cell, QueryResult } from '../table/result.ts';
import type { ColumnType, Scalar, TableSchema } from '../table/schema.ts';

export interface ServerAddress {
  /** http://HOST:PORT, no path. */
  origin: string;
  database: string;
  user: string;
  password: string;
}

export const DEFAULT_DATABASE = 'netrec';

/** `http://HOST:PORT/[DB]` → origin and database; undefined when it is not such a URL. */
export function parseServerUrl(text: string): { origin: string; database: string } | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.search !== '' || url.hash !== '') return undefined;
  const path = url.pathname.replace(/^\/+|\/+$/g, '');
  if (path !== '' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(path)) return undefined;
  return { origin: url.origin, database: path === '' ? DEFAULT_DATABASE : path };
}

/** `inDatabase`: unqualified table names are the database's (queries); else `default` (DDL). */
export function connect(server: ServerAddress, inDatabase: boolean): ClickHouseClient {
  return createClient({
    url: server.origin,
    database: inDatabase ? server.database : 'default',
    username: server.user,
    password: server.password,
    request_timeout: 60_000,
    // Errors are values (one line each, from the caller); the client prints nothing itself.
    log: { level: ClickHouseLogLevel.OFF },
    // Inserted rows are JSON lines netrec already wrote (exact 64-bit integers): sent as they are.
    json: { parse: JSON.parse, stringify: (v: unknown) => (v as { line: string }).line },
  });
}

/** A ClickHouse error, or a network one, on one line. */
export function errorLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // 18.16 appends the whole parser expectation list and ", e.what() = DB::Exception".
  return text
    .replace(/, e\.what\(\) = .*$/s, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

export const ident = (name: string): string => `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
export const literal = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

const SCALAR: Record<Scalar, string> = {
  bool: 'UInt8',
  u8: 'UInt8',
  u16: 'UInt16',
  u32: 'UInt32',
  i32: 'Int32',
  u64: 'UInt64',
  i64: 'Int64',
  string: 'String',
  timestamp_ns: 'DateTime',
  date: 'Date',
};

/** Is the type stored as JSON text (a struct, or a list of anything but scalars)? */
export function storedAsText(t: ColumnType): boolean {
  return typeof t !== 'string' && ('struct' in t || typeof t.list !== 'string');
}

function columnType(t: ColumnType, nullable: boolean): string {
  const base = typeof t === 'string' ? SCALAR[t] : storedAsText(t) ? 'String' : `Array(${SCALAR[(t as { list: Scalar }).list]})`;
  return nullable && !base.startsWith('Array') ? `Nullable(${base})` : base;
}

/** The column that orders a table's rows in time. */
export function timeColumn(table: TableSchema): string {
  return table.columns.some((c) => c.name === 'timestamp') ? 'timestamp' : 'firstSeen';
}

/** The columns of a table; a derived time is MATERIALIZED (computed on insert, to the second). */
export function columnsSql(table: TableSchema): string {
  return table.columns
    .map((c) =>
      c.derivedFrom !== undefined
        ? `${ident(c.name)} DateTime MATERIALIZED toDateTime(intDiv(${ident(c.derivedFrom)}, 1000000000))`
        : `${ident(c.name)} ${columnType(c.type, c.nullable === true)}`,
    )
    .join(', ');
}

export function mergeTreeSql(database: string, name: string, table: TableSchema): string {
  return `CREATE TABLE IF NOT EXISTS ${ident(database)}.${ident(name)} (${columnsSql(table)}) ENGINE = MergeTree() PARTITION BY date ORDER BY (hostName, ${ident(timeColumn(table))})`;
}

export function distributedSql(database: string, cluster: string, name: string, local: string, table: TableSchema): string {
  return `CREATE TABLE IF NOT EXISTS ${ident(database)}.${ident(name)} (${columnsSql(table)}) ENGINE = Distributed(${ident(cluster)}, ${ident(database)}, ${ident(local)}, cityHash64(hostName))`;
}

const WIDE = /^(Nullable\()?U?Int64\)?$/;

/** Runs a query; its rows with 64-bit integers as bigint. Throws on a server error. */
export async function queryResult(client: ClickHouseClient, sql: string): Promise<QueryResult> {
  const result = await client.query({ query: sql, format: 'JSONCompact' });
  const json = (await result.json()) as unknown as { meta: { name: string; type: string }[]; data: Cell[][] };
  const wide = json.meta.map((m) => WIDE.test(m.type));
  return {
    columns: json.meta.map((m) => m.name),
    rows: json.data.map((row) => row.map((v, i) => (wide[i] && typeof v === 'string' ? BigInt(v) : v))),
  };
}
