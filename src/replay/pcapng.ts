/**
 * pcapng files, read one block at a time from the stream. This module frames blocks, follows
 * sections (each with its own byte order and interfaces) and decides what a damaged block costs:
 * when its length can be trusted it is stepped over, otherwise reading stops, since nothing after
 * it can be found again.
 */
import { inputIssue, type InputIssue } from '../core/errors.ts';
import { BATCH_BYTES, BATCH_SIZE } from './batch-queue.ts';
import type { ByteReader } from './byte-reader.ts';
import { blockLocation, offsetLocation, packetLocation, readErrorMessage } from './issue-wording.ts';
import {
  BYTE_ORDER_MAGIC,
  BlockType,
  MINIMUM_BLOCK_LENGTH,
  MINIMUM_SECTION_HEADER_LENGTH,
  blockNames,
  isPacketBlock,
  readDarwinProcess,
  readInterface,
  readSimplePacket,
  readTimestampedPacket,
  sectionHeaderProblem,
  u32,
  type DarwinProcess,
  type InterfaceSlot,
} from './pcapng-blocks.ts';
import type { PacketSource, SourceItem } from '../core/source.ts';

/**
 * Longest block believed, as in Wireshark (MAX_BLOCK_SIZE): the largest per-packet maximum
 * (128 MiB) plus room for options, so a corrupt length cannot make us buffer gigabytes.
 */
const MAXIMUM_BLOCK_LENGTH = 32 + 128 * 1024 * 1024 + 131_072;
/**
 * Interfaces believed per section: as many as the (obsolete) Packet Block's 16-bit interface id
 * can name. Each costs a few hundred bytes, so a file of a million tiny interface blocks would
 * otherwise cost hundreds of megabytes; past the cap they are reported once and ignored.
 */
export const MAXIMUM_INTERFACES_PER_SECTION = 65_536;

/**
 * `processContext`: the file says it carries process context (netrec wrote it, see open.ts), so
 * process filters apply to it.
 */
export function pcapngSource(name: string, bytes: ByteReader, processContext = false): PacketSource {
  let iterated = false;
  const walker = new BlockWalker(name);
  return {
    layout: () => ({ format: 'pcapng', sections: walker.sections, interfaces: walker.declared }),
    name,
    hasProcessContext: processContext,
    progress: () => ({ bytes: bytes.offset, totalBytes: bytes.totalBytes }),
    batches() {
      if (iterated) throw new Error(`pcapng source ${name}: batches() can be iterated only once`);
      iterated = true;
      return readPcapng(walker, name, bytes);
    },
  };
}

interface Section {
  littleEndian: boolean;
  interfaces: InterfaceSlot[];
  /** Interface descriptions past MAXIMUM_INTERFACES_PER_SECTION. */
  ignoredInterfaces: number;
  /** Darwin process event blocks by index; a damaged one keeps its index as undefined. */
  processes: (DarwinProcess | undefined)[];
}

/** Reading goes on after a block, or stops for good. */
type Outcome = 'next' | 'stop';

async function* readPcapng(walker: BlockWalker, name: string, bytes: ByteReader): AsyncGenerator<SourceItem[]> {
  let batch: SourceItem[] = [];
  // The batch's packets hold (at most) the bytes read since it started: hand it over at
  // BATCH_BYTES too, so large packets do not pile up a batch of hundreds of megabytes.
  let batchStart = bytes.offset;
  try {
    for (;;) {
      const outcome = walker.step(bytes, batch);
      if (outcome === 'stop') break;
      if (outcome === 'next') {
        if (batch.length >= BATCH_SIZE || bytes.offset - batchStart >= BATCH_BYTES) {
          yield batch;
          batch = [];
          batchStart = bytes.offset;
        }
        continue;
      }
      // Hand over what is ready before waiting on the stream, so that a live pipe flows.
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
      batchStart = bytes.offset;
      try {
        await bytes.request(outcome.needs);
      } catch (error) {
        batch.push(inputIssue(name, offsetLocation(bytes.offset), readErrorMessage(error)));
        break;
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    bytes.close();
  }
}

class BlockWalker {
  private section: Section | undefined;
  private nextPacketNumber = 1;
  /** Sections and readable interfaces met so far, for `netrec info`. */
  sections = 0;
  readonly declared: { section: number; linkType: number; snaplen: number }[] = [];

  constructor(private readonly name: string) {}

  /**
   * Reads the next block from what is buffered, pushing what it yields into `out`, or says how
   * many bytes must be buffered first.
   */
  step(bytes: ByteReader, out: SourceItem[]): Outcome | { needs: number } {
    const offset = bytes.offset;
    if (bytes.buffered < MINIMUM_BLOCK_LENGTH) {
      if (!bytes.ended) return { needs: MINIMUM_BLOCK_LENGTH };
      if (bytes.buffered > 0) {
        const message = truncated(MINIMUM_BLOCK_LENGTH, bytes.buffered);
        out.push(this.issue(offsetLocation(offset), message));
      }
      return 'stop';
    }
    const framing = this.frame(bytes, offset);
    if ('kind' in framing) {
      out.push(framing);
      return 'stop';
    }
    const { type, length, littleEndian } = framing;
    if (bytes.buffered < length) {
      if (!bytes.ended) return { needs: length };
      out.push(this.blockIssue(type, offset, truncated(length, bytes.buffered)));
      return 'stop';
    }
    const block = bytes.take(length);
    // A section header's content is judged before its trailing length, as tshark does, so that
    // a refused file is refused for the same reason.
    if (type === BlockType.SECTION_HEADER) {
      const problem = sectionHeaderProblem(block, littleEndian);
      if (problem !== undefined) {
        out.push(this.blockIssue(type, offset, problem));
        return 'stop';
      }
    }
    const trailingLength = u32(block, length - 4, littleEndian);
    if (trailingLength !== length) {
      out.push(this.blockIssue(type, offset, `block lengths differ: ${length} at the start, ${trailingLength} at the end`));
      return 'stop';
    }
    return this.interpret(type, block, littleEndian, offset, out);
  }

  /** The block's type and length, checked against everything known before reading its body. */
  private frame(bytes: ByteReader, offset: number): { type: number; length: number; littleEndian: boolean } | InputIssue {
    let littleEndian: boolean;
    let minimumLength = MINIMUM_BLOCK_LENGTH;
    // The section header's type reads the same in both byte orders; its magic gives the order.
    if (bytes.peekUint32(0, true) === BlockType.SECTION_HEADER) {
      const magic = bytes.peekUint32(8, true);
      if (magic !== BYTE_ORDER_MAGIC && magic !== byteSwapped(BYTE_ORDER_MAGIC)) {
        const hex = magic.toString(16).padStart(8, '0');
        return this.blockIssue(BlockType.SECTION_HEADER, offset, `byte-order magic 0x${hex} is not 0x1a2b3c4d in either byte order`);
      }
      littleEndian = magic === BYTE_ORDER_MAGIC;
      minimumLength = MINIMUM_SECTION_HEADER_LENGTH;
    } else if (this.section === undefined) {
      return this.issue(offsetLocation(offset), 'the file does not start with a section header block');
    } else {
      littleEndian = this.section.littleEndian;
    }
    const type = bytes.peekUint32(0, littleEndian);
    const length = bytes.peekUint32(4, littleEndian);
    const problem =
      length < minimumLength
        ? `block length ${length} is less than the minimum of ${minimumLength}`
        : length % 4 !== 0
          ? `block length ${length} is not a multiple of 4`
          : length > MAXIMUM_BLOCK_LENGTH
            ? `block length ${length} is larger than the maximum of ${MAXIMUM_BLOCK_LENGTH}`
            : undefined;
    if (problem !== undefined) return this.blockIssue(type, offset, problem);
    return { type, length, littleEndian };
  }

  private interpret(type: number, block: Buffer, littleEndian: boolean, offset: number, out: SourceItem[]): Outcome {
    switch (type) {
      case BlockType.SECTION_HEADER:
        this.section = { littleEndian, interfaces: [], ignoredInterfaces: 0, processes: [] };
        this.sections++;
        return 'next';
      case BlockType.DARWIN_PROCESS: {
        const process = readDarwinProcess(block, littleEndian);
        const processes = this.section!.processes;
        if (typeof process === 'string') {
          out.push(this.blockIssue(type, offset, `process ${processes.length}: ${process}`));
          processes.push(undefined);
        } else {
          processes.push(process);
        }
        return 'next';
      }
      case BlockType.INTERFACE_DESCRIPTION: {
        const interfaces = this.section!.interfaces;
        if (interfaces.length >= MAXIMUM_INTERFACES_PER_SECTION) {
          if (this.section!.ignoredInterfaces++ === 0) {
            out.push(
              this.blockIssue(
                type,
                offset,
                `more than ${MAXIMUM_INTERFACES_PER_SECTION} interfaces in one section; this and later interface descriptions of the section are ignored`,
              ),
            );
          }
          return 'next';
        }
        const slot = readInterface(block, littleEndian);
        if ('damage' in slot) {
          out.push(this.blockIssue(type, offset, `interface ${interfaces.length}: ${slot.damage}`));
        }
        interfaces.push(slot);
        if (!('damage' in slot)) this.declared.push({ section: this.sections, linkType: slot.linkType, snaplen: slot.snaplen });
        return 'next';
      }
      case BlockType.ENHANCED_PACKET:
      case BlockType.PACKET:
      case BlockType.SIMPLE_PACKET: {
        const number = this.nextPacketNumber++;
        const where = packetLocation(offset, number);
        const { interfaces, processes } = this.section!;
        const warn = (message: string): void => void out.push(inputIssue(this.name, where, message, 'warning'));
        const packet =
          type === BlockType.SIMPLE_PACKET
            ? readSimplePacket(block, littleEndian, interfaces, number, offset)
            : readTimestampedPacket(block, littleEndian, interfaces, number, offset, { processes, warn });
        out.push(typeof packet === 'string' ? this.issue(where, `${blockNames[type]}: ${packet}`) : packet);
        return 'next';
      }
      default:
        // Name resolution, statistics, comments, secrets, custom blocks: nothing to replay.
        return 'next';
    }
  }

  /** A packet block is located by its packet number too; any other block is named in `where`. */
  private blockIssue(type: number, offset: number, message: string): InputIssue {
    const name = blockNames[type] ?? `block of type 0x${type.toString(16)}`;
    return isPacketBlock(type)
      ? this.issue(packetLocation(offset, this.nextPacketNumber), `${name}: ${message}`)
      : this.issue(blockLocation(offset, name), message);
  }

  private issue(where: string, message: string): InputIssue {
    return inputIssue(this.name, where, message);
  }
}

function truncated(needed: number, present: number): string {
  return `truncated block: needs ${needed} bytes, ${present} present`;
}

function byteSwapped(value: number): number {
  return (((value & 0xff) << 24) | ((value & 0xff00) << 8) | ((value >>> 8) & 0xff00) | (value >>> 24)) >>> 0;
}
