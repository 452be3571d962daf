/**
 * Where a segment's bytes go on their way to the file. The segment writer encodes frames in
 * place into an output's buffer and flushes it at its own pace; the output then either writes
 * the bytes itself (SyncOutput, here) or hands them to a write thread that computes the frame
 * checksums, the segment checksum and writes (write-thread.ts), so the recorder's thread keeps
 * draining the kernel's ring meanwhile.
 */
import { writeSync } from 'node:fs';
import { crc32cBulk } from './crc32c.ts';
import { checksumFrames, writeFrameHeader } from './framing.ts';

/** Bytes that frames are encoded into: room is reserved, then written through bytes/view. */
export interface FrameBuffer {
  readonly bytes: Buffer;
  readonly view: DataView;
  readonly used: number;
  /** Makes room for `n` more bytes and returns where they start (read bytes/view after it). */
  reserve(n: number): number;
  put(src: Uint8Array): void;
}

export interface SegmentOutput extends FrameBuffer {
  /** The frame at `at` has its payload in place: give it its header and checksum (now or before it is written). */
  seal(at: number, type: number, length: number): void;
  /** Hands everything buffered on: to the kernel, or to the write thread. */
  flush(): void;
  /** CRC-32C of every byte flushed so far, once written (a write thread is waited for). */
  checksum(): number;
  /** Before the file is closed, whatever happened: nothing may write to it any more. */
  release(): void;
}

/** A growable byte buffer reused across flushes. */
export class ByteBuffer implements FrameBuffer {
  bytes: Buffer;
  view: DataView;
  used = 0;

  constructor(capacity: number) {
    this.bytes = Buffer.allocUnsafe(capacity);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
  }

  reserve(n: number): number {
    const at = this.used;
    if (at + n > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, at + n));
      this.bytes.copy(grown, 0, 0, at);
      this.bytes = grown;
      this.view = new DataView(grown.buffer, grown.byteOffset, grown.length);
    }
    this.used = at + n;
    return at;
  }

  put(src: Uint8Array): void {
    const at = this.reserve(src.length); // may replace this.bytes: read it after
    this.bytes.set(src, at);
  }

  /** Offsets of the frames sealed with sealLater() whose checksum is still blank. */
  private pending = new Int32Array(1024);
  private pendingCount = 0;

  /**
   * The frame at `at` has its payload in place: its header now, its checksum at sealPending(),
   * with the others' in one call (native-frames.ts: per frame, a call would cost more than the CRC).
   */
  sealLater(at: number, type: number, length: number): void {
    writeFrameHeader(this.bytes, at, type, length);
    if (this.pendingCount === this.pending.length) {
      const grown = new Int32Array(2 * this.pending.length);
      grown.set(this.pending);
      this.pending = grown;
    }
    this.pending[this.pendingCount++] = at;
  }

  /** Checksums the frames sealLater() left blank: before the bytes are read. */
  sealPending(): void {
    if (this.pendingCount === 0) return;
    checksumFrames(this.bytes, this.pending, this.pendingCount);
    this.pendingCount = 0;
  }
}

/** Checksums and writes on the caller's thread, one write(2) per flush. */
export class SyncOutput extends ByteBuffer implements SegmentOutput {
  /** CRC-32C of every byte written to the file so far. */
  private crc = 0;

  constructor(
    private readonly fd: number,
    capacity: number,
  ) {
    super(capacity);
  }

  seal(at: number, type: number, length: number): void {
    this.sealLater(at, type, length);
  }

  flush(): void {
    if (this.used === 0) return;
    this.sealPending();
    this.crc = crc32cBulk(this.bytes, this.crc, 0, this.used);
    for (let off = 0; off < this.used; ) off += writeSync(this.fd, this.bytes, off, this.used - off);
    this.used = 0;
  }

  checksum(): number {
    return this.crc;
  }

  release(): void {
    // Writes happen in flush() only: none is under way.
  }
}
