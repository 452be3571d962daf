/** UDP header (RFC 768), with gopacket v1.1.19's payload bounds. */
import { DecodeError } from './types.ts';
import type { UDPHeader } from './types.ts';
import { readU16 } from './read-be.ts';

export const UDP_HEADER_LENGTH = 8;

/** Decodes the UDP header at `offset`; `end` is where the IP payload ends. */
export function decodeUDP(data: Uint8Array, offset: number, end: number): UDPHeader | DecodeError {
  const available = Math.min(end, data.length) - offset;
  if (available < UDP_HEADER_LENGTH) {
    return new DecodeError('udp', `header needs ${UDP_HEADER_LENGTH} bytes, ${Math.max(available, 0)} left`, { kind: 'short' });
  }
  return {
    srcPort: readU16(data, offset),
    dstPort: readU16(data, offset + 2),
    length: readU16(data, offset + 4),
    checksum: readU16(data, offset + 6),
  };
}

/**
 * End of the UDP payload relative to the UDP header, which starts UDP_HEADER_LENGTH bytes in.
 * `available` is the number of bytes from the UDP header to the end of the IP payload.
 *
 * The UDP length field bounds the payload, not the IP length: bytes past it are not part of
 * the datagram, and crafted packets hide data there. Length 0 is a jumbogram (RFC 2675) and
 * takes everything; lengths 1-7 leave no payload (gopacket flags an error after it has filled
 * in the header, so the UDP event still exists).
 */
export function udpPayloadEnd(header: UDPHeader, available: number): number {
  if (header.length === 0) return available;
  if (header.length < UDP_HEADER_LENGTH) return UDP_HEADER_LENGTH;
  return Math.min(header.length, available);
}
