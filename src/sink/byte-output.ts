/**
 * Bytes to a file, gathered in a chunk and written with one write(2) per chunk: the capture
 * writers encode straight into `reserve()`d space, so a packet costs no allocation and a million
 * packets cost a few hundred system calls.
 *
 * Writes are synchronous on purpose: the writers run inside the pipeline loop, and an error
 * (ENOSPC, EIO) must stop the export right there, not surface later from a stream.
 */
import { writeSync } from 'node:fs';

const DEFAULT_CHUNK_BYTES = 1 << 20;

/** Where a chunk goes: an open descriptor, or one opened on demand (split exports, see FilePool). */
export interface Descriptor {
  fd(): number;
}

export class ByteOutput {
  /** Allocated on first use, and dropped by release(): a split export holds many outputs. */
  private chunk: Buffer | undefined;
  private used = 0;
  /** Bytes handed to the kernel so far (the file position after the next flush is written + used). */
  written = 0;

  constructor(
    private readonly target: Descriptor,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {}

  /** Bytes not yet written. */
  get pending(): number {
    return this.used;
  }

  /**
   * `length` bytes of space at `buffer[at]`, valid until the next call; the caller fills exactly
   * that many. A request larger than the chunk gets a chunk of its own size.
   */
  reserve(length: number): { buffer: Buffer; at: number } {
    let chunk = this.chunk;
    if (chunk === undefined || this.used + length > chunk.length) {
      this.flush();
      if (chunk === undefined || length > chunk.length) {
        chunk = Buffer.allocUnsafe(Math.max(length, this.chunkBytes));
        this.chunk = chunk;
      }
    }
    const at = this.used;
    this.used += length;
    return { buffer: chunk, at };
  }

  /** Copies `bytes` in. */
  write(bytes: Uint8Array): void {
    const { buffer, at } = this.reserve(bytes.length);
    buffer.set(bytes, at);
  }

  /** Hands the gathered bytes to the kernel; a write error (ENOSPC...) is thrown. */
  flush(): void {
    if (this.used === 0 || this.chunk === undefined) return;
    // Positional: a split export's descriptors are closed and reopened between chunks.
    const fd = this.target.fd();
    let done = 0;
    while (done < this.used) done += writeSync(fd, this.chunk, done, this.used - done, this.written + done);
    this.written += this.used;
    this.used = 0;
  }

  /** Flushes and gives the chunk back to the garbage collector until the next write. */
  release(): void {
    this.flush();
    this.chunk = undefined;
  }

  /** Overwrites bytes already written at file position `position` (a header fixed up at the end). */
  patch(position: number, bytes: Uint8Array): void {
    this.flush();
    let done = 0;
    while (done < bytes.length) done += writeSync(this.target.fd(), bytes, done, bytes.length - done, position + done);
  }
}
