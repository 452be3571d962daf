/**
 * Packet records written in place: the msgpack payload of a packet record (records.ts,
 * docs/format.md) encoded straight into the writer's output buffer, byte for byte what
 * `pack(encodeBody(record))` gives, without the intermediate array, the packed copy and their
 * garbage. A live recording writes hundreds of thousands of these a second; every other record
 * goes through the generic encoder.
 */
import { directionCode, type PacketRecord } from './records.ts';

/** What a packet record holds but its task; `data` is copied during the call and may be reused after it. */
export type PacketFields = Omit<PacketRecord, 'kind' | 'task'>;

const U64_MAX = 0xffffffffffffffffn;
const I64_MAX = 0x7fffffffffffffffn;

/**
 * Whether the in-place encoder writes this packet. It does every packet a recording makes;
 * the rest (timestamps outside u64 ns, from malformed captures, and non-integer numbers) take
 * the generic encoder, which knows the extra position and reports the odd values.
 */
export function fitsPacketFrame(p: PacketFields, task: number | undefined): boolean {
  return (
    p.timestamp >= 0n &&
    p.timestamp <= U64_MAX &&
    isU32(p.linkType) &&
    isU32(p.originalLength) &&
    (p.cpu === undefined || isU32(p.cpu)) &&
    (p.ifindex === undefined || isU32(p.ifindex)) &&
    (task === undefined || isU32(task)) &&
    (p.socketCookie === undefined || (p.socketCookie >= 0n && p.socketCookie <= U64_MAX))
  );
}

function isU32(v: number): boolean {
  return v >>> 0 === v;
}

/** Bytes of the msgpack uint for v (0 ≤ v ≤ 2^32 − 1), as msgpackr writes it. */
function uintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x100 ? 2 : v < 0x10000 ? 3 : 5;
}

/**
 * Compared as bigints: converting one to a number is a runtime call, slower than these. Past 32
 * bits first: every timestamp is, and it is then the only comparison.
 */
function u64Size(v: bigint): number {
  return v > 0xffffffffn ? 9 : v < 0x80n ? 1 : v < 0x100n ? 2 : v < 0x10000n ? 3 : 5;
}

function binHeaderSize(n: number): number {
  return n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}

/** Payload bytes of the packet record with process-table ref `task` (fitsPacketFrame must hold). */
export function packetPayloadSize(p: PacketFields, task: number | undefined): number {
  const n = p.data.length;
  return (
    1 + // fixarray of 9
    u64Size(p.timestamp) +
    uintSize(p.linkType) +
    (p.cpu === undefined ? 1 : uintSize(p.cpu)) +
    (p.ifindex === undefined ? 1 : uintSize(p.ifindex)) +
    1 + // direction: nil or 0..2
    uintSize(p.originalLength) +
    binHeaderSize(n) +
    n +
    (p.socketCookie === undefined ? 1 : u64Size(p.socketCookie)) +
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
function putU64(out: Uint8Array, view: DataView, at: number, v: bigint): number {
  if (v <= 0xffffffffn) return putUint(out, view, at, Number(v));
  // Past 32 bits (every timestamp): as msgpackr writes it, with no conversion to a number.
  out[at] = v <= I64_MAX ? 0xd3 : 0xcf;
  view.setBigUint64(at + 1, v);
  return at + 9;
}

const NIL = 0xc0;

/**
 * Writes the payload at out[at...] (`view` over the same bytes) and returns where it ends; the
 * caller has made room for packetPayloadSize(p, task) bytes.
 */
export function writePacketPayload(out: Uint8Array, view: DataView, at: number, p: PacketFields, task: number | undefined): number {
  out[at++] = 0x99;
  at = putU64(out, view, at, p.timestamp);
  at = putUint(out, view, at, p.linkType);
  if (p.cpu === undefined) out[at++] = NIL;
  else at = putUint(out, view, at, p.cpu);
  if (p.ifindex === undefined) out[at++] = NIL;
  else at = putUint(out, view, at, p.ifindex);
  out[at++] = p.direction === undefined ? NIL : directionCode(p.direction);
  at = putUint(out, view, at, p.originalLength);
  const n = p.data.length;
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
  out.set(p.data, at);
  at += n;
  if (p.socketCookie === undefined) out[at++] = NIL;
  else at = putU64(out, view, at, p.socketCookie);
  if (task === undefined) out[at++] = NIL;
  else at = putUint(out, view, at, task);
  return at;
}
