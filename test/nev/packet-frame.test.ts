/** The in-place packet encoder writes exactly what the generic encoder (encodeBody + msgpackr) writes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pack } from '../../src/nev/msgpack.ts';
import { fitsPacketFrame, packetPayloadSize, writePacketPayload, type PacketFields } from '../../src/nev/packet-frame.ts';
import { encodeBody, type PacketRecord } from '../../src/nev/records.ts';

const U64_EDGES = [0n, 1n, 127n, 128n, 255n, 256n, 65535n, 65536n, 0xffffffffn, 0x100000000n, 2n ** 63n, 2n ** 64n - 1n];
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

describe('writePacketPayload', () => {
  it('matches pack(encodeBody(packet)) byte for byte', () => {
    fc.assert(
      fc.property(packetArb, fc.nat({ max: 7 }), (p, pad) => {
        const { task, ...fields } = p;
        const fieldsIn: PacketFields = fields;
        expect(fitsPacketFrame(fieldsIn, task)).toBe(true);
        const expected = pack(encodeBody({ kind: 'packet', ...p } as PacketRecord)[1]);
        const size = packetPayloadSize(fieldsIn, task);
        expect(size).toBe(expected.length);
        const out = new Uint8Array(pad + size + 3).fill(0xee);
        const end = writePacketPayload(out, new DataView(out.buffer), pad, fieldsIn, task);
        expect(end).toBe(pad + size);
        expect(Buffer.from(out.subarray(pad, end)).equals(Buffer.from(expected))).toBe(true);
        expect([...out.subarray(end)]).toEqual([0xee, 0xee, 0xee]);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves the timestamps beyond u64 ns (malformed captures) to the generic encoder', () => {
    const base = { linkType: 1, originalLength: 1, data: new Uint8Array(1) };
    expect(fitsPacketFrame({ ...base, timestamp: -1n }, undefined)).toBe(false);
    expect(fitsPacketFrame({ ...base, timestamp: 2n ** 64n }, undefined)).toBe(false);
    expect(fitsPacketFrame({ ...base, timestamp: 2n ** 64n - 1n }, undefined)).toBe(true);
    expect(fitsPacketFrame({ ...base, timestamp: 0n, originalLength: 2 ** 32 }, undefined)).toBe(false);
  });
});
