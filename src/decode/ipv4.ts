/**
 * IPv4 header, with gopacket v1.1.19's (layers.IPv4) length rules. Options are stepped over by
 * IHL without being parsed: gopacket rejects a packet whose options are malformed, but the
 * fixed header is still sound evidence, so netrec keeps it.
 */
import { DecodeError } from './types.ts';
import type { IPv4Header } from './types.ts';
import { readU16 } from './read-be.ts';

const MIN_HEADER_LENGTH = 20;

export function decodeIPv4(data: Uint8Array, offset: number): IPv4Header | DecodeError {
  const captured = data.length - offset;
  if (captured < MIN_HEADER_LENGTH) {
    return new DecodeError('ipv4', `header needs ${MIN_HEADER_LENGTH} bytes, ${Math.max(captured, 0)} captured`, { kind: 'short' });
  }
  const ihl = data[offset]! & 0x0f;
  const wireLength = readU16(data, offset + 2);
  // TCP segmentation offload leaves Total Length 0; gopacket then uses the captured length.
  // (gopacket casts it to uint16; past 65535 bytes netrec keeps the real length instead.)
  const length = wireLength === 0 ? captured : wireLength;
  const headerLength = ihl * 4;
  // Checked in gopacket's order, so the message names the same failure.
  if (length < MIN_HEADER_LENGTH) {
    return new DecodeError('ipv4', `total length ${length} is less than ${MIN_HEADER_LENGTH}`, { kind: 'malformed' });
  }
  if (ihl < 5) return new DecodeError('ipv4', `header length (IHL) ${ihl} is less than 5`, { kind: 'malformed' });
  if (headerLength > length) {
    return new DecodeError('ipv4', `header length ${headerLength} exceeds total length ${length}`, { kind: 'malformed' });
  }
  if (headerLength > captured) {
    return new DecodeError('ipv4', `header with options needs ${headerLength} bytes, ${captured} captured`, { kind: 'short' });
  }
  const flagsFragment = readU16(data, offset + 6);
  return {
    version: data[offset]! >> 4,
    ihl,
    tos: data[offset + 1]!,
    length,
    id: readU16(data, offset + 4),
    flags: flagsFragment >> 13,
    fragOffset: flagsFragment & 0x1fff,
    ttl: data[offset + 8]!,
    protocol: data[offset + 9]!,
    checksum: readU16(data, offset + 10),
    src: data.subarray(offset + 12, offset + 16),
    dst: data.subarray(offset + 16, offset + 20),
    payloadOffset: headerLength,
    // Ethernet padding lies past Total Length; a snaplen may cut before it.
    payloadEnd: Math.min(length, captured),
  };
}
