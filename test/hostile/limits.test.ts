/**
 * The memory bounds of docs/limits.md, each exercised with the input that used to blow it:
 * DNS-over-TCP reassembly, lz4 block sizes, pcapng interface counts, and the checksum work of
 * resynchronisation. Peak RSS is measured in the CLI child (VmHWM) against a small input replayed
 * the same way, so the figure is the cost of the input, not of Node.
 */
import { createRequire } from 'node:module';
import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InputIssue } from '../../src/core/errors.ts';
import { LinkType, type CapturedPacket } from '../../src/core/packet.ts';
import { DEFAULT_REASSEMBLY_BUDGET, TcpDnsReassembler } from '../../src/decode/tcp-dns-stream.ts';
import type { TCPHeader } from '../../src/decode/types.ts';
import { ALL_EVENTS } from '../../src/event/selection.ts';
import { BLOCK_TARGET, decodeBlock, MAX_BLOCK_RAW } from '../../src/nev/block.ts';
import { listSegments } from '../../src/nev/directory.ts';
import { encodeFrame, FrameScanner, RESYNC_WORK_BASE, RESYNC_WORK_PER_BYTE, SYNC } from '../../src/nev/framing.ts';
import { pack, unpack } from '../../src/nev/msgpack.ts';
import { METADATA_BUDGET, openRecording } from '../../src/nev/recording.ts';
import { RecordingWriter } from '../../src/nev/recording-writer.ts';
import { checkSegment } from '../../src/nev/verify.ts';
import { RecordType } from '../../src/nev/records.ts';
import { openSegment, readBody } from '../../src/nev/segment-reader.ts';
import { replay } from '../../src/pipeline/replay.ts';
import { BATCH_BYTES, BatchQueue } from '../../src/replay/batch-queue.ts';
import { MAXIMUM_INTERFACES_PER_SECTION } from '../../src/replay/pcapng.ts';
import { openCapture } from '../../src/replay/open.ts';
import { ipv4, tcp } from '../helpers/packet-builder.ts';
import { pcapFile } from '../helpers/pcap-writer.ts';
import { foreignStderrLine, netrec, netrecStreaming } from '../helpers/cli.ts';
import { packet, readAll, scratch, T0, task } from '../nev/helpers.ts';
import { memorySink } from '../helpers/memory-sink.ts';

const path = scratch('limits');

/** Peak RSS of replaying a small capture: what Node and netrec cost before any input. */
let baselineMiB = 0;
beforeAll(() => {
  baselineMiB = netrec(['replay', 'fixtures/pcap/dns-tcp.pcap'], { peakRss: true }).peakRssMiB!;
});

function seg(seq: number, flags = 0x18): TCPHeader {
  return { srcPort: 40000, dstPort: 53, seq, ack: 1, dataOffset: 5, flags, ns: false, window: 512, checksum: 0, urgent: 0, payloadOffset: 20 };
}

/** The start of a DNS-over-TCP message that announces 0xffff bytes and brings `n` of them. */
function partial(n: number): Uint8Array {
  const out = new Uint8Array(n + 2).fill(0x41);
  out[0] = 0xff;
  out[1] = 0xff;
  return out;
}

describe('DNS-over-TCP reassembly has one byte budget', () => {
  it('never buffers past the budget; drops the least recently seen flows with a warning that counts them', () => {
    const budget = 1024 * 1024;
    const r = new TcpDnsReassembler({ maxBufferedBytes: budget });
    const notices: string[] = [];
    for (let flow = 0; flow < 100; flow++) {
      const { notice } = r.push(`f${flow}`, seg(1000), partial(60_000));
      if (notice) notices.push(notice.message);
      expect(r.bufferedBytes).toBeLessThanOrEqual(budget);
    }
    expect(notices.length).toBeGreaterThan(80);
    expect(notices[0]).toBe('DNS-over-TCP reassembly reached its 1048576-byte budget: the least recently seen flow dropped with 60002 buffered bytes');
    // The newest flow is intact: the rest of its message completes it.
    const rest = new Uint8Array(0xffff - 60_000).fill(0x41);
    expect(r.push('f99', seg(1000 + 60_002), rest).messages).toHaveLength(1);
  });

  it('is 64 MiB by default and reaches replay() through its options, as warnings', async () => {
    expect(DEFAULT_REASSEMBLY_BUDGET).toBe(64 * 1024 * 1024);
    const file = path('few-flows.pcap');
    writeTcpFlows(file, 40, 60_000);
    const issues: InputIssue[] = [];
    const sink = memorySink(() => {});
    const stats = await replay({
      sources: [await openCapture(file)],
      events: ALL_EVENTS,
      sink,
      report: (i) => issues.push(i),
      reassembly: { maxBufferedBytes: 512 * 1024 },
    });
    expect(stats.errors).toBe(0);
    const budget = issues.filter((i) => i.message.includes('reassembly reached its 524288-byte budget'));
    expect(budget.length).toBeGreaterThan(20);
    expect(budget.every((i) => i.severity === 'warning')).toBe(true);
  });

  it('holds the CLI under the budget: 8000 flows on stdin, each holding most of a message (520 MB)', async () => {
    const r = await netrecStreaming(['replay', '-', '--trace', 'event=net_packet_dns'], tcpFlows(8000, 65_000), { peakRss: true });
    expect(foreignStderrLine(r.stderr)).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('DNS-over-TCP reassembly reached its 67108864-byte budget');
    // Without the budget: 560 MiB over the baseline here; with it, 150.
    expect(r.peakRssMiB! - baselineMiB).toBeLessThan(256);
  });
});

/** A pcap of `flows` TCP flows to port 53, each one packet with the first `bytes` of a 65535-byte message. */
function* tcpFlows(flows: number, bytes: number): Generator<Uint8Array> {
  yield pcapFile([]);
  for (let i = 0; i < flows; i++) {
    const segment = tcp({ srcPort: 1024 + (i % 60000), dstPort: 53, seq: 1000, ACK: 1, PSH: 1, payload: partial(bytes) });
    const data = ipv4({ protocol: 'TCP', srcIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, dstIP: '10.255.0.53', payload: segment });
    yield pcapFile([{ timestampNs: T0 + BigInt(i), data }]).subarray(24);
  }
}

function writeTcpFlows(file: string, flows: number, bytes: number): void {
  const fd = openSync(file, 'w');
  try {
    for (const chunk of tcpFlows(flows, bytes)) writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
}

describe('lz4 blocks are capped at what the writer produces', () => {
  const lz4 = createRequire(import.meta.url)('lz4-napi') as { compressSync(b: Buffer): Buffer };

  it('a recording of blocks that each claim 64 MiB: every block reported, none decompressed', () => {
    const dir = path('bomb.nev');
    const w = new RecordingWriter({ dir, snaplen: 65535, origin: 'test' });
    w.close();
    const file = listSegments(dir)[0]!.path;
    const bytes = readFileSync(file);
    const footerAt = Number(bytes.readBigUInt64BE(bytes.length - 12));
    const claim = 64 * 1024 * 1024;
    const bomb = encodeFrame(RecordType.block, pack(['lz4', claim, lz4.compressSync(Buffer.alloc(claim))]));
    const blocks = Math.ceil((10 * 1024 * 1024) / bomb.length);
    const fd = openSync(file, 'w');
    writeSync(fd, bytes.subarray(0, footerAt)); // unsealed: a stopped writer's segment
    for (let i = 0; i < blocks; i++) writeSync(fd, bomb);
    closeSync(fd);
    expect(statSync(file).size).toBeGreaterThan(10 * 1024 * 1024);

    const r = netrec(['replay', dir], { peakRss: true });
    expect(foreignStderrLine(r.stderr)).toBeUndefined();
    expect(r.status).toBe(1);
    const lost = r.stderr.split('\n').filter((l) => l.endsWith(`compressed block lost: block: raw length ${claim} is over the ${MAX_BLOCK_RAW}-byte limit`));
    expect(lost).toHaveLength(blocks);
    // Before the cap: 944 MB for the same file.
    expect(r.peakRssMiB! - baselineMiB).toBeLessThan(64);
  });

  it('the writer never makes a larger block: a record too large for one is stored plain, and reads back', async () => {
    const dir = path('big-records.nev');
    const w = new RecordingWriter({ dir, snaplen: 0, origin: 'test', compress: true });
    const sizes = [100, 200_000, 100, 300_000, 60_000, 70_000, 100];
    sizes.forEach((size, i) => w.writePacket({ ...packet(i + 1, size), linkType: LinkType.RAW }));
    for (let i = 0; i < 3000; i++) w.writePacket(packet(100 + i, 150));
    w.close();
    const info = await openSegment(listSegments(dir)[0]!.path);
    if (!info.ok) throw new Error(info.problem.message);
    const raws: number[] = [];
    let plainPackets = 0;
    for await (const events of readBody(info.segment)) {
      for (const e of events) if (e.kind === 'frame' && e.type === RecordType.packet) plainPackets++;
    }
    // Blocks, read by hand: their declared raw sizes.
    const bytes = readFileSync(info.segment.path);
    const scanner = new FrameScanner(info.segment.bodyStart, info.segment.bodyEnd);
    scanner.push(bytes.subarray(info.segment.bodyStart, info.segment.bodyEnd));
    for (let step = scanner.next(); step.kind !== 'end'; step = scanner.next()) {
      if (step.kind !== 'frame' || step.type !== RecordType.block) continue;
      const value = unpack(step.payload);
      const block = value.ok ? decodeBlock(value.value) : { error: value.message };
      if ('error' in block) throw new Error(block.error);
      raws.push(block.raw.length);
    }
    expect(plainPackets).toBe(1); // the 300,000-byte packet alone is larger than a block may be
    expect(Math.max(...raws)).toBeLessThanOrEqual(MAX_BLOCK_RAW);
    expect(raws.filter((n) => n > BLOCK_TARGET + 1024).length).toBeGreaterThan(0); // blocks a large record closed
    const { packets, issues } = await readAll(dir);
    expect(issues).toEqual([]);
    expect(packets.slice(0, sizes.length).map((p) => p.data.length)).toEqual(sizes);
    expect(netrec(['verify', dir]).status).toBe(0);
  });
});

describe('pcapng interfaces are capped per section', () => {
  /** A little-endian pcapng: a section header, `n` interface descriptions, then packets on `on`. */
  function pcapngFile(file: string, n: number, on: number[]): void {
    const shb = Buffer.alloc(28);
    shb.writeUInt32LE(0x0a0d0d0a, 0);
    shb.writeUInt32LE(28, 4);
    shb.writeUInt32LE(0x1a2b3c4d, 8);
    shb.writeUInt16LE(1, 12);
    shb.writeBigInt64LE(-1n, 16);
    shb.writeUInt32LE(28, 24);
    const idb = Buffer.alloc(20);
    idb.writeUInt32LE(1, 0);
    idb.writeUInt32LE(20, 4);
    idb.writeUInt16LE(101, 8); // LINKTYPE_RAW
    idb.writeUInt32LE(20, 16);
    const data = Buffer.from(ipv4({ protocol: 'UDP', srcIP: '10.0.0.1', dstIP: '10.0.0.2', payload: new Uint8Array(8) }));
    const epbs = on.map((iface) => {
      const epb = Buffer.alloc(32 + data.length + 4);
      epb.writeUInt32LE(6, 0);
      epb.writeUInt32LE(epb.length, 4);
      epb.writeUInt32LE(iface, 8);
      epb.writeUInt32LE(data.length, 20);
      epb.writeUInt32LE(data.length, 24);
      data.copy(epb, 28);
      epb.writeUInt32LE(epb.length, epb.length - 4);
      return epb;
    });
    const fd = openSync(file, 'w');
    writeSync(fd, shb);
    const run = Buffer.concat(Array.from({ length: 4096 }, () => idb));
    for (let left = n; left > 0; left -= 4096) writeSync(fd, run, 0, Math.min(left, 4096) * idb.length);
    for (const epb of epbs) writeSync(fd, epb);
    closeSync(fd);
  }

  it(`past ${MAXIMUM_INTERFACES_PER_SECTION}: one error, the later descriptions ignored, packets on the others replay`, () => {
    const file = path('70k-interfaces.pcapng');
    pcapngFile(file, 70_000, [0, 69_999, 65_535]);
    const r = netrec(['replay', file, '--output', 'table']);
    expect(foreignStderrLine(r.stderr)).toBeUndefined();
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `netrec: error: ${file}: offset ${28 + 65_536 * 20} (interface description block): more than 65536 interfaces in one section; this and later interface descriptions of the section are ignored\n` +
        `netrec: error: ${file}: offset ${28 + 70_000 * 20 + 64} (packet 2): enhanced packet block: interface 69999 is not defined (the section has 65536)\n`,
    );
    expect(r.stdout.split('\n').filter((l) => l.includes('net_packet_udp'))).toHaveLength(2);
  });

  it('a million interface descriptions (20 MB) cost bounded memory', () => {
    const file = path('1m-interfaces.pcapng');
    pcapngFile(file, 1_000_000, [0]);
    const r = netrec(['replay', file], { peakRss: true });
    expect(r.status).toBe(1);
    // Before the cap: 385 MB.
    expect(r.peakRssMiB! - baselineMiB).toBeLessThan(96);
  });
});

describe('resynchronisation work is bounded', () => {
  it('sync markers that each claim a long frame cost linear checksum work, not markers x length', () => {
    // 4 MiB of candidates every 16 bytes, each claiming a frame to near the end: unbounded, that
    // is 262,144 checksums of ~2 MiB each (about 550 GB of CRC).
    const size = 4 * 1024 * 1024;
    const body = Buffer.alloc(size);
    for (let at = 0; at + 16 <= size; at += 16) {
      body.set(SYNC, at);
      body.writeUInt32BE(size - at - 14, at + 4);
      body[at + 8] = RecordType.packet;
    }
    const scanner = new FrameScanner(0, size);
    scanner.push(body);
    const steps = [];
    for (let step = scanner.next(); step.kind !== 'end'; step = scanner.next()) steps.push(step);
    expect(steps).toEqual(
      [{ kind: 'damage', offset: 0, end: size, reason: 'no record sync marker', cut: false }].map((s) => ({ ...s, reason: expect.any(String) })),
    );
    expect(scanner.resyncWork).toBeLessThanOrEqual(RESYNC_WORK_BASE + RESYNC_WORK_PER_BYTE * size);
  });

  it('still finds the records after ordinary damage', async () => {
    const bytes = Buffer.concat([Buffer.from([1, 2, 3]), ...[1, 2, 3].map((i) => encodeFrame(RecordType.packet, pack([i])))]);
    const scanner = new FrameScanner(0, bytes.length);
    scanner.push(bytes);
    const kinds = [];
    for (let step = scanner.next(); step.kind !== 'end'; step = scanner.next()) kinds.push(step.kind);
    expect(kinds).toEqual(['damage', 'frame', 'frame', 'frame']);
  });
});

describe('a recording keeps a bounded amount of segment metadata open', () => {
  it('past the budget, later segments let their process tables go, with a warning; verify still passes', async () => {
    const dir = path('many-tables.nev');
    const processes = Array.from({ length: 2000 }, (_, i) => ({ task: task(10_000 + i, `worker-${i}`) }));
    const w = new RecordingWriter({ dir, snaplen: 65535, origin: 'test', processes, rotateSize: 400 * 1024 });
    for (let i = 1; i <= 6000; i++) w.writePacket(packet(i, 200, processes[i % 2000]!.task));
    w.close();
    const segments = listSegments(dir);
    expect(segments.length).toBeGreaterThan(3);
    let budget = 0;
    for (const s of segments.slice(0, 2)) {
      const opened = await openSegment(s.path);
      if (opened.ok) budget += opened.segment.metadataBytes;
    }
    // Room for two segments' metadata: the third and later ones drop their tables.
    const rec = await openRecording(dir, { metadataBudget: budget });
    const dropped = rec.segments.filter((s) => s.info?.contextDropped);
    expect(dropped.map((s) => s.name)).toEqual(segments.slice(2).map((s) => s.name));
    for (const s of dropped) {
      expect(s.info!.header!.processes).toEqual([]);
      expect(s.issues.map((i) => i.message)).toContain(
        `the recording's segment headers and footers pass ${budget} bytes: this segment's process table is not kept, so only its own task records give its packets a process`,
      );
    }
    for (const s of rec.segments) expect((await checkSegment(s.info!, s === rec.segments.at(-1))).findings).toEqual([]);
    expect(METADATA_BUDGET).toBe(256 * 1024 * 1024);
  });
});

describe('stream readers hold a bounded amount ahead of a slow consumer', () => {
  it('the pcap queue pauses its producer at 32 MiB of packets and hands batches over at 8 MiB', async () => {
    const pauses: boolean[] = [];
    const queue = new BatchQueue((paused) => pauses.push(paused));
    const big = (i: number): CapturedPacket => ({
      timestamp: BigInt(i),
      linkType: LinkType.RAW,
      data: new Uint8Array(1024 * 1024),
      originalLength: 1024 * 1024,
      number: i,
      offset: 0,
    });
    let pushed = 0;
    while (pauses.length === 0 && pushed < 10_000) queue.push(big(++pushed));
    // Paused at 32 MiB of sealed batches (plus the batch in hand), not at 8 full batches of 1024.
    expect(pushed).toBeLessThanOrEqual((BATCH_BYTES / (1024 * 1024)) * 4 + 1);
    expect(pauses).toEqual([true]);
    queue.finish();
    const sizes: number[] = [];
    for await (const batch of queue.batches()) sizes.push(batch.length);
    expect(Math.max(...sizes)).toBe(BATCH_BYTES / (1024 * 1024));
    expect(pauses).toEqual([true, false]);
  });
});
