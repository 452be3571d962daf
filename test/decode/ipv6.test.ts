import { describe, expect, it } from 'vitest';
import { decodeIPv6 } from '../../src/decode/ipv6.ts';
import { DecodeError } from '../../src/decode/types.ts';
import type { IPv6Header } from '../../src/decode/types.ts';
import { hex } from '../helpers/bytes.ts';

function zeros(n: number): string {
  return '00 '.repeat(n);
}

function byteHex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

const SRC = '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01';
const DST = '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02';

/** Fixed header with the given Payload Length and Next Header, then `rest` (hex). */
function packet(payloadLength: number, nextHeader: number, rest: string): Uint8Array {
  const length = `${byteHex(payloadLength >> 8)} ${byteHex(payloadLength & 0xff)}`;
  return hex(`60 00 00 00 ${length} ${byteHex(nextHeader)} 40 ${SRC} ${DST} ${rest}`);
}

function decoded(data: Uint8Array, offset = 0): IPv6Header {
  const result = decodeIPv6(data, offset);
  if (result instanceof DecodeError) throw new Error(`unexpected DecodeError: ${result.message}`);
  return result;
}

/** The extension walk's outcome. */
function walk(h: IPv6Header): object {
  return {
    transportProtocol: h.transportProtocol,
    payloadOffset: h.payloadOffset,
    laterFragment: h.laterFragment,
    extError: h.extError === undefined ? undefined : { layer: h.extError.layer, kind: h.extError.kind },
  };
}

const TCP_HEADER = `00 50 c3 50 ${zeros(8)} 50 02 ff ff ${zeros(4)}`;

describe('decodeIPv6: fixed header', () => {
  it('reads every field', () => {
    // Traffic class 0xe1, flow label 0x23456, Payload Length 20, TCP, hop limit 64.
    const h = decoded(hex(`6e 12 34 56 00 14 06 40 ${SRC} ${DST} ${TCP_HEADER}`));
    expect({ ...h, src: [...h.src], dst: [...h.dst] }).toEqual({
      version: 6,
      trafficClass: 0xe1,
      flowLabel: 0x23456,
      length: 20,
      nextHeader: 6,
      hopLimit: 64,
      src: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
      dst: [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
      transportProtocol: 6,
      laterFragment: false,
      moreFragments: false,
      payloadOffset: 40,
      payloadEnd: 60,
      extError: undefined,
    });
  });

  it('reads the largest traffic class and flow label', () => {
    const h = decoded(hex(`6f ff ff ff 00 00 3b 01 ${SRC} ${DST}`));
    expect(h.trafficClass).toBe(0xff);
    expect(h.flowLabel).toBe(0xfffff);
    expect(h.hopLimit).toBe(1);
  });

  it('reads at an offset', () => {
    const frame = hex(`${'ff '.repeat(14)} 60 00 00 00 00 08 11 40 ${SRC} ${DST} ${zeros(8)}`);
    const h = decoded(frame, 14);
    expect(h.src.byteOffset).toBe(22);
    expect(h.dst[15]).toBe(2);
    expect(h.payloadOffset).toBe(40);
    expect(h.payloadEnd).toBe(48);
  });

  it('bounds the payload by Payload Length, leaving padding out', () => {
    expect(decoded(packet(8, 17, zeros(20))).payloadEnd).toBe(48);
  });

  it('clamps the payload to the captured bytes', () => {
    const h = decoded(packet(100, 17, zeros(20)));
    expect(h.length).toBe(100);
    expect(h.payloadEnd).toBe(60);
  });

  it('Payload Length 0 (jumbogram) extends the payload to the captured bytes', () => {
    // Hop-by-hop with the Jumbo Payload option (0xc2, 4 bytes), then UDP.
    const h = decoded(packet(0, 0, `11 00 c2 04 00 01 00 10 ${zeros(8)}`));
    expect(h.length).toBe(0);
    expect(h.payloadEnd).toBe(56);
    expect(walk(h)).toEqual({ transportProtocol: 17, payloadOffset: 48, laterFragment: false, extError: undefined });
  });

  it('is short under 40 bytes', () => {
    const result = decodeIPv6(packet(0, 59, '').subarray(0, 39), 0);
    expect(result).toBeInstanceOf(DecodeError);
    expect((result as DecodeError).layer).toBe('ipv6');
    expect((result as DecodeError).kind).toBe('short');
    expect(decodeIPv6(packet(0, 59, ''), 41)).toBeInstanceOf(DecodeError);
  });
});

describe('decodeIPv6: extension headers', () => {
  it('no extension: the transport is the Next Header', () => {
    expect(walk(decoded(packet(20, 6, TCP_HEADER)))).toEqual({
      transportProtocol: 6,
      payloadOffset: 40,
      laterFragment: false,
      extError: undefined,
    });
  });

  it('hop-by-hop (8 bytes) then destination options (16 bytes) then TCP', () => {
    const h = decoded(packet(44, 0, `3c 00 01 04 00 00 00 00  06 01 01 0c ${zeros(12)}  ${TCP_HEADER}`));
    expect(h.nextHeader).toBe(0);
    expect(walk(h)).toEqual({ transportProtocol: 6, payloadOffset: 64, laterFragment: false, extError: undefined });
  });

  it('routing header, length 2 (24 bytes), then UDP', () => {
    const h = decoded(packet(32, 43, `11 02 00 01 ${zeros(20)} ${zeros(8)}`));
    expect(walk(h)).toEqual({ transportProtocol: 17, payloadOffset: 64, laterFragment: false, extError: undefined });
  });

  it('first fragment (offset 0, M set): walks on to the transport', () => {
    const h = decoded(packet(16, 44, `11 00 00 01 de ad be ef ${zeros(8)}`));
    expect(walk(h)).toEqual({ transportProtocol: 17, payloadOffset: 48, laterFragment: false, extError: undefined });
    expect(h.moreFragments).toBe(true);
  });

  it('later fragment (offset 185): stops after the fragment header', () => {
    // 0x05c9 = offset 185 << 3 | M. The bytes after it are the middle of a datagram, here
    // resembling a destination-options header that would overrun if it were walked.
    const h = decoded(packet(16, 44, `3c 00 05 c9 de ad be ef  11 ff 00 00 00 00 00 00`));
    expect(walk(h)).toEqual({ transportProtocol: 60, payloadOffset: 48, laterFragment: true, extError: undefined });
  });

  it('last fragment (offset set, M clear) is a later fragment too', () => {
    const h = decoded(packet(16, 44, `06 00 00 08 00 00 00 01 ${zeros(8)}`));
    expect(walk(h)).toEqual({ transportProtocol: 6, payloadOffset: 48, laterFragment: true, extError: undefined });
    expect(h.moreFragments).toBe(false);
  });

  it('AH counts its length in 4-byte words plus 2', () => {
    // Payload len 4 → (4 + 2) * 4 = 24 bytes: next, len, reserved, SPI, sequence, 12-byte ICV.
    const h = decoded(packet(44, 51, `06 04 00 00 00 00 01 00 00 00 00 01 ${zeros(12)} ${TCP_HEADER}`));
    expect(walk(h)).toEqual({ transportProtocol: 6, payloadOffset: 64, laterFragment: false, extError: undefined });
  });

  it('AH with an odd word count is not 8-byte aligned, and still walks', () => {
    // Payload len 3 → 20 bytes.
    const h = decoded(packet(28, 51, `3a 03 00 00 ${zeros(16)} 80 00 00 00 00 00 00 00`));
    expect(walk(h)).toEqual({ transportProtocol: 58, payloadOffset: 60, laterFragment: false, extError: undefined });
  });

  it('stops at ESP, whose content is encrypted', () => {
    const h = decoded(packet(40, 51, `32 04 00 00 ${zeros(20)} ${zeros(16)}`));
    expect(walk(h)).toEqual({ transportProtocol: 50, payloadOffset: 64, laterFragment: false, extError: undefined });
  });

  it('stops at No Next Header', () => {
    const h = decoded(packet(8, 60, `3b 00 ${zeros(6)}`));
    expect(walk(h)).toEqual({ transportProtocol: 59, payloadOffset: 48, laterFragment: false, extError: undefined });
  });

  it('walks the full chain: hop-by-hop, dst opts, routing, fragment, AH, dst opts, UDP', () => {
    const chain = [
      `3c 00 ${zeros(6)}`, // hop-by-hop → dst opts
      `2b 00 ${zeros(6)}`, // dst opts → routing
      `2c 00 ${zeros(6)}`, // routing → fragment
      `33 00 00 01 00 00 00 07`, // fragment (first) → AH
      `3c 01 ${zeros(10)}`, // AH, 12 bytes → dst opts
      `11 00 ${zeros(6)}`, // dst opts → UDP
    ].join(' ');
    const h = decoded(packet(60, 0, `${chain} ${zeros(8)}`));
    expect(walk(h)).toEqual({ transportProtocol: 17, payloadOffset: 92, laterFragment: false, extError: undefined });
  });

  it('a chain that keeps pointing at hop-by-hop ends when the payload does (malformed)', () => {
    const h = decoded(packet(32, 0, `00 00 ${zeros(6)} `.repeat(4)));
    expect(walk(h)).toEqual({
      transportProtocol: 0,
      payloadOffset: 72,
      laterFragment: false,
      extError: { layer: 'ipv6-hop-by-hop', kind: 'malformed' },
    });
  });

  it('a looping chain in a long packet still ends, at the end of the bytes', () => {
    const h = decoded(packet(8000, 60, `3c 00 ${zeros(6)} `.repeat(1000)));
    expect(walk(h)).toEqual({
      transportProtocol: 60,
      payloadOffset: 8040,
      laterFragment: false,
      extError: { layer: 'ipv6-destination', kind: 'malformed' },
    });
  });

  it('a header longer than Payload Length is malformed; the fixed header stays valid', () => {
    // Destination options claiming (10 + 1) * 8 = 88 bytes in a 16-byte payload.
    const h = decoded(packet(16, 60, `06 0a ${zeros(14)}`));
    expect(h.version).toBe(6);
    expect(h.nextHeader).toBe(60);
    expect(h.payloadEnd).toBe(56);
    expect(walk(h)).toEqual({
      transportProtocol: 60,
      payloadOffset: 40,
      laterFragment: false,
      extError: { layer: 'ipv6-destination', kind: 'malformed' },
    });
    expect(h.extError?.message).toContain('88');
  });

  it('a header cut by the capture is short', () => {
    // Hop-by-hop of (3 + 1) * 8 = 32 bytes, Payload Length 40, 16 bytes captured.
    const h = decoded(packet(40, 0, `06 03 ${zeros(14)}`));
    expect(walk(h)).toEqual({
      transportProtocol: 0,
      payloadOffset: 40,
      laterFragment: false,
      extError: { layer: 'ipv6-hop-by-hop', kind: 'short' },
    });
  });

  it('fewer than 8 bytes left for an extension header', () => {
    const malformed = decoded(packet(4, 44, `11 00 00 01`));
    expect(walk(malformed)).toEqual({
      transportProtocol: 44,
      payloadOffset: 40,
      laterFragment: false,
      extError: { layer: 'ipv6-fragment', kind: 'malformed' },
    });
    const cut = decoded(packet(8, 44, `11 00 00 01`));
    expect(walk(cut)).toEqual({
      transportProtocol: 44,
      payloadOffset: 40,
      laterFragment: false,
      extError: { layer: 'ipv6-fragment', kind: 'short' },
    });
  });

  it('an AH header cut short reports the AH layer', () => {
    const h = decoded(packet(24, 0, `33 00 ${zeros(6)} 06 04 ${zeros(14)}`));
    expect(walk(h)).toEqual({
      transportProtocol: 51,
      payloadOffset: 48,
      laterFragment: false,
      extError: { layer: 'ipsec-ah', kind: 'malformed' },
    });
  });

  it('Payload Length 0 with an overrunning hop-by-hop: malformed (nothing declares more)', () => {
    const h = decoded(packet(0, 0, `11 05 ${zeros(6)}`));
    expect(walk(h)).toEqual({
      transportProtocol: 0,
      payloadOffset: 40,
      laterFragment: false,
      extError: { layer: 'ipv6-hop-by-hop', kind: 'malformed' },
    });
  });
});
