/**
 * The fleet figures of issue 18, in one run: N simulated hosts × M packets each (generated mixed
 * pcaps, one seed per host, `--host-name host-K` on export and ship), then
 *
 *   1. throughput: `replay --output json` (the baseline), `export --format parquet` and `ship` to a
 *      two-shard ClickHouse cluster that the bench starts itself (test/helpers/clickhouse.ts, the
 *      test harness's own code), packets/s each and against the baseline;
 *   2. every ready-made query of `netrec query --list`: in DuckDB over the Parquet exports, in
 *      ClickHouse through either shard's Distributed tables, and as the single-process equivalent
 *      `netrec replay --trace … | jq` over the same pcaps;
 *   3. sizes: the pcaps, the Parquet exports, ClickHouse's parts.
 *
 * Times are wall and CPU seconds (user + system: netrec and its children from /usr/bin/time; for
 * ClickHouse queries and ship, plus the two servers' own CPU from /proc). The machine may be
 * shared: the load average is printed before and after, and CPU time is the steadier figure.
 * Output is a markdown table per part, with the commands.
 *
 *   npm run build && npx tsx bench/parquet-ship.ts [--hosts 10] [--packets TOTAL] [--skip-jq]
 *
 * The pcaps are kept in bench/out/ (generated once per size and seed).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { READY_QUERIES } from '../src/table/queries.ts';
import { chQuery, CLUSTER, startCluster, type Cluster } from '../test/helpers/clickhouse.ts';

const { values } = parseArgs({
  options: { hosts: { type: 'string', default: '10' }, packets: { type: 'string', default: '1000000' }, 'skip-jq': { type: 'boolean', default: false } },
});
const hosts = Number(values.hosts);
const total = Number(values.packets);
const perHost = Math.ceil(total / hosts);
mkdirSync('bench/out', { recursive: true });
const pcaps = Array.from({ length: hosts }, (_, i) => {
  const file = `bench/out/fleet-${perHost}-seed${i + 1}.pcap`;
  if (!existsSync(file))
    execFileSync('npx', ['tsx', 'bench/gen-mixed-pcap.ts', '--packets', String(perHost), '--seed', String(i + 1), file], { stdio: 'inherit' });
  readFileSync(file); // into the page cache
  return file;
});
const hostName = (i: number) => `host-${String(i + 1).padStart(2, '0')}`;
const work = mkdtempSync(join(tmpdir(), 'netrec-bench-fleet-'));
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const netrecCmd = `node bin/netrec.mjs`;

interface Time {
  wall: number;
  cpu: number;
}

/** Wall and CPU seconds of a shell command (its children included), from /usr/bin/time. */
function timed(label: string, command: string): Time {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', 'bash', '-o', 'pipefail', '-c', `${command} > /dev/null`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${label}: exit ${r.status}: ${r.stderr}`);
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  if (m === null) throw new Error(`${label}: no timing in ${r.stderr}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]) };
}

/** CPU seconds the ClickHouse servers have used so far (utime + stime from /proc). */
function serverCpu(cluster: Cluster): number {
  const tick = 100; // USER_HZ on Linux
  return cluster.servers.reduce((sum, s) => {
    const fields = readFileSync(`/proc/${s.process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return sum + (Number(fields[11]) + Number(fields[12])) / tick;
  }, 0);
}

/** A command timed with the servers' CPU added. */
function timedWithServers(cluster: Cluster, label: string, command: string): Time {
  const before = serverCpu(cluster);
  const t = timed(label, command);
  return { wall: t.wall, cpu: t.cpu + serverCpu(cluster) - before };
}

function duSize(path: string): number {
  if (statSync(path).isFile()) return statSync(path).size;
  return readdirSync(path, { recursive: true })
    .map((f) => join(path, String(f)))
    .filter((f) => statSync(f).isFile())
    .reduce((s, f) => s + statSync(f).size, 0);
}

/** Code in a markdown table cell: its pipes escaped. */
const cell = (text: string) => `\`${text.replaceAll('|', '\\|')}\``;
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const rate = (s: number) => Math.round(total / s).toLocaleString('en');
const pcapList = pcaps.join(' ');

/**
 * The single-process equivalents: replay's events filtered by --trace, aggregated by jq in one
 * streaming pass (`reduce inputs`; jq's numbers are doubles, which is fine for a timing peer).
 */
const JQ: Record<string, { trace: string; jq: string }> = {
  'dns-names-by-process': {
    trace: '-t event=net_packet_dns_request',
    jq: `reduce (inputs | . as $e | .args[1].value[] | [$e.hostName, $e.processName, .query] | tostring) as $k ({}; .[$k] += 1)`,
  },
  'first-contact': {
    trace: '-t event=net_packet_ipv4,net_packet_ipv6',
    jq: `reduce (inputs | [.hostName, .args[1].value] as $k | [($k | tostring), .timestamp, .processName]) as [$k, $t, $p] ({}; if (.[$k] == null or .[$k][0] > $t) then .[$k] = [$t, $p] else . end)`,
  },
  'processes-to-cidr': {
    trace: '-t event=net_packet_ipv4',
    jq: `reduce (inputs | select(.processName != "") | [[.hostName, .processName, .hostProcessId] | tostring, .args[2].value.length, .args[1].value]) as [$k, $n, $d] ({}; .[$k].packets += 1 | .[$k].bytes += $n | .[$k].to[$d] = 1)`,
  },
  'dns-answers-unused': {
    trace: '-t event=net_packet_ipv4,net_packet_ipv6,net_packet_dns_response',
    // Collected once and grouped: appending to an array inside reduce copies it every time in jq.
    jq: `[inputs | if .eventName == "net_packet_dns_response" then (. as $e | .args[1].value[]?.dns_answer[]? | select(.answer_type == "A" or .answer_type == "AAAA") | {k: ($e.hostName + " " + .answer), a: $e.timestamp}) else {k: (.hostName + " " + .args[1].value), s: .timestamp} end] | (map(select(.s != null)) | group_by(.k) | map({key: .[0].k, value: (map(.s) | max)}) | from_entries) as $s | [.[] | select(.a != null) | select(($s[.k] // 0) < .a)] | length`,
  },
  'top-talkers': {
    trace: '-t event=net_packet_ipv4,net_packet_ipv6',
    jq: `reduce (inputs | select(.processName != "") | [[.hostName, .processName, .hostProcessId] | tostring, (.args[2].value.length // 0)]) as [$k, $n] ({}; .[$k] += $n) | to_entries | sort_by(-.value) | .[:10]`,
  },
};

console.log(`# ${hosts} hosts × ${perHost.toLocaleString('en')} packets = ${(hosts * perHost).toLocaleString('en')} packets, ${cpus().length} CPUs`);
console.log(`# load average before: ${load()}`);
const cluster = await startCluster(2);
try {
  const url = cluster.servers[0]!.url;
  const dirs = pcaps.map((_, i) => join(work, `tables-${i}`));
  const each = (make: (pcap: string, i: number) => string) => pcaps.map((p, i) => make(p, i)).join(' && ');
  const steps: [string, string, Time][] = [];
  const run = (label: string, command: string, withServers = false) => {
    const t = withServers ? timedWithServers(cluster, label, command) : timed(label, command);
    steps.push([label, command.length > 160 ? `${command.slice(0, 157)}...` : command, t]);
    return t;
  };
  run(
    'replay --output json (baseline)',
    each((p) => `${netrecCmd} replay ${p} --output json`),
  );
  run(
    'export --format parquet',
    each((p, i) => `${netrecCmd} export ${p} --format parquet --host-name ${hostName(i)} -w ${dirs[i]}`),
  );
  run(
    'ship --cluster (2 shards)',
    each((p, i) => `${netrecCmd} ship ${p} --to ${url}/netrec --cluster ${CLUSTER} --host-name ${hostName(i)}`),
    true,
  );
  const base = steps[0]![2];
  console.log('\n## Export and ship\n');
  console.log(`Per host, one command each (${hosts} in sequence); the first of each shown.\n`);
  console.log('| step | first command | wall s | packets/s | vs baseline | CPU s | packets/CPU-s | vs baseline |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const [label, command, t] of steps) {
    const first = cell(command.split(' && ')[0]!.replaceAll(work, 'DIR').replaceAll(url, 'URL'));
    console.log(
      `| ${label} | ${first} | ${t.wall.toFixed(1)} | ${rate(t.wall)} | ${(base.wall / t.wall).toFixed(2)}× | ${t.cpu.toFixed(1)} | ${rate(t.cpu)} | ${(base.cpu / t.cpu).toFixed(2)}× |`,
    );
  }
  console.log('\n(ship CPU includes both ClickHouse servers.)');

  console.log('\n## Ready-made queries\n');
  console.log('| query | engine | command | wall s | CPU s |');
  console.log('|---|---|---|---:|---:|');
  for (const q of READY_QUERIES) {
    const duck = `${netrecCmd} query --run ${q.name} ${dirs.join(' ')} -o json`;
    const ch = `${netrecCmd} query --clickhouse ${url}/netrec --run ${q.name} -o json`;
    const rows: [string, string, Time][] = [
      ['DuckDB (Parquet)', `netrec query --run ${q.name} DIR… -o json`, timed(`${q.name} duckdb`, duck)],
      ['ClickHouse (2 shards)', `netrec query --clickhouse URL --run ${q.name} -o json`, timedWithServers(cluster, `${q.name} clickhouse`, ch)],
    ];
    const jq = JQ[q.name];
    if (jq !== undefined && values['skip-jq'] !== true) {
      const command = `${netrecCmd} replay ${jq.trace} ${pcapList} | jq -n '${jq.jq}'`;
      rows.push(['replay | jq (1 process)', `netrec replay ${jq.trace} PCAP… | jq -n '…'`, timed(`${q.name} jq`, command)]);
    }
    for (const [engine, command, t] of rows) console.log(`| ${q.name} | ${cell(engine)} | ${cell(command)} | ${t.wall.toFixed(2)} | ${t.cpu.toFixed(2)} |`);
  }
  console.log('\n(ClickHouse CPU includes both servers.)');

  let parts = 0;
  for (const s of cluster.servers) parts += Number(await chQuery(s.url, "SELECT sum(bytes_on_disk) FROM system.parts WHERE database = 'netrec' AND active"));
  console.log('\n## Sizes\n');
  console.log('| what | MiB |');
  console.log('|---|---:|');
  console.log(`| pcaps (${hosts}) | ${mib(pcaps.reduce((s, p) => s + duSize(p), 0))} |`);
  console.log(`| Parquet exports | ${mib(dirs.reduce((s, d) => s + duSize(d), 0))} |`);
  console.log(`| ClickHouse parts (both shards) | ${mib(parts)} |`);
  console.log(`\n# load average after: ${load()}`);
} finally {
  cluster.stop();
  rmSync(work, { recursive: true, force: true });
}
