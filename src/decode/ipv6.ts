/**
 * IPv6 fixed header, then the extension-header chain up to the transport header, as gopacket
 * v1.1.19 walks it (hop-by-hop, routing, fragment, destination options, IPsec AH).
 */
import { DecodeError } from './types.ts';
import type { IPv6Header } from './types.ts';
import { readU16, readU32 } from './read-be.ts';

const FIXED_HEADER_LENGTH = 40;
/** Every extension header is at least 8 bytes: both length formulas give 8 for a length byte of 0. */
const MIN_EXTENSION_LENGTH = 8;
const FRAGMENT_HEADER_LENGTH = 8;

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const AUTHENTICATION = 51;
const DESTINATION_OPTIONS = 60;

export function decodeIPv6(data: Uint8Array, offset: number): IPv6Header | DecodeError {
  const captured = data.length - offset;
  if (captured < FIXED_HEADER_LENGTH) {
    return new DecodeError('ipv6', `header needs ${FIXED_HEADER_LENGTH} bytes, ${Math.max(captured, 0)} captured`, { kind: 'short' });
  }
  const firstWord = readU32(data, offset);
  const length = readU16(data, offset + 4);
  const nextHeader = data[offset + 6]!;
  // Payload Length 0 announces a jumbogram (RFC 2675), whose length lives in a hop-by-hop
  // option: the captured bytes are the only bound.
  const declaredEnd = length === 0 ? captured : FIXED_HEADER_LENGTH + length;
  const header: IPv6Header = {
    version: firstWord >>> 28,
    trafficClass: (firstWord >>> 20) & 0xff,
    flowLabel: firstWord & 0xfffff,
    length,
    nextHeader,
    hopLimit: data[offset + 7]!,
    src: data.subarray(offset + 8, offset + 24),
    dst: data.subarray(offset + 24, offset + 40),
    transportProtocol: nextHeader,
    laterFragment: false,
    moreFragments: false,
    payloadOffset: FIXED_HEADER_LENGTH,
    payloadEnd: Math.min(declaredEnd, captured),
    extError: undefined,
  };
  walkExtensionHeaders(data, offset, header, declaredEnd);
  return header;
}

/**
 * Sets transportProtocol, payloadOffset, laterFragment and moreFragments (or extError) on `header`. Each step
 * moves forward by at least 8 bytes and stops at payloadEnd, so a chain that loops back to
 * the same header type ends when the bytes do.
 */
function walkExtensionHeaders(data: Uint8Array, start: number, header: IPv6Header, declaredEnd: number): void {
  const end = header.payloadEnd;
  let protocol = header.nextHeader;
  let at = FIXED_HEADER_LENGTH;
  while (isExtensionHeader(protocol)) {
    const left = end - at;
    const size = left < MIN_EXTENSION_LENGTH ? MIN_EXTENSION_LENGTH : extensionLength(data, start + at, protocol);
    if (size > left) {
      // Short when the capture cut the payload before the header's end; malformed when the
      // header claims more than the packet holds.
      const short = at + size <= declaredEnd;
      const what = short ? `${left} captured` : `${left} left in the payload`;
      header.extError = new DecodeError(extensionLayer(protocol), `header needs ${size} bytes, ${what}`, { kind: short ? 'short' : 'malformed' });
      break;
    }
    const next = data[start + at]!;
    const fragmentWord = protocol === FRAGMENT ? readU16(data, start + at + 2) : 0;
    const fragmentOffset = fragmentWord >> 3;
    if (fragmentWord & 1) header.moreFragments = true;
    protocol = next;
    at += size;
    // What follows a non-first fragment is the middle of the datagram, not another header.
    if (fragmentOffset !== 0) {
      header.laterFragment = true;
      break;
    }
  }
  header.transportProtocol = protocol;
  header.payloadOffset = at;
}

function isExtensionHeader(protocol: number): boolean {
  return protocol === HOP_BY_HOP || protocol === ROUTING || protocol === FRAGMENT || protocol === DESTINATION_OPTIONS || protocol === AUTHENTICATION;
}

function extensionLength(data: Uint8Array, at: number, protocol: number): number {
  if (protocol === FRAGMENT) return FRAGMENT_HEADER_LENGTH;
  // AH counts 32-bit words minus 2 (RFC 4302); the others count 8-byte units minus 1 (RFC 8200).
  if (protocol === AUTHENTICATION) return (data[at + 1]! + 2) * 4;
  return (data[at + 1]! + 1) * 8;
}

function extensionLayer(protocol: number): string {
  switch (protocol) {
    case HOP_BY_HOP:
      return 'ipv6-hop-by-hop';
    case ROUTING:
      return 'ipv6-routing';
    case FRAGMENT:
      return 'ipv6-fragment';
    case AUTHENTICATION:
      return 'ipsec-ah';
    default:
      return 'ipv6-destination';
  }
}
