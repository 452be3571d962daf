/**
 * Decoders meet arbitrary bytes: random input and every truncation of valid frames must give a
 * header or a DecodeError, never an exception, and a truncation must only ever look "short".
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeICMPv4 } from '../../src/decode/icmp.ts';
import { decodeICMPv6 } from '../../src/decode/icmpv6.ts';
import { decodeIPv4 } from '../../src/decode/ipv4.ts';
import { decodeIPv6 } from '../../src/decode/ipv6.ts';
import { decodeLink } from '../../src/decode/link.ts';
import { decodePacket, Depth } from '../../src/decode/packet.ts';
import { decodeTCP } from '../../src/decode/tcp.ts';
import { DecodeError } from '../../src/decode/types.ts';
import { decodeUDP, UDP_HEADER_LENGTH } from '../../src/decode/udp.ts';
import { hex } from '../helpers/bytes.ts';

const LINK_TYPES = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276];

/** Link → IP → transport, the way a replay walks a frame: decodePacket itself. */
function decodeChain(frame: Uint8Array, linkType: number): { layers: string[]; errors: DecodeError[] } {
  const d = decodePacket(frame, linkType, Depth.Transport);
  if (d.udp) expect(d.payloadStart).toBe(d.link!.offset + (d.ipv4 ?? d.ipv6)!.payloadOffset + UDP_HEADER_LENGTH);
  if (d.payloadStart !== undefined) expect(d.payloadEnd).toBeGreaterThanOrEqual(d.payloadStart);
  return { layers: d.layers, errors: d.error ? [d.error] : [] };
}

const MACS = '00 11 22 33 44 55 66 77 88 99 aa bb';
const V6_ADDRS = '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02';
const TCP_WITH_OPTIONS = '00 16 d4 31 00 00 00 01 00 00 00 00 80 18 72 10 00 00 00 00 02 04 05 b4 04 02 01 01 01 03 03 07';
const UDP_DNS = 'd4 31 00 35 00 0c 00 00 ab cd 01 00';

/** Valid frames covering every link type and layer. */
/** `transportEnd`: where the transport header ends, counted by hand from the frame start. */
const VALID_FRAMES: { name: string; linkType: number; frame: Uint8Array; layers: string[]; transportEnd: number }[] = [
  {
    name: 'Ethernet, 802.1Q, IPv4 with options, TCP with options',
    linkType: 1,
    // IPv4: IHL 6, Total Length 24 + 32 + 4 = 60.
    frame: hex(`${MACS} 81 00 00 64 08 00  46 00 00 3c 00 01 40 00 40 06 00 00 0a 00 00 01 0a 00 00 02 94 04 00 00  ${TCP_WITH_OPTIONS} 64 61 74 61`),
    layers: ['link', 'ipv4', 'tcp'],
    transportEnd: 74,
  },
  {
    name: 'Ethernet, QinQ, IPv6, hop-by-hop, first fragment, AH, TCP',
    linkType: 1,
    // Payload Length 8 + 8 + 12 + 32 = 60.
    frame: hex(
      `${MACS} 88 a8 00 0a 81 00 00 64 86 dd  60 00 00 00 00 3c 00 40 ${V6_ADDRS}` +
        ` 2c 00 01 04 00 00 00 00  33 00 00 01 00 00 00 2a  06 01 00 00 00 00 00 01 00 00 00 01  ${TCP_WITH_OPTIONS}`,
    ),
    layers: ['link', 'ipv6', 'tcp'],
    transportEnd: 122,
  },
  {
    name: 'SLL, IPv4, UDP with a padded Ethernet-style tail',
    linkType: 113,
    frame: hex(`00 00 00 01 00 06 00 11 22 33 44 55 00 00 08 00  45 00 00 20 00 02 00 00 40 11 00 00 7f 00 00 01 7f 00 00 35 ${UDP_DNS} 00 00 00 00`),
    layers: ['link', 'ipv4', 'udp'],
    transportEnd: 44,
  },
  {
    name: 'SLL2, IPv6, ICMPv6 echo',
    linkType: 276,
    frame: hex(`86 dd 00 00 00 00 00 02 00 01 00 06 00 11 22 33 44 55 00 00  60 00 00 00 00 08 3a 40 ${V6_ADDRS} 80 00 12 34 00 01 00 01`),
    layers: ['link', 'ipv6', 'icmpv6'],
    transportEnd: 64,
  },
  {
    name: 'NULL, IPv4, ICMP echo',
    linkType: 0,
    frame: hex(`02 00 00 00  45 00 00 1c 00 03 00 00 40 01 00 00 7f 00 00 01 7f 00 00 01 08 00 f7 fc 00 01 00 02`),
    layers: ['link', 'ipv4', 'icmp'],
    transportEnd: 32,
  },
  {
    name: 'LOOP, IPv6, destination options, UDP',
    linkType: 108,
    frame: hex(`00 00 00 18  60 00 00 00 00 14 3c 40 ${V6_ADDRS} 11 00 01 04 00 00 00 00 ${UDP_DNS}`),
    layers: ['link', 'ipv6', 'udp'],
    transportEnd: 60,
  },
  {
    name: 'RAW, IPv4, UDP',
    linkType: 101,
    frame: hex(`45 00 00 20 00 04 00 00 40 11 00 00 0a 00 00 01 0a 00 00 35 ${UDP_DNS}`),
    layers: ['link', 'ipv4', 'udp'],
    transportEnd: 28,
  },
  {
    name: 'LINKTYPE_IPV6, IPv6, TCP',
    linkType: 229,
    frame: hex(`60 00 00 00 00 20 06 40 ${V6_ADDRS} ${TCP_WITH_OPTIONS}`),
    layers: ['link', 'ipv6', 'tcp'],
    transportEnd: 72,
  },
];

describe('every truncation of a valid frame', () => {
  for (const { name, linkType, frame, layers, transportEnd } of VALID_FRAMES) {
    it(`${name}: whole frame decodes to the transport`, () => {
      expect(decodeChain(frame, linkType)).toEqual({ layers, errors: [] });
    });

    it(`${name}: each prefix decodes or is short, never malformed`, () => {
      for (let length = 0; length < frame.length; length++) {
        const outcome = decodeChain(frame.subarray(0, length), linkType);
        for (const error of outcome.errors) expect(error.kind, `prefix of ${length} bytes: ${error.layer}`).toBe('short');
      }
    });

    it(`${name}: the transport decodes from exactly the prefix that holds its header`, () => {
      const transport = layers[layers.length - 1];
      for (let length = 0; length <= frame.length; length++) {
        const decodedLayers = decodeChain(frame.subarray(0, length), linkType).layers;
        if (length >= transportEnd) expect(decodedLayers, `prefix of ${length} bytes`).toEqual(layers);
        else expect(decodedLayers, `prefix of ${length} bytes`).not.toContain(transport);
      }
    });
  }
});

describe('decodePacket lists its layers', () => {
  // RAW IPv4, UDP to port 53, a 12-byte DNS header with no records.
  const udpDns = {
    linkType: 101,
    frame: hex('45 00 00 28 00 04 00 00 40 11 00 00 0a 00 00 01 0a 00 00 35  d4 31 00 35 00 14 00 00  ab cd 01 00 00 00 00 00 00 00 00 00'),
  };

  it('names the DNS layer when a message decoded, and stops at the depth asked for', () => {
    const full = decodePacket(udpDns.frame, udpDns.linkType, Depth.Application);
    expect(full.error).toBeUndefined();
    expect(full.layers).toEqual(['link', 'ipv4', 'udp', 'dns']);
    expect(decodePacket(udpDns.frame, udpDns.linkType, Depth.Network).layers).toEqual(['link', 'ipv4']);
  });

  it('leaves out the layer that failed', () => {
    // 11 bytes cannot hold a DNS header.
    const cut = decodePacket(udpDns.frame.subarray(0, udpDns.frame.length - 1), udpDns.linkType, Depth.Application);
    expect(cut.layers).toEqual(['link', 'ipv4', 'udp']);
    expect(cut.error).toMatchObject({ layer: 'dns' });
  });
});

describe('random bytes', () => {
  const bytes = fc.uint8Array({ maxLength: 160 });
  const position = fc.integer({ min: -2, max: 170 });

  it('decodeLink returns a result inside the frame, or a DecodeError', () => {
    fc.assert(
      fc.property(bytes, fc.oneof(fc.constantFrom(...LINK_TYPES), fc.integer({ min: 0, max: 0xffff })), (data, lt) => {
        const result = decodeLink(data, lt);
        if (result instanceof DecodeError) return;
        expect([0, 4, 6]).toContain(result.ipVersion);
        expect(result.offset).toBeLessThanOrEqual(data.length);
      }),
      { numRuns: 3000 },
    );
  });

  it('decodeIPv4 keeps its bounds inside the captured bytes', () => {
    fc.assert(
      fc.property(bytes, fc.nat(170), (data, offset) => {
        const result = decodeIPv4(data, offset);
        if (result instanceof DecodeError) return;
        expect(result.payloadOffset).toBeGreaterThanOrEqual(20);
        expect(result.payloadOffset).toBeLessThanOrEqual(result.payloadEnd);
        expect(result.payloadEnd).toBeLessThanOrEqual(data.length - offset);
        expect(result.src.length).toBe(4);
        expect(result.dst.length).toBe(4);
      }),
      { numRuns: 3000 },
    );
  });

  it('decodeIPv4 on bytes that start like IPv4', () => {
    const ipv4ish = fc.tuple(fc.integer({ min: 0x40, max: 0x4f }), fc.uint8Array({ minLength: 19, maxLength: 120 }));
    fc.assert(
      fc.property(ipv4ish, ([first, rest]) => {
        const data = Uint8Array.of(first, ...rest);
        const result = decodeIPv4(data, 0);
        if (result instanceof DecodeError) return;
        expect(result.payloadOffset).toBe((first & 0x0f) * 4);
        expect(result.payloadEnd).toBeLessThanOrEqual(data.length);
      }),
      { numRuns: 3000 },
    );
  });

  it('decodeIPv6 keeps its bounds, and its walk, inside the payload', () => {
    // Next Header values biased towards extension headers so that chains get walked.
    const nextHeader = fc.constantFrom(0, 43, 44, 51, 60, 6, 17, 58, 59);
    const chain = fc.array(fc.tuple(nextHeader, fc.integer({ min: 0, max: 4 }), fc.uint8Array({ minLength: 6, maxLength: 6 })), {
      maxLength: 8,
    });
    fc.assert(
      fc.property(nextHeader, chain, fc.integer({ min: 0, max: 120 }), fc.nat(4), (first, exts, payloadLength, cut) => {
        const body = exts.flatMap(([next, len, rest]) => [next, len, ...rest]);
        const fixed = [0x60, 0, 0, 0, payloadLength >> 8, payloadLength & 0xff, first, 64, ...new Array<number>(32).fill(1)];
        const data = Uint8Array.from([...fixed, ...body]).subarray(0, Math.max(0, fixed.length + body.length - cut));
        const result = decodeIPv6(data, 0);
        if (result instanceof DecodeError) return;
        expect(result.payloadOffset).toBeGreaterThanOrEqual(40);
        expect(result.payloadOffset).toBeLessThanOrEqual(result.payloadEnd);
        expect(result.payloadEnd).toBeLessThanOrEqual(data.length);
        if (result.laterFragment) expect(result.extError).toBeUndefined();
      }),
      { numRuns: 3000 },
    );
  });

  it('transport decoders stay inside [offset, end)', () => {
    fc.assert(
      fc.property(bytes, position, position, (data, offset, end) => {
        for (const result of [decodeTCP(data, offset, end), decodeUDP(data, offset, end), decodeICMPv4(data, offset, end), decodeICMPv6(data, offset, end)]) {
          // Only TCP has a field that can be wrong (data offset below 5); the rest can only be short.
          if (result instanceof DecodeError) expect(result.kind === 'short' || result.layer === 'tcp').toBe(true);
        }
        const tcp = decodeTCP(data, offset, end);
        if (!(tcp instanceof DecodeError)) {
          expect(offset + tcp.payloadOffset).toBeLessThanOrEqual(Math.min(end, data.length));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('the whole chain never throws, whatever the link type', () => {
    fc.assert(
      fc.property(bytes, fc.constantFrom(...LINK_TYPES), (data, lt) => {
        const d = decodePacket(data, lt, Depth.Application);
        // A failed layer is not listed, and the layers listed are the ones filled in.
        if (d.error) expect(d.layers).not.toContain(d.error.layer);
        for (const layer of d.layers) expect(layer === 'dns' ? d.dns.length > 0 : d[layer] !== undefined, layer).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});
