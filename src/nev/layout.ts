/**
 * The fixed parts of a segment file around its frames:
 *
 *   preamble  8-byte magic 89 'NEV' 0D 0A 1A 0A, format major u16 BE, format minor u16 BE
 *   frames    header record, body records and blocks, footer record
 *   trailer   'NEVT', footer offset u64 BE, CRC-32C of those 12 bytes
 *
 * The magic follows PNG's: a non-ASCII first byte, then CR LF, ^Z and LF, so a file mangled by a
 * text-mode transfer fails the check. A segment is sealed when its last 16 bytes are a valid
 * trailer pointing at a valid footer frame ending where the trailer starts.
 */
import { crc32c } from './crc32c.ts';

export const FORMAT_MAJOR = 1;
export const FORMAT_MINOR = 1;

export const MAGIC = Uint8Array.of(0x89, 0x4e, 0x45, 0x56, 0x0d, 0x0a, 0x1a, 0x0a);
export const PREAMBLE_SIZE = 12;
const TRAILER_MAGIC = Uint8Array.of(0x4e, 0x45, 0x56, 0x54);
export const TRAILER_SIZE = 16;

/** Segment n's file name: 000001.nevseg, ... (more digits past 999999). */
export function segmentFileName(n: number): string {
  return `${String(n).padStart(6, '0')}.nevseg`;
}

/** The segment number of a file name, or undefined for any other file. */
export function segmentNumberOf(name: string): number | undefined {
  const m = /^(\d{6,})\.nevseg$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

export function encodePreamble(major = FORMAT_MAJOR, minor = FORMAT_MINOR): Uint8Array {
  const out = new Uint8Array(PREAMBLE_SIZE);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint16(8, major);
  view.setUint16(10, minor);
  return out;
}

export function hasMagic(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && MAGIC.every((b, i) => bytes[i] === b);
}

/** The format version of a segment's first bytes, or undefined when they are not a segment's. */
export function parsePreamble(bytes: Uint8Array): { major: number; minor: number } | undefined {
  if (bytes.length < PREAMBLE_SIZE || !hasMagic(bytes)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, PREAMBLE_SIZE);
  return { major: view.getUint16(8), minor: view.getUint16(10) };
}

export function encodeTrailer(footerOffset: number): Uint8Array {
  const out = new Uint8Array(TRAILER_SIZE);
  out.set(TRAILER_MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setBigUint64(4, BigInt(footerOffset));
  view.setUint32(12, crc32c(out, 0, 0, 12));
  return out;
}

/** The footer offset a trailer points at, or undefined when the 16 bytes are no valid trailer. */
export function parseTrailer(bytes: Uint8Array): number | undefined {
  if (bytes.length !== TRAILER_SIZE || !TRAILER_MAGIC.every((b, i) => bytes[i] === b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, TRAILER_SIZE);
  if (view.getUint32(12) !== crc32c(bytes, 0, 0, 12)) return undefined;
  const offset = view.getBigUint64(4);
  return offset <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(offset) : undefined;
}
