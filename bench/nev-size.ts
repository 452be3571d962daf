/**
 * .nev size, speed and seek figures (docs/performance.md, "Recording format"):
 *
 *   npx tsx bench/nev-size.ts [--packets N] [--seeks K] [extra.pcap ...]
 *
 * 1. Bytes per packet of the same packets as classic pcap, pcapng, .nev and .nev with lz4 blocks,
 *    for a generated N-packet mixed capture (bench/gen-mixed-pcap.ts, default 1M packets), the
 *    real captures in fixtures/pcap and ../shared/pcaps, and any pcap named on the command line.
 *    pcap and pcapng sizes are computed from their fixed layouts (24 + 16/packet; SHB 28 + IDB 20
 *    + EPB 32/packet, data padded to 4), i.e. files without options.
 * 2. The same mix as the recorder stores it: L3 bytes, CPU, ifindex, direction, socket cookie and
 *    a task ref per packet, in full and cut to a 256-byte snaplen.
 * 3. Write and read speed of .nev (packets/s through RecordingWriter and NevSource).
 * 4. Seek by timestamp in the N-packet recording (64 MiB segments): time from opening to the
 *    first packet at K random times, against reading from the start up to that packet.
 *
 * Work files go to bench/out/ (git-ignored) and are removed at the end.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LinkType, type CapturedPacket, type TaskContext } from '../src/core/packet.ts';
import { listSegments } from '../src/nev/directory.ts';
import { RecordingWriter, type PacketInput } from '../src/nev/recording-writer.ts';
import { isPacketItem } from '../src/nev/recording.ts';
import { NevSource } from '../src/replay/nev-source.ts';
import { openCapture } from '../src/replay/open.ts';
import { isIssue } from '../src/core/source.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'bench/out/nev');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { packets: { type: 'string', default: '1000000' }, seeks: { type: 'string', default: '50' } },
});
const total = Number(values.packets);
const seeks = Number(values.seeks);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// ---------------------------------------------------------------------------------------------

async function* packetsOf(paths: string[]): AsyncGenerator<CapturedPacket> {
  for (const path of paths) {
    const source = await openCapture(path).catch(() => undefined); // the shared set holds non-captures too
    if (!source) continue;
    for await (const batch of source.batches()) for (const item of batch) if (!isIssue(item)) yield item;
  }
}

function dirSize(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

interface Written {
  packets: number;
  bytes: number;
  seconds: number;
}

/** Writes `packets` as a recording; `shape` turns each into what is stored. */
async function writeNev(
  dir: string,
  packets: AsyncIterable<CapturedPacket>,
  compress: boolean,
  shape: (p: CapturedPacket, i: number) => PacketInput,
): Promise<Written> {
  const w = new RecordingWriter({ dir, snaplen: 0, origin: 'bench', compress, rotateSize: 64 * 2 ** 20, force: true });
  let n = 0;
  let busy = 0; // writer time only, not the pcap reading that feeds it
  for await (const p of packets) {
    const input = shape(p, n++);
    const t = performance.now();
    w.writePacket(input);
    busy += performance.now() - t;
  }
  const t = performance.now();
  w.close();
  busy += performance.now() - t;
  return { packets: n, bytes: dirSize(dir), seconds: busy / 1000 };
}

const asCaptured = (p: CapturedPacket): PacketInput => ({ timestamp: p.timestamp, linkType: p.linkType, originalLength: p.originalLength, data: p.data });

const TASKS: TaskContext[] = Array.from({ length: 64 }, (_, i) => ({
  threadStartTime: 1_000_000_000n * BigInt(i + 1),
  processId: 1000 + i,
  threadId: 1000 + i,
  parentProcessId: 1,
  hostProcessId: 1000 + i,
  hostThreadId: 1000 + i,
  hostParentProcessId: 1,
  userId: 1000,
  mountNamespace: 4026531840,
  pidNamespace: 4026531836,
  processName: `proc-${i}`,
  hostName: 'bench',
  cgroupId: 4242n + BigInt(i),
  containerId: '',
}));

/** What the recorder stores: L3 from an Ethernet frame, cut to `snaplen`, with its context. */
const asRecorded =
  (snaplen: number) =>
  (p: CapturedPacket, i: number): PacketInput => {
    const l3 = p.linkType === LinkType.ETHERNET ? p.data.subarray(14) : p.data;
    return {
      timestamp: p.timestamp,
      linkType: LinkType.RAW,
      originalLength: p.originalLength - (p.data.length - l3.length),
      data: l3.subarray(0, snaplen),
      cpu: i & 3,
      ifindex: 2,
      direction: i & 1 ? 'ingress' : 'egress',
      socketCookie: 0x1000_0000n + BigInt(i % 500),
      task: TASKS[i % TASKS.length]!,
    };
  };

/** pcap and pcapng sizes of the same stored bytes, from their fixed layouts. */
async function containerSizes(
  packets: AsyncIterable<CapturedPacket>,
  cut: (p: CapturedPacket) => number,
): Promise<{ n: number; pcap: number; pcapng: number }> {
  let n = 0;
  let pcap = 24;
  let pcapng = 28 + 20;
  for await (const p of packets) {
    const len = cut(p);
    n++;
    pcap += 16 + len;
    pcapng += 32 + ((len + 3) & ~3);
  }
  return { n, pcap, pcapng };
}

const fmt = (bytes: number, n: number): string => (bytes / n).toFixed(1);
const rows: string[] = [];

// 1. Same packets, four containers -----------------------------------------------------------

const mixed = join(out, 'mixed.pcap');
const gen = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench/gen-mixed-pcap.ts'), '--packets', String(total), '--nanosecond', mixed], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (gen.status !== 0) throw new Error('gen-mixed-pcap failed');

const listDir = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir)
        .map((f) => join(dir, f))
        .sort()
    : [];
const inputs: [string, string[]][] = [
  [`generated mix (${total} packets)`, [mixed]],
  ['fixtures/pcap (real, all files)', listDir(join(root, 'fixtures/pcap'))],
  ['../shared/pcaps (real, all readable files)', listDir(join(root, '../shared/pcaps')).filter((f) => /\.pcap(ng)?$/.test(f))],
  ...positionals.map((p): [string, string[]] => [p, [p]]),
];

rows.push('Bytes per packet, same packets (as captured, link layer included)', '');
rows.push('| input | packets | pcap | pcapng | .nev | .nev + lz4 |', '|---|---:|---:|---:|---:|---:|');
const speed: string[] = [];
for (const [name, paths] of inputs) {
  if (paths.length === 0) continue;
  const sizes = await containerSizes(packetsOf(paths), (p) => p.data.length);
  const plain = await writeNev(join(out, 'plain.nev'), packetsOf(paths), false, asCaptured);
  const lz4 = await writeNev(join(out, 'lz4.nev'), packetsOf(paths), true, asCaptured);
  rows.push(
    `| ${name} | ${sizes.n} | ${fmt(sizes.pcap, sizes.n)} | ${fmt(sizes.pcapng, sizes.n)} | ${fmt(plain.bytes, plain.packets)} | ${fmt(lz4.bytes, lz4.packets)} |`,
  );
  if (paths[0] === mixed) {
    for (const [label, w] of [
      ['plain', plain],
      ['lz4', lz4],
    ] as const) {
      speed.push(`| write, ${label} | ${Math.round(w.packets / w.seconds).toLocaleString('en')} | ${(w.bytes / 2 ** 20 / w.seconds).toFixed(0)} |`);
    }
  }
}

// 2. As the recorder stores it ---------------------------------------------------------------

rows.push('', 'Bytes per packet, generated mix as the recorder stores it (L3, CPU, ifindex, direction, cookie, task ref)', '');
rows.push('| snaplen | pcap (LINKTYPE_RAW) | pcapng | .nev | .nev + lz4 |', '|---|---:|---:|---:|---:|');
for (const snaplen of [65535, 256, 128]) {
  const shape = asRecorded(snaplen);
  const sizes = await containerSizes(packetsOf([mixed]), (p) => shape(p, 0).data.length);
  const plain = await writeNev(join(out, 'plain.nev'), packetsOf([mixed]), false, shape);
  const lz4 = await writeNev(join(out, 'lz4.nev'), packetsOf([mixed]), true, shape);
  rows.push(
    `| ${snaplen} | ${fmt(sizes.pcap, sizes.n)} | ${fmt(sizes.pcapng, sizes.n)} | ${fmt(plain.bytes, plain.packets)} | ${fmt(lz4.bytes, lz4.packets)} |`,
  );
}

// 3 and 4. Read speed and seek, on the generated mix as recorded -------------------------------

rows.push('', 'Speed (generated mix as captured; writer time only, reading the pcap excluded)', '');
rows.push('| operation | packets/s | MiB/s of .nev |', '|---|---:|---:|');
rows.push(...speed);
const seekRows: string[] = [];
for (const compress of [false, true]) {
  const dir = join(out, compress ? 'seek-lz4.nev' : 'seek-plain.nev');
  await writeNev(dir, packetsOf([mixed]), compress, asCaptured);
  const bytes = dirSize(dir);

  let t = performance.now();
  let n = 0;
  const stamps: bigint[] = [];
  for await (const batch of (await NevSource.open(dir)).batches()) {
    for (const item of batch) {
      if (isIssue(item)) continue;
      if (n % Math.ceil(total / 10_000) === 0) stamps.push(item.timestamp);
      n++;
    }
  }
  const scan = (performance.now() - t) / 1000;
  rows.push(`| read, ${compress ? 'lz4' : 'plain'} | ${Math.round(n / scan).toLocaleString('en')} | ${(bytes / 2 ** 20 / scan).toFixed(0)} |`);

  // Deterministic "random" targets spread over the recording.
  const times: number[] = [];
  const scans: number[] = [];
  for (let k = 0; k < seeks; k++) {
    const target = stamps[Math.floor(((k * 0.618034) % 1) * stamps.length)]!;
    t = performance.now();
    const source = await NevSource.open(dir, { fromTime: target });
    let first: CapturedPacket | undefined;
    for await (const items of source.records()) {
      first = items.find(isPacketItem);
      if (first) break;
    }
    times.push(performance.now() - t);
    if (first === undefined || first.timestamp < target) throw new Error('seek missed its target');
    if (k < 5) {
      // Reading from the start to the same packet, for comparison (a few: it is slow).
      t = performance.now();
      outer: for await (const batch of (await NevSource.open(dir)).batches()) {
        for (const item of batch) if (!isIssue(item) && item.timestamp >= target) break outer;
      }
      scans.push(performance.now() - t);
    }
  }
  times.sort((a, b) => a - b);
  const q = (p: number): string => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(1);
  const mean = (xs: number[]): string => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(0);
  seekRows.push(
    `| ${compress ? 'lz4' : 'plain'} | ${(bytes / 2 ** 20).toFixed(0)} MiB, ${listSegments(dir).length} segments | ${q(0.5)} | ${q(0.95)} | ${q(1)} | ${mean(scans)} |`,
  );
}
rows.push('', `Seek by timestamp, ${total}-packet recording (${seeks} targets; ms from open to the first packet)`, '');
rows.push('| recording | size | median | p95 | max | reading from the start instead (mean of 5) |', '|---|---|---:|---:|---:|---:|');
rows.push(...seekRows);

process.stdout.write(`${rows.join('\n')}\n`);
rmSync(out, { recursive: true, force: true });
