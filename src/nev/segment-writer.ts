/**
 * Appends to one segment file. Frames are encoded in place into one reusable output buffer and
 * written with one write(2) per flush; the recording writer flushes at a bounded interval, so a
 * killed process loses at most what is still buffered. With compression, frames gather in a
 * block buffer that is compressed and framed when it is big enough or at the next flush.
 *
 * The segment checksum (every byte before the footer) is computed over each flushed buffer at
 * once, natively when possible (crc32c.ts); frame checksums a buffer or block at a time
 * (framing.ts checksumFrames). With a write thread (write-thread.ts) both checksums and the
 * write(2) happen there, at each flush.
 */
import { closeSync, fchmodSync, fdatasyncSync, openSync } from 'node:fs';
import { constants } from 'node:fs';
import { BLOCK_TARGET, encodeBlock, MAX_BLOCK_RAW } from './block.ts';
import { FooterBuilder } from './footer.ts';
import { encodeFrame, FRAME_HEADER_SIZE } from './framing.ts';
import { encodePreamble, encodeTrailer } from './layout.ts';
import { pack } from './msgpack.ts';
import { packetPayloadSize, writePacketPayload, type InPlacePacket } from './packet-frame.ts';
import { encodeBody, encodeFooter, encodeHeader, RecordType, type BodyRecord, type SegmentHeader } from './records.ts';
import { ByteBuffer, SyncOutput, type FrameBuffer, type SegmentOutput } from './segment-output.ts';
import type { WriteThread } from './write-thread.ts';

/** Buffered file bytes that make the next append flush (besides the writer's interval). */
const FLUSH_AT = 1 << 20;

const FILE_MODE = 0o600;

/** A body record with its frame type and msgpack payload, encoded once. */
export interface EncodedRecord {
  rec: BodyRecord;
  type: RecordType;
  payload: Uint8Array;
}

export function encodeRecord(rec: BodyRecord): EncodedRecord {
  const [type, value] = encodeBody(rec);
  return { rec, type, payload: pack(value) };
}

/** Bytes a record's frame adds to a plain segment. */
export function frameSize(r: EncodedRecord): number {
  return FRAME_HEADER_SIZE + r.payload.length;
}

/** Bytes a packet's frame adds to a plain segment (the in-place encoder's packets). */
export function packetFrameSize(p: InPlacePacket, task: number | undefined): number {
  return FRAME_HEADER_SIZE + packetPayloadSize(p, task);
}

/** Room in each output buffer: a flush's worth plus a large frame. */
export const OUTPUT_BYTES = FLUSH_AT + (64 << 10);

export class SegmentWriter {
  private readonly fd: number;
  /** File bytes not written yet. */
  private readonly out: SegmentOutput;
  /** Bytes in the file plus `out`: the offset of the next top-level frame. */
  private size = 0;
  private readonly footer: FooterBuilder;
  /** Raw frames of the open compressed block. */
  private readonly block: ByteBuffer | undefined;
  private blockStarted = false;
  /** Raw and compressed bytes of the blocks written so far. */
  readonly blocks = { raw: 0, packed: 0 };
  private closed = false;
  private failure: unknown;

  constructor(
    readonly path: string,
    header: SegmentHeader,
    compress: boolean,
    thread?: WriteThread,
  ) {
    this.fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, FILE_MODE);
    fchmodSync(this.fd, FILE_MODE); // the mode above is filtered by umask; this one is exact
    this.out = thread === undefined ? new SyncOutput(this.fd, OUTPUT_BYTES) : thread.output(this.fd);
    this.footer = new FooterBuilder(header.firstPacketNumber);
    if (compress) this.block = new ByteBuffer(BLOCK_TARGET + (64 << 10));
    this.put(encodePreamble());
    this.put(encodeFrame(RecordType.header, pack(encodeHeader(header))));
    this.flush();
    // A write thread is waited for: as without one, the header is in the file before any
    // record is, so a crash never leaves a segment without it (rotations only: rare).
    this.out.checksum();
  }

  /** Bytes this segment will have once flushed and sealed (not counting an open block). */
  get bytes(): number {
    return this.size + this.footer.sealBytes;
  }

  /** Raw bytes of the open compressed block. */
  get openBlockBytes(): number {
    return this.block?.used ?? 0;
  }

  /** Body records appended (the header excluded). */
  get bodyRecords(): number {
    return this.footer.recordCount - 1;
  }

  append({ rec, type, payload }: EncodedRecord): void {
    const target = this.frameTarget(FRAME_HEADER_SIZE + payload.length);
    const at = target.reserve(FRAME_HEADER_SIZE + payload.length);
    target.bytes.set(payload, at + FRAME_HEADER_SIZE);
    this.sealIn(target, at, type, payload.length);
    this.footer.add(type, rec, payload.length);
    this.appended(target, FRAME_HEADER_SIZE + payload.length);
  }

  /**
   * A packet record naming process-table ref `task`, encoded in place (fitsPacketFrame must
   * hold); `frameBytes` is its packetFrameSize(), when the caller has it already.
   */
  appendPacket(p: InPlacePacket, task: number | undefined, frameBytes = packetFrameSize(p, task)): void {
    const length = frameBytes - FRAME_HEADER_SIZE;
    const target = this.frameTarget(FRAME_HEADER_SIZE + length);
    const at = target.reserve(FRAME_HEADER_SIZE + length);
    writePacketPayload(target.bytes, target.view, at + FRAME_HEADER_SIZE, p, task);
    this.sealIn(target, at, RecordType.packet, length);
    this.footer.addPacket(p.timestampHi, p.timestampLo, p.dataLength, p.originalLength);
    this.appended(target, FRAME_HEADER_SIZE + length);
  }

  /** Hands everything buffered to the kernel (or to the write thread, which does). */
  flush(): void {
    this.closeBlock();
    this.out.flush();
  }

  /** Writes footer and trailer, syncs and closes. */
  /**
   * Writes footer and trailer, syncs and closes. The descriptor is closed however sealing ends
   * (a full disk), once a write thread is done with it; a second call repeats the first failure.
   */
  seal(sealedAt: bigint): void {
    if (this.closed) {
      if (this.failure !== undefined) throw this.failure;
      return;
    }
    this.closed = true;
    try {
      this.flush();
      const footerOffset = this.size;
      const footer = this.footer.finish(this.out.checksum(), 'writer', sealedAt);
      this.put(encodeFrame(RecordType.footer, pack(encodeFooter(footer))));
      this.put(encodeTrailer(footerOffset));
      this.flush();
      this.out.checksum(); // waits for a write thread: every byte is in the kernel
      fdatasyncSync(this.fd);
    } catch (err) {
      this.failure = err;
      throw err;
    } finally {
      this.out.release();
      closeSync(this.fd);
    }
  }

  /**
   * Where the next frame (of `frameBytes`) goes: the open block, or the file (noting the frame
   * for the index). A block never passes MAX_BLOCK_RAW, since readers refuse larger claims: the
   * open one is closed first, and a frame too large for any block is written plain.
   */
  private frameTarget(frameBytes: number): FrameBuffer {
    if (this.block !== undefined && this.block.used + frameBytes > MAX_BLOCK_RAW) this.closeBlock();
    if (this.block === undefined || frameBytes > MAX_BLOCK_RAW) {
      this.footer.frameStart(this.size);
      return this.out;
    }
    if (!this.blockStarted) {
      this.footer.frameStart(this.size);
      this.blockStarted = true;
    }
    return this.block;
  }

  /** After a frame of `bytes` went to `target`: keeps the size, closes a full block, flushes. */
  private appended(target: FrameBuffer, bytes: number): void {
    if (target === this.out) this.size += bytes;
    else if (target.used >= BLOCK_TARGET) this.closeBlock();
    if (this.out.used >= FLUSH_AT) this.flush();
  }

  /** A frame in a block is checksummed when the block closes (with the block's others); the output seals its own. */
  private sealIn(target: FrameBuffer, at: number, type: number, length: number): void {
    if (target === this.out) this.out.seal(at, type, length);
    else this.block!.sealLater(at, type, length);
  }

  private closeBlock(): void {
    const block = this.block;
    if (block === undefined || !this.blockStarted) return;
    block.sealPending();
    const raw = block.bytes.subarray(0, block.used);
    this.footer.add(RecordType.block);
    const frame = encodeFrame(RecordType.block, pack(encodeBlock(raw)));
    this.blocks.raw += raw.length;
    this.blocks.packed += frame.length;
    block.used = 0;
    this.blockStarted = false;
    this.put(frame);
  }

  private put(bytes: Uint8Array): void {
    this.out.put(bytes);
    this.size += bytes.length;
  }
}
