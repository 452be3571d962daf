/**
 * Appends to one segment file. Frames are buffered in memory and written with one write(2) per
 * flush; the recording writer flushes at a bounded interval, so a killed process loses at most
 * what is still buffered. With compression, frames gather in a block that is compressed and
 * written when it is big enough or at the next flush.
 */
import { closeSync, fchmodSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { constants } from 'node:fs';
import { BLOCK_TARGET, encodeBlock, MAX_BLOCK_RAW } from './block.ts';
import { crc32c } from './crc32c.ts';
import { FooterBuilder } from './footer.ts';
import { encodeFrame, FRAME_HEADER_SIZE, frameHeader } from './framing.ts';
import { encodePreamble, encodeTrailer } from './layout.ts';
import { pack } from './msgpack.ts';
import { encodeBody, encodeFooter, encodeHeader, RecordType, type BodyRecord, type SegmentHeader } from './records.ts';

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

export class SegmentWriter {
  private readonly fd: number;
  private pending: Uint8Array[] = [];
  /** Bytes in the file plus `pending`: the offset of the next top-level frame. */
  private size = 0;
  /** CRC-32C of every byte appended so far: the footer's segment checksum. */
  private checksum = 0;
  private readonly footer: FooterBuilder;
  private block: Uint8Array[] = [];
  private blockBytes = 0;
  private blockStarted = false;
  /** Raw and compressed bytes of the blocks written so far. */
  readonly blocks = { raw: 0, packed: 0 };

  constructor(
    readonly path: string,
    header: SegmentHeader,
    private readonly compress: boolean,
  ) {
    this.fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, FILE_MODE);
    fchmodSync(this.fd, FILE_MODE); // the mode above is filtered by umask; this one is exact
    this.footer = new FooterBuilder(header.firstPacketNumber);
    this.put(encodePreamble());
    this.put(encodeFrame(RecordType.header, pack(encodeHeader(header))));
    this.flush();
  }

  /** Bytes this segment will have once flushed and sealed (not counting an open block). */
  get bytes(): number {
    return this.size + this.footer.sealBytes;
  }

  /** Body records appended (the header excluded). */
  /** Raw bytes of the open compressed block. */
  get openBlockBytes(): number {
    return this.blockBytes;
  }

  get bodyRecords(): number {
    return this.footer.recordCount - 1;
  }

  append({ rec, type, payload }: EncodedRecord): void {
    const frame = [frameHeader(type, payload), payload];
    const frameBytes = FRAME_HEADER_SIZE + payload.length;
    // A block never passes MAX_BLOCK_RAW (readers refuse larger claims): close the open one
    // first, and write a frame too large for any block as a plain frame.
    if (this.compress && this.blockBytes + frameBytes > MAX_BLOCK_RAW) this.closeBlock();
    if (this.compress && frameBytes <= MAX_BLOCK_RAW) {
      if (!this.blockStarted) {
        this.footer.frameStart(this.size);
        this.blockStarted = true;
      }
      this.block.push(...frame);
      this.blockBytes += frameBytes;
      this.footer.add(type, rec, payload.length);
      if (this.blockBytes >= BLOCK_TARGET) this.closeBlock();
    } else {
      this.footer.frameStart(this.size);
      this.footer.add(type, rec, payload.length);
      for (const part of frame) this.put(part);
    }
  }

  /** Hands everything buffered to the kernel. */
  flush(): void {
    this.closeBlock();
    if (this.pending.length === 0) return;
    const bytes = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off);
  }

  /** Writes footer and trailer, syncs and closes. */
  seal(sealedAt: bigint): void {
    this.flush();
    const footerOffset = this.size;
    const footer = this.footer.finish(this.checksum, 'writer', sealedAt);
    this.put(encodeFrame(RecordType.footer, pack(encodeFooter(footer))));
    this.put(encodeTrailer(footerOffset));
    this.flush();
    fdatasyncSync(this.fd);
    closeSync(this.fd);
  }

  private closeBlock(): void {
    if (!this.blockStarted) return;
    const raw = Buffer.concat(this.block);
    this.block = [];
    this.blockBytes = 0;
    this.blockStarted = false;
    this.footer.add(RecordType.block);
    const frame = encodeFrame(RecordType.block, pack(encodeBlock(raw)));
    this.blocks.raw += raw.length;
    this.blocks.packed += frame.length;
    this.put(frame);
  }

  private put(bytes: Uint8Array): void {
    this.pending.push(bytes);
    this.size += bytes.length;
    this.checksum = crc32c(bytes, this.checksum);
  }
}
