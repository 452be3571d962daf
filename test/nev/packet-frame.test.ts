/** The in-place packet encoder writes exactly what the generic encoder (encodeBody + msgpackr) writes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pack } from '../../src/nev/msgpack.ts';
import {
  emptyInPlacePacket,
  fitsPacketFrame,
  packetFields,
  packetFromFields,
  packetPayloadSize,
  writePacketPayload,
  type InPlacePacket,
  type PacketFields,
} from '../../src/nev/packet-frame.ts';
import { encodeBody, type PacketRecord } from '../../src/nev/records.ts';

const U64_EDGES = [
  0n,
  1n,
  127n,
  128n,
  255n,
  256n,
  65535n,
  65536n,
  0xffffffffn,
  0x100000000n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  2n ** 63n,
  2n ** 64n - 1n,
];
const u64 = fc.oneof(fc.constantFrom(...U64_EDGES), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));
const U32_EDGES = [0, 1, 127, 128, 255, 256, 65535, 65536, 0xffffffff];
const u32 = fc.oneof(fc.constantFrom(...U32_EDGES), fc.nat({ max: 0xffffffff }));
const data = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.constantFrom(255, 256, 65535, 65536, 70000).map((n) => new Uint8Array(n).fill(0x5a)),
);

const packetArb = fc.record(
  {
    timestamp: u64,
    linkType: u32,
    cpu: u32,
    ifindex: u32,
    direction: fc.constantFrom('ingress' as const, 'egress' as const, 'unknown' as const),
    originalLength: u32,
    data,
    socketCookie: u64,
    task: u32,
  },
  { requiredKeys: ['timestamp', 'linkType', 'originalLength', 'data'] },
);

/** The in-place encoder's form of `fields` (packetFromFields must take it). */
function inPlace(fields: PacketFields): InPlacePacket {
  const p = emptyInPlacePacket();
  expect(packetFromFields(fields, p)).toBe(true);
  return p;
}

/** What the in-place encoder writes for `p` with ref `task`, checked for its size and bounds. */
function encodeInPlace(p: InPlacePacket, task: number | undefined, pad = 0): Buffer {
  expect(fitsPacketFrame(p, task)).toBe(true);
  const size = packetPayloadSize(p, task);
  const out = new Uint8Array(pad + size + 3).fill(0xee);
  const end = writePacketPayload(out, new DataView(out.buffer), pad, p, task);
  expect(end).toBe(pad + size);
  expect([...out.subarray(end)]).toEqual([0xee, 0xee, 0xee]);
  return Buffer.from(out.subarray(pad, end));
}

describe('writePacketPayload', () => {
  it('matches pack(encodeBody(packet)) byte for byte', () => {
    fc.assert(
      fc.property(packetArb, fc.nat({ max: 7 }), (p, pad) => {
        const { task, ...fields } = p;
        const expected = Buffer.from(pack(encodeBody({ kind: 'packet', ...p } as PacketRecord)[1]));
        expect(encodeInPlace(inPlace(fields), task, pad).equals(expected)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('writes timestamps and cookies at the u32, 2^53, 2^63 and u64 edges as the generic encoder does', () => {
    const data = Uint8Array.of(1, 2, 3);
    for (const timestamp of U64_EDGES) {
      for (const socketCookie of [undefined, ...U64_EDGES]) {
        const fields: PacketFields = {
          timestamp,
          linkType: 101,
          cpu: 1,
          ifindex: 2,
          direction: 'egress',
          originalLength: 3,
          data,
          ...(socketCookie !== undefined ? { socketCookie } : {}),
        };
        const expected = Buffer.from(pack(encodeBody({ kind: 'packet', ...fields, task: 7 })[1]));
        const p = inPlace(fields);
        expect(encodeInPlace(p, 7).equals(expected), `timestamp ${timestamp}, cookie ${socketCookie}`).toBe(true);
        // And back: the halves are the u64s exactly.
        expect(packetFields(p)).toEqual(fields);
      }
    }
  });

  it('copies the packet from a range of a longer array (the ring buffer) as from its own', () => {
    const ring = new Uint8Array(2000).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
    const ringView = new DataView(ring.buffer);
    // Sizes around the word copy's steps (16, 4, 1 bytes) and its limit (512), both sides of 255.
    const cases = [0, 1, 3, 4, 5, 15, 16, 17, 142, 255, 256, 257, 511, 512, 513, 1200].flatMap((n) => [0, 1, 3, 136].map((start) => [start, n] as const));
    for (const [start, n] of cases)
      for (const bytesView of [undefined, ringView]) {
        const fields: PacketFields = { timestamp: 1_750_000_000_000_000_000n, linkType: 101, originalLength: n, data: ring.slice(start, start + n) };
        const p = inPlace(fields);
        p.bytes = ring;
        p.bytesView = bytesView;
        p.dataStart = start;
        p.dataLength = n;
        const expected = Buffer.from(pack(encodeBody({ kind: 'packet', ...fields })[1]));
        expect(encodeInPlace(p, undefined, 5).equals(expected), `bytes [${start}, ${start + n}), view ${bytesView !== undefined}`).toBe(true);
      }
  });

  it('leaves the timestamps beyond u64 ns (malformed captures) and non-u32 numbers to the generic encoder', () => {
    const base = { linkType: 1, originalLength: 1, data: new Uint8Array(1) };
    const p = emptyInPlacePacket();
    expect(packetFromFields({ ...base, timestamp: -1n }, p)).toBe(false);
    expect(packetFromFields({ ...base, timestamp: 2n ** 64n }, p)).toBe(false);
    expect(packetFromFields({ ...base, timestamp: 0n, socketCookie: 2n ** 64n }, p)).toBe(false);
    expect(packetFromFields({ ...base, timestamp: 0n, socketCookie: -1n }, p)).toBe(false);
    expect(packetFromFields({ ...base, timestamp: 2n ** 64n - 1n }, p)).toBe(true);
    expect(fitsPacketFrame(p, undefined)).toBe(true);
    expect(fitsPacketFrame(p, 2 ** 32)).toBe(false);
    expect(packetFromFields({ ...base, timestamp: 0n, originalLength: 2 ** 32 }, p)).toBe(true);
    expect(fitsPacketFrame(p, undefined)).toBe(false);
    expect(packetFromFields({ ...base, timestamp: 0n, cpu: 1.5 }, p)).toBe(true);
    expect(fitsPacketFrame(p, undefined)).toBe(false);
  });
});
