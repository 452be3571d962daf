/**
 * Link layer: find where the IP header starts, and which IP version it is, for each
 * LINKTYPE_* netrec reads (https://www.tcpdump.org/linktypes.html).
 */
import { LinkType as LINK } from '../core/packet.ts';
import { DecodeError } from './types.ts';
import type { LinkResult } from './types.ts';
import { readU16, readU32 } from './read-be.ts';

const LINK_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [LINK.NULL, 'LINKTYPE_NULL'],
  [LINK.ETHERNET, 'LINKTYPE_ETHERNET'],
  // 12 and 14 are DLT_RAW on some BSDs; files written there carry the DLT value.
  [LINK.RAW_12, 'DLT_RAW'],
  [LINK.RAW_14, 'DLT_RAW'],
  [LINK.RAW, 'LINKTYPE_RAW'],
  [LINK.LOOP, 'LINKTYPE_LOOP'],
  [LINK.LINUX_SLL, 'LINKTYPE_LINUX_SLL'],
  [LINK.IPV4, 'LINKTYPE_IPV4'],
  [LINK.IPV6, 'LINKTYPE_IPV6'],
  [LINK.LINUX_SLL2, 'LINKTYPE_LINUX_SLL2'],
]);

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_8021Q = 0x8100;
const ETHERTYPE_8021AD = 0x88a8;
/** The QinQ outer tag used before 802.1ad was standardised. */
const ETHERTYPE_QINQ_LEGACY = 0x9100;
const ETHERNET_HEADER_LENGTH = 14;
const VLAN_TAG_LENGTH = 4;
const SLL_HEADER_LENGTH = 16;
const SLL_PROTOCOL_OFFSET = 14;
const SLL2_HEADER_LENGTH = 20;
const SLL2_PROTOCOL_OFFSET = 0;
const LOOPBACK_HEADER_LENGTH = 4;

/**
 * The LINKTYPE in a pcap header's link-type field, whose upper bits may carry the FCS length
 * (bits 28-31) and reserved bits.
 */
export function linkTypeOf(field: number): number {
  return field & 0xffff;
}

export function isSupportedLinkType(lt: number): boolean {
  return LINK_TYPE_NAMES.has(lt);
}

/** For messages: "LINKTYPE_ETHERNET (1)", or "unknown (147)". */
export function linkTypeName(lt: number): string {
  return `${LINK_TYPE_NAMES.get(lt) ?? 'unknown'} (${lt})`;
}

export function decodeLink(data: Uint8Array, linkType: number): LinkResult | DecodeError {
  switch (linkType) {
    case LINK.ETHERNET:
      return decodeEthernet(data);
    case LINK.LINUX_SLL:
      return decodeCooked(data, 'linux_sll', SLL_HEADER_LENGTH, SLL_PROTOCOL_OFFSET);
    case LINK.LINUX_SLL2:
      return decodeCooked(data, 'linux_sll2', SLL2_HEADER_LENGTH, SLL2_PROTOCOL_OFFSET);
    case LINK.RAW:
    case LINK.RAW_12:
    case LINK.RAW_14:
      return decodeRawIP(data);
    case LINK.IPV4:
      return { ipVersion: 4, offset: 0 };
    case LINK.IPV6:
      return { ipVersion: 6, offset: 0 };
    case LINK.NULL:
      return decodeNull(data);
    case LINK.LOOP:
      return decodeLoop(data);
    default:
      return new DecodeError('link', `unsupported link type ${linkTypeName(linkType)}`, { kind: 'malformed' });
  }
}

function decodeEthernet(data: Uint8Array): LinkResult | DecodeError {
  if (data.length < ETHERNET_HEADER_LENGTH) {
    return new DecodeError('ethernet', `header needs ${ETHERNET_HEADER_LENGTH} bytes, ${data.length} captured`, { kind: 'short' });
  }
  return followEtherType(data, ETHERNET_HEADER_LENGTH, readU16(data, ETHERNET_HEADER_LENGTH - 2));
}

function decodeCooked(data: Uint8Array, layer: string, headerLength: number, protocolOffset: number): LinkResult | DecodeError {
  if (data.length < headerLength) {
    return new DecodeError(layer, `header needs ${headerLength} bytes, ${data.length} captured`, { kind: 'short' });
  }
  // gopacket hands the SLL protocol to its EtherType table, VLAN tags included.
  return followEtherType(data, headerLength, readU16(data, protocolOffset));
}

/** Steps over 802.1Q / 802.1ad tags, however many are stacked, to the EtherType they wrap. */
function followEtherType(data: Uint8Array, offset: number, etherType: number): LinkResult | DecodeError {
  while (etherType === ETHERTYPE_8021Q || etherType === ETHERTYPE_8021AD || etherType === ETHERTYPE_QINQ_LEGACY) {
    if (data.length - offset < VLAN_TAG_LENGTH) {
      return new DecodeError('dot1q', `VLAN tag needs ${VLAN_TAG_LENGTH} bytes, ${data.length - offset} captured`, { kind: 'short' });
    }
    etherType = readU16(data, offset + 2);
    offset += VLAN_TAG_LENGTH;
  }
  const ipVersion = etherType === ETHERTYPE_IPV4 ? 4 : etherType === ETHERTYPE_IPV6 ? 6 : 0;
  return { ipVersion, offset };
}

function decodeRawIP(data: Uint8Array): LinkResult | DecodeError {
  if (data.length < 1) return new DecodeError('raw', 'no bytes captured', { kind: 'short' });
  const version = data[0]! >> 4;
  return { ipVersion: version === 4 ? 4 : version === 6 ? 6 : 0, offset: 0 };
}

/** BSD loopback: a 4-byte address family in the byte order of the machine that captured. */
function decodeNull(data: Uint8Array): LinkResult | DecodeError {
  if (data.length < LOOPBACK_HEADER_LENGTH) return shortLoopback(data);
  // Families are small numbers, so two leading zero bytes mean big-endian (gopacket's rule).
  const family = data[0] === 0 && data[1] === 0 ? readU32(data, 0) : (data[0]! | (data[1]! << 8) | (data[2]! << 16) | (data[3]! << 24)) >>> 0;
  return loopbackResult(family);
}

/** OpenBSD loopback: the address family is in network byte order. */
function decodeLoop(data: Uint8Array): LinkResult | DecodeError {
  if (data.length < LOOPBACK_HEADER_LENGTH) return shortLoopback(data);
  return loopbackResult(readU32(data, 0));
}

function shortLoopback(data: Uint8Array): DecodeError {
  return new DecodeError('loopback', `header needs ${LOOPBACK_HEADER_LENGTH} bytes, ${data.length} captured`, { kind: 'short' });
}

function loopbackResult(family: number): LinkResult | DecodeError {
  if (family > 0xff) return new DecodeError('loopback', `invalid address family 0x${family.toString(16)}`, { kind: 'malformed' });
  // AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD) or 30 (Darwin).
  const ipVersion = family === 2 ? 4 : family === 24 || family === 28 || family === 30 ? 6 : 0;
  return { ipVersion, offset: LOOPBACK_HEADER_LENGTH };
}
