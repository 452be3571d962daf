/**
 * Packet records written in place: the msgpack payload of a packet record (records.ts,
 * docs/format.md) encoded straight into the writer's output buffer, byte for byte what
 * `pack(encodeBody(record))` gives, without the intermediate array, the packed copy and their
 * garbage. A live recording writes hundreds of thousands of these a second; every other record
 * goes through the generic encoder.
 *
 * The encoder takes its fields as an InPlacePacket, a form with nothing to allocate per packet:
 * the recorder fills one from the ring buffer, and packetFromFields() fills one from a
 * PacketRecord's fields (`netrec convert`, tools), so both write through the same code.
 */
import type { Direction } from '../core/packet.ts';
import { hi32, lo32, u64Of } from '../core/u64.ts';
import { directionCode, type PacketRecord } from './records.ts';

/** What a packet record holds but its task; `data` is copied during the call and may be reused after it. */
export type PacketFields = Omit<PacketRecord, 'kind' | 'task'>;

/**
 * A packet record's fields (but its task) as the in-place encoder takes them. The u64s (epoch-ns
 * timestamp, socket cookie) are two u32 halves, numbers: a bigint per packet costs an allocation
 * and slow comparisons, and a float would not hold them exactly. The bytes are a range of a
 * longer array (the recorder's whole ring buffer): no view per packet. Every number is a u32.
 * The bytes are copied during the call; the object may be refilled for the next packet.
 */
export interface InPlacePacket {
  timestampHi: number;
  timestampLo: number;
  linkType: number;
  cpu: number | undefined;
  ifindex: number | undefined;
  direction: Direction | undefined;
  originalLength: number;
  /** The packet is bytes[dataStart, dataStart + dataLength). */
  bytes: Uint8Array;
  /**
   * A DataView over the same memory as `bytes` and indexed alike, when the caller has one (the
   * recorder: the ring's): a small packet is then copied a word at a time, which costs less than
   * TypedArray.prototype.set() with the subarray it needs.
   */
  bytesView: DataView | undefined;
  dataStart: number;
  dataLength: number;
  hasCookie: boolean;
  /** The socket cookie's halves (when hasCookie). */
  cookieHi: number;
  cookieLo: number;
}

export function emptyInPlacePacket(): InPlacePacket {
  return {
    timestampHi: 0,
    timestampLo: 0,
    linkType: 0,
    cpu: undefined,
    ifindex: undefined,
    direction: undefined,
    originalLength: 0,
    bytes: new Uint8Array(0),
    bytesView: undefined,
    dataStart: 0,
    dataLength: 0,
    hasCookie: false,
    cookieHi: 0,
    cookieLo: 0,
  };
}

const U64_MAX = 0xffffffffffffffffn;

/**
 * Fills `out` from a packet's fields, unless a u64 (timestamp, cookie) is outside u64: such a
 * packet (from a malformed capture) takes the generic encoder, which knows the extra position
 * and reports the odd values; so does one that fitsPacketFrame() refuses.
 */
export function packetFromFields(p: PacketFields, out: InPlacePacket): boolean {
  const cookie = p.socketCookie;
  if (p.timestamp < 0n || p.timestamp > U64_MAX || (cookie !== undefined && (cookie < 0n || cookie > U64_MAX))) return false;
  out.timestampHi = hi32(p.timestamp);
  out.timestampLo = lo32(p.timestamp);
  out.linkType = p.linkType;
  out.cpu = p.cpu;
  out.ifindex = p.ifindex;
  out.direction = p.direction;
  out.originalLength = p.originalLength;
  out.bytes = p.data;
  out.bytesView = undefined;
  out.dataStart = 0;
  out.dataLength = p.data.length;
  out.hasCookie = cookie !== undefined;
  out.cookieHi = cookie === undefined ? 0 : hi32(cookie);
  out.cookieLo = cookie === undefined ? 0 : lo32(cookie);
  return true;
}

/** The fields of an InPlacePacket as a PacketRecord holds them, its bytes copied. */
export function packetFields(p: InPlacePacket): PacketFields {
  return {
    timestamp: u64Of(p.timestampHi, p.timestampLo),
    linkType: p.linkType,
    ...(p.cpu !== undefined ? { cpu: p.cpu } : {}),
    ...(p.ifindex !== undefined ? { ifindex: p.ifindex } : {}),
    ...(p.direction !== undefined ? { direction: p.direction } : {}),
    originalLength: p.originalLength,
    data: p.bytes.slice(p.dataStart, p.dataStart + p.dataLength),
    ...(p.hasCookie ? { socketCookie: u64Of(p.cookieHi, p.cookieLo) } : {}),
  };
}

/**
 * Whether the in-place encoder writes this packet with process-table ref `task`: every number a
 * u32. It does every packet a recording makes; others (non-integer numbers) take the generic one.
 */
export function fitsPacketFrame(p: InPlacePacket, task: number | undefined): boolean {
  return (
    isU32(p.linkType) &&
    isU32(p.originalLength) &&
    (p.cpu === undefined || isU32(p.cpu)) &&
    (p.ifindex === undefined || isU32(p.ifindex)) &&
    (task === undefined || isU32(task))
  );
}

function isU32(v: number): boolean {
  return v >>> 0 === v;
}

/** Bytes of the msgpack uint for v (0 ≤ v ≤ 2^32 − 1), as msgpackr writes it. */
function uintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x100 ? 2 : v < 0x10000 ? 3 : 5;
}

/** Bytes of the msgpack integer for the u64 (hi, lo), as msgpackr writes a bigint. */
function u64Size(hi: number, lo: number): number {
  return hi !== 0 ? 9 : uintSize(lo);
}

function binHeaderSize(n: number): number {
  return n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}

/** Payload bytes of the packet record with process-table ref `task` (fitsPacketFrame must hold). */
export function packetPayloadSize(p: InPlacePacket, task: number | undefined): number {
  const n = p.dataLength;
  return (
    1 + // fixarray of 9
    u64Size(p.timestampHi, p.timestampLo) +
    uintSize(p.linkType) +
    (p.cpu === undefined ? 1 : uintSize(p.cpu)) +
    (p.ifindex === undefined ? 1 : uintSize(p.ifindex)) +
    1 + // direction: nil or 0..2
    uintSize(p.originalLength) +
    binHeaderSize(n) +
    n +
    (p.hasCookie ? u64Size(p.cookieHi, p.cookieLo) : 1) +
    (task === undefined ? 1 : uintSize(task))
  );
}

function putUint(out: Uint8Array, view: DataView, at: number, v: number): number {
  if (v < 0x80) {
    out[at] = v;
    return at + 1;
  }
  if (v < 0x100) {
    out[at] = 0xcc;
    out[at + 1] = v;
    return at + 2;
  }
  if (v < 0x10000) {
    out[at] = 0xcd;
    view.setUint16(at + 1, v);
    return at + 3;
  }
  out[at] = 0xce;
  view.setUint32(at + 1, v);
  return at + 5;
}

/** Beyond 32 bits msgpackr writes a bigint as int64 below 2^63 and as uint64 above. */
function putU64(out: Uint8Array, view: DataView, at: number, hi: number, lo: number): number {
  if (hi === 0) return putUint(out, view, at, lo);
  out[at] = hi < 0x80000000 ? 0xd3 : 0xcf;
  view.setUint32(at + 1, hi);
  view.setUint32(at + 5, lo);
  return at + 9;
}

/** Packets up to this many bytes are copied a word at a time when they can be (InPlacePacket.bytesView). */
const WORD_COPY_MAX = 512;

/** Copies the packet's bytes to out[at...] (`view` over the same bytes). */
function copyBytes(out: Uint8Array, view: DataView, at: number, p: InPlacePacket): void {
  const { bytes, bytesView, dataStart: from, dataLength: n } = p;
  if (bytesView === undefined || n > WORD_COPY_MAX) {
    out.set(from === 0 && n === bytes.length ? bytes : bytes.subarray(from, from + n), at);
    return;
  }
  // 32-bit words: DataView reads and writes compile to plain (unaligned) loads and stores.
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    view.setInt32(at + i, bytesView.getInt32(from + i, true), true);
    view.setInt32(at + i + 4, bytesView.getInt32(from + i + 4, true), true);
    view.setInt32(at + i + 8, bytesView.getInt32(from + i + 8, true), true);
    view.setInt32(at + i + 12, bytesView.getInt32(from + i + 12, true), true);
  }
  for (; i + 4 <= n; i += 4) view.setInt32(at + i, bytesView.getInt32(from + i, true), true);
  for (; i < n; i++) out[at + i] = bytes[from + i]!;
}

const NIL = 0xc0;

/**
 * Writes the payload at out[at...] (`view` over the same bytes) and returns where it ends; the
 * caller has made room for packetPayloadSize(p, task) bytes.
 */
export function writePacketPayload(out: Uint8Array, view: DataView, at: number, p: InPlacePacket, task: number | undefined): number {
  out[at++] = 0x99;
  at = putU64(out, view, at, p.timestampHi, p.timestampLo);
  at = putUint(out, view, at, p.linkType);
  if (p.cpu === undefined) out[at++] = NIL;
  else at = putUint(out, view, at, p.cpu);
  if (p.ifindex === undefined) out[at++] = NIL;
  else at = putUint(out, view, at, p.ifindex);
  out[at++] = p.direction === undefined ? NIL : directionCode(p.direction);
  at = putUint(out, view, at, p.originalLength);
  const n = p.dataLength;
  if (n < 0x100) {
    out[at] = 0xc4;
    out[at + 1] = n;
    at += 2;
  } else if (n < 0x10000) {
    out[at] = 0xc5;
    view.setUint16(at + 1, n);
    at += 3;
  } else {
    out[at] = 0xc6;
    view.setUint32(at + 1, n);
    at += 5;
  }
  copyBytes(out, view, at, p);
  at += n;
  if (p.hasCookie) at = putU64(out, view, at, p.cookieHi, p.cookieLo);
  else out[at++] = NIL;
  if (task === undefined) out[at++] = NIL;
  else at = putUint(out, view, at, task);
  return at;
}
