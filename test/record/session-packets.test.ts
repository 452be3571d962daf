/**
 * The recorder's packet path, from ring-buffer bytes to the segment file: the recorder hands the
 * writer timestamps and cookies as u32 halves (the TAI offset subtracted with a borrow) and the
 * bytes as a range of the ring. Each stored payload must be what the generic encoder makes of
 * the packet computed with bigints, and the footer must span the same times.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LinkType, type CapturedPacket } from '../../src/core/packet.ts';
import { FRAME_HEADER_SIZE } from '../../src/nev/framing.ts';
import { segmentFileName } from '../../src/nev/layout.ts';
import { pack } from '../../src/nev/msgpack.ts';
import { RecordingWriter } from '../../src/nev/recording-writer.ts';
import { encodeBody, RecordType, type PacketRecord } from '../../src/nev/records.ts';
import { openSegment, readBody } from '../../src/nev/segment-reader.ts';
import { PACKET } from '../../src/record/abi.ts';
import { CgroupIndex } from '../../src/record/cgroup.ts';
import type { CounterReader } from '../../src/record/counters.ts';
import { Session, type RecordOptions } from '../../src/record/recorder.ts';
import { TaskResolver } from '../../src/record/tasks.ts';

const dir = mkdtempSync(join(tmpdir(), 'netrec-session-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 37 s: 0x8_9d5f_3200, so a low half below 0x9d5f3200 borrows from the high one. */
const TAI = 37_000_000_000n;
const TAI_LO = TAI & 0xffffffffn;

interface Ring {
  time: bigint;
  cookie: bigint;
  size: number;
}

/** Kernel times (CLOCK_TAI) and cookies around the edges the halves must get right. */
const RECORDS: Ring[] = [
  { time: TAI, cookie: 0n, size: 0 }, // realtime 0, no cookie
  { time: TAI + 1n, cookie: 1n, size: 1 },
  { time: (5n << 32n) + 5n, cookie: 0xffffffffn, size: 3 }, // low half below the offset's: a borrow
  { time: (1n << 32n) + TAI_LO - 1n + (8n << 32n), cookie: 1n << 32n, size: 142 }, // borrow to 0xffffffff
  { time: (1n << 32n) + TAI, cookie: (1n << 32n) + 1n, size: 142 }, // realtime 2^32
  { time: (1n << 32n) + TAI - 1n, cookie: 2n ** 53n, size: 17 }, // realtime 2^32 - 1
  { time: 2n ** 53n + TAI, cookie: 2n ** 53n + 1n, size: 255 },
  { time: 2n ** 53n + TAI + 1n, cookie: 2n ** 63n - 1n, size: 256 },
  { time: 2n ** 63n + TAI - 1n, cookie: 2n ** 63n, size: 511 }, // realtime 2^63 - 1: int64
  { time: 2n ** 63n + TAI, cookie: 2n ** 64n - 1n, size: 600 }, // realtime 2^63: uint64
  { time: 2n ** 64n - 1n, cookie: 2n ** 64n - 1n, size: 142 },
  { time: 1_765_152_000_000_000_000n + TAI, cookie: 4097n, size: 142 }, // 2025, a borrow too
  { time: TAI - 1n, cookie: 0n, size: 20 }, // before 1970 in realtime: the generic encoder's
  { time: 0n, cookie: 9n, size: 20 },
];

function ringOf(records: Ring[]): { view: DataView; at: number[] } {
  const at: number[] = [];
  let end = 0;
  for (const r of records) {
    at.push(end + 8);
    end += (8 + PACKET.size + r.size + 7) & ~7;
  }
  const b = Buffer.alloc(end);
  records.forEach((r, i) => {
    const o = at[i]!;
    b.writeUInt32LE(1, o + PACKET.type);
    b.writeUInt32LE(i % 3, o + PACKET.cpu);
    b.writeBigUInt64LE(r.time, o + PACKET.time);
    b.writeBigUInt64LE(r.cookie, o + PACKET.sock_cookie);
    b.writeUInt32LE(300 + i, o + PACKET.ifindex);
    b.writeUInt32LE(r.size + 1000, o + PACKET.wire_len);
    b.writeUInt32LE(r.size, o + PACKET.cap_len);
    b.writeUInt8(i % 2 ? 1 : 2, o + PACKET.direction);
    b.writeUInt8(0, o + PACKET.task_source);
    for (let k = 0; k < r.size; k++) b[o + PACKET.data + k] = (k * 31 + i) & 0xff;
  });
  return { view: new DataView(b.buffer, b.byteOffset, b.length), at };
}

/** The record as the recorder should store it, computed with bigints. */
function expected(r: Ring, i: number, tai: bigint): PacketRecord {
  const data = new Uint8Array(r.size);
  for (let k = 0; k < r.size; k++) data[k] = (k * 31 + i) & 0xff;
  return {
    kind: 'packet',
    timestamp: r.time - tai,
    linkType: LinkType.RAW,
    cpu: i % 3,
    ifindex: 300 + i,
    direction: i % 2 ? 'ingress' : 'egress',
    originalLength: r.size + 1000,
    data,
    ...(r.cookie !== 0n ? { socketCookie: r.cookie } : {}),
  };
}

/** Records the ring's records through the recorder's handler; the TAI offset changes between passes. */
function record(name: string, passes: bigint[], printed: CapturedPacket[]): string {
  const out = join(dir, name);
  const writer = new RecordingWriter({ dir: out, snaplen: 65535, origin: 'test', now: () => 1n });
  const resolver = new TaskResolver(new CgroupIndex('/sys/fs/cgroup'), () => 'test');
  // No kernel here: the once-a-second loss counters have nothing to report.
  const counters = { delta: () => [] } as unknown as CounterReader;
  const signal = new AbortController().signal;
  const opts = { target: { dir: out }, snaplen: 65535, cgroupPath: '/', signal, onPacket: (p) => printed.push(p) } as RecordOptions;
  let tai = passes[0]!;
  const session = new Session(opts, writer, resolver, counters, { epochNow: () => 0n, taiOffset: () => tai });
  const { view, at } = ringOf(RECORDS);
  for (const offset of passes) {
    tai = offset;
    session.tick(); // the recorder reads the offset once a second
    RECORDS.forEach((r, i) => session.handle(view, at[i]!, PACKET.size + r.size));
  }
  writer.close();
  expect(session.summary.badRecords).toBe(0);
  return out;
}

describe('the recorder stores ring packets', () => {
  it('as the generic encoder writes them, with the TAI offset subtracted exactly', async () => {
    const passes = [TAI, TAI - 1_000_000_000n];
    const printed: CapturedPacket[] = [];
    const out = record('edges.nev', passes, printed);
    expect(readdirSync(out).filter((f) => f.endsWith('.nevseg'))).toEqual([segmentFileName(1)]);
    const opened = await openSegment(join(out, segmentFileName(1)));
    if (!opened.ok) throw new Error(opened.problem.message);
    const seg = opened.segment;
    const bytes = readFileSync(seg.path);
    const payloads: Buffer[] = [];
    for await (const batch of readBody(seg)) {
      for (const e of batch) if (e.kind === 'frame' && e.type === RecordType.packet) payloads.push(bytes.subarray(e.offset + FRAME_HEADER_SIZE, e.end));
    }
    const want = passes.flatMap((tai) => RECORDS.map((r, i) => expected(r, i, tai)));
    expect(payloads).toHaveLength(want.length);
    want.forEach((rec, n) => {
      const generic = Buffer.from(pack(encodeBody(rec)[1]));
      expect(payloads[n]!.equals(generic), `packet ${n + 1}: timestamp ${rec.timestamp}, cookie ${rec.socketCookie}`).toBe(true);
    });

    // --print: the same packets, bytes copied out of the ring.
    expect(printed.map(({ number: _n, offset: _o, ...rest }) => ({ kind: 'packet', ...rest }))).toEqual(want);
    expect(printed.map((p) => p.number)).toEqual(want.map((_, i) => i + 1));

    // The footer's span: u64 (the realtime stamps before 1970 count as 0).
    const stamps = want.map((r) => (r.timestamp < 0n ? 0n : r.timestamp));
    const footer = seg.footer!;
    expect(footer.firstTimestamp).toBe(stamps.reduce((a, b) => (b < a ? b : a)));
    expect(footer.lastTimestamp).toBe(2n ** 64n - 1n - (TAI - 1_000_000_000n));
    expect(footer.lastTimestamp).toBe(stamps.reduce((a, b) => (b > a ? b : a)));
    expect(footer.counts.get(RecordType.packet)).toBe(want.length);
    expect(footer.capturedBytes).toBe(want.reduce((n, r) => n + r.data.length, 0));
    expect(footer.wireBytes).toBe(want.reduce((n, r) => n + r.originalLength, 0));
    expect(seg.footerConsistent).toBe(true);
  });
});
