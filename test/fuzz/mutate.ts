/**
 * Mutations of captures and recordings, each driven by a seeded random source so that a case is
 * reproduced from its numbers alone:
 *
 * - bytes: bit flips, truncation, a run overwritten with random or "interesting" bytes;
 * - length fields: pcap record lengths, pcapng block lengths (one end or both), .nev frame
 *   lengths, with the frame CRC left stale or recomputed so the frame still validates;
 * - msgpack: one value anywhere in a record (header and footer included) replaced by a value of
 *   another type or an extreme one, re-framed with a valid CRC, the segment optionally resealed
 *   (footer checksum and trailer recomputed) so only the meaning is wrong;
 * - lz4: a block opened, its raw frames mutated, recompressed, its declared raw length kept or
 *   made to lie;
 * - pcapng: an interface description repeated thousands of times;
 * - directory entries (applied when the case is written out, see harness.ts).
 */
import { createRequire } from 'node:module';
import { crc32c } from '../../src/nev/crc32c.ts';
import { checkFrame, encodeFrame, FRAME_HEADER_SIZE } from '../../src/nev/framing.ts';
import { encodeTrailer, PREAMBLE_SIZE } from '../../src/nev/layout.ts';
import { pack, unpack } from '../../src/nev/msgpack.ts';
import { RecordType } from '../../src/nev/records.ts';
import type { SeedKind } from './corpus.ts';

/** mulberry32: small, fast, and the same sequence everywhere for a seed. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return n <= 0 ? 0 : Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

export const BYTE_MUTATIONS = ['flip', 'truncate', 'overwrite'] as const;
export const CAPTURE_MUTATIONS = ['pcap-length', 'pcapng-length', 'pcapng-interfaces'] as const;
export const NEV_MUTATIONS = ['frame-length', 'frame-length-crc', 'msgpack', 'msgpack-reseal', 'lz4'] as const;
export type Mutation = (typeof BYTE_MUTATIONS)[number] | (typeof CAPTURE_MUTATIONS)[number] | (typeof NEV_MUTATIONS)[number];

/** The mutations that make sense for a seed kind. */
export function mutationsFor(kind: SeedKind): readonly Mutation[] {
  if (kind === 'nev') return [...BYTE_MUTATIONS, ...NEV_MUTATIONS];
  return [...BYTE_MUTATIONS, kind === 'pcap' ? 'pcap-length' : 'pcapng-length', ...(kind === 'pcapng' ? (['pcapng-interfaces'] as const) : [])];
}

/** Length values that sit on edges: 0, off by one, sign bits, the format limits. */
const INTERESTING_U32 = [
  0,
  1,
  12,
  13,
  16,
  0x7f,
  0x80,
  0xff,
  0xffff,
  0x10000,
  262_144,
  262_145,
  0x7fffffff,
  0x80000000,
  0xffffffff,
  64 * 1024 * 1024,
  64 * 1024 * 1024 + 1,
  128 * 1024 * 1024 + 131_104,
];

function u32Value(rng: Rng, old: number, fileSize: number): number {
  switch (rng.int(4)) {
    case 0:
      return rng.pick(INTERESTING_U32);
    case 1:
      return Math.min(0xffffffff, Math.max(0, old + rng.pick([-4, -1, 1, 4, 13, 4096])));
    case 2:
      return Math.min(0xffffffff, rng.int(fileSize * 2 + 1));
    default:
      return (rng.next() * 0x100000000) >>> 0;
  }
}

/** Applies `mutation` to a copy of `bytes` (one file of the seed). */
export function mutateBytes(mutation: Mutation, bytes: Buffer, rng: Rng): Buffer {
  const out = Buffer.from(bytes);
  if (out.length === 0) return out;
  switch (mutation) {
    case 'flip': {
      for (let n = 1 + rng.int(8); n > 0; n--) {
        const at = rng.int(out.length);
        out[at] = out[at]! ^ (1 << rng.int(8));
      }
      return out;
    }
    case 'truncate':
      return out.subarray(0, rng.int(out.length));
    case 'overwrite': {
      const at = rng.int(out.length);
      const run = Math.min(out.length - at, 1 + rng.int(64));
      const fill = rng.pick(['random', 'zero', 'ff', 'controls'] as const);
      for (let i = 0; i < run; i++) {
        out[at + i] =
          fill === 'random' ? rng.int(256) : fill === 'zero' ? 0 : fill === 'ff' ? 0xff : rng.pick([0x00, 0x07, 0x1b, 0x7f, 0x9b, 0xc2, 0xe2, 0x80, 0xae]);
      }
      return out;
    }
    case 'pcap-length':
      return pcapLength(out, rng);
    case 'pcapng-length':
      return pcapngLength(out, rng);
    case 'pcapng-interfaces':
      return pcapngInterfaces(out, rng);
    case 'frame-length':
    case 'frame-length-crc':
      return frameLength(out, rng, mutation === 'frame-length-crc');
    case 'msgpack':
    case 'msgpack-reseal':
      return msgpackSwap(out, rng, mutation === 'msgpack-reseal');
    case 'lz4':
      return lz4Block(out, rng);
  }
}

// --- captures ------------------------------------------------------------------------------

function pcapLength(out: Buffer, rng: Rng): Buffer {
  if (out.length < 24) return out;
  const magic = out.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const records: number[] = [];
  for (let at = 24; at + 16 <= out.length && records.length < 10_000; ) {
    records.push(at);
    const incl = le ? out.readUInt32LE(at + 8) : out.readUInt32BE(at + 8);
    at += 16 + incl;
  }
  // The file header's snaplen counts as a length field too.
  const field = records.length === 0 || rng.chance(0.1) ? 16 : rng.pick(records) + rng.pick([8, 12]);
  const old = le ? out.readUInt32LE(field) : out.readUInt32BE(field);
  const value = u32Value(rng, old, out.length);
  if (le) out.writeUInt32LE(value, field);
  else out.writeUInt32BE(value, field);
  return out;
}

/** Offsets of a pcapng's blocks (little- or big-endian by each section's magic). */
function pcapngBlocks(out: Buffer): { at: number; le: boolean; type: number; length: number }[] {
  const blocks = [];
  let le = true;
  for (let at = 0; at + 12 <= out.length && blocks.length < 10_000; ) {
    if (out.readUInt32LE(at) === 0x0a0d0d0a) le = out.readUInt32LE(at + 8) === 0x1a2b3c4d;
    const type = le ? out.readUInt32LE(at) : out.readUInt32BE(at);
    const length = le ? out.readUInt32LE(at + 4) : out.readUInt32BE(at + 4);
    blocks.push({ at, le, type, length });
    if (length < 12 || length % 4 !== 0) break;
    at += length;
  }
  return blocks;
}

function pcapngLength(out: Buffer, rng: Rng): Buffer {
  const blocks = pcapngBlocks(out);
  if (blocks.length === 0) return out;
  const b = rng.pick(blocks);
  const value = u32Value(rng, b.length, out.length);
  const write = (at: number): void => {
    if (at + 4 > out.length) return;
    if (b.le) out.writeUInt32LE(value, at);
    else out.writeUInt32BE(value, at);
  };
  const which = rng.int(3);
  if (which !== 1) write(b.at + 4);
  if (which !== 0) write(b.at + b.length - 4);
  return out;
}

function pcapngInterfaces(out: Buffer, rng: Rng): Buffer {
  const idb = pcapngBlocks(out).find((b) => b.type === 1 && b.at + b.length <= out.length);
  if (!idb) return out;
  const copies = 1 + rng.int(70_000);
  const block = out.subarray(idb.at, idb.at + idb.length);
  return Buffer.concat([out.subarray(0, idb.at + idb.length), ...Array.from({ length: copies }, () => block), out.subarray(idb.at + idb.length)]);
}

// --- .nev segments -------------------------------------------------------------------------

interface Frame {
  at: number;
  end: number;
  type: number;
  payload: Buffer;
}

/** The segment's valid frames in order from the header on (stops at the first damage). */
function frames(seg: Buffer): Frame[] {
  const out: Frame[] = [];
  for (let at = PREAMBLE_SIZE; at < seg.length; ) {
    const r = checkFrame(seg, at, seg.length);
    if (r.status !== 'ok') break;
    out.push({ at, end: r.end, type: r.type, payload: Buffer.from(r.payload) });
    at = r.end;
  }
  return out;
}

function frameLength(out: Buffer, rng: Rng, recomputeCrc: boolean): Buffer {
  const list = frames(out);
  if (list.length === 0) return out;
  const f = rng.pick(list);
  const length = u32Value(rng, f.payload.length, out.length);
  out.writeUInt32BE(length, f.at + 4);
  const end = f.at + FRAME_HEADER_SIZE + length;
  if (recomputeCrc && end <= out.length) out.writeUInt32BE(crc32c(out, crc32c(out, 0, f.at + 4, f.at + 9), f.at + FRAME_HEADER_SIZE, end), f.at + 9);
  return out;
}

/** Values of another type, or at an edge of their type; strings a terminal must not see raw. */
function replacement(rng: Rng): unknown {
  const values: (() => unknown)[] = [
    () => null,
    () => -1,
    () => 0,
    () => 2 ** 32,
    () => 2 ** 53 + 2,
    () => (1n << 64n) - 1n,
    () => -(1n << 63n),
    () => 1.5,
    () => Number.NaN,
    () => 1e308,
    () => true,
    () => '',
    () => '\u001b]0;pwned\u0007\u001bc\u009b2J\u202egnp.exe\u0000\u007f',
    () => 'x'.repeat(1 + rng.int(100_000)),
    () => new Uint8Array(rng.int(2000)).map(() => rng.int(256)),
    () => [],
    () => Array.from({ length: 1 + rng.int(20) }, () => rng.int(1000)),
    () => [[[[[[[[[[]]]]]]]]]],
    () =>
      new Map<unknown, unknown>([
        [1, 2],
        ['__proto__', { polluted: true }],
      ]),
    () => ({ constructor: { prototype: { polluted: true } } }),
  ];
  return rng.pick(values)();
}

/** Replaces one node of `value` (a path chosen at random) and returns the new tree. */
function swapValue(value: unknown, rng: Rng, depth = 0): unknown {
  const children = Array.isArray(value) ? value.length : 0;
  if (children === 0 || depth > 6 || rng.chance(0.25)) return replacement(rng);
  const copy = [...(value as unknown[])];
  const i = rng.int(children);
  copy[i] = swapValue(copy[i], rng, depth + 1);
  // Sometimes a position goes missing or one is added past the known ones.
  if (rng.chance(0.05)) copy.pop();
  if (rng.chance(0.05)) copy.push(replacement(rng));
  return copy;
}

/** Rebuilds a segment from its frames (one replaced), optionally resealed: footer checksum and trailer right again. */
function rebuild(seg: Buffer, list: Frame[], index: number, frame: Uint8Array, reseal: boolean): Buffer {
  const parts: Uint8Array[] = [seg.subarray(0, PREAMBLE_SIZE)];
  let footerAt = -1;
  let size = PREAMBLE_SIZE;
  for (const [i, f] of list.entries()) {
    let bytes: Uint8Array = i === index ? frame : seg.subarray(f.at, f.end);
    if (reseal && f.type === RecordType.footer && i !== index) {
      const v = unpack(f.payload);
      if (v.ok && Array.isArray(v.value)) {
        const footer = [...v.value];
        footer[footer.length - 1] = crc32c(Buffer.concat(parts));
        bytes = encodeFrame(RecordType.footer, pack(footer));
      }
    }
    if (f.type === RecordType.footer) footerAt = size;
    parts.push(bytes);
    size += bytes.length;
  }
  const last = list[list.length - 1];
  const rest = seg.subarray(last ? last.end : PREAMBLE_SIZE);
  if (reseal && footerAt >= 0) parts.push(encodeTrailer(footerAt));
  else parts.push(rest);
  return Buffer.concat(parts);
}

function msgpackSwap(out: Buffer, rng: Rng, reseal: boolean): Buffer {
  const list = frames(out);
  if (list.length === 0) return out;
  const index = rng.int(list.length);
  const f = list[index]!;
  const v = unpack(f.payload);
  if (!v.ok) return out;
  let payload: Uint8Array;
  try {
    payload = pack(swapValue(v.value, rng));
  } catch {
    return out; // a value msgpackr cannot write
  }
  return rebuild(out, list, index, encodeFrame(f.type, payload), reseal);
}

const lz4 = createRequire(import.meta.url)('lz4-napi') as { compressSync(b: Buffer): Buffer; uncompressSync(b: Uint8Array): Buffer };

function lz4Block(out: Buffer, rng: Rng): Buffer {
  const list = frames(out);
  const blocks = list.map((f, i) => [f, i] as const).filter(([f]) => f.type === RecordType.block);
  if (blocks.length === 0) return msgpackSwap(out, rng, true);
  const [f, index] = rng.pick(blocks);
  const v = unpack(f.payload);
  if (!v.ok || !Array.isArray(v.value) || !(v.value[2] instanceof Uint8Array)) return out;
  let raw: Buffer;
  try {
    raw = lz4.uncompressSync(v.value[2]);
  } catch {
    return out;
  }
  // Inside the block: its frames mutated as a segment's would be (no preamble: pad one on).
  const inner = Buffer.concat([Buffer.alloc(PREAMBLE_SIZE), raw]);
  const kind = rng.pick(['flip', 'truncate', 'frame-length', 'frame-length-crc', 'msgpack'] as const);
  const mutated = mutateBytes(kind, inner, rng).subarray(PREAMBLE_SIZE);
  const claimed = rng.chance(0.7) ? mutated.length : u32Value(rng, mutated.length, 1 << 20);
  const block = pack(['lz4', claimed, lz4.compressSync(Buffer.from(mutated))]);
  return rebuild(out, list, index, encodeFrame(RecordType.block, block), rng.chance(0.5));
}
