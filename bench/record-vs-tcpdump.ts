/**
 * Live capture under a bounded load: `netrec record` and tcpdump capture the same UDP stream at
 * increasing rates, in one run; reported per rate: packets sent, packets each tool stored,
 * losses, and each tool's CPU use.
 *
 *   sudo npx tsx bench/record-vs-tcpdump.ts [--rates 0,10000,25000,50000,100000,200000] [--seconds 5] [--size 100]
 *
 * The load: a Node process on the host sends UDP datagrams of --size payload bytes at a fixed
 * rate (bursts every millisecond) through a veth pair into a network namespace where nothing
 * listens (the namespace's ICMP port-unreachable replies are rate-limited by the kernel to
 * 1000/s and are not counted). netrec records the whole host (cgroup v2 root); tcpdump listens
 * on the host end of the veth, writing to a file like the recorder. CPU is user+system time of
 * each capture process over the window; the BPF programs' own cost runs in the sender's context
 * and shows up as sender CPU, reported too. Output: a markdown table on stdout.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { NevSource } from '../src/replay/nev-source.ts';
import { LiveNet, N4, netrec, REPO } from '../test/record/live-net.ts';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '0,10000,25000,50000,100000,200000' },
    seconds: { type: 'string', default: '5' },
    size: { type: 'string', default: '100' },
  },
});
const rates = values.rates.split(',').map(Number);
const seconds = Number(values.seconds);
const size = Number(values.size);

const CLOCK_TICKS = 100;

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function udpOut(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const [names, vals] = lines.map((l) => l.split(/\s+/));
  return Number(vals![names!.indexOf('OutDatagrams')]);
}

/** Packets of the load in a recording (the recorder captures the whole host). */
async function loadPackets(path: string): Promise<number> {
  let n = 0;
  const source = await NevSource.open(path);
  for await (const batch of source.batches()) {
    for (const item of batch) {
      if (!('data' in item)) continue;
      const d = item.data;
      const l4 = (d[0]! & 0x0f) * 4;
      if (d[0]! >> 4 === 4 && d[9] === 17 && d[l4 + 2] === 0 && d[l4 + 3] === 9) n++;
    }
  }
  return n;
}

/** The sender: `rate` datagrams a second for `seconds`, then prints how many it handed to the kernel. */
const SENDER = `
const dgram = require('node:dgram');
const [addr, rate, seconds, size] = process.argv.slice(1).map((v, i) => (i === 0 ? v : Number(v)));
const sock = dgram.createSocket('udp4');
sock.on('error', () => {}); // ICMP port unreachable comes back as ECONNREFUSED: keep sending
const payload = Buffer.alloc(size, 0x61);
if (rate === 0) setTimeout(() => { console.log(0); sock.close(); }, seconds * 1000);
else sock.connect(9, addr, () => {
  const start = process.hrtime.bigint();
  let sent = 0;
  const tick = () => {
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (elapsed >= seconds) { console.log(sent); sock.close(); return; }
    const due = Math.floor(elapsed * rate);
    while (sent < due) { sock.send(payload); sent++; }
    setTimeout(tick, 1);
  };
  tick();
});
`;

async function main(): Promise<void> {
  const net = new LiveNet('bn');
  const out = join(REPO, 'bench/out');
  mkdirSync(out, { recursive: true });
  const rows: string[] = [];
  try {
    net.setup();
    for (const rate of rates) {
      const rec = join(out, `record-${rate}.nev`);
      const pcap = join(out, `tcpdump-${rate}.pcap`);
      rmSync(rec, { recursive: true, force: true });
      const recorder = netrec(net, ['record', '-o', rec, '--force']);
      await recorder.waitFor(/Ctrl-C stops/, 'stderr', 60_000);
      const tcpdump = net.spawn('tcpdump', ['-i', net.hostIf, '-n', '-s', '0', '-w', pcap, 'udp and dst port 9']);
      await tcpdump.waitFor(/listening on/, 'stderr', 10_000);

      const cpu0 = { rec: cpuSeconds(recorder.pid), dump: cpuSeconds(tcpdump.pid) };
      const udp0 = udpOut();
      const started = performance.now();
      const sender = spawn(process.execPath, ['-e', SENDER, N4, String(rate), String(seconds), String(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let senderOut = '';
      sender.stdout.setEncoding('utf8').on('data', (d: string) => (senderOut += d));
      // Sampled while it runs: /proc/<pid> is gone once it has exited.
      let senderCpu = 0;
      const sampler = setInterval(() => {
        try {
          senderCpu = cpuSeconds(sender.pid!);
        } catch {
          // exited
        }
      }, 50);
      await new Promise((resolve) => sender.on('exit', resolve));
      clearInterval(sampler);
      await new Promise((r) => setTimeout(r, 1500)); // both captures catch up
      const wall = (performance.now() - started) / 1000;
      const cpu1 = { rec: cpuSeconds(recorder.pid), dump: cpuSeconds(tcpdump.pid) };
      const sent = udpOut() - udp0;

      await tcpdump.stop('SIGINT');
      const dumpStats = tcpdump.stderr;
      await recorder.stop('SIGINT');
      const recStats = recorder.stderr;
      const recorded = await loadPackets(rec);
      const lost = Number(/lost in the kernel: (\d+) packets/.exec(recStats)?.[1] ?? NaN);
      const captured = Number(/(\d+) packets? captured/.exec(dumpStats)?.[1] ?? NaN);
      const dropped = Number(/(\d+) packets? dropped by kernel/.exec(dumpStats)?.[1] ?? NaN);
      // Only the counts are kept: at 200k packets/s the two files take hundreds of MB.
      rmSync(rec, { recursive: true, force: true });
      rmSync(pcap, { force: true });
      const pct = (s: number): string => `${((s / wall) * 100).toFixed(1)}%`;
      rows.push(
        `| ${rate} | ${sent} (${Number(senderOut.trim())} asked) | ${recorded} | ${lost} | ${pct(cpu1.rec - cpu0.rec)} | ${captured} | ${dropped} | ${pct(cpu1.dump - cpu0.dump)} | ${pct(senderCpu)} |`,
      );
      process.stderr.write(`rate ${rate}: done\n`);
    }
  } finally {
    net.teardown();
  }
  console.log(`# ${cpus().length} CPUs, ${cpus()[0]?.model ?? '?'}, kernel ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()}, node ${process.version}`);
  console.log(`# ${seconds} s per rate, UDP payload ${size} bytes, host → namespace over a veth pair`);
  console.log('| rate (pkt/s) | UDP datagrams sent | netrec recorded | netrec lost | netrec CPU | tcpdump captured | tcpdump dropped | tcpdump CPU | sender CPU |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
