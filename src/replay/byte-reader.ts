/**
 * Pull-style reading of a byte stream (a file or stdin) for the capture readers: ask for N bytes,
 * then take them. Only what a reader has asked for is held in memory, so multi-GB files stream.
 */
export class ByteReader {
  private readonly source: AsyncIterator<Buffer>;
  /** Unread chunks in order; the first one is read from `headPosition`. */
  private readonly chunks: Buffer[] = [];
  private headPosition = 0;
  private unread = 0;
  private consumed = 0;
  private finished = false;

  constructor(
    source: AsyncIterable<Buffer>,
    /** The file's size when it is a regular file (for progress); undefined for pipes. */
    readonly totalBytes?: number,
  ) {
    this.source = source[Symbol.asyncIterator]();
  }

  /** File offset of the next unread byte. */
  get offset(): number {
    return this.consumed;
  }

  /** The stream has ended (or was closed): what is buffered is all there will be. */
  get ended(): boolean {
    return this.finished;
  }

  /** Bytes available to `take` without waiting. */
  get buffered(): number {
    return this.unread;
  }

  /**
   * Reads until at least `count` bytes are buffered or the stream ends, and returns how many are
   * buffered (fewer than `count` only at the end). A read error of the stream rejects.
   */
  async request(count: number): Promise<number> {
    while (this.unread < count && !this.finished) {
      const next = await this.source.next();
      if (next.done === true) {
        this.finished = true;
      } else if (next.value.length > 0) {
        this.chunks.push(next.value);
        this.unread += next.value.length;
      }
    }
    return this.unread;
  }

  /**
   * Consumes `count` buffered bytes. They are a view into the stream's chunk when they lie in one
   * (the common case: no copy), a fresh copy when they straddle chunks.
   */
  take(count: number): Buffer {
    const first = this.chunks[0];
    if (first !== undefined && first.length - this.headPosition >= count) {
      const view = first.subarray(this.headPosition, this.headPosition + count);
      this.advance(count);
      return view;
    }
    const copy = this.copyOut(count);
    this.advance(count);
    return copy;
  }

  /** Consumes `count` buffered bytes without looking at them. */
  skip(count: number): void {
    this.advance(count);
  }

  /** The next `count` buffered bytes, copied, without consuming them. */
  peek(count: number): Buffer {
    return this.copyOut(count);
  }

  /**
   * The chunk holding the next `count` bytes when they lie in one chunk, read from `head`; a
   * record header is then read in place, without a call per field.
   */
  contiguous(count: number): Buffer | undefined {
    const first = this.chunks[0];
    return first !== undefined && first.length - this.headPosition >= count ? first : undefined;
  }

  /** Where the next unread byte is in the chunk contiguous() returns. */
  get head(): number {
    return this.headPosition;
  }

  /** The 32-bit number `position` bytes ahead, without consuming or copying (a block header). */
  peekUint32(position: number, littleEndian: boolean): number {
    const first = this.chunks[0];
    const at = this.headPosition + position;
    if (first !== undefined && at + 4 <= first.length) {
      return littleEndian ? first.readUInt32LE(at) : first.readUInt32BE(at);
    }
    const bytes = this.copyOut(position + 4);
    return littleEndian ? bytes.readUInt32LE(position) : bytes.readUInt32BE(position);
  }

  /** The unread bytes and then the rest of the stream, for a consumer that wants raw chunks. */
  async *remainingChunks(): AsyncGenerator<Buffer> {
    while (this.chunks.length > 0) {
      const chunk = this.chunks.shift()!.subarray(this.headPosition);
      this.headPosition = 0;
      this.unread -= chunk.length;
      this.consumed += chunk.length;
      yield chunk;
    }
    while (!this.finished) {
      const next = await this.source.next();
      if (next.done === true) {
        this.finished = true;
      } else {
        this.consumed += next.value.length;
        yield next.value;
      }
    }
  }

  /** Stops reading: the underlying stream is destroyed and its file closed. */
  close(): void {
    this.finished = true;
    this.chunks.length = 0;
    this.unread = 0;
    // A stream failing while it is torn down has no one left to tell.
    this.source.return?.().catch(() => {});
  }

  private copyOut(count: number): Buffer {
    if (count > this.unread) {
      throw new RangeError(`ByteReader: ${count} bytes asked, ${this.unread} buffered`);
    }
    const copy = Buffer.allocUnsafe(count);
    let filled = 0;
    let position = this.headPosition;
    for (const chunk of this.chunks) {
      if (filled === count) break;
      const length = Math.min(chunk.length - position, count - filled);
      chunk.copy(copy, filled, position, position + length);
      filled += length;
      position = 0;
    }
    return copy;
  }

  private advance(count: number): void {
    if (count > this.unread) {
      throw new RangeError(`ByteReader: ${count} bytes taken, ${this.unread} buffered`);
    }
    this.unread -= count;
    this.consumed += count;
    let remaining = count;
    while (remaining > 0) {
      const first = this.chunks[0]!;
      const inFirst = first.length - this.headPosition;
      if (remaining < inFirst) {
        this.headPosition += remaining;
        return;
      }
      remaining -= inFirst;
      this.chunks.shift();
      this.headPosition = 0;
    }
  }
}
