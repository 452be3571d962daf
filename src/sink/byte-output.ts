/**
 * Bytes to a file, gathered in a chunk and written with one write(2) per chunk: the capture
 * writers encode straight into `reserve()`d space, so a packet costs no allocation and a million
 * packets cost a few hundred system calls.
 *
 * Writes are positional (the output keeps the offset), so a split export's descriptors can be
 * closed and reopened between chunks. Two modes:
 * - synchronous (split exports, small files): a write error is thrown by the call that wrote;
 * - background (one large export file): a full chunk goes to libuv's thread pool and the
 *   pipeline encodes the next one meanwhile, so the kernel's copying overlaps netrec's work. At
 *   most MAX_IN_FLIGHT chunks are pending; `settle()` (after each batch) waits for room, and the
 *   first write error (ENOSPC, EIO) is thrown by the next call, which ends the export.
 */
import { write, writeSync } from 'node:fs';

const DEFAULT_CHUNK_BYTES = 1 << 20;
const MAX_IN_FLIGHT = 4;

/** Where a chunk goes: an open descriptor, or one opened on demand (split exports). */
export interface Descriptor {
  fd(): number;
}

export class ByteOutput {
  /** Allocated on first use, and dropped by release(): a split export holds many outputs. */
  private chunk: Buffer | undefined;
  private used = 0;
  /** File position of the chunk's first byte: bytes before it are written or being written. */
  private position = 0;
  private inFlight = 0;
  private failure: Error | undefined;
  /** Chunks whose background write finished, for reuse. */
  private readonly spare: Buffer[] = [];
  private wake: (() => void) | undefined;

  constructor(
    private readonly target: Descriptor,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
    private readonly background = false,
  ) {}

  /** Bytes not yet handed to the kernel. */
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
      chunk = this.chunk;
      if (chunk === undefined || length > chunk.length) {
        chunk = this.spare.pop() ?? Buffer.allocUnsafe(Math.max(length, this.chunkBytes));
        if (chunk.length < length) chunk = Buffer.allocUnsafe(length);
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

  /** Hands the gathered bytes to the kernel (or, in the background, to a write in flight). */
  flush(): void {
    this.check();
    const chunk = this.chunk;
    if (this.used === 0 || chunk === undefined) return;
    const length = this.used;
    const position = this.position;
    this.position += length;
    this.used = 0;
    if (!this.background) {
      const fd = this.target.fd();
      let done = 0;
      while (done < length) done += writeSync(fd, chunk, done, length - done, position + done);
      return;
    }
    this.chunk = undefined;
    this.inFlight++;
    this.writeAll(chunk, 0, length, position);
  }

  /** Waits until fewer than MAX_IN_FLIGHT chunks are pending; throws a background write's error. */
  async settle(limit = MAX_IN_FLIGHT - 1): Promise<void> {
    while (this.inFlight > limit && this.failure === undefined) await new Promise<void>((resolve) => (this.wake = resolve));
    this.check();
  }

  /** Writes what is gathered and waits for every write: the file is complete on return. */
  async close(): Promise<void> {
    this.flush();
    await this.settle(0);
  }

  /** Flushes and gives the chunk back to the garbage collector until the next write. */
  release(): void {
    this.flush();
    this.chunk = undefined;
    this.spare.length = 0;
  }

  /** Overwrites bytes at file position `position` (a header fixed up at the end, after close()). */
  patch(position: number, bytes: Uint8Array): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(this.target.fd(), bytes, done, bytes.length - done, position + done);
  }

  private writeAll(chunk: Buffer, from: number, to: number, position: number): void {
    write(this.target.fd(), chunk, from, to - from, position, (err, written) => {
      if (err === null && from + written < to) {
        this.writeAll(chunk, from + written, to, position + written);
        return;
      }
      this.failure ??= err ?? undefined;
      this.inFlight--;
      if (this.spare.length < MAX_IN_FLIGHT && chunk.length === this.chunkBytes) this.spare.push(chunk);
      const wake = this.wake;
      this.wake = undefined;
      wake?.();
    });
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
