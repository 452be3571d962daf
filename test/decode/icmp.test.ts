import { describe, expect, it } from 'vitest';
import { decodeICMPv4 } from '../../src/decode/icmp.ts';
import { decodeICMPv6 } from '../../src/decode/icmpv6.ts';
import { DecodeError } from '../../src/decode/types.ts';
import { hex } from '../helpers/bytes.ts';

function expectShort(result: unknown, layer: string): void {
  expect(result).toBeInstanceOf(DecodeError);
  expect((result as DecodeError).layer).toBe(layer);
  expect((result as DecodeError).kind).toBe('short');
}

describe('decodeICMPv4', () => {
  it('reads an echo request', () => {
    const data = hex('08 00 f7 fc 00 01 00 02 61 62 63');
    expect(decodeICMPv4(data, 0, data.length)).toEqual({ type: 8, code: 0, checksum: 0xf7fc, id: 1, seq: 2 });
  });

  it('reads bytes 4-7 as id and seq for every type (a redirect holds a gateway there)', () => {
    const data = hex('05 01 00 00 c0 a8 01 01');
    expect(decodeICMPv4(data, 0, 8)).toEqual({ type: 5, code: 1, checksum: 0, id: 0xc0a8, seq: 0x0101 });
  });

  it('reads at an offset', () => {
    const data = hex('ff 03 03 12 34 00 00 00 00 ff');
    expect(decodeICMPv4(data, 1, 9)).toEqual({ type: 3, code: 3, checksum: 0x1234, id: 0, seq: 0 });
  });

  it('needs 8 bytes, as gopacket does', () => {
    expectShort(decodeICMPv4(hex('08 00 f7 fc 00 01 00'), 0, 7), 'icmp');
    expectShort(decodeICMPv4(hex('08 00 f7 fc 00 01 00 02'), 0, 7), 'icmp');
    expectShort(decodeICMPv4(new Uint8Array(0), 0, 0), 'icmp');
  });
});

describe('decodeICMPv6', () => {
  it('reads type, code and checksum from 4 bytes', () => {
    expect(decodeICMPv6(hex('80 00 12 34'), 0, 4)).toEqual({ type: 128, code: 0, checksum: 0x1234 });
  });

  it('reads at an offset', () => {
    const data = hex('00 00 03 01 ab cd 00 00 00 00');
    expect(decodeICMPv6(data, 2, 10)).toEqual({ type: 3, code: 1, checksum: 0xabcd });
  });

  it('needs 4 bytes', () => {
    expectShort(decodeICMPv6(hex('80 00 12'), 0, 3), 'icmpv6');
    expectShort(decodeICMPv6(hex('80 00 12 34'), 0, 3), 'icmpv6');
    expectShort(decodeICMPv6(hex('80 00 12 34'), 2, 4), 'icmpv6');
  });
});
