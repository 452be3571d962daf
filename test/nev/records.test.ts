import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TaskContext } from '../../src/core/packet.ts';
import { encodeFrame, FrameScanner } from '../../src/nev/framing.ts';
import { pack, unpack } from '../../src/nev/msgpack.ts';
import {
  decodeBody,
  decodeFooter,
  decodeHeader,
  encodeBody,
  encodeFooter,
  encodeHeader,
  RecordDecodeError,
  RecordType,
  type BodyRecord,
  type SegmentFooter,
  type SegmentHeader,
} from '../../src/nev/records.ts';

const U64_LIMITS = [0n, 1n, 0xffffffffn, 0x100000000n, 2n ** 53n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 2n, 2n ** 64n - 1n];
const u64 = fc.oneof(fc.constantFrom(...U64_LIMITS), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
const i64 = fc.oneof(fc.constantFrom(-(2n ** 63n), -1n, 0n, 2n ** 63n - 1n), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
const u32 = fc.oneof(fc.constantFrom(0, 0xffffffff), fc.nat({ max: 0xffffffff }));
const i32 = fc.oneof(fc.constantFrom(-(2 ** 31), -1, 0, 2 ** 31 - 1), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
/** Counts and offsets: any safe integer, across the 32-bit boundary. */
const safe = fc.oneof(fc.constantFrom(0, 0xffffffff, 2 ** 32, Number.MAX_SAFE_INTEGER), fc.maxSafeNat());
const text = fc.string({ unit: 'grapheme', maxLength: 20 });

/** leaderName is optional: format 1.0 tasks have no position 14. */
const taskArb: fc.Arbitrary<TaskContext> = fc.record(
  {
    threadStartTime: u64,
    processId: i32,
    threadId: i32,
    parentProcessId: i32,
    hostProcessId: i32,
    hostThreadId: i32,
    hostParentProcessId: i32,
    userId: u32,
    mountNamespace: u32,
    pidNamespace: u32,
    processName: text,
    hostName: text,
    cgroupId: u64,
    containerId: text,
    leaderName: text,
  },
  {
    requiredKeys: [
      'threadStartTime',
      'processId',
      'threadId',
      'parentProcessId',
      'hostProcessId',
      'hostThreadId',
      'hostParentProcessId',
      'userId',
      'mountNamespace',
      'pidNamespace',
      'processName',
      'hostName',
      'cgroupId',
      'containerId',
    ],
  },
);
const processArb = fc.record({ ref: safe, task: taskArb, exePath: text });
const ifaceArb = fc.record({ ifindex: u32, name: text, linkType: fc.nat({ max: 65535 }) });

const packetArb = fc.record(
  {
    kind: fc.constant('packet' as const),
    timestamp: u64,
    linkType: fc.nat({ max: 300 }),
    cpu: u32,
    ifindex: u32,
    direction: fc.constantFrom('ingress' as const, 'egress' as const, 'unknown' as const),
    originalLength: u32,
    data: fc.uint8Array({ maxLength: 200 }),
    socketCookie: u64,
    task: fc.oneof(safe, taskArb),
  },
  { requiredKeys: ['kind', 'timestamp', 'linkType', 'originalLength', 'data'] },
);
const lifecycleBase = { kind: fc.constant('lifecycle' as const), timestamp: u64, hostProcessId: i32, hostThreadId: i32 };
/** taskRef is the one optional position: present or absent. */
const maybeRef = <T extends object>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | (T & { taskRef: number })> =>
  fc.tuple(arb, fc.option(safe, { nil: undefined })).map(([r, taskRef]) => (taskRef === undefined ? r : { ...r, taskRef }));
const lifecycleArb = fc.oneof(
  maybeRef(fc.record({ ...lifecycleBase, event: fc.constant('fork' as const), childHostProcessId: i32, childHostThreadId: i32 })),
  maybeRef(fc.record({ ...lifecycleBase, event: fc.constant('exec' as const), path: text })),
  maybeRef(fc.record({ ...lifecycleBase, event: fc.constant('exit' as const), exitCode: i32 })),
  maybeRef(fc.record({ ...lifecycleBase, event: fc.constant('comm' as const), comm: text })),
);
const lossArb = fc.record(
  { kind: fc.constant('loss' as const), start: u64, end: u64, cpu: u32, kernelLost: u64, userDropped: u64 },
  { requiredKeys: ['kind', 'start', 'end', 'kernelLost', 'userDropped'] },
);
const bodyArb: fc.Arbitrary<BodyRecord> = fc.oneof(
  packetArb,
  lifecycleArb,
  lossArb,
  processArb.map((p) => ({ kind: 'task' as const, ...p })),
  ifaceArb.map((i) => ({ kind: 'interface' as const, ...i })),
);

const headerArb: fc.Arbitrary<SegmentHeader> = fc.record({
  formatMajor: fc.nat({ max: 65535 }),
  formatMinor: fc.nat({ max: 65535 }),
  netrecVersion: text,
  recordingId: text,
  segmentNumber: u32,
  firstPacketNumber: safe,
  createdAt: u64,
  hostName: text,
  kernelRelease: text,
  bootTimeOffset: i64,
  snaplen: u32,
  interfaces: fc.array(ifaceArb, { maxLength: 3 }),
  processes: fc.array(processArb, { maxLength: 3 }),
  origin: text,
});

const footerArb: fc.Arbitrary<SegmentFooter> = fc.record(
  {
    counts: fc.array(fc.tuple(fc.nat({ max: 255 }), safe), { maxLength: 8 }).map((pairs) => new Map(pairs)),
    firstTimestamp: u64,
    lastTimestamp: u64,
    capturedBytes: safe,
    wireBytes: safe,
    kernelLost: u64,
    userDropped: u64,
    index: fc.array(fc.record({ maxTimestampBefore: u64, packetNumber: safe, record: safe, offset: safe }), { maxLength: 4 }),
    tasks: fc.array(processArb, { maxLength: 3 }),
    interfaces: fc.array(ifaceArb, { maxLength: 3 }),
    sealedAt: u64,
    sealedBy: text,
    checksum: u32,
  },
  { requiredKeys: ['counts', 'capturedBytes', 'wireBytes', 'kernelLost', 'userDropped', 'index', 'tasks', 'interfaces', 'sealedAt', 'sealedBy', 'checksum'] },
);

/** Through the whole path: msgpack, a frame, the scanner, back. */
function throughFrame(type: number, value: unknown): { type: number; value: unknown } {
  const frame = encodeFrame(type, pack(value));
  const sized = new FrameScanner(0, frame.length);
  sized.push(frame);
  const step = sized.next();
  if (step.kind !== 'frame') throw new Error(`expected a frame, got ${step.kind}`);
  const back = unpack(step.payload);
  if (!back.ok) throw new Error(back.message);
  return { type: step.type, value: back.value };
}

describe('record codecs round-trip exactly', () => {
  it('every body record type, 64-bit values at their limits included', () => {
    fc.assert(
      fc.property(bodyArb, (rec) => {
        const [type, value] = encodeBody(rec);
        const back = throughFrame(type, value);
        expect(decodeBody(back.type, back.value)).toEqual(rec);
      }),
      { numRuns: 500 },
    );
  });

  it('the header', () => {
    fc.assert(
      fc.property(headerArb, (h) => {
        const back = throughFrame(RecordType.header, encodeHeader(h));
        expect(decodeHeader(back.value)).toEqual(h);
      }),
    );
  });

  it('the footer', () => {
    fc.assert(
      fc.property(footerArb, (f) => {
        const back = throughFrame(RecordType.footer, encodeFooter(f));
        expect(decodeFooter(back.value)).toEqual(f);
      }),
    );
  });

  it('keeps a packet timestamp outside u64 (a malformed capture) exact', () => {
    for (const timestamp of [2n ** 64n, 18446744073204126329000n, -1n, -(2n ** 70n)]) {
      const rec: BodyRecord = { kind: 'packet', timestamp, linkType: 1, originalLength: 1, data: new Uint8Array(1) };
      const [type, value] = encodeBody(rec);
      expect(decodeBody(type, throughFrame(type, value).value)).toEqual(rec);
    }
  });

  it('stores small 64-bit values short and large ones as 64-bit ints', () => {
    const small = pack(encodeBody({ kind: 'loss', start: 1n, end: 2n, kernelLost: 0n, userDropped: 0n })[1]);
    expect(small.length).toBe(6); // fixarray(5) + four fixints + nil
    const [, big] = encodeBody({ kind: 'loss', start: 2n ** 64n - 1n, end: 2n ** 63n, kernelLost: 0n, userDropped: 0n });
    expect(pack(big).length).toBe(1 + 9 + 9 + 1 + 1 + 1);
  });
});

describe('decoding hostile values', () => {
  it('returns RecordDecodeError, never throws, for any msgpack value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.anything({ withBigInt: true, withTypedArray: true }), (type, value) => {
        let bytes: Uint8Array;
        try {
          bytes = pack(value);
        } catch {
          return; // not representable in msgpack (a bigint past 64 bits)
        }
        const back = unpack(bytes);
        if (!back.ok) return;
        const r = decodeBody(type, back.value);
        expect(r === undefined || r instanceof RecordDecodeError || typeof r === 'object').toBe(true);
        decodeHeader(back.value);
        decodeFooter(back.value);
      }),
      { numRuns: 300 },
    );
  });

  it('names the position that does not fit', () => {
    const [, value] = encodeBody({ kind: 'loss', start: 1n, end: 2n, kernelLost: 0n, userDropped: 0n });
    (value as unknown[])[3] = 'many';
    expect(decodeBody(RecordType.loss, value)).toEqual(new RecordDecodeError('loss[3]: expected an unsigned 64-bit integer'));
    expect(decodeBody(RecordType.packet, { 0: 1 })).toEqual(new RecordDecodeError('packet: expected an array'));
  });

  it('skips a record type it does not know', () => {
    expect(decodeBody(200, [1, 2, 3])).toBeUndefined();
  });

  it('reads a record from a newer minor version that has extra positions', () => {
    const [, value] = encodeBody({ kind: 'loss', start: 1n, end: 2n, cpu: 3, kernelLost: 4n, userDropped: 5n });
    expect(decodeBody(RecordType.loss, [...(value as unknown[]), 'future', 42])).toEqual({
      kind: 'loss',
      start: 1n,
      end: 2n,
      cpu: 3,
      kernelLost: 4n,
      userDropped: 5n,
    });
  });
});
