/**
 * Live capture under a bounded load: `netrec record` and tcpdump capture the same UDP stream at
 * increasing rates, in one run, at the same time; reported per rate: datagrams sent, what each
 * tool stored and lost, the CPU of each tool, of the sender (which pays for the BPF programs)
 * and of the receiver, and the load average.
 *
 *   sudo npx tsx bench/record-vs-tcpdump.ts [--rates 0,50000,100000,150000,max] [--seconds 5]
 *        [--size 100] [--receiver both|no|yes] [--threads 2] [--nice -5] [--compress] [--baseline] [--profile] [--perf]
 *        [--idle SECONDS] [--peer CHECKOUT]
 *
 * The load: bench/udp-load.c (built here with cc or clang) on the host sends UDP datagrams of
 * --size payload bytes at a fixed rate through a veth pair into a network namespace, from
 * --threads sending threads (one socket each); `max` asks for more than it can send, so it
 * sends as fast as it can. tcpdump runs at the recorder's own priority (it raises itself to
 * nice −10), sender and receiver at --nice: above the other jobs of a shared machine, so that
 * they reach the rate asked, and below the two captures, as a capture tool would be run. Without a receiver nothing listens
 * there (the namespace's ICMP port-unreachable replies are rate-limited to 1000/s and not
 * counted), so the recorder stores one copy of each datagram, the sender's; with one
 * (`udp-load recv` in the namespace), two: the sender's egress and the receiver's ingress.
 * `--receiver both` (the default) runs every rate both ways.
 *
 * netrec records the whole host (cgroup v2 root, default ring) to a .nev directory; tcpdump
 * (-B 16384, as its default) captures the host end of the veth to a pcap file. CPU is user +
 * system time over the window (100% = one core). --baseline first runs the sender (and receiver)
 * of each rate alone, without netrec or tcpdump: the difference in the sender's CPU is what the
 * BPF programs cost it (with tcpdump's much smaller share). --profile writes a V8 CPU profile of each
 * recorder to bench/out/ (summarise with bench/cpuprofile-top.ts); --perf records the recorder
 * with `perf record -g` over each send window (bench/out/perf-*.data, JIT symbols through
 * --perf-basic-prof). --idle SECONDS first measures the recorder's idle cost: `netrec record`
 * on an empty cgroup for that long (`--rates ''` measures only that). --peer CHECKOUT runs a
 * second `netrec record` at the same time, from another checkout's build (CHECKOUT/bin/netrec.mjs,
 * e.g. the commit before a change): both record the same traffic under the same load, so their
 * CPU compares on a machine too busy for one run to compare with the next. Output: a markdown table.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findCgroup2Root } from '../src/record/cgroup.ts';
import { NevSource } from '../src/replay/nev-source.ts';
import { LiveNet, N4, REPO, type Child } from '../test/record/live-net.ts';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '0,50000,100000,150000,200000,max' },
    seconds: { type: 'string', default: '5' },
    size: { type: 'string', default: '100' },
    receiver: { type: 'string', default: 'both' },
    threads: { type: 'string', default: '2' },
    nice: { type: 'string', default: '-5' },
    compress: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    perf: { type: 'boolean', default: false },
    baseline: { type: 'boolean', default: false },
    idle: { type: 'string', default: '0' },
    peer: { type: 'string' },
  },
});
const MAX_RATE = 50_000_000;
const rates = values.rates
  .split(',')
  .filter((r) => r !== '')
  .map((r) => (r === 'max' ? MAX_RATE : Number(r)));
const seconds = Number(values.seconds);
const size = Number(values.size);
const receiverModes = values.receiver === 'both' ? [false, true] : [values.receiver === 'yes'];
const threads = Number(values.threads);
/** The recorder's priority (src/record/recorder.ts), given to tcpdump too. */
const CAPTURE_NICE = '-10';
/** Runs a command at the load's priority, or at `nice`. */
const niced = (cmd: string, args: string[], nice = values.nice): [string, string[]] => ['nice', ['-n', nice, cmd, ...args]];
const PORT = 9;

const CLOCK_TICKS = 100;
const OUT = join(REPO, 'bench/out');

/** utime + stime of a process (all its threads), or of one thread (`tid`), in seconds. */
function cpuSeconds(pid: number, tid?: number): number {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** Load datagrams in a recording: [sender copies, receiver copies]. */
async function loadCopies(path: string): Promise<[number, number]> {
  let egress = 0;
  let ingress = 0;
  const source = await NevSource.open(path);
  for await (const batch of source.batches()) {
    for (const item of batch) {
      if (!('data' in item)) continue;
      const d = item.data;
      const l4 = (d[0]! & 0x0f) * 4;
      if (d[0]! >> 4 === 4 && d[9] === 17 && d[l4 + 2] === 0 && d[l4 + 3] === PORT) {
        if (item.direction === 'ingress') ingress++;
        else egress++;
      }
    }
  }
  return [egress, ingress];
}

function compiler(): string {
  for (const cc of ['cc', 'clang']) {
    try {
      execFileSync('sh', ['-c', `command -v ${cc}`], { stdio: 'ignore' });
      return cc;
    } catch {
      // next
    }
  }
  throw new Error('bench needs cc or clang to build bench/udp-load.c');
}

/** Samples a process's CPU while it runs (its /proc entry is gone once it has exited). */
function sampleCpu(pid: number): { stop: () => number } {
  let last = 0;
  const read = (): void => {
    try {
      last = cpuSeconds(pid);
    } catch {
      // exited
    }
  };
  const timer = setInterval(read, 50);
  return {
    stop: () => {
      clearInterval(timer);
      read();
      return last;
    },
  };
}

interface Row {
  rate: string;
  /** --baseline: datagrams sent and sender CPU seconds without any capture. */
  alone: [number, number] | undefined;
  receiver: boolean;
  sent: number;
  received: number | undefined;
  recorded: [number, number];
  lost: number;
  recCpu: number;
  /** The recorder's main thread alone (it drains the ring; the write thread checksums and writes). */
  recMainCpu: number;
  records: number;
  /** --peer: the other checkout's recorder over the same window. */
  peer: { cpu: number; main: number; records: number; lost: number } | undefined;
  captured: number;
  dropped: number;
  dumpCpu: number;
  senderCpu: number;
  receiverCpu: number | undefined;
  wall: number;
  load: string;
}

/** Runs the sender for one rate and returns [datagrams sent, its CPU seconds]. */
async function send(load: string, rate: number): Promise<[number, number]> {
  const sender = spawn(...niced(load, ['send', N4, String(PORT), String(rate), String(seconds), String(size), String(threads)]), {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  sender.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const cpu = sampleCpu(sender.pid!);
  await new Promise((resolve) => sender.on('exit', resolve));
  return [Number(out.trim()), cpu.stop()];
}

/** The sender alone (with the receiver, if any): no capture running. */
async function senderAlone(net: LiveNet, load: string, rate: number, receiver: boolean): Promise<[number, number]> {
  const sink = receiver ? net.spawn(...niced(load, ['recv', N4, String(PORT)]), { inNs: true }) : undefined;
  await sink?.waitFor(/^listening$/m, 'stdout', 10_000);
  const result = await send(load, rate);
  await sink?.stop('SIGTERM');
  return result;
}

async function runRate(net: LiveNet, load: string, rate: number, receiver: boolean): Promise<Row> {
  const alone = values.baseline ? await senderAlone(net, load, rate, receiver) : undefined;
  const tag = `${rate === MAX_RATE ? 'max' : rate}${receiver ? '-recv' : ''}`;
  const rec = join(OUT, `record-${tag}.nev`);
  const pcap = join(OUT, `tcpdump-${tag}.pcap`);
  rmSync(rec, { recursive: true, force: true });
  const nodeArgs = [...(values.profile ? ['--cpu-prof', '--cpu-prof-dir', join(OUT, `profile-${tag}`)] : []), ...(values.perf ? ['--perf-basic-prof'] : [])];
  const recorder = net.spawn(process.execPath, [
    ...nodeArgs,
    join(REPO, 'bin/netrec.mjs'),
    'record',
    '-o',
    rec,
    '--force',
    ...(values.compress ? ['--compress'] : []),
  ]);
  await recorder.waitFor(/Ctrl-C stops/, 'stderr', 60_000);
  const peerRec = join(OUT, `record-${tag}-peer.nev`);
  const peer =
    values.peer === undefined
      ? undefined
      : net.spawn(process.execPath, [join(values.peer, 'bin/netrec.mjs'), 'record', '-o', peerRec, '--force', ...(values.compress ? ['--compress'] : [])]);
  await peer?.waitFor(/Ctrl-C stops/, 'stderr', 60_000);
  const tcpdump = net.spawn(...niced('tcpdump', ['-i', net.hostIf, '-n', '-B', '16384', '-s', '0', '-w', pcap, `udp and dst port ${PORT}`], CAPTURE_NICE));
  await tcpdump.waitFor(/listening on/, 'stderr', 10_000);
  let sink: Child | undefined;
  if (receiver) {
    sink = net.spawn(...niced(load, ['recv', N4, String(PORT)]), { inNs: true });
    await sink.waitFor(/^listening$/m, 'stdout', 10_000);
  }
  await new Promise((r) => setTimeout(r, 300)); // the recorder's start-up is over

  // CPU seconds of every process measured, read before and after the send window.
  const cpuNow = () => ({
    rec: cpuSeconds(recorder.pid),
    recMain: cpuSeconds(recorder.pid, recorder.pid),
    peer: peer ? cpuSeconds(peer.pid) : 0,
    peerMain: peer ? cpuSeconds(peer.pid, peer.pid) : 0,
    dump: cpuSeconds(tcpdump.pid),
    sink: sink ? cpuSeconds(sink.pid) : 0,
  });
  const cpu0 = cpuNow();
  const perf = values.perf ? net.spawn('perf', ['record', '-F', '499', '-g', '-p', String(recorder.pid), '-o', join(OUT, `perf-${tag}.data`)]) : undefined;
  const started = performance.now();
  const [sent, senderSeconds] = await send(load, rate);
  await new Promise((r) => setTimeout(r, 1500)); // both captures catch up
  const wall = (performance.now() - started) / 1000;
  const cpu1 = cpuNow();

  await perf?.stop('SIGINT');
  await tcpdump.stop('SIGINT');
  await recorder.stop('SIGINT');
  await peer?.stop('SIGINT');
  rmSync(peerRec, { recursive: true, force: true });
  if (sink) await sink.stop('SIGTERM');
  const received = sink ? Number(sink.stdout.trim().split('\n').at(-1)) : undefined;
  const recStats = recorder.stderr;
  const recorded = await loadCopies(rec);
  const lost = Number(/lost in the kernel: (\d+) packets/.exec(recStats)?.[1] ?? NaN);
  const records = Number(/recorded (\d+) packets/.exec(recStats)?.[1] ?? NaN);
  const captured = Number(/(\d+) packets? captured/.exec(tcpdump.stderr)?.[1] ?? NaN);
  const dropped = Number(/(\d+) packets? dropped by kernel/.exec(tcpdump.stderr)?.[1] ?? NaN);
  // Only the counts are kept: at these rates the two files take hundreds of MB.
  rmSync(rec, { recursive: true, force: true });
  rmSync(pcap, { force: true });
  return {
    rate: rate === MAX_RATE ? 'max' : rate.toLocaleString('en-US'),
    receiver,
    sent,
    alone,
    received,
    recorded,
    lost,
    recCpu: cpu1.rec - cpu0.rec,
    recMainCpu: cpu1.recMain - cpu0.recMain,
    records,
    peer: peer && {
      cpu: cpu1.peer - cpu0.peer,
      main: cpu1.peerMain - cpu0.peerMain,
      records: Number(/recorded (\d+) packets/.exec(peer.stderr)?.[1] ?? NaN),
      lost: Number(/lost in the kernel: (\d+) packets/.exec(peer.stderr)?.[1] ?? NaN),
    },
    captured,
    dropped,
    dumpCpu: cpu1.dump - cpu0.dump,
    senderCpu: senderSeconds,
    receiverCpu: sink ? cpu1.sink - cpu0.sink : undefined,
    wall,
    load: loadAverage(),
  };
}

/**
 * --idle: `netrec record` on an empty cgroup (nothing to record, so only its own polling and
 * timers cost) for that many seconds; CPU of the whole recorder and of its main thread.
 */
async function idleCost(net: LiveNet, secondsIdle: number): Promise<string> {
  const cgroup = join(findCgroup2Root() ?? '/sys/fs/cgroup', `netrec-bench-idle-${process.pid}`);
  mkdirSync(cgroup, { recursive: true });
  const rec = join(OUT, 'record-idle.nev');
  try {
    const recorder = net.spawn(process.execPath, [join(REPO, 'bin/netrec.mjs'), 'record', '-o', rec, '--force', '--cgroup', cgroup]);
    await recorder.waitFor(/Ctrl-C stops/, 'stderr', 60_000);
    await new Promise((r) => setTimeout(r, 300)); // the recorder's start-up is over
    const [all0, main0] = [cpuSeconds(recorder.pid), cpuSeconds(recorder.pid, recorder.pid)];
    const started = performance.now();
    await new Promise((r) => setTimeout(r, secondsIdle * 1000));
    const wall = (performance.now() - started) / 1000;
    const [all1, main1] = [cpuSeconds(recorder.pid), cpuSeconds(recorder.pid, recorder.pid)];
    await recorder.stop('SIGINT');
    return `# idle: netrec record on an empty cgroup for ${wall.toFixed(1)} s: ${pct(all1 - all0, wall)} of a core (main thread ${pct(main1 - main0, wall)}); load average after: ${loadAverage()}`;
  } finally {
    rmSync(rec, { recursive: true, force: true });
    rmdirSync(cgroup);
  }
}

const pct = (s: number, wall: number): string => `${((s / wall) * 100).toFixed(1)}%`;
const n = (v: number | undefined): string => (v === undefined ? '–' : v.toLocaleString('en-US'));

/** The recorder's CPU per second with nothing to record (the rate-0 row), if measured yet. */
let idleCpuPerSecond: number | undefined;

/** The same for the --peer recorder. */
let peerIdleCpuPerSecond: number | undefined;

/** CPU per record, less what the recorder spends idle over the same window. */
function perRecord(cpu: number, records: number, wall: number, idle: number | undefined): string {
  if (records < 1000) return '–';
  const busy = cpu - (idle ?? 0) * wall;
  return ((Math.max(0, busy) * 1e6) / records).toFixed(2);
}

function peerColumn(r: Row): string {
  const p = r.peer;
  if (p === undefined) return '';
  return ` ${pct(p.cpu, r.wall)} (${pct(p.main, r.wall)}) | ${perRecord(p.cpu, p.records, r.wall, peerIdleCpuPerSecond)} | ${n(p.lost)} |`;
}

function tableRow(r: Row): string {
  return `| ${r.rate} | ${r.receiver ? 'yes' : 'no'} | ${n(r.sent)} | ${n(r.received)} | ${n(r.recorded[0])} + ${n(r.recorded[1])} | ${n(r.lost)} | ${pct(r.recCpu, r.wall)} (${pct(r.recMainCpu, r.wall)}) | ${perRecord(r.recCpu, r.records, r.wall, idleCpuPerSecond)} | ${n(r.captured)} | ${n(r.dropped)} | ${pct(r.dumpCpu, r.wall)} | ${pct(r.senderCpu, seconds)}${r.alone ? ` (alone: ${pct(r.alone[1], seconds)}, ${n(r.alone[0])} sent)` : ''} | ${r.receiverCpu === undefined ? '–' : pct(r.receiverCpu, r.wall)} | ${r.load} |${peerColumn(r)}`;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const load = join(OUT, 'udp-load');
  execFileSync(compiler(), ['-O2', '-pthread', '-o', load, join(REPO, 'bench/udp-load.c')]);
  const net = new LiveNet('bn');
  const rows: Row[] = [];
  const loadBefore = loadAverage();
  let idleLine: string | undefined;
  try {
    net.setup();
    if (Number(values.idle) > 0) {
      idleLine = await idleCost(net, Number(values.idle));
      process.stderr.write(`${idleLine}\n`);
    }
    for (const receiver of receiverModes) {
      for (const rate of rates) {
        const row = await runRate(net, load, rate, receiver);
        if (rate === 0) {
          idleCpuPerSecond ??= row.recCpu / row.wall;
          if (row.peer) peerIdleCpuPerSecond ??= row.peer.cpu / row.wall;
        }
        rows.push(row);
        process.stderr.write(`${tableRow(row)}\n`);
      }
    }
  } finally {
    net.teardown();
  }

  console.log(
    `# ${cpus().length} CPUs, ${cpus()[0]?.model ?? '?'}, kernel ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()}, node ${process.version}`,
  );
  console.log(
    `# ${seconds} s per rate, UDP payload ${size} bytes, host → namespace over a veth pair, ${threads} sending thread(s), sender and receiver at nice ${values.nice}, netrec and tcpdump at ${CAPTURE_NICE}${values.compress ? ', netrec --compress' : ''}${values.peer ? `, peer: ${values.peer}` : ''}; load average before: ${loadBefore}`,
  );
  if (idleLine !== undefined) console.log(idleLine);
  console.log(
    `| rate asked (pkt/s) | receiver | datagrams sent | received | netrec stored (sender + receiver copies) | netrec lost | netrec CPU (main thread) | µs per record (idle CPU subtracted) | tcpdump captured | tcpdump dropped | tcpdump CPU | sender CPU | receiver CPU | load average |${values.peer ? ' peer netrec CPU (main thread) | peer µs per record | peer lost |' : ''}`,
  );
  console.log(`|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|${values.peer ? '---:|---:|---:|' : ''}`);
  for (const r of rows) console.log(tableRow(r));
  if (values.profile)
    console.log(
      `# profiles: ${readdirSync(OUT)
        .filter((f) => f.startsWith('profile-'))
        .join(', ')}`,
    );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
