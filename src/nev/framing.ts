/**
 * Record frames: sync marker | payload length | type | CRC-32C | payload.
 *
 *   offset 0  4 bytes  sync marker F7 4E 56 FA (F7 and FA never occur in UTF-8 text)
 *          4  u32 BE   payload length (at most MAX_PAYLOAD)
 *          8  u8       record type (records.ts RecordType)
 *          9  u32 BE   CRC-32C of bytes 4..8 and of the payload
 *         13  payload  one msgpack value
 *
 * The CRC covers the length and type too, so a damaged length is caught like damaged data. The
 * scanner below walks frames through a window of a larger byte stream and, after damage,
 * resynchronises on the next sync marker whose frame validates.
 */
import { CRC_NATIVE_FROM, crc32c, crc32cBulk, crc32cIn } from './crc32c.ts';
import { nativeFrameChecksums } from './native-frames.ts';

export const SYNC = Uint8Array.of(0xf7, 0x4e, 0x56, 0xfa);
export const FRAME_HEADER_SIZE = 13;
/** Larger lengths are damage: no record (a compressed block included) comes near this. */
export const MAX_PAYLOAD = 64 * 1024 * 1024;

/**
 * Checksum work allowed while resynchronising through one damaged stretch: this much, plus
 * RESYNC_WORK_PER_BYTE for each byte of the stretch. Each candidate sync marker is judged by its
 * frame's CRC, whose cost is the length the candidate claims; a file packed with markers that
 * each claim a long frame would otherwise cost (markers × length), hours for a few megabytes.
 * A candidate that claims more than what is left of the allowance is passed over unchecked.
 */
export const RESYNC_WORK_BASE = MAX_PAYLOAD + FRAME_HEADER_SIZE;
export const RESYNC_WORK_PER_BYTE = 4;

/**
 * The header of the frame at out[at] but its checksum, which checksumFrames() adds later: the
 * writers encode payloads in place, write each header, and checksum the frames in batches.
 */
export function writeFrameHeader(out: Uint8Array, at: number, type: number, length: number): void {
  // Four stores: a set() call costs more than this, for every record written.
  out[at] = 0xf7;
  out[at + 1] = 0x4e;
  out[at + 2] = 0x56;
  out[at + 3] = 0xfa;
  putU32(out, at + 4, length);
  out[at + 8] = type;
}

/**
 * Writes the CRC of the first `count` frames whose offsets are in `offsets`, whose headers
 * (writeFrameHeader) and payloads are there: the write thread's chunks and compressed blocks,
 * hundreds of thousands of small frames a second. In one native call where native-frames.ts can
 * make it, else here, through one view for all of them (finding a typed array's buffer is a
 * runtime call, which per frame cost as much as a quarter of the CRC).
 */
export function checksumFrames(out: Uint8Array, offsets: Int32Array, count: number): void {
  const native = nativeFrameChecksums();
  if (native !== null) {
    if (count > offsets.length) throw new RangeError(`${count} frames to checksum, ${offsets.length} offsets`);
    const bad = native(out, out.length, offsets, count);
    if (bad !== -1) throw new RangeError(`frame ${bad} at offset ${offsets[bad]} does not lie within the ${out.length} bytes checksummed`);
  } else checksumFramesHere(out, offsets, count);
}

/** checksumFrames() in JavaScript. */
export function checksumFramesHere(out: Uint8Array, offsets: Int32Array, count: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < count; i++) {
    const at = offsets[i]!;
    const length = view.getUint32(at + 4);
    const start = at + FRAME_HEADER_SIZE;
    const header = crc32cIn(view, 0, at + 4, at + 9);
    view.setUint32(at + 9, length >= CRC_NATIVE_FROM ? crc32cBulk(out, header, start, start + length) : crc32cIn(view, header, start, start + length));
  }
}

function putU32(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 24;
  out[at + 1] = v >>> 16;
  out[at + 2] = v >>> 8;
  out[at + 3] = v;
}

const FIRST_FRAME = Int32Array.of(0);

/** One frame of its own (headers, footers, compressed blocks: a few per segment). */
export function encodeFrame(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_SIZE + payload.length);
  out.set(payload, FRAME_HEADER_SIZE);
  writeFrameHeader(out, 0, type, payload.length);
  checksumFrames(out, FIRST_FRAME, 1);
  return out;
}

export type FrameCheck =
  | { status: 'ok'; type: number; payload: Uint8Array; end: number }
  /** The bytes at hand end first; `need` bytes from the frame start would decide. */
  | { status: 'short'; need: number }
  | { status: 'bad'; reason: string };

/** Checks the frame starting at buf[at], with buf[at, end) available. Offsets are buf's. */
export function checkFrame(buf: Uint8Array, at: number, end: number): FrameCheck {
  if (end - at < SYNC.length) return { status: 'short', need: FRAME_HEADER_SIZE };
  if (buf[at] !== SYNC[0] || buf[at + 1] !== SYNC[1] || buf[at + 2] !== SYNC[2] || buf[at + 3] !== SYNC[3]) {
    return { status: 'bad', reason: 'no record sync marker' };
  }
  if (end - at < FRAME_HEADER_SIZE) return { status: 'short', need: FRAME_HEADER_SIZE };
  const length = ((buf[at + 4]! << 24) | (buf[at + 5]! << 16) | (buf[at + 6]! << 8) | buf[at + 7]!) >>> 0;
  if (length > MAX_PAYLOAD) return { status: 'bad', reason: `record length ${length} is over the ${MAX_PAYLOAD}-byte limit` };
  const total = FRAME_HEADER_SIZE + length;
  if (end - at < total) return { status: 'short', need: total };
  const stored = ((buf[at + 9]! << 24) | (buf[at + 10]! << 16) | (buf[at + 11]! << 8) | buf[at + 12]!) >>> 0;
  const start = at + FRAME_HEADER_SIZE;
  if (crc32c(buf, crc32c(buf, 0, at + 4, at + 9), start, at + total) !== stored) {
    return { status: 'bad', reason: 'record checksum mismatch' };
  }
  return { status: 'ok', type: buf[at + 8]!, payload: buf.subarray(start, at + total), end: at + total };
}

export type ScanStep =
  | { kind: 'frame'; type: number; payload: Uint8Array; offset: number; end: number }
  /**
   * Bytes [offset, end) hold no valid frame. `cut`: the frame at `offset` looked intact but the
   * data ends inside it and nothing valid follows, the mark of a writer stopped mid-record.
   */
  | { kind: 'damage'; offset: number; end: number; reason: string; cut: boolean }
  /** Push the stream's bytes from `loadedEnd` and call next() again. */
  | { kind: 'more' }
  | { kind: 'end' };

/**
 * Walks the frames of stream bytes [start, size). Synchronous over the bytes it holds; a driver
 * that reads a file feeds it chunks when it asks for more. Frames after a damaged stretch are
 * accepted only when the next frame validates as well (or the data ends), so a frame-shaped
 * byte run inside a packet payload is not taken for a record boundary by chance.
 */
export class FrameScanner {
  private buf: Uint8Array = new Uint8Array(0);
  /** Stream offset of buf[0]. */
  private base: number;
  /** Stream offset of the next frame (or of the damaged stretch being skipped). */
  private pos: number;
  private damaged?: { reason: string; shortAtStart: boolean; searchFrom: number; start: number; spent: number };
  /** Bytes checksummed while resynchronising, over the scanner's life (tests bound it). */
  resyncWork = 0;

  constructor(
    start: number,
    private readonly size: number,
  ) {
    this.base = start;
    this.pos = start;
  }

  /** The stream offset the next push() must start at. */
  get loadedEnd(): number {
    return this.base + this.buf.length;
  }

  push(chunk: Uint8Array): void {
    const keep = this.damaged ? Math.min(this.damaged.searchFrom, this.loadedEnd) : this.pos;
    const rest = this.buf.subarray(keep - this.base);
    const merged = new Uint8Array(rest.length + chunk.length);
    merged.set(rest, 0);
    merged.set(chunk, rest.length);
    this.buf = merged;
    this.base = keep;
  }

  next(): ScanStep {
    if (!this.damaged) {
      if (this.pos >= this.size) return { kind: 'end' };
      const r = checkFrame(this.buf, this.pos - this.base, this.buf.length);
      if (r.status === 'ok') {
        const offset = this.pos;
        this.pos = this.base + r.end;
        return { kind: 'frame', type: r.type, payload: r.payload, offset, end: this.pos };
      }
      if (r.status === 'short' && this.canLoad(this.pos + r.need)) return { kind: 'more' };
      const reason = r.status === 'bad' ? r.reason : 'record cut short by the end of the data';
      this.damaged = { reason, shortAtStart: r.status === 'short', searchFrom: this.pos + 1, start: this.pos, spent: 0 };
    }
    return this.resync(this.damaged);
  }

  /** True when the stream holds byte `until - 1` but the window does not yet. */
  private canLoad(until: number): boolean {
    return until <= this.size && until > this.loadedEnd;
  }

  private resync(d: NonNullable<FrameScanner['damaged']>): ScanStep {
    const hay = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    for (;;) {
      const idx = hay.indexOf(SYNC, d.searchFrom - this.base);
      if (idx < 0) {
        if (this.loadedEnd < this.size) {
          // Keep the last bytes: a marker may straddle the chunk boundary.
          d.searchFrom = Math.max(d.searchFrom, this.loadedEnd - (SYNC.length - 1));
          return { kind: 'more' };
        }
        return this.endDamage(this.size, d.shortAtStart);
      }
      const candidate = this.base + idx;
      const verdict = this.confirm(idx, RESYNC_WORK_BASE + RESYNC_WORK_PER_BYTE * (candidate - d.start) - d.spent);
      if (verdict === 'more') {
        d.searchFrom = candidate;
        return { kind: 'more' };
      }
      if (verdict === 'ok') return this.endDamage(candidate, false);
      d.searchFrom = candidate + 1;
    }
  }

  /** Judges the candidate at buf[idx], checksumming at most `allowance` bytes (else 'no'). */
  private confirm(idx: number, allowance: number): 'ok' | 'no' | 'more' {
    const first = this.judge(idx, allowance);
    if (first.status === 'short') return this.canLoad(this.base + idx + first.need) ? 'more' : 'no';
    if (first.status === 'bad') return 'no';
    if (this.base + first.end === this.size) return 'ok';
    const second = this.judge(first.end, allowance - (first.end - idx));
    if (second.status === 'ok') return 'ok';
    if (second.status === 'bad') return 'no';
    // The following frame is cut: by the window (read on) or by the end of the data, where a
    // stopped writer leaves exactly this, so the candidate stands.
    return this.canLoad(this.base + first.end + second.need) ? 'more' : 'ok';
  }

  /**
   * checkFrame() within the resync allowance: a frame claiming more than is left is refused
   * before it is loaded or checksummed; what is checksummed is counted as spent.
   */
  private judge(at: number, allowance: number): FrameCheck {
    if (this.buf.length - at >= FRAME_HEADER_SIZE) {
      const length = ((this.buf[at + 4]! << 24) | (this.buf[at + 5]! << 16) | (this.buf[at + 6]! << 8) | this.buf[at + 7]!) >>> 0;
      const cost = FRAME_HEADER_SIZE + length;
      if (length <= MAX_PAYLOAD && cost > allowance) return { status: 'bad', reason: 'over the resync allowance' };
      if (cost <= this.buf.length - at) {
        this.damaged!.spent += cost;
        this.resyncWork += cost;
      }
    }
    return checkFrame(this.buf, at, this.buf.length);
  }

  private endDamage(end: number, cutAtStart: boolean): ScanStep {
    const d = this.damaged!;
    const step: ScanStep = { kind: 'damage', offset: this.pos, end, reason: d.reason, cut: cutAtStart && end === this.size };
    this.damaged = undefined;
    this.pos = end;
    return step;
  }
}
