/**
 * pcapng blocks, written as the format specifies them
 * (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html): one section, little-endian.
 * This module knows the block layouts and nothing about netrec's packets; capture-sink.ts decides
 * what goes in them.
 *
 * Besides the standard blocks it writes Apple's Darwin process information (the "Darwin Process
 * Event Block", type 0x80000001, and the EPB option darwin_dpeb_id, 32769), which Wireshark's
 * pcapng file dissector decodes (epan/dissectors/file-pcapng.c): the pid and name of the process
 * a packet belongs to, in a form tools other than netrec already understand.
 */
import type { ByteOutput } from './byte-output.ts';

const SECTION_HEADER = 0x0a0d0d0a;
const INTERFACE_DESCRIPTION = 1;
const INTERFACE_STATISTICS = 5;
const ENHANCED_PACKET = 6;
const DARWIN_PROCESS_EVENT = 0x80000001;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const OPT_END = 0;
const OPT_COMMENT = 1;
const SHB_HARDWARE = 2;
const SHB_OS = 3;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;
const EPB_FLAGS = 2;
const EPB_DROPCOUNT = 4;
const EPB_DARWIN_DPEB_ID = 32769;
const ISB_STARTTIME = 2;
const ISB_ENDTIME = 3;
const ISB_IFDROP = 5;
const ISB_USRDELIV = 8;
const DARWIN_PROC_NAME = 2;

/** if_tsresol 9: timestamps count nanoseconds, so no recorded digit is lost. */
export const NANOSECOND_TSRESOL = 9;
/** Direction bits of epb_flags. */
export const EPB_UNKNOWN_DIRECTION = 0;
export const EPB_INBOUND = 1;
export const EPB_OUTBOUND = 2;

export interface SectionInfo {
  hardware: string;
  os: string;
  userAppl: string;
  comment?: string;
}

export interface InterfaceInfo {
  linkType: number;
  /** 0: no limit. */
  snaplen: number;
  name?: string;
  description?: string;
  comment?: string;
  /** if_tsoffset in seconds; timestamps are then counted from it. */
  tsoffsetSeconds: bigint;
}

export interface EnhancedPacket {
  interfaceId: number;
  /** Nanoseconds since the interface's tsoffset: 0 <= ticks < 2^64. */
  ticks: bigint;
  data: Uint8Array;
  originalLength: number;
  /** epb_flags (direction bits); absent when the direction is not known at all. */
  flags?: number | undefined;
  /** epb_dropcount, when known. */
  dropCount?: bigint | undefined;
  comment?: string | undefined;
  /** Index of the Darwin process event block the packet belongs to. */
  darwinProcess?: number | undefined;
}

export interface InterfaceStatistics {
  interfaceId: number;
  /** Nanoseconds since the interface's tsoffset: when the statistics were taken. */
  ticks: bigint;
  startTicks?: bigint;
  endTicks?: bigint;
  ifDrop?: bigint;
  userDelivered?: bigint;
  comment?: string;
}

/** An option's encoded size: code, length, value padded to 32 bits. */
function optionSize(valueLength: number): number {
  return 4 + padded(valueLength);
}

function padded(length: number): number {
  return (length + 3) & ~3;
}

/** Writes blocks of one section; the caller keeps the interface and process numbering. */
export class PcapngWriter {
  private interfaces = 0;
  private processes = 0;

  constructor(private readonly out: ByteOutput) {}

  sectionHeader(s: SectionInfo): void {
    const options = new OptionList().text(OPT_COMMENT, s.comment).text(SHB_HARDWARE, s.hardware).text(SHB_OS, s.os).text(SHB_USERAPPL, s.userAppl);
    const block = this.block(SECTION_HEADER, 16, options);
    block.buffer.writeUInt32LE(BYTE_ORDER_MAGIC, block.at);
    block.buffer.writeUInt16LE(1, block.at + 4);
    block.buffer.writeUInt16LE(0, block.at + 6);
    // Section length -1: not specified, so the file can be streamed.
    block.buffer.writeBigInt64LE(-1n, block.at + 8);
    options.encode(block.buffer, block.at + 16);
  }

  /** Writes an IDB and returns its interface id. */
  interfaceDescription(i: InterfaceInfo): number {
    const tsoffset = Buffer.alloc(8);
    tsoffset.writeBigInt64LE(i.tsoffsetSeconds);
    const options = new OptionList()
      .text(OPT_COMMENT, i.comment)
      .text(IF_NAME, i.name)
      .text(IF_DESCRIPTION, i.description)
      .bytes(IF_TSRESOL, Uint8Array.of(NANOSECOND_TSRESOL));
    if (i.tsoffsetSeconds !== 0n) options.bytes(IF_TSOFFSET, tsoffset);
    const block = this.block(INTERFACE_DESCRIPTION, 8, options);
    block.buffer.writeUInt16LE(i.linkType, block.at);
    block.buffer.writeUInt16LE(0, block.at + 2);
    block.buffer.writeUInt32LE(i.snaplen, block.at + 4);
    options.encode(block.buffer, block.at + 8);
    return this.interfaces++;
  }

  /** Writes a Darwin process event block and returns its id (the dpeb_id packets name). */
  darwinProcess(pid: number, name: string): number {
    const options = new OptionList().text(DARWIN_PROC_NAME, name);
    const block = this.block(DARWIN_PROCESS_EVENT, 4, options);
    block.buffer.writeUInt32LE(pid >>> 0, block.at);
    options.encode(block.buffer, block.at + 4);
    return this.processes++;
  }

  /** The hot path: encodes straight into the output chunk, no allocation without a comment. */
  enhancedPacket(p: EnhancedPacket): void {
    const captured = p.data.length;
    const comment = p.comment === undefined ? undefined : Buffer.from(p.comment, 'utf8');
    let options = 0;
    if (p.flags !== undefined) options += optionSize(4);
    if (p.dropCount !== undefined) options += optionSize(8);
    if (comment !== undefined) options += optionSize(comment.length);
    if (p.darwinProcess !== undefined) options += optionSize(4);
    if (options > 0) options += 4;
    const length = 32 + padded(captured) + options;
    const { buffer: b, at } = this.out.reserve(length);
    le32(b, at, ENHANCED_PACKET);
    le32(b, at + 4, length);
    le32(b, at + 8, p.interfaceId);
    le32(b, at + 12, Number(p.ticks >> 32n));
    le32(b, at + 16, Number(p.ticks & 0xffffffffn));
    le32(b, at + 20, captured);
    le32(b, at + 24, p.originalLength);
    b.set(p.data, at + 28);
    let o = at + 28 + captured;
    const dataEnd = at + 28 + padded(captured);
    while (o < dataEnd) b[o++] = 0;
    if (p.flags !== undefined) {
      o = optionHeader(b, o, EPB_FLAGS, 4);
      b.writeUInt32LE(p.flags, o);
      o += 4;
    }
    if (p.dropCount !== undefined) {
      o = optionHeader(b, o, EPB_DROPCOUNT, 8);
      b.writeBigUInt64LE(p.dropCount, o);
      o += 8;
    }
    if (comment !== undefined) o = optionValue(b, o, OPT_COMMENT, comment);
    if (p.darwinProcess !== undefined) {
      o = optionHeader(b, o, EPB_DARWIN_DPEB_ID, 4);
      b.writeUInt32LE(p.darwinProcess, o);
      o += 4;
    }
    if (options > 0) o = optionHeader(b, o, OPT_END, 0);
    le32(b, o, length);
  }

  interfaceStatistics(s: InterfaceStatistics): void {
    const options = new OptionList().text(OPT_COMMENT, s.comment);
    if (s.startTicks !== undefined) options.timestamp(ISB_STARTTIME, s.startTicks);
    if (s.endTicks !== undefined) options.timestamp(ISB_ENDTIME, s.endTicks);
    if (s.ifDrop !== undefined) options.u64(ISB_IFDROP, s.ifDrop);
    if (s.userDelivered !== undefined) options.u64(ISB_USRDELIV, s.userDelivered);
    const block = this.block(INTERFACE_STATISTICS, 12, options);
    block.buffer.writeUInt32LE(s.interfaceId, block.at);
    block.buffer.writeUInt32LE(Number(s.ticks >> 32n), block.at + 4);
    block.buffer.writeUInt32LE(Number(s.ticks & 0xffffffffn), block.at + 8);
    options.encode(block.buffer, block.at + 12);
  }

  /**
   * Reserves a whole block with `fixed` body bytes before the options, writes its type and both
   * lengths, and returns where the body starts.
   */
  private block(type: number, fixed: number, options: OptionList): { buffer: Buffer; at: number } {
    const length = 12 + fixed + options.size;
    const { buffer, at } = this.out.reserve(length);
    buffer.writeUInt32LE(type, at);
    buffer.writeUInt32LE(length, at + 4);
    buffer.writeUInt32LE(length, at + length - 4);
    return { buffer, at: at + 8 };
  }
}

/** A little-endian u32 as four stores: cheaper than Buffer's checked writer on the hot path. */
function le32(b: Buffer, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >>> 8;
  b[at + 2] = v >>> 16;
  b[at + 3] = v >>> 24;
}

function optionHeader(b: Buffer, at: number, code: number, length: number): number {
  b.writeUInt16LE(code, at);
  b.writeUInt16LE(length, at + 2);
  return at + 4;
}

function optionValue(b: Buffer, at: number, code: number, value: Uint8Array): number {
  let o = optionHeader(b, at, code, value.length);
  b.set(value, o);
  o += value.length;
  const end = at + optionSize(value.length);
  while (o < end) b[o++] = 0;
  return end;
}

/** Options of a block that is not on the hot path, gathered and then encoded in one go. */
class OptionList {
  private readonly entries: [number, Uint8Array][] = [];

  text(code: number, value: string | undefined): this {
    // The format has no empty strings worth writing; an absent option says "unknown".
    if (value !== undefined && value !== '') this.entries.push([code, Buffer.from(value, 'utf8')]);
    return this;
  }

  bytes(code: number, value: Uint8Array): this {
    this.entries.push([code, value]);
    return this;
  }

  u64(code: number, value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(value);
    return this.bytes(code, b);
  }

  /** A pcapng timestamp option: high 32 bits, then low 32 bits, each in the section's order. */
  timestamp(code: number, ticks: bigint): this {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(Number(ticks >> 32n), 0);
    b.writeUInt32LE(Number(ticks & 0xffffffffn), 4);
    return this.bytes(code, b);
  }

  get size(): number {
    if (this.entries.length === 0) return 0;
    return this.entries.reduce((sum, [, v]) => sum + optionSize(v.length), 4);
  }

  encode(b: Buffer, at: number): void {
    if (this.entries.length === 0) return;
    let o = at;
    for (const [code, value] of this.entries) o = optionValue(b, o, code, value);
    optionHeader(b, o, OPT_END, 0);
  }
}
