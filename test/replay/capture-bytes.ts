/**
 * Byte-exact pcap and pcapng files for the reader tests, written field by field so that every
 * expected value in a test is the number written here, not something a reader computed.
 */
import { ByteReader } from '../../src/replay/byte-reader.ts';
import { isIssue, type PacketSource, type SourceItem } from '../../src/core/source.ts';
import type { InputIssue } from '../../src/core/errors.ts';
import type { CapturedPacket } from '../../src/core/packet.ts';

export type Order = 'le' | 'be';

function u16(value: number, order: Order): Buffer {
  const bytes = Buffer.alloc(2);
  if (order === 'le') bytes.writeUInt16LE(value);
  else bytes.writeUInt16BE(value);
  return bytes;
}

export function u32(value: number, order: Order): Buffer {
  const bytes = Buffer.alloc(4);
  if (order === 'le') bytes.writeUInt32LE(value);
  else bytes.writeUInt32BE(value);
  return bytes;
}

function i64(value: bigint, order: Order): Buffer {
  const bytes = Buffer.alloc(8);
  if (order === 'le') bytes.writeBigInt64LE(value);
  else bytes.writeBigInt64BE(value);
  return bytes;
}

/** `count` bytes counting up from `first`: recognisable packet data. */
export function payload(count: number, first = 0): Buffer {
  return Buffer.from(Array.from({ length: count }, (_, i) => (first + i) & 0xff));
}

// ---- classic pcap ----

export interface PcapFileOptions {
  order?: Order;
  nanosecond?: boolean;
  major?: number;
  minor?: number;
  snaplen?: number;
  /** The whole 32-bit link-type field, FCS and reserved bits included. */
  linkTypeField?: number;
}

export interface PcapRecordFields {
  seconds: number;
  /** Microseconds or nanoseconds, as the file's magic says. */
  fraction: number;
  data: Buffer;
  /** Written in the record header; default data.length. */
  capturedLength?: number;
  originalLength?: number;
}

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;

export function pcapFileHeader(options: PcapFileOptions = {}): Buffer {
  const order = options.order ?? 'le';
  return Buffer.concat([
    u32(options.nanosecond === true ? MAGIC_NANO : MAGIC_MICRO, order),
    u16(options.major ?? 2, order),
    u16(options.minor ?? 4, order),
    u32(0, order), // thiszone
    u32(0, order), // sigfigs
    u32(options.snaplen ?? 65535, order),
    u32(options.linkTypeField ?? 1, order),
  ]);
}

export function pcapRecord(record: PcapRecordFields, order: Order = 'le'): Buffer {
  return Buffer.concat([
    u32(record.seconds, order),
    u32(record.fraction, order),
    u32(record.capturedLength ?? record.data.length, order),
    u32(record.originalLength ?? record.data.length, order),
    record.data,
  ]);
}

export function pcapFile(options: PcapFileOptions, records: PcapRecordFields[]): Buffer {
  return Buffer.concat([pcapFileHeader(options), ...records.map((record) => pcapRecord(record, options.order ?? 'le'))]);
}

// ---- pcapng ----

function pad4(bytes: Buffer): Buffer {
  const padding = (4 - (bytes.length % 4)) % 4;
  return padding === 0 ? bytes : Buffer.concat([bytes, Buffer.alloc(padding)]);
}

/** A block with its two length fields; `body` is padded to 4 bytes. */
export function block(type: number, body: Buffer, order: Order = 'le'): Buffer {
  const padded = pad4(body);
  const length = padded.length + 12;
  return Buffer.concat([u32(type, order), u32(length, order), padded, u32(length, order)]);
}

export function option(code: number, value: Buffer, order: Order = 'le'): Buffer {
  return Buffer.concat([u16(code, order), u16(value.length, order), pad4(value)]);
}

function withEnd(options: Buffer[], order: Order): Buffer {
  return options.length === 0 ? Buffer.alloc(0) : Buffer.concat([...options, option(0, Buffer.alloc(0), order)]);
}

export function shb(order: Order = 'le', version: [number, number] = [1, 0], options: Buffer[] = []): Buffer {
  const body = Buffer.concat([
    u32(0x1a2b3c4d, order),
    u16(version[0], order),
    u16(version[1], order),
    i64(-1n, order), // section length: not given
    withEnd(options, order),
  ]);
  return block(0x0a0d0d0a, body, order);
}

export interface InterfaceFields {
  linkType: number;
  snaplen?: number;
  /** if_tsresol byte. */
  tsresol?: number;
  /** if_tsoffset seconds. */
  tsoffset?: bigint;
  /** More options, encoded (see option()). */
  options?: Buffer[];
}

export function idb(fields: InterfaceFields, order: Order = 'le'): Buffer {
  const options: Buffer[] = [];
  if (fields.tsresol !== undefined) options.push(option(9, Buffer.from([fields.tsresol]), order));
  if (fields.tsoffset !== undefined) options.push(option(14, i64(fields.tsoffset, order), order));
  options.push(...(fields.options ?? []));
  const body = Buffer.concat([u16(fields.linkType, order), u16(0, order), u32(fields.snaplen ?? 0, order), withEnd(options, order)]);
  return block(1, body, order);
}

export interface EpbFields {
  interfaceId: number;
  /** Tick count in the interface's resolution. */
  ticks: bigint;
  data: Buffer;
  originalLength?: number;
  /** Written as the captured length; default data.length. */
  capturedLength?: number;
  /** epb_flags value. */
  flags?: number;
  /** More options, encoded (see option()). */
  options?: Buffer[];
}

function timestampedBody(fields: EpbFields, interfaceField: Buffer, order: Order): Buffer {
  const options = fields.flags === undefined ? [] : [option(2, u32(fields.flags, order), order)];
  options.push(...(fields.options ?? []));
  return Buffer.concat([
    interfaceField,
    u32(Number(fields.ticks >> 32n), order),
    u32(Number(fields.ticks & 0xffffffffn), order),
    u32(fields.capturedLength ?? fields.data.length, order),
    u32(fields.originalLength ?? fields.data.length, order),
    pad4(fields.data),
    withEnd(options, order),
  ]);
}

export function epb(fields: EpbFields, order: Order = 'le'): Buffer {
  return block(6, timestampedBody(fields, u32(fields.interfaceId, order), order), order);
}

/** The obsolete packet block (type 2): 16-bit interface id and a drops count. */
export function pb(fields: EpbFields, order: Order = 'le'): Buffer {
  const interfaceAndDrops = Buffer.concat([u16(fields.interfaceId, order), u16(0, order)]);
  return block(2, timestampedBody(fields, interfaceAndDrops, order), order);
}

export function spb(originalLength: number, data: Buffer, order: Order = 'le'): Buffer {
  return block(3, Buffer.concat([u32(originalLength, order), data]), order);
}

// ---- reading ----

/** The bytes as a stream cut into `chunkSize`-byte chunks (the whole buffer when omitted). */
export function chunkedReader(bytes: Buffer, chunkSize = bytes.length): ByteReader {
  async function* chunks() {
    for (let at = 0; at < bytes.length; at += Math.max(chunkSize, 1)) {
      yield bytes.subarray(at, at + chunkSize);
    }
  }
  return new ByteReader(chunks());
}

export async function readAll(source: PacketSource): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const batch of source.batches()) items.push(...batch);
  return items;
}

export function packetsOf(items: SourceItem[]): CapturedPacket[] {
  return items.filter((item): item is CapturedPacket => !isIssue(item));
}

export function issuesOf(items: SourceItem[]): InputIssue[] {
  return items.filter(isIssue);
}
