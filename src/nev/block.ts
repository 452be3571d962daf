/**
 * Compressed blocks (`--compress`): a block frame's payload is [codec, raw length, compressed
 * bytes], and the raw bytes are ordinary frames. Only 'lz4' exists (lz4-napi, chosen in
 * docs/format.md). The native module is loaded on first use, so plain recordings never need it.
 */
import { createRequire } from 'node:module';
const BLOCK_CODEC = 'lz4';

/**
 * Raw bytes the writer gathers before it closes a block. LZ4 matches reach back 64 KiB at most,
 * so larger blocks barely compress better (measured: docs/format.md) while damage would cost more.
 */
export const BLOCK_TARGET = 64 * 1024;

/**
 * A block's raw bytes never exceed this. The writer closes a block before a frame would take it
 * past the limit and writes a frame larger than it outside any block, so a block holds less than
 * BLOCK_TARGET plus one frame. A larger claim is damage: reading it would let a 10 MB file of
 * blocks each claiming 64 MiB cost gigabytes and seconds per block.
 */
export const MAX_BLOCK_RAW = 256 * 1024;

interface Lz4 {
  compressSync(data: Buffer): Buffer;
  uncompressSync(data: Uint8Array): Buffer;
}

let lz4: Lz4 | undefined;

function loadLz4(): Lz4 {
  lz4 ??= createRequire(import.meta.url)('lz4-napi') as Lz4;
  return lz4;
}

/** Loads the codec now, so `--compress` fails at start rather than at the first block. */
export function requireBlockCodec(): void {
  loadLz4();
}

export function encodeBlock(raw: Uint8Array): unknown[] {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.length);
  return [BLOCK_CODEC, raw.length, loadLz4().compressSync(buf)];
}

/** The frames a block holds, or the reason it cannot be opened. */
export function decodeBlock(v: unknown): { raw: Uint8Array } | { error: string } {
  if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'number' || !(v[2] instanceof Uint8Array)) {
    return { error: 'block: expected [codec, length, bytes]' };
  }
  const [codec, length, bytes] = v as [string, number, Uint8Array];
  if (codec !== BLOCK_CODEC) return { error: `block: unknown compression '${codec}'` };
  // lz4-napi's format starts with the raw size (u32 LE); check it against ours before letting the
  // native code allocate that much.
  if (!Number.isSafeInteger(length) || length < 0 || bytes.length < 4) return { error: `block: bad raw length ${length}` };
  if (length > MAX_BLOCK_RAW) return { error: `block: raw length ${length} is over the ${MAX_BLOCK_RAW}-byte limit` };
  const prefix = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  if (prefix !== length) return { error: `block: raw length ${length} disagrees with the compressed data (${prefix})` };
  let raw: Buffer;
  try {
    raw = loadLz4().uncompressSync(bytes);
  } catch (err) {
    return { error: `block: ${err instanceof Error ? err.message : String(err)}` };
  }
  return raw.length === length ? { raw } : { error: `block: decompressed to ${raw.length} bytes, expected ${length}` };
}
