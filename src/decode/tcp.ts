/** TCP header (RFC 9293). Options are stepped over by data offset, not parsed. */
import { DecodeError } from './types.ts';
import type { TCPHeader } from './types.ts';
import { readU16, readU32 } from './read-be.ts';

const MIN_HEADER_LENGTH = 20;

/** Decodes the TCP header at `offset`; `end` is where the IP payload ends. */
export function decodeTCP(data: Uint8Array, offset: number, end: number): TCPHeader | DecodeError {
  const available = Math.min(end, data.length) - offset;
  if (available < MIN_HEADER_LENGTH) {
    return new DecodeError('tcp', `header needs ${MIN_HEADER_LENGTH} bytes, ${Math.max(available, 0)} left`, { kind: 'short' });
  }
  const dataOffset = data[offset + 12]! >> 4;
  if (dataOffset < 5) return new DecodeError('tcp', `data offset ${dataOffset} is less than 5`, { kind: 'malformed' });
  const headerLength = dataOffset * 4;
  if (headerLength > available) {
    return new DecodeError('tcp', `header with options needs ${headerLength} bytes, ${available} left`, { kind: 'short' });
  }
  return {
    srcPort: readU16(data, offset),
    dstPort: readU16(data, offset + 2),
    seq: readU32(data, offset + 4),
    ack: readU32(data, offset + 8),
    dataOffset,
    flags: data[offset + 13]!,
    ns: (data[offset + 12]! & 0x01) !== 0,
    window: readU16(data, offset + 14),
    checksum: readU16(data, offset + 16),
    urgent: readU16(data, offset + 18),
    payloadOffset: headerLength,
  };
}
