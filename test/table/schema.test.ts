/**
 * The tables' schema is versioned: any change of a column (name, type, order, nullability)
 * changes its fingerprint, and this test fails until SCHEMA_VERSION is bumped and the new
 * fingerprint recorded here (and docs/tables.md updated). The Parquet files carry the schema the
 * code describes, and the manifest names the version.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeSchema, SCHEMA_VERSION, TABLE_NAMES, TABLES } from '../../src/table/schema.ts';
import { netrec } from '../helpers/cli.ts';
import { duckRows, tableScan } from '../helpers/duckdb.ts';
import { scratch } from '../nev/helpers.ts';

/** Fingerprint of describeSchema() for every released version. */
const FINGERPRINTS: Record<number, string> = {
  1: '22ca07fa9571ec05a70532d7db444fde5765186d46231cfabc2b0db18ed6b74e',
  2: '44438a35349645378af2d05407802b62f53bb1f16d173600bffd9612a5661943',
};

const path = scratch('schema');

describe('table schema', () => {
  it('changes only with a version bump', () => {
    const fingerprint = createHash('sha256').update(describeSchema()).digest('hex');
    expect(fingerprint, `the schema changed: bump SCHEMA_VERSION (now ${SCHEMA_VERSION}) and record the new fingerprint`).toBe(FINGERPRINTS[SCHEMA_VERSION]);
  });

  it('is documented column by column in docs/tables.md', () => {
    const doc = readFileSync('docs/tables.md', 'utf8');
    expect(doc).toContain(`Schema version: ${SCHEMA_VERSION}`);
    for (const name of TABLE_NAMES) for (const c of TABLES[name].columns) expect(doc, `${name}.${c.name}`).toMatch(new RegExp(`\\| \`${c.name}\` \\|`));
  });

  it('is what the Parquet files hold, and the manifest says which version', { timeout: 60_000 }, async () => {
    const dir = path('dns');
    const run = netrec(['export', 'fixtures/recordings/dns.nev', '--format', 'parquet', '-w', dir]);
    expect(run.status, run.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'netrec-tables.json'), 'utf8')) as { schemaVersion: number; columns: string[] };
    expect(manifest.schemaVersion).toBe(SCHEMA_VERSION);
    expect(manifest.columns.join('\n')).toBe(describeSchema());
    for (const name of TABLE_NAMES) {
      const columns = await duckRows(`DESCRIBE SELECT * FROM ${tableScan(dir, name)}`);
      // Hive columns (host, date) come from the directory names, after the file's own.
      const stored = TABLES[name].columns.filter((c) => c.name !== 'host' && c.name !== 'date').map((c) => c.name);
      const names = columns.map((c) => c.column_name as string);
      expect(names.slice(0, stored.length)).toEqual(stored);
      expect(names.slice(stored.length).sort()).toEqual(['date', 'host']);
    }
    const types = Object.fromEntries(
      (await duckRows(`DESCRIBE SELECT timestamp, time, cgroupId, proto_tcp FROM ${tableScan(dir, 'events')}`)).map((c) => [c.column_name, c.column_type]),
    );
    expect(types.timestamp).toBe('BIGINT');
    expect(types.time).toBe('TIMESTAMP_NS');
    expect(types.cgroupId).toBe('UBIGINT');
    expect(types.proto_tcp).toMatch(/^STRUCT\(srcPort USMALLINT, dstPort USMALLINT, seq UINTEGER, ackNumber UINTEGER, /);
  });
});
