import { describe, expect, it } from 'vitest';
import { decodeLink, isSupportedLinkType, linkTypeName, linkTypeOf } from '../../src/decode/link.ts';
import { DecodeError } from '../../src/decode/types.ts';
import { hex } from '../helpers/bytes.ts';

/** Bytes from hex text; spaces and newlines are ignored. */

const MACS = '00 11 22 33 44 55  66 77 88 99 aa bb';
const IPV4_START = '45 00 00 14';
const IPV6_START = '60 00 00 00';

function expectError(result: unknown, layer: string, short: boolean): void {
  expect(result).toBeInstanceOf(DecodeError);
  const error = result as DecodeError;
  expect(error.layer).toBe(layer);
  expect(error.kind).toBe(short ? 'short' : 'malformed');
}

describe('Ethernet (LINKTYPE 1)', () => {
  it('finds IPv4 after the 14-byte header', () => {
    expect(decodeLink(hex(`${MACS} 08 00 ${IPV4_START}`), 1)).toEqual({ ipVersion: 4, offset: 14 });
  });

  it('finds IPv6', () => {
    expect(decodeLink(hex(`${MACS} 86 dd ${IPV6_START}`), 1)).toEqual({ ipVersion: 6, offset: 14 });
  });

  it('reports ARP and LLDP as non-IP, not as errors', () => {
    expect(decodeLink(hex(`${MACS} 08 06 00 01`), 1)).toEqual({ ipVersion: 0, offset: 14 });
    expect(decodeLink(hex(`${MACS} 88 cc 02 07`), 1)).toEqual({ ipVersion: 0, offset: 14 });
  });

  it('reports an 802.3 length field as non-IP', () => {
    expect(decodeLink(hex(`${MACS} 00 26 42 42 03`), 1)).toEqual({ ipVersion: 0, offset: 14 });
  });

  it('steps over an 802.1Q tag', () => {
    expect(decodeLink(hex(`${MACS} 81 00 00 64 08 00 ${IPV4_START}`), 1)).toEqual({ ipVersion: 4, offset: 18 });
  });

  it('steps over QinQ stacks: 802.1ad outer tag, or the old 0x9100', () => {
    expect(decodeLink(hex(`${MACS} 88 a8 00 0a 81 00 00 64 08 00 ${IPV4_START}`), 1)).toEqual({ ipVersion: 4, offset: 22 });
    expect(decodeLink(hex(`${MACS} 91 00 00 0a 81 00 00 64 86 dd ${IPV6_START}`), 1)).toEqual({ ipVersion: 6, offset: 22 });
  });

  it('steps over three stacked tags', () => {
    const frame = hex(`${MACS} 88 a8 00 01 91 00 00 02 81 00 00 03 86 dd ${IPV6_START}`);
    expect(decodeLink(frame, 1)).toEqual({ ipVersion: 6, offset: 26 });
  });

  it('reports non-IP inside a VLAN tag', () => {
    expect(decodeLink(hex(`${MACS} 81 00 00 64 08 06 00 01`), 1)).toEqual({ ipVersion: 0, offset: 18 });
  });

  it('is short when the frame ends inside the header', () => {
    expectError(decodeLink(hex(`${MACS} 08`), 1), 'ethernet', true);
    expectError(decodeLink(new Uint8Array(0), 1), 'ethernet', true);
  });

  it('is short when the frame ends inside a VLAN tag', () => {
    expectError(decodeLink(hex(`${MACS} 81 00 00 64 08`), 1), 'dot1q', true);
    expectError(decodeLink(hex(`${MACS} 88 a8 00 0a`), 1), 'dot1q', true);
  });

  it('accepts a frame that ends right after the EtherType', () => {
    expect(decodeLink(hex(`${MACS} 08 00`), 1)).toEqual({ ipVersion: 4, offset: 14 });
  });
});

describe('Linux cooked capture', () => {
  // packet type, ARPHRD_ETHER, address length 6, address padded to 8 bytes, protocol.
  const SLL = '00 00 00 01 00 06 00 11 22 33 44 55 00 00';

  it('SLL (113): protocol at byte 14, IP at 16', () => {
    expect(decodeLink(hex(`${SLL} 08 00 ${IPV4_START}`), 113)).toEqual({ ipVersion: 4, offset: 16 });
    expect(decodeLink(hex(`${SLL} 86 dd ${IPV6_START}`), 113)).toEqual({ ipVersion: 6, offset: 16 });
    expect(decodeLink(hex(`${SLL} 08 06 00 01`), 113)).toEqual({ ipVersion: 0, offset: 16 });
  });

  it('SLL: a VLAN tag left in the payload is stepped over', () => {
    expect(decodeLink(hex(`${SLL} 81 00 00 64 08 00 ${IPV4_START}`), 113)).toEqual({ ipVersion: 4, offset: 20 });
  });

  it('SLL: the Linux 802.2 pseudo-protocol (4) is non-IP', () => {
    expect(decodeLink(hex(`${SLL} 00 04 42 42`), 113)).toEqual({ ipVersion: 0, offset: 16 });
  });

  it('SLL: short header', () => {
    expectError(decodeLink(hex(SLL), 113), 'linux_sll', true);
    expectError(decodeLink(hex(`${SLL} 08`), 113), 'linux_sll', true);
  });

  // protocol, reserved, ifindex 2, ARPHRD_ETHER, packet type, address length, address.
  const SLL2_REST = '00 00 00 00 00 02 00 01 00 06 00 11 22 33 44 55 00 00';

  it('SLL2 (276): protocol at byte 0, IP at 20', () => {
    expect(decodeLink(hex(`08 00 ${SLL2_REST} ${IPV4_START}`), 276)).toEqual({ ipVersion: 4, offset: 20 });
    expect(decodeLink(hex(`86 dd ${SLL2_REST} ${IPV6_START}`), 276)).toEqual({ ipVersion: 6, offset: 20 });
    expect(decodeLink(hex(`88 cc ${SLL2_REST}`), 276)).toEqual({ ipVersion: 0, offset: 20 });
  });

  it('SLL2: short header', () => {
    expectError(decodeLink(hex(`08 00 ${SLL2_REST}`).subarray(0, 19), 276), 'linux_sll2', true);
  });
});

describe('raw IP', () => {
  for (const lt of [101, 12, 14]) {
    it(`link type ${lt} picks the version from the first nibble`, () => {
      expect(decodeLink(hex(IPV4_START), lt)).toEqual({ ipVersion: 4, offset: 0 });
      expect(decodeLink(hex(IPV6_START), lt)).toEqual({ ipVersion: 6, offset: 0 });
      expect(decodeLink(hex('50 00'), lt)).toEqual({ ipVersion: 0, offset: 0 });
      expectError(decodeLink(new Uint8Array(0), lt), 'raw', true);
    });
  }

  it('LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229) trust the link type, not the nibble', () => {
    expect(decodeLink(hex(IPV6_START), 228)).toEqual({ ipVersion: 4, offset: 0 });
    expect(decodeLink(hex(IPV4_START), 229)).toEqual({ ipVersion: 6, offset: 0 });
    expect(decodeLink(new Uint8Array(0), 228)).toEqual({ ipVersion: 4, offset: 0 });
  });
});

describe('BSD loopback', () => {
  it('NULL (0) reads the family in either byte order', () => {
    expect(decodeLink(hex(`02 00 00 00 ${IPV4_START}`), 0)).toEqual({ ipVersion: 4, offset: 4 });
    expect(decodeLink(hex(`00 00 00 02 ${IPV4_START}`), 0)).toEqual({ ipVersion: 4, offset: 4 });
    for (const family of ['18', '1c', '1e']) {
      expect(decodeLink(hex(`${family} 00 00 00 ${IPV6_START}`), 0)).toEqual({ ipVersion: 6, offset: 4 });
      expect(decodeLink(hex(`00 00 00 ${family} ${IPV6_START}`), 0)).toEqual({ ipVersion: 6, offset: 4 });
    }
  });

  it('NULL: other families are non-IP', () => {
    expect(decodeLink(hex('07 00 00 00 42'), 0)).toEqual({ ipVersion: 0, offset: 4 });
    expect(decodeLink(hex('00 00 00 17 42'), 0)).toEqual({ ipVersion: 0, offset: 4 });
  });

  it('NULL: a family above 255 in both byte orders is malformed', () => {
    expectError(decodeLink(hex('00 00 01 00'), 0), 'loopback', false);
    expectError(decodeLink(hex('01 01 00 00'), 0), 'loopback', false);
  });

  it('LOOP (108) reads the family in network byte order only', () => {
    expect(decodeLink(hex(`00 00 00 02 ${IPV4_START}`), 108)).toEqual({ ipVersion: 4, offset: 4 });
    expect(decodeLink(hex(`00 00 00 18 ${IPV6_START}`), 108)).toEqual({ ipVersion: 6, offset: 4 });
    expect(decodeLink(hex('00 00 00 07'), 108)).toEqual({ ipVersion: 0, offset: 4 });
    expectError(decodeLink(hex(`02 00 00 00 ${IPV4_START}`), 108), 'loopback', false);
  });

  it('is short under 4 bytes', () => {
    expectError(decodeLink(hex('02 00 00'), 0), 'loopback', true);
    expectError(decodeLink(hex('00 00 00'), 108), 'loopback', true);
  });
});

describe('link type table', () => {
  it('rejects an unsupported link type as malformed input', () => {
    const result = decodeLink(hex(IPV4_START), 147);
    expectError(result, 'link', false);
    expect((result as DecodeError).message).toContain('147');
  });

  it('knows exactly the supported link types', () => {
    for (const lt of [0, 1, 12, 14, 101, 108, 113, 228, 229, 276]) expect(isSupportedLinkType(lt)).toBe(true);
    for (const lt of [2, 9, 105, 127, 147, 0x30000001]) expect(isSupportedLinkType(lt)).toBe(false);
  });

  it('linkTypeOf keeps the low 16 bits (FCS and reserved bits dropped)', () => {
    expect(linkTypeOf(0x3000_0001)).toBe(1);
    expect(linkTypeOf(0x1000_0071)).toBe(113);
    expect(linkTypeOf(276)).toBe(276);
    expect(linkTypeOf(0xffff_ffff)).toBe(0xffff);
  });

  it('names link types for messages', () => {
    expect(linkTypeName(1)).toBe('LINKTYPE_ETHERNET (1)');
    expect(linkTypeName(276)).toBe('LINKTYPE_LINUX_SLL2 (276)');
    expect(linkTypeName(12)).toBe('DLT_RAW (12)');
    expect(linkTypeName(147)).toBe('unknown (147)');
  });
});
