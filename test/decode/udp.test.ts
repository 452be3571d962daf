import { describe, expect, it } from 'vitest';
import { decodeUDP, UDP_HEADER_LENGTH, udpPayloadEnd } from '../../src/decode/udp.ts';
import { DecodeError } from '../../src/decode/types.ts';
import type { UDPHeader } from '../../src/decode/types.ts';
import { hex } from '../helpers/bytes.ts';

function decoded(data: Uint8Array, offset = 0, end = data.length): UDPHeader {
  const result = decodeUDP(data, offset, end);
  if (result instanceof DecodeError) throw new Error(`unexpected DecodeError: ${result.message}`);
  return result;
}

function header(length: number): UDPHeader {
  return { srcPort: 53, dstPort: 53, length, checksum: 0 };
}

describe('decodeUDP', () => {
  it('reads every field', () => {
    expect(decoded(hex('00 35 d4 31 00 1c 12 34'))).toEqual({ srcPort: 53, dstPort: 54321, length: 28, checksum: 0x1234 });
  });

  it('keeps the length field as on the wire, even when it is impossible', () => {
    expect(decoded(hex('00 35 00 35 00 03 00 00')).length).toBe(3);
    expect(decoded(hex('00 35 00 35 ff ff 00 00')).length).toBe(65535);
  });

  it('reads at an offset within `end`', () => {
    expect(decoded(hex('ff ff 13 88 13 89 00 08 00 00 ff'), 2, 10)).toEqual({ srcPort: 5000, dstPort: 5001, length: 8, checksum: 0 });
  });

  it('is short under 8 bytes', () => {
    for (const result of [
      decodeUDP(hex('00 35 d4 31 00 1c 12'), 0, 7),
      decodeUDP(hex('00 35 d4 31 00 1c 12 34'), 0, 7),
      decodeUDP(hex('00 35 d4 31 00 1c 12'), 0, 50),
      decodeUDP(hex('00 35'), 5, 2),
    ]) {
      expect(result).toBeInstanceOf(DecodeError);
      expect((result as DecodeError).layer).toBe('udp');
      expect((result as DecodeError).kind).toBe('short');
    }
  });
});

describe('udpPayloadEnd', () => {
  it('the header is 8 bytes', () => {
    expect(UDP_HEADER_LENGTH).toBe(8);
  });

  it('is the UDP length when every byte was captured', () => {
    expect(udpPayloadEnd(header(28), 28)).toBe(28);
  });

  it('follows the UDP length, not the IP length: bytes past it are not payload', () => {
    // tcpdump__dns-zlip: UDP length 8 inside a larger IP datagram → empty payload.
    expect(udpPayloadEnd(header(8), 400)).toBe(8);
    expect(udpPayloadEnd(header(30), 100)).toBe(30);
  });

  it('is clamped to the available bytes', () => {
    expect(udpPayloadEnd(header(100), 40)).toBe(40);
  });

  it('length 0 (jumbogram) takes every available byte', () => {
    expect(udpPayloadEnd(header(0), 1000)).toBe(1000);
  });

  it('lengths 1-7 leave no payload', () => {
    for (let length = 1; length < 8; length++) expect(udpPayloadEnd(header(length), 64)).toBe(8);
  });
});
