/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every .nev frame and of
 * each sealed segment. Chosen over the zlib/IEEE CRC-32 because it detects more error patterns at
 * the record sizes we frame (it is the checksum of iSCSI, ext4 metadata, LevelDB/RocksDB logs and
 * Kafka record batches); Node has no built-in CRC-32C, so it is computed here, slicing-by-8, and
 * natively (SIMD, @node-rs/crc32) for bulk input.
 */
import { createRequire } from 'node:module';

const POLY = 0x82f63b78;

/** TABLES[k][b]: CRC contribution of byte b followed by k zero bytes (as int32, V8's fast path). */
const TABLES: Int32Array[] = buildTables();
const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];

function buildTables(): Int32Array[] {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  const t0 = tables[0]!;
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t0[b] = c;
  }
  for (let k = 1; k < 8; k++) {
    const prev = tables[k - 1]!;
    const cur = tables[k]!;
    for (let b = 0; b < 256; b++) cur[b] = (prev[b]! >>> 8) ^ t0[prev[b]! & 0xff]!;
  }
  return tables;
}

/**
 * Continues a CRC-32C over `bytes[start, end)`. Start from `crc32c(bytes)`'s default of 0 and feed
 * the previous result back in to checksum a stream piece by piece.
 */
export function crc32c(bytes: Uint8Array, crc = 0, start = 0, end = bytes.length): number {
  if (end - start < 16) return crc32cBytes(bytes, crc, start, end);
  return crc32cIn(viewOf(bytes), crc, bytes.byteOffset + start, bytes.byteOffset + end);
}

/** crc32c() of `view`'s bytes [start, end) (offsets into the view). */
export function crc32cIn(view: DataView, crc: number, start: number, end: number): number {
  let c = ~crc;
  let i = start;
  // Eight bytes per step, read as two little-endian words: the first folds into the running
  // CRC, and each table accounts for the bytes that follow its byte within the step.
  for (const last = end - 8; i <= last; i += 8) {
    const lo = c ^ view.getInt32(i, true);
    const hi = view.getInt32(i + 4, true);
    c =
      T7[lo & 0xff]! ^
      T6[(lo >>> 8) & 0xff]! ^
      T5[(lo >>> 16) & 0xff]! ^
      T4[lo >>> 24]! ^
      T3[hi & 0xff]! ^
      T2[(hi >>> 8) & 0xff]! ^
      T1[(hi >>> 16) & 0xff]! ^
      T0[hi >>> 24]!;
  }
  for (; i < end; i++) c = T0[(c ^ view.getUint8(i)) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

function crc32cBytes(bytes: Uint8Array, crc: number, start: number, end: number): number {
  let c = ~crc;
  for (let i = start; i < end; i++) c = T0[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** A DataView over the whole ArrayBuffer of `bytes`, kept for the next call on the same buffer. */
let lastBuffer: ArrayBufferLike | undefined;
let lastView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

function viewOf(bytes: Uint8Array): DataView {
  if (bytes.buffer !== lastBuffer) {
    lastBuffer = bytes.buffer;
    lastView = new DataView(bytes.buffer);
  }
  return lastView;
}

/** The native SIMD CRC-32C (@node-rs/crc32), when its prebuilt binary exists for this platform. */
type NativeCrc = (input: Buffer, initialState?: number) => number;
let native: NativeCrc | null | undefined;

function loadNative(): NativeCrc | null {
  try {
    return (createRequire(import.meta.url)('@node-rs/crc32') as { crc32c: NativeCrc }).crc32c;
  } catch {
    return null; // no binary for this platform: the table-driven code does it, slower
  }
}

/**
 * Below this, a native call (about 0.5 µs, most of it making the Buffer view) costs more than
 * the table-driven loop (about 2 ns a byte here; the native code 0.3 ns).
 */
export const CRC_NATIVE_FROM = 512;

/**
 * crc32c() for input that may be large (a frame's payload, whole flushes of a segment):
 * natively where @node-rs/crc32 is installed and it pays; same result.
 */
export function crc32cBulk(bytes: Uint8Array, crc = 0, start = 0, end = bytes.length): number {
  if (end - start >= CRC_NATIVE_FROM) {
    native ??= loadNative();
    if (native !== null) return native(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start), crc);
  }
  return crc32c(bytes, crc, start, end);
}
