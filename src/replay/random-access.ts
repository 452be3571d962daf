/**
 * Random access to the packets of a pcap or pcapng file: the streaming readers read a file once
 * from the start; a reader that pages (the TUI) needs page N now, so records are read back by
 * the offsets a pass over the file's batches recorded. Recordings have their own (src/nev).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { CapturedPacket } from '../core/packet.ts';
import type { PacketLocations, PacketReader } from '../core/source.ts';
import { parsePcapHeader, PCAP_HEADER_LENGTH } from './pcap-header.ts';
import { BlockType, readSimplePacket, readTimestampedPacket, type Interface } from './pcapng-blocks.ts';

/** How one file format lays out a record at a known offset. */
interface RecordLayout {
  /** Bytes to read at a record's offset to learn its length. */
  readonly headBytes: number;
  /** Length of the whole record from its first `headBytes` bytes. */
  length(head: Buffer): number;
  /** The packet in `record`; number, timestamp and link type come from the index. */
  parse(record: Buffer, number: number, offset: number, timestamp: bigint, linkType: number): CapturedPacket;
}

const PCAP_RECORD_HEADER = 16;

function pcapLayout(littleEndian: boolean): RecordLayout {
  const u32 = (b: Buffer, at: number): number => (littleEndian ? b.readUInt32LE(at) : b.readUInt32BE(at));
  return {
    headBytes: PCAP_RECORD_HEADER,
    length: (head) => PCAP_RECORD_HEADER + u32(head, 8),
    parse: (record, number, offset, timestamp, linkType) => ({
      timestamp,
      linkType,
      data: record.subarray(PCAP_RECORD_HEADER, PCAP_RECORD_HEADER + u32(record, 8)),
      originalLength: u32(record, 12),
      number,
      offset,
    }),
  };
}

/**
 * pcapng packet blocks, parsed by the same functions as the streaming reader. The index holds
 * each packet's exact timestamp and link type, which is all a block needs from its interface,
 * so the section's interface table is not kept: a stand-in interface carries the link type.
 */
const pcapngLayout: RecordLayout = {
  headBytes: 8,
  length: blockLength,
  parse(record, number, offset, timestamp, linkType) {
    const littleEndian = isLittleEndianPacketBlock(record);
    const type = littleEndian ? record.readUInt32LE(0) : record.readUInt32BE(0);
    // A simple packet block's data is cut to the interface's snaplen; without the IDB the
    // block's own size bounds it (at most 3 padding bytes more in a cut packet).
    const stand: Interface = { linkType, snaplen: record.length - 16, clock: () => timestamp };
    const interfaceId = type === BlockType.SIMPLE_PACKET ? 0 : interfaceIdOf(record, type, littleEndian);
    const slots = new Array<Interface>(interfaceId + 1).fill(stand);
    const packet =
      type === BlockType.SIMPLE_PACKET
        ? readSimplePacket(record, littleEndian, slots, number, offset)
        : readTimestampedPacket(record, littleEndian, slots, number, offset);
    if (typeof packet === 'string') throw new Error(`packet ${number} at offset ${offset}: ${packet}`);
    packet.timestamp = timestamp;
    return packet;
  },
};

/** Packet block types are small numbers: read in the wrong byte order they are huge. */
function isLittleEndianPacketBlock(block: Buffer): boolean {
  return block.readUInt32LE(0) < 0x10000;
}

function blockLength(head: Buffer): number {
  return isLittleEndianPacketBlock(head) ? head.readUInt32LE(4) : head.readUInt32BE(4);
}

function interfaceIdOf(block: Buffer, type: number, littleEndian: boolean): number {
  if (type === BlockType.PACKET) return littleEndian ? block.readUInt16LE(8) : block.readUInt16BE(8);
  return littleEndian ? block.readUInt32LE(8) : block.readUInt32BE(8);
}

/** Reads runs of consecutive records with one read each: a screen of packets is one syscall. */
class OffsetReader implements PacketReader {
  constructor(
    private readonly file: FileHandle,
    private readonly index: PacketLocations,
    private readonly layout: RecordLayout,
  ) {}

  async read(first: number, count: number): Promise<CapturedPacket[]> {
    if (count <= 0) return [];
    const last = first + count - 1;
    const start = this.index.offsetAt(first);
    const end = last + 1 < this.index.length ? this.index.offsetAt(last + 1) : await this.#recordEnd(this.index.offsetAt(last));
    const span = await this.#readExactly(start, end - start);
    const packets: CapturedPacket[] = [];
    for (let p = first; p <= last; p++) {
      const offset = this.index.offsetAt(p);
      const next = p < last ? this.index.offsetAt(p + 1) : end;
      const record = span.subarray(offset - start, next - start);
      packets.push(this.layout.parse(record, this.index.numberAt(p), offset, this.index.timestampAt(p), this.index.linkTypeAt(p)));
    }
    return packets;
  }

  close(): Promise<void> {
    return this.file.close();
  }

  async #recordEnd(offset: number): Promise<number> {
    const head = await this.#readExactly(offset, this.layout.headBytes);
    return offset + this.layout.length(head);
  }

  async #readExactly(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.file.read(buffer, filled, length - filled, position + filled);
      if (bytesRead === 0) {
        // Cut since it was indexed: say where it ends now, not only where the read stopped.
        const { size } = await this.file.stat();
        throw new Error(`the file ends at ${Math.min(size, position + filled)}, short of a record the index located at ${position}`);
      }
      filled += bytesRead;
    }
    return buffer;
  }
}

/** A reader for a pcap or pcapng file at `path`, whose packets `index` locates. */
export async function openOffsetReader(path: string, index: PacketLocations): Promise<PacketReader> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(PCAP_HEADER_LENGTH);
    await file.read(head, 0, head.length, 0);
    if (head.readUInt32LE(0) === BlockType.SECTION_HEADER) return new OffsetReader(file, index, pcapngLayout);
    const parsed = parsePcapHeader(head);
    if ('problem' in parsed) throw new Error(`${path}: ${parsed.problem}`);
    return new OffsetReader(file, index, pcapLayout(parsed.header.littleEndian));
  } catch (error) {
    await file.close();
    throw error;
  }
}
