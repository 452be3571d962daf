/** ICMPv6 header: type, code and checksum, the 4 bytes gopacket v1.1.19 requires. */
import { DecodeError } from './types.ts';
import type { ICMPv6Header } from './types.ts';
import { readU16 } from './read-be.ts';

const HEADER_LENGTH = 4;

/** Decodes the ICMPv6 header at `offset`; `end` is where the IP payload ends. */
export function decodeICMPv6(data: Uint8Array, offset: number, end: number): ICMPv6Header | DecodeError {
  const available = Math.min(end, data.length) - offset;
  if (available < HEADER_LENGTH) {
    return new DecodeError('icmpv6', `header needs ${HEADER_LENGTH} bytes, ${Math.max(available, 0)} left`, { kind: 'short' });
  }
  return {
    type: data[offset]!,
    code: data[offset + 1]!,
    checksum: readU16(data, offset + 2),
  };
}
