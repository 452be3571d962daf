import { describe, expect, it } from 'vitest';
import { decodeTCP } from '../../src/decode/tcp.ts';
import { DecodeError } from '../../src/decode/types.ts';
import type { TCPHeader } from '../../src/decode/types.ts';
import { hex } from '../helpers/bytes.ts';

function decoded(data: Uint8Array, offset = 0, end = data.length): TCPHeader {
  const result = decodeTCP(data, offset, end);
  if (result instanceof DecodeError) throw new Error(`unexpected DecodeError: ${result.message}`);
  return result;
}

function expectError(result: unknown, short: boolean): void {
  expect(result).toBeInstanceOf(DecodeError);
  expect((result as DecodeError).layer).toBe('tcp');
  expect((result as DecodeError).kind).toBe(short ? 'short' : 'malformed');
}

// 50000 → 80, seq 1, ack 0x80000000, data offset 5, SYN+ACK, window 65535, checksum 0xabcd, urgent 7.
const SYN_ACK = 'c3 50 00 50  00 00 00 01  80 00 00 00  50 12 ff ff  ab cd 00 07';

describe('decodeTCP', () => {
  it('reads every field', () => {
    expect(decoded(hex(SYN_ACK))).toEqual({
      srcPort: 50000,
      dstPort: 80,
      seq: 1,
      ack: 0x80000000,
      dataOffset: 5,
      flags: 0x12,
      ns: false,
      window: 65535,
      checksum: 0xabcd,
      urgent: 7,
      payloadOffset: 20,
    });
  });

  it('reads 32-bit numbers with the top bit set as unsigned', () => {
    const h = decoded(hex('ff ff ff ff  ff ff ff ff  ff ff ff fe  50 10 00 00  00 00 00 00'));
    expect(h.srcPort).toBe(65535);
    expect(h.dstPort).toBe(65535);
    expect(h.seq).toBe(4294967295);
    expect(h.ack).toBe(4294967294);
  });

  it('reads all eight flag bits of byte 13 and the NS bit of byte 12', () => {
    const h = decoded(hex('00 01 00 02  00 00 00 00  00 00 00 00  51 ff 00 00  00 00 00 00'));
    expect(h.flags).toBe(0xff);
    expect(h.ns).toBe(true);
    expect(h.dataOffset).toBe(5);
  });

  it('the three reserved bits of byte 12 are neither NS nor data offset', () => {
    const h = decoded(hex('00 01 00 02  00 00 00 00  00 00 00 00  5e 80 00 00  00 00 00 00'));
    expect(h.ns).toBe(false);
    expect(h.dataOffset).toBe(5);
    expect(h.flags).toBe(0x80);
  });

  it('steps over options by data offset', () => {
    // Data offset 8: MSS, SACK permitted, NOPs, window scale.
    const h = decoded(hex(`00 16 d4 31 00 00 00 00 00 00 00 00 80 02 72 10 00 00 00 00 02 04 05 b4 04 02 01 01 01 03 03 07 de ad`));
    expect(h.dataOffset).toBe(8);
    expect(h.payloadOffset).toBe(32);
  });

  it('reads at an offset and stops at `end`', () => {
    const data = hex(`ee ee ee ${SYN_ACK} ee ee`);
    const h = decoded(data, 3, 23);
    expect(h.srcPort).toBe(50000);
    expect(h.urgent).toBe(7);
  });

  it('is short under 20 bytes', () => {
    expectError(decodeTCP(hex(SYN_ACK).subarray(0, 19), 0, 19), true);
    expectError(decodeTCP(new Uint8Array(0), 0, 0), true);
  });

  it('is short when `end` (the IP payload end) cuts the header, whatever lies past it', () => {
    expectError(decodeTCP(hex(SYN_ACK), 0, 12), true);
  });

  it('never reads past the data, even when `end` says more', () => {
    expectError(decodeTCP(hex(SYN_ACK).subarray(0, 16), 0, 100), true);
  });

  it('rejects a data offset below 5 as malformed', () => {
    expectError(decodeTCP(hex('00 01 00 02 00 00 00 00 00 00 00 00 40 02 00 00 00 00 00 00 00 00 00 00'), 0, 24), false);
    expectError(decodeTCP(hex('00 01 00 02 00 00 00 00 00 00 00 00 00 02 00 00 00 00 00 00'), 0, 20), false);
  });

  it('is short when the options run past the available bytes', () => {
    // Data offset 15 = 60 bytes, 24 available.
    expectError(decodeTCP(hex('00 01 00 02 00 00 00 00 00 00 00 00 f0 02 00 00 00 00 00 00 01 01 01 01'), 0, 24), true);
  });
});
