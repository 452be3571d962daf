/**
 * The tables of src/table/schema.ts in DuckDB: SQL types, CREATE TABLE, and the read_ndjson call
 * that ingests rows written by src/table/json-row.ts with every column's type given (64-bit
 * integers are parsed as integers, never through a float; derived timestamps computed here).
 */
import type { ColumnType, Scalar, TableSchema } from '../table/schema.ts';

const SCALAR_SQL: Record<Scalar, string> = {
  bool: 'BOOLEAN',
  u8: 'UTINYINT',
  u16: 'USMALLINT',
  u32: 'UINTEGER',
  i32: 'INTEGER',
  u64: 'UBIGINT',
  i64: 'BIGINT',
  string: 'VARCHAR',
  timestamp_ns: 'TIMESTAMP_NS',
  date: 'DATE',
};

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
export const quoteString = (text: string): string => `'${text.replace(/'/g, "''")}'`;

export function sqlType(t: ColumnType): string {
  if (typeof t === 'string') return SCALAR_SQL[t];
  if ('list' in t) return `${sqlType(t.list)}[]`;
  return `STRUCT(${t.struct.map((f) => `${quoteIdent(f.name)} ${sqlType(f.type)}`).join(', ')})`;
}

export function createTableSql(table: TableSchema): string {
  return `CREATE TABLE ${quoteIdent(table.name)} (${table.columns.map((c) => `${quoteIdent(c.name)} ${sqlType(c.type)}`).join(', ')})`;
}

/** The rows of a JSON-lines file as the table's columns, derived columns computed. */
export function ndjsonSelectSql(table: TableSchema, file: string): string {
  const stored = table.columns.filter((c) => c.derivedFrom === undefined);
  const spec = stored.map((c) => `${quoteString(c.name)}: ${quoteString(sqlType(c.type))}`).join(', ');
  const select = table.columns
    .map((c) => (c.derivedFrom !== undefined ? `make_timestamp_ns(${quoteIdent(c.derivedFrom)}) AS ${quoteIdent(c.name)}` : quoteIdent(c.name)))
    .join(', ');
  return `SELECT ${select} FROM read_ndjson(${quoteString(file)}, columns = {${spec}})`;
}

/** INSERT of the rows in a JSON-lines file into the table, derived columns computed. */
export function ingestSql(table: TableSchema, file: string): string {
  return `INSERT INTO ${quoteIdent(table.name)} ${ndjsonSelectSql(table, file)}`;
}
