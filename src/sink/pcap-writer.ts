/**
 * Classic pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html), little-endian:
 * nanosecond timestamps (magic a1b23c4d) unless microseconds are asked for, which cut the
 * sub-microsecond digits (the caller says so). One link type for the whole file.
 */
import type { ByteOutput } from './byte-output.ts';

const MICROSECOND_MAGIC = 0xa1b2c3d4;
const NANOSECOND_MAGIC = 0xa1b23c4d;
export const PCAP_HEADER_LENGTH = 24;
const RECORD_HEADER_LENGTH = 16;
/** libpcap's MAXIMUM_SNAPLEN: what readers expect when nothing smaller is known. */
export const DEFAULT_PCAP_SNAPLEN = 262_144;

const NANOS_PER_SECOND = 1_000_000_000n;
/** Largest timestamp a record can hold: u32 seconds. */
export const PCAP_TIME_LIMIT = (1n << 32n) * NANOS_PER_SECOND;

export class PcapWriter {
  constructor(
    private readonly out: ByteOutput,
    private readonly nanosecond: boolean,
  ) {}

  /** The file header; `snaplen` can be corrected later with fileHeaderBytes (see capture-sink). */
  fileHeader(linkType: number, snaplen: number): void {
    this.out.write(pcapFileHeader(linkType, snaplen, this.nanosecond));
  }

  /** `timestamp` must be in [0, PCAP_TIME_LIMIT): the caller checks. */
  record(timestamp: bigint, data: Uint8Array, originalLength: number): void {
    const { buffer: b, at } = this.out.reserve(RECORD_HEADER_LENGTH + data.length);
    const seconds = timestamp / NANOS_PER_SECOND;
    const fraction = timestamp - seconds * NANOS_PER_SECOND;
    b.writeUInt32LE(Number(seconds), at);
    b.writeUInt32LE(Number(this.nanosecond ? fraction : fraction / 1000n), at + 4);
    b.writeUInt32LE(data.length, at + 8);
    b.writeUInt32LE(originalLength, at + 12);
    b.set(data, at + 16);
  }
}

export function pcapFileHeader(linkType: number, snaplen: number, nanosecond: boolean): Buffer {
  const h = Buffer.alloc(PCAP_HEADER_LENGTH);
  h.writeUInt32LE(nanosecond ? NANOSECOND_MAGIC : MICROSECOND_MAGIC, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(snaplen, 16);
  h.writeUInt32LE(linkType, 20);
  return h;
}
