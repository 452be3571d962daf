/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every .nev frame and of
 * each sealed segment. Chosen over the zlib/IEEE CRC-32 because it detects more error patterns at
 * the record sizes we frame (it is the checksum of iSCSI, ext4 metadata, LevelDB/RocksDB logs and
 * Kafka record batches); Node has no built-in CRC-32C, so it is computed here, slicing-by-8.
 */

const POLY = 0x82f63b78;

/** TABLES[k][b]: CRC contribution of byte b followed by k zero bytes (as int32, V8's fast path). */
const TABLES: Int32Array[] = buildTables();

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
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [
    Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array,
  ];
  let c = ~crc;
  let i = start;
  if (end - start >= 16) {
    // Eight bytes per step, read as two little-endian words: the first folds into the running
    // CRC, and each table accounts for the bytes that follow its byte within the step.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const last = end - 8; i <= last; i += 8) {
      const lo = c ^ view.getInt32(i, true);
      const hi = view.getInt32(i + 4, true);
      c =
        t7[lo & 0xff]! ^
        t6[(lo >>> 8) & 0xff]! ^
        t5[(lo >>> 16) & 0xff]! ^
        t4[lo >>> 24]! ^
        t3[hi & 0xff]! ^
        t2[(hi >>> 8) & 0xff]! ^
        t1[(hi >>> 16) & 0xff]! ^
        t0[hi >>> 24]!;
    }
  }
  for (; i < end; i++) c = t0[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
