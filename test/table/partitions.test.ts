/**
 * The Parquet writer writes a chunk whose rows are all in one partition to that partition's file
 * itself (no PARTITION_BY), and leaves a chunk spanning several to DuckDB's PARTITION_BY. Both
 * must give what PARTITION_BY gives: the directory names DuckDB would write (DuckDB itself is the
 * oracle) and the same rows and columns.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { partitionDirectory } from '../../src/query/parquet-writer.ts';
import { netrec } from '../helpers/cli.ts';
import { duckRows, tableScan } from '../helpers/duckdb.ts';
import { scratch } from '../nev/helpers.ts';

const path = scratch('partitions');

const HOSTILE = [
  'web/01',
  'a b',
  'ä',
  '%',
  '=',
  '!',
  "'",
  '*',
  '(',
  ')',
  '.',
  '..',
  '_',
  '~',
  '#',
  '?',
  '\\',
  ':',
  'x\ny',
  '\u202e',
  '😀',
  '+',
  ',',
  '"',
  '&',
  '[',
  '$',
];

function exported(output: string, ...inputs: string[]): void {
  const run = netrec(['export', ...inputs, '--format', 'parquet', '-w', output]);
  expect(run.status, run.stderr).toBe(0);
}

describe('Parquet partitions', () => {
  it('directory names are the ones DuckDB’s PARTITION_BY writes, hostile names included', async () => {
    const dir = path('duckdb');
    rmSync(dir, { recursive: true, force: true });
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      const values = HOSTILE.map((h) => `'${h.replace(/'/g, "''")}'`).join(', ');
      await connection.run(`COPY (SELECT unnest([${values}]) AS host, 1 AS v) TO '${dir}' (FORMAT parquet, PARTITION_BY (host))`);
    } finally {
      connection.closeSync();
    }
    expect(HOSTILE.map((h) => partitionDirectory('host', h)).sort()).toEqual(readdirSync(dir).sort());
  });

  it('an export of two hosts (chunks spanning partitions) holds the rows and columns of each host’s own export', async () => {
    const inputs = ['fixtures/recordings/dns.nev', 'fixtures/pcap/dns-udp.pcap'];
    const both = path('both');
    exported(both, ...inputs);
    const alone = inputs.map((input, i) => {
      const dir = path(`alone-${i}`);
      exported(dir, input);
      return dir;
    });
    for (const table of ['packets', 'events', 'dns']) {
      const byHost = (dir: string) => duckRows(`SELECT host, count(*) AS n FROM ${tableScan(dir, table)} GROUP BY host ORDER BY host`);
      const separate = (await Promise.all(alone.map(byHost))).flat().sort((a, b) => String(a.host).localeCompare(String(b.host)));
      const together = await byHost(both);
      // Two hosts, so the merged export's chunks span two partitions.
      expect(together, table).toHaveLength(2);
      expect(together, table).toEqual(separate);
      const columns = (dir: string) => duckRows(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${tableScan(dir, table)})`);
      expect(await columns(both), table).toEqual(await columns(alone[0]!));
    }
    expect(readdirSync(join(both, 'events')).sort()).toEqual([...readdirSync(join(alone[0]!, 'events')), ...readdirSync(join(alone[1]!, 'events'))].sort());
  });
});
