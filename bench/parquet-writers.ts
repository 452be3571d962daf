/**
 * The Parquet writer choice (docs/tables.md, "Writer"), measured: the `packets` table of an
 * export (flat columns: the case a JavaScript writer handles) written again by
 *   (a) hyparquet-writer (pure JavaScript; snappy, its default: it has no zstd of its own), and
 *   (b) DuckDB as netrec writes it: JSON lines → read_ndjson → COPY … (FORMAT parquet, zstd),
 * both from the same rows in memory; then both files are read back with hyparquet and compared
 * value by value with the rows (64-bit columns included).
 *
 *   npx tsx bench/parquet-writers.ts EXPORT_DIR     (a directory export --format parquet wrote)
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { parquetWriteFile } from 'hyparquet-writer';
import { createTableSql, ingestSql } from '../src/query/duckdb-schema.ts';
import { jsonRowWriter } from '../src/table/json-row.ts';
import type { Row } from '../src/table/rows.ts';
import { TABLES, type Scalar } from '../src/table/schema.ts';

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: npx tsx bench/parquet-writers.ts EXPORT_DIR');
const table = TABLES.packets;
const work = mkdtempSync(join(tmpdir(), 'netrec-writers-'));
const db = await (await DuckDBInstance.create(':memory:')).connect();
const read = await db.runAndReadAll(
  `SELECT * EXCLUDE (time) FROM read_parquet('${dir}/packets/**/*.parquet', hive_partitioning = true, hive_types = {'host': VARCHAR, 'date': DATE}) ORDER BY packetNumber`,
);
const rows = read.getRowObjectsJS().map((r) => ({ ...r, date: String(r.date instanceof Date ? r.date.toISOString().slice(0, 10) : r.date) })) as Row[];
console.log(`# ${rows.length} rows of packets, ${table.columns.length} columns`);

const TYPE: Partial<Record<Scalar, string>> = {
  bool: 'BOOLEAN',
  u8: 'INT32',
  u16: 'INT32',
  u32: 'INT32',
  i32: 'INT32',
  u64: 'INT64',
  i64: 'INT64',
  string: 'STRING',
  date: 'STRING',
};
const stored = table.columns.filter((c) => c.derivedFrom === undefined);

let t = performance.now();
const hyFile = join(work, 'hyparquet.parquet');
parquetWriteFile({
  filename: hyFile,
  columnData: stored.map((c) => ({
    name: c.name,
    type: TYPE[c.type as Scalar] as 'STRING',
    data: rows.map((r) => (typeof r[c.name] === 'bigint' ? BigInt.asIntN(64, r[c.name] as bigint) : r[c.name])) as never,
  })),
});
const hyMs = performance.now() - t;

t = performance.now();
const ndjson = join(work, 'rows.ndjson');
const write = jsonRowWriter(table);
writeFileSync(ndjson, `${rows.map(write).join('\n')}\n`);
await db.run(createTableSql(table));
await db.run(ingestSql(table, ndjson));
const duckFile = join(work, 'duckdb.parquet');
await db.run(`COPY packets TO '${duckFile}' (FORMAT parquet, COMPRESSION zstd)`);
const duckMs = performance.now() - t;

for (const [label, file, ms] of [
  ['hyparquet-writer (snappy)', hyFile, hyMs],
  ['DuckDB via JSON lines (zstd)', duckFile, duckMs],
] as const) {
  const back = (await parquetReadObjects({ file: await asyncBufferFromFile(file), compressors })) as Row[];
  let mismatches = 0;
  back.forEach((r, i) => {
    for (const c of stored) {
      const want = rows[i]![c.name];
      const got = r[c.name];
      const same =
        typeof want === 'bigint'
          ? BigInt.asIntN(64, want) === BigInt.asIntN(64, BigInt(got as bigint))
          : String(want) === String(got instanceof Date ? got.toISOString().slice(0, 10) : got);
      if (!same) mismatches++;
    }
  });
  console.log(
    `| ${label} | ${ms.toFixed(0)} ms | ${Math.round(rows.length / (ms / 1000)).toLocaleString('en')} rows/s | ${(statSync(file).size / 1024).toFixed(0)} KiB | ${back.length} rows read back | ${mismatches} mismatching values |`,
  );
}
db.closeSync();
rmSync(work, { recursive: true, force: true });
