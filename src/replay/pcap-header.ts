/**
 * The 24-byte global header of a classic pcap file, validated the way libpcap and tshark validate
 * it (both precisions, both byte orders, version 2.4, no reserved link-type bits).
 */

export const PCAP_HEADER_LENGTH = 24;

/** The four magics, as read little-endian from the first four bytes. */
const MAGIC = {
  microLittle: 0xa1b2c3d4,
  microBig: 0xd4c3b2a1,
  nanoLittle: 0xa1b23c4d,
  nanoBig: 0x4d3cb2a1,
} as const;

/** Bits 16-25 of the link-type field are reserved; 26-31 describe the FCS (LT_RESERVED1 in libpcap). */
const LINKTYPE_RESERVED_BITS = 0x03ff0000;

export interface PcapHeader {
  littleEndian: boolean;
  /** The fraction field of every record counts nanoseconds, not microseconds. */
  nanosecond: boolean;
  snaplen: number;
  linkType: number;
}

export type PcapHeaderResult = { header: PcapHeader } | { problem: string };

export function isPcapMagic(head: Uint8Array): boolean {
  return magicOf(head) !== undefined;
}

/** `bytes` holds at least PCAP_HEADER_LENGTH bytes. */
export function parsePcapHeader(bytes: Buffer): PcapHeaderResult {
  const magic = magicOf(bytes);
  if (magic === undefined) {
    return { problem: `not a pcap file: magic ${bytes.toString('hex', 0, 4)}` };
  }
  const { littleEndian, nanosecond } = magic;
  const u16 = (at: number) => (littleEndian ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const u32 = (at: number) => (littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const major = u16(4);
  const minor = u16(6);
  if (major !== 2 || minor !== 4) {
    return { problem: `unsupported pcap version ${major}.${minor} (only 2.4 is read, as by tshark)` };
  }
  const linkTypeField = u32(20);
  if ((linkTypeField & LINKTYPE_RESERVED_BITS) !== 0) {
    const hex = linkTypeField.toString(16).padStart(8, '0');
    return {
      problem: `link-type field 0x${hex} has reserved bits 16-25 set (refused, as by tshark and libpcap)`,
    };
  }
  return {
    header: { littleEndian, nanosecond, snaplen: u32(16), linkType: linkTypeField & 0xffff },
  };
}

function magicOf(head: Uint8Array): { littleEndian: boolean; nanosecond: boolean } | undefined {
  if (head.length < 4) return undefined;
  const magic = (head[0]! | (head[1]! << 8) | (head[2]! << 16) | (head[3]! << 24)) >>> 0;
  switch (magic) {
    case MAGIC.microLittle:
      return { littleEndian: true, nanosecond: false };
    case MAGIC.microBig:
      return { littleEndian: false, nanosecond: false };
    case MAGIC.nanoLittle:
      return { littleEndian: true, nanosecond: true };
    case MAGIC.nanoBig:
      return { littleEndian: false, nanosecond: true };
    default:
      return undefined;
  }
}
