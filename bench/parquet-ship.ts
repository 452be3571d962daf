/**
 * Throughput of the table outputs against replay in the same run (issue 18, "Figures"):
 *   netrec replay FILE --output json > /dev/null       (the baseline)
 *   netrec export FILE --format parquet -w DIR
 *   netrec ship FILE --to http://127.0.0.1:PORT/netrec --cluster fleet   (two local shards)
 * on one generated mixed pcap. Prints wall time, packets/s and each against the baseline, and
 * the load average before and after (the machine may be shared).
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

function timed(label: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['bin/netrec.mjs', ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${label}: exit ${r.status}: ${r.stderr}`);
  return seconds;
}

console.log(`# ${packets} packets (${pcap}), ${(await import('node:os')).cpus().length} CPUs, load average before: ${load()}`);
const cluster = await startCluster(2);
try {
  const rows: [string, number][] = [];
  rows.push(['replay --output json', timed('replay', ['replay', pcap, '--output', 'json'])]);
  rows.push(['export --format parquet', timed('export', ['export', pcap, '--format', 'parquet', '-w', join(work, 'tables')])]);
  rows.push(['ship --cluster (2 shards)', timed('ship', ['ship', pcap, '--to', `${cluster.servers[0]!.url}/netrec`, '--cluster', CLUSTER])]);
  const base = rows[0]![1];
  console.log('| command | wall s | packets/s | vs replay json |');
  console.log('|---|---|---|---|');
  for (const [label, s] of rows) console.log(`| ${label} | ${s.toFixed(1)} | ${Math.round(packets / s).toLocaleString('en')} | ${(base / s).toFixed(2)}× |`);
  console.log(`# load average after: ${load()}`);
} finally {
  cluster.stop();
  rmSync(work, { recursive: true, force: true });
}
