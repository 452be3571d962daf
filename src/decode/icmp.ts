/** ICMPv4 header: gopacket v1.1.19 reads bytes 4-7 as id and sequence for every type. */
import { DecodeError } from './types.ts';
import type { ICMPv4Header } from './types.ts';
import { readU16 } from './read-be.ts';

const HEADER_LENGTH = 8;

/** Decodes the ICMPv4 header at `offset`; `end` is where the IP payload ends. */
export function decodeICMPv4(data: Uint8Array, offset: number, end: number): ICMPv4Header | DecodeError {
  const available = Math.min(end, data.length) - offset;
  if (available < HEADER_LENGTH) {
    return new DecodeError('icmp', `header needs ${HEADER_LENGTH} bytes, ${Math.max(available, 0)} left`, { kind: 'short' });
  }
  return {
    type: data[offset]!,
    code: data[offset + 1]!,
    checksum: readU16(data, offset + 2),
    id: readU16(data, offset + 4),
    seq: readU16(data, offset + 6),
  };
}
