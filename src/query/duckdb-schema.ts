/**
 * The tables of src/table/schema.ts in DuckDB: SQL types for CREATE TABLE, and for each column a
 * function that appends a row's value through DuckDB's appender (64-bit values as bigint, never
 * through a float).
 */
import {
  BIGINT,
  BOOLEAN,
  DATE,
  dateValue,
  INTEGER,
  LIST,
  listValue,
  STRUCT,
  structValue,
  TIMESTAMP_NS,
  timestampNanosValue,
  UBIGINT,
  UINTEGER,
  USMALLINT,
  UTINYINT,
  VARCHAR,
  type DuckDBAppender,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { ColumnType, Scalar, TableSchema } from '../table/schema.ts';
import type { Row } from '../table/rows.ts';

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

const SCALAR_TYPE: Record<Scalar, DuckDBType> = {
  bool: BOOLEAN,
  u8: UTINYINT,
  u16: USMALLINT,
  u32: UINTEGER,
  i32: INTEGER,
  u64: UBIGINT,
  i64: BIGINT,
  string: VARCHAR,
  timestamp_ns: TIMESTAMP_NS,
  date: DATE,
};

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export function sqlType(t: ColumnType): string {
  if (typeof t === 'string') return SCALAR_SQL[t];
  if ('list' in t) return `${sqlType(t.list)}[]`;
  return `STRUCT(${t.struct.map((f) => `${quote(f.name)} ${sqlType(f.type)}`).join(', ')})`;
}

export function createTableSql(table: TableSchema): string {
  return `CREATE TABLE ${quote(table.name)} (${table.columns.map((c) => `${quote(c.name)} ${sqlType(c.type)}`).join(', ')})`;
}

function duckType(t: ColumnType): DuckDBType {
  if (typeof t === 'string') return SCALAR_TYPE[t];
  if ('list' in t) return LIST(duckType(t.list));
  return STRUCT(Object.fromEntries(t.struct.map((f) => [f.name, duckType(f.type)])));
}

/** A JS value of type `t` as the DuckDBValue the appender takes for nested values. */
function converter(t: ColumnType): (v: unknown) => DuckDBValue {
  if (typeof t === 'string') {
    switch (t) {
      case 'u64':
      case 'i64':
        return (v) => (v === null || v === undefined ? null : BigInt(v as bigint | number));
      case 'timestamp_ns':
        return (v) => (v === null || v === undefined ? null : timestampNanosValue(v as bigint));
      case 'date':
        return (v) => (v === null || v === undefined ? null : dateValue(v as number));
      default:
        return (v) => (v === undefined ? null : (v as DuckDBValue));
    }
  }
  if ('list' in t) {
    const item = converter(t.list);
    return (v) => (v === null || v === undefined ? null : listValue((v as unknown[]).map(item)));
  }
  const fields = t.struct.map((f) => [f.name, converter(f.type)] as const);
  return (v) => {
    if (v === null || v === undefined) return null;
    const o = v as Record<string, unknown>;
    const entries: Record<string, DuckDBValue> = {};
    for (const [name, convert] of fields) entries[name] = convert(o[name]);
    return structValue(entries);
  };
}

type Append = (a: DuckDBAppender, v: unknown) => void;

function appendFor(t: ColumnType): Append {
  const orNull =
    (f: Append): Append =>
    (a, v) =>
      v === null || v === undefined ? a.appendNull() : f(a, v);
  if (typeof t === 'string') {
    switch (t) {
      case 'bool':
        return orNull((a, v) => a.appendBoolean(v as boolean));
      case 'u8':
        return orNull((a, v) => a.appendUTinyInt(v as number));
      case 'u16':
        return orNull((a, v) => a.appendUSmallInt(v as number));
      case 'u32':
        return orNull((a, v) => a.appendUInteger(v as number));
      case 'i32':
        return orNull((a, v) => a.appendInteger(v as number));
      case 'u64':
        return orNull((a, v) => a.appendUBigInt(v as bigint));
      case 'i64':
        return orNull((a, v) => a.appendBigInt(v as bigint));
      case 'string':
        return orNull((a, v) => a.appendVarchar(v as string));
      case 'timestamp_ns':
        return orNull((a, v) => a.appendTimestampNanoseconds(timestampNanosValue(v as bigint)));
      case 'date':
        return orNull((a, v) => a.appendDate(dateValue(v as number)));
    }
  }
  const type = duckType(t);
  const convert = converter(t);
  return (a, v) => a.appendValue(convert(v), type);
}

/** Appends rows of `table` in column order. */
export function rowAppender(table: TableSchema): (a: DuckDBAppender, rows: readonly Row[]) => void {
  const columns = table.columns.map((c) => [c.name, appendFor(c.type)] as const);
  return (a, rows) => {
    for (const row of rows) {
      for (const [name, append] of columns) append(a, row[name]);
      a.endRow();
    }
  };
}
