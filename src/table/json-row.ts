/**
 * Rows as JSON lines, the one form both engines ingest: DuckDB's read_ndjson (then Parquet) and
 * ClickHouse's JSONEachRow. 64-bit integers are written as exact JSON integers (never through a
 * float); derived columns (schema.ts, derivedFrom) are left to the engine. A serializer is
 * compiled once per table from its columns.
 */
import type { Row } from './rows.ts';
import type { ColumnType, TableSchema } from './schema.ts';

type Write = (v: unknown) => string;

export interface JsonRowOptions {
  /**
   * Structs, and lists of structs or lists, as a JSON text inside a JSON string (for an engine
   * that keeps them as String columns: ClickHouse 18.16 has no usable nested types).
   */
  nestedAsText?: boolean;
  /** Booleans as 1 and 0 (ClickHouse 18.16 has no Bool; its UInt8 does not parse true). */
  boolAsNumber?: boolean;
}

/**
 * Can JSON.stringify write values of this type as they are? Yes when nothing in it is 64-bit
 * (bigints) or a boolean to be written as a number. Native JSON.stringify is several times faster
 * than a composed writer, and nested arguments are most of an event's bytes. Keys the schema does
 * not name (Tracee's `ack` beside `ackNumber`) are ignored by the engines.
 */
function plain(t: ColumnType, options: JsonRowOptions): boolean {
  if (typeof t === 'string') return t !== 'u64' && t !== 'i64' && t !== 'timestamp_ns' && !(t === 'bool' && options.boolAsNumber === true);
  if ('list' in t) return plain(t.list, options);
  return t.struct.every((f) => plain(f.type, options));
}

function writer(t: ColumnType, options: JsonRowOptions): Write {
  if (typeof t !== 'string' && plain(t, options)) return (v) => JSON.stringify(v);
  if (typeof t === 'string') {
    switch (t) {
      case 'string':
      case 'date':
        return (v) => JSON.stringify(v);
      case 'bool':
        return options.boolAsNumber === true ? (v) => (v ? '1' : '0') : (v) => (v ? 'true' : 'false');
      default:
        // Numbers and bigints print as exact decimal integers.
        return (v) => String(v);
    }
  }
  if ('list' in t) {
    const item = nullable(writer(t.list, options));
    return (v) => {
      const a = v as unknown[];
      let out = '[';
      for (let i = 0; i < a.length; i++) out += (i === 0 ? '' : ',') + item(a[i]);
      return `${out}]`;
    };
  }
  const fields = t.struct.map((f) => [`${JSON.stringify(f.name)}:`, f.name, nullable(writer(f.type, options))] as const);
  return (v) => {
    const o = v as Record<string, unknown>;
    let out = '{';
    for (let i = 0; i < fields.length; i++) {
      const [key, name, write] = fields[i]!;
      out += (i === 0 ? '' : ',') + key + write(o[name]);
    }
    return `${out}}`;
  };
}

function nullable(w: Write): Write {
  return (v) => (v === null || v === undefined ? 'null' : w(v));
}

const isNested = (t: ColumnType): boolean => typeof t !== 'string' && ('struct' in t || typeof t.list !== 'string');

/**
 * Compiles the serializer of one table's rows: row → one JSON object, no newline. The row part is
 * generated as one straight-line function (one concatenation, no closure per column): V8 runs it
 * several times faster than composed closures, and it runs once per row of every table.
 */
export function jsonRowWriter(table: TableSchema, options: JsonRowOptions = {}): (row: Row) => string {
  const nested: Write[] = [];
  const parts = table.columns
    .filter((c) => c.derivedFrom === undefined)
    .map((c, i) => {
      const v = `r[${JSON.stringify(c.name)}]`;
      let expr: string;
      if (typeof c.type === 'string' && c.type !== 'string' && c.type !== 'date') {
        expr = c.type === 'bool' ? (options.boolAsNumber === true ? `(x ? '1' : '0')` : `(x ? 'true' : 'false')`) : `('' + x)`;
      } else if (typeof c.type === 'string' || plain(c.type, options)) {
        expr = 'S(x)';
      } else {
        nested.push(writer(c.type, options));
        expr = `N[${nested.length - 1}](x)`;
      }
      if (options.nestedAsText === true && isNested(c.type)) expr = `S(${expr})`;
      const key = JSON.stringify(`${i === 0 ? '{' : ','}${JSON.stringify(c.name)}:`);
      return `${key} + ((x = ${v}) == null ? 'null' : ${expr})`;
    });
  // The code is generated from the schema's own column names, each quoted by JSON.stringify.
  const make = new Function('S', 'N', `return function (r) { var x; return ${parts.join(' + ')} + '}'; };`) as (
    s: typeof JSON.stringify,
    n: Write[],
  ) => (row: Row) => string;
  return make(JSON.stringify, nested);
}
