/**
 * Throughput of the table outputs against replay in the same run (issue 18, "Figures"):
 *   netrec replay FILE --output json > /dev/null       (the baseline)
 *   netrec export FILE --format parquet -w DIR
 *   netrec ship FILE --to http://127.0.0.1:PORT/netrec --cluster fleet   (two local shards)
 * on one generated mixed pcap. Prints wall and CPU time (netrec's process, DuckDB's threads
 * included, the ClickHouse servers' not), packets/s and each against the baseline, and the load
 * average before and after (the machine may be shared: CPU time is the steadier figure).
 *
 *   npx tsx bench/parquet-ship.ts [--packets N]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CLUSTER, startCluster } from '../test/helpers/clickhouse.ts';

const { values } = parseArgs({ options: { packets: { type: 'string', default: '100000' } } });
const packets = Number(values.packets);
mkdirSync('bench/out', { recursive: true });
const pcap = `bench/out/mixed-${packets}.pcap`;
if (!existsSync(pcap)) execFileSync('npx', ['tsx', 'bench/gen-mixed-pcap.ts', '--packets', String(packets), pcap], { stdio: 'inherit' });
readFileSync(pcap); // into the page cache
const work = mkdtempSync(join(tmpdir(), 'netrec-bench-tables-'));
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** Wall and CPU (user + system) seconds of one netrec run, from /usr/bin/time. */
function timed(label: string, args: string[]): { wall: number; cpu: number } {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', process.execPath, 'bin/netrec.mjs', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${label}: exit ${r.status}: ${r.stderr}`);
  const [wall, user, system] = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr)!.slice(1).map(Number);
  return { wall: wall!, cpu: user! + system! };
}

console.log(`# ${packets} packets (${pcap}), ${(await import('node:os')).cpus().length} CPUs, load average before: ${load()}`);
const cluster = await startCluster(2);
try {
  const rows: [string, { wall: number; cpu: number }][] = [];
  rows.push(['replay --output json', timed('replay', ['replay', pcap, '--output', 'json'])]);
  rows.push(['export --format parquet', timed('export', ['export', pcap, '--format', 'parquet', '-w', join(work, 'tables')])]);
  rows.push(['ship --cluster (2 shards)', timed('ship', ['ship', pcap, '--to', `${cluster.servers[0]!.url}/netrec`, '--cluster', CLUSTER])]);
  const base = rows[0]![1];
  const rate = (s: number) => Math.round(packets / s).toLocaleString('en');
  console.log('| command | wall s | packets/s (wall) | vs replay json | CPU s (netrec) | packets/CPU-s | vs replay json |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [label, t] of rows) {
    console.log(
      `| ${label} | ${t.wall.toFixed(1)} | ${rate(t.wall)} | ${(base.wall / t.wall).toFixed(2)}× | ${t.cpu.toFixed(1)} | ${rate(t.cpu)} | ${(base.cpu / t.cpu).toFixed(2)}× |`,
    );
  }
  console.log(`# load average after: ${load()}`);
} finally {
  cluster.stop();
  rmSync(work, { recursive: true, force: true });
}
