/**
 * The process_events table (a recording's fork, exec, exit and comm records), through the built
 * CLI: every lifecycle record of the recording, as the .nev reader gives it, is one row with its
 * exact timestamp, read by DuckDB and by hyparquet; the fixture's known process tree
 * (process-tree.json: the shell, its forked subshell, the nc it exec'd) is what the rows say; and
 * joined with the processes table it gives a process's start, exec and exit times and its parent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { describe, expect, it } from 'vitest';
import { openRecording, readRecording } from '../../src/nev/recording.ts';
import { netrec } from '../helpers/cli.ts';
import { duckRows, tableScan } from '../helpers/duckdb.ts';
import { scratch } from '../nev/helpers.ts';

const path = scratch('process-events');
const RECORDING = 'fixtures/recordings/process-tree.nev';
const pids = JSON.parse(readFileSync('fixtures/recordings/process-tree.json', 'utf8')) as { parent: number; subshell: number; nc: number };

/** The recording's lifecycle records, read by the .nev reader: [event, timestamp, pid]. */
async function lifecycleRecords(): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for await (const items of readRecording(await openRecording(RECORDING))) {
    for (const item of items) if ('kind' in item && item.kind === 'lifecycle') out.push([item.event, String(item.timestamp)]);
  }
  return out.sort((a, b) => (BigInt(a[1]) < BigInt(b[1]) ? -1 : BigInt(a[1]) > BigInt(b[1]) ? 1 : a[0] < b[0] ? -1 : 1));
}

describe('process_events table', () => {
  it('every lifecycle record of the recording is a row, exact, in DuckDB and hyparquet; the process tree is the fixture’s', { timeout: 60_000 }, async () => {
    const dir = path('tree');
    const run = netrec(['export', RECORDING, '--format', 'parquet', '-w', dir]);
    expect(run.status, run.stderr).toBe(0);
    const expected = await lifecycleRecords();
    expect(expected.length).toBeGreaterThan(10);
    const rows = await duckRows(`SELECT event, timestamp FROM ${tableScan(dir, 'process_events')} ORDER BY timestamp, event`);
    expect(rows.map((r) => [r.event, r.timestamp])).toEqual(expected);
    const [times] = await duckRows(`SELECT count(*) FILTER (WHERE epoch_ns(time) <> timestamp) AS bad FROM ${tableScan(dir, 'process_events')}`);
    expect(times!.bad).toBe('0');

    // hyparquet, the second reader: the same rows, timestamps exact.
    const files = readdirSync(join(dir, 'process_events'), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.parquet'));
    const fromHyparquet: [string, string][] = [];
    for (const file of files) {
      const objects = (await parquetReadObjects({ file: await asyncBufferFromFile(join(dir, 'process_events', file)), compressors })) as Record<
        string,
        unknown
      >[];
      for (const o of objects) fromHyparquet.push([o.event as string, String(o.timestamp as bigint)]);
    }
    expect(fromHyparquet.sort((a, b) => (BigInt(a[1]) < BigInt(b[1]) ? -1 : BigInt(a[1]) > BigInt(b[1]) ? 1 : a[0] < b[0] ? -1 : 1))).toEqual(expected);

    // The fixture's tree: the subshell and nc are forks of the shell; nc's exec makes it nc; all exit.
    const of = async (pid: number) =>
      (
        await duckRows(
          `SELECT event, hostParentProcessId AS parent, processName, exitCode FROM ${tableScan(dir, 'process_events')} WHERE hostProcessId = ${pid} ORDER BY timestamp`,
        )
      ).map((r) => [r.event, r.parent, r.processName, r.exitCode]);
    expect(await of(pids.subshell)).toEqual([
      ['fork', pids.parent, 'nrforker', null],
      ['exit', pids.parent, 'nrforker', 0],
    ]);
    expect(await of(pids.nc)).toEqual([
      ['fork', pids.parent, 'nrforker', null],
      ['exec', pids.parent, 'nc', null],
      ['exit', pids.parent, 'nc', 0],
    ]);

    // Joined with the processes table in `netrec query`: nc owned packets; its parent, start, exec and exit times.
    const sql = `SELECT p.hostParentProcessId AS parent,
        min(e.timestamp) FILTER (WHERE e.event = 'fork') AS started,
        min(e.timestamp) FILTER (WHERE e.event = 'exec') AS executed,
        min(e.timestamp) FILTER (WHERE e.event = 'exit') AS exited,
        min(p.firstSeen) AS first, max(p.lastSeen) AS last
      FROM processes p JOIN process_events e USING (recordingId, hostProcessId)
      WHERE p.hostProcessId = ${pids.nc} AND p.processName = 'nc' GROUP BY ALL`;
    const query = netrec(['query', sql, dir, '-o', 'json']);
    expect(query.status, query.stderr).toBe(0);
    const lines = query.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const nc = JSON.parse(lines[0]!.replace(/:(\d{16,})/g, ':"$1"')) as Record<string, string | number>;
    expect(nc.parent).toBe(pids.parent);
    const [started, executed, exited, first, last] = [nc.started, nc.executed, nc.exited, nc.first, nc.last].map((v) => BigInt(v!));
    expect(started! < executed! && executed! <= first! && first! <= last! && last! <= exited!).toBe(true);
  });

  it('a capture has no lifecycle: the table is empty', { timeout: 60_000 }, async () => {
    const dir = path('pcap');
    const run = netrec(['export', 'fixtures/pcap/udp.pcap', '--format', 'parquet', '-w', dir]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(' 0 process_events,');
    expect(readdirSync(join(dir, 'process_events'))).toEqual([]);
  });
});
