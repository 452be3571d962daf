/**
 * `netrec verify`: checks a segment end to end (framing, every record's CRC and schema, the
 * segment checksum, and the footer against the records it summarises) and `--repair`: seals an
 * unsealed segment by appending a footer rebuilt from its records. Repair never rewrites a
 * record: it only cuts the incomplete record a stopped writer left at the end, if any.
 */
import type { FileHandle } from 'node:fs/promises';
import { systemMessage } from '../core/errors.ts';
import { crc32c } from './crc32c.ts';
import { openSegmentFile } from './directory.ts';
import { FooterBuilder } from './footer.ts';
import { encodeFrame } from './framing.ts';
import { encodeTrailer } from './layout.ts';
import { pack } from './msgpack.ts';
import { encodeFooter, RecordType, type SegmentFooter } from './records.ts';
import { readBody, type SegmentInfo } from './segment-reader.ts';

export interface Finding {
  offset: number;
  message: string;
  /** 'warning': the expected state of a stopped writer's segment, not damage. */
  severity: 'error' | 'warning';
}

export interface SegmentCheck {
  records: number;
  packets: number;
  findings: Finding[];
  /** The footer rebuilt from the records read (checksum and sealedAt still 0). */
  rebuilt: SegmentFooter;
  /** Where bytes that hold no record start and run to the end of the body (a stopped writer's cut record, a footer with a damaged trailer); absent when the body ends with a record. */
  tailFrom?: number;
}

const CHUNK = 1024 * 1024;

/** CRC-32C of a file's bytes [0, end); a message when the file cannot be opened again. */
async function checksumFile(path: string, end: number): Promise<number | string> {
  const fh = await openSegmentFile(path);
  if (typeof fh === 'string') return fh;
  try {
    const buf = Buffer.alloc(CHUNK);
    let crc = 0;
    for (let pos = 0; pos < end; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, end - pos), pos);
      if (bytesRead === 0) break;
      crc = crc32c(buf, crc, 0, bytesRead);
      pos += bytesRead;
    }
    return crc;
  } finally {
    await fh.close();
  }
}

/** Reads every record of a segment and checks it against its footer and checksum. */
export async function checkSegment(seg: SegmentInfo, isLast: boolean): Promise<SegmentCheck> {
  const findings: Finding[] = seg.problems.map((p) => ({ offset: p.offset, message: p.message, severity: p.severity ?? 'error' }));
  const builder = new FooterBuilder(seg.header?.firstPacketNumber ?? 1);
  let tailFrom: number | undefined;
  let damaged = false;
  for await (const events of readBody(seg)) {
    for (const e of events) {
      switch (e.kind) {
        case 'frame':
          builder.frameStart(e.offset);
          if (e.type === RecordType.block) builder.add(e.type);
          break;
        case 'record':
          builder.add(e.type, e.rec);
          break;
        case 'unknown':
          builder.add(e.type);
          break;
        case 'problem': {
          const stopped = e.cut && !seg.sealed && isLast;
          findings.push({ offset: e.offset, message: e.message, severity: stopped ? 'warning' : 'error' });
          if (e.tail) tailFrom = e.offset;
          damaged = true;
        }
      }
    }
  }
  const rebuilt = builder.finish(0, 'repair', 0n); // repair fills in checksum and time
  const packets = rebuilt.counts.get(RecordType.packet) ?? 0;
  const records = builder.recordCount - 1;

  if (!seg.sealed) {
    findings.unshift({
      offset: seg.bodyEnd,
      message: isLast ? 'not sealed (the writer stopped before closing it)' : 'not sealed (file cut short or trailer damaged)',
      severity: isLast ? 'warning' : 'error',
    });
  } else if (seg.footer) {
    const stored = await checksumFile(seg.path, seg.bodyEnd);
    if (typeof stored === 'string') findings.push({ offset: 0, message: `cannot read it again: ${stored}`, severity: 'error' });
    else if (stored !== seg.footer.checksum) {
      findings.push({
        offset: seg.bodyEnd,
        message: `segment checksum mismatch (footer ${hex(seg.footer.checksum)}, bytes ${hex(stored)})`,
        severity: 'error',
      });
    }
    // Damage already explains any disagreement; on clean data the footer must match exactly.
    // A footer whose task list the reader let go (openRecording's budget) is compared without it.
    const kept = seg.contextDropped ? { ...seg.footer, tasks: rebuilt.tasks } : seg.footer;
    if (!damaged) for (const m of footerMismatches(kept, rebuilt)) findings.push({ offset: seg.bodyEnd, message: m, severity: 'error' });
  }
  return { records, packets, findings, rebuilt, ...(tailFrom !== undefined ? { tailFrom } : {}) };
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function footerMismatches(stored: SegmentFooter, rebuilt: SegmentFooter): string[] {
  const out: string[] = [];
  const differ = (what: string, a: unknown, b: unknown): void => {
    if (a !== b) out.push(`footer says ${what} ${String(a)}, the records give ${String(b)}`);
  };
  for (const type of new Set([...stored.counts.keys(), ...rebuilt.counts.keys()])) {
    differ(`${typeName(type)} records`, stored.counts.get(type) ?? 0, rebuilt.counts.get(type) ?? 0);
  }
  differ('first timestamp', stored.firstTimestamp, rebuilt.firstTimestamp);
  differ('last timestamp', stored.lastTimestamp, rebuilt.lastTimestamp);
  differ('captured bytes', stored.capturedBytes, rebuilt.capturedBytes);
  differ('wire bytes', stored.wireBytes, rebuilt.wireBytes);
  differ('kernel losses', stored.kernelLost, rebuilt.kernelLost);
  differ('user-space drops', stored.userDropped, rebuilt.userDropped);
  const key = (e: SegmentFooter['index'][number]): string => `${e.maxTimestampBefore}/${e.packetNumber}/${e.record}/${e.offset}`;
  differ('index', stored.index.map(key).join(','), rebuilt.index.map(key).join(','));
  differ('task refs', stored.tasks.map((t) => t.ref).join(','), rebuilt.tasks.map((t) => t.ref).join(','));
  return out;
}

export function typeName(type: number): string {
  return Object.entries(RecordType).find(([, code]) => code === type)?.[0] ?? `type-${type}`;
}

export type RepairResult =
  | {
      ok: true;
      /** Bytes cut from the end: the tail that held no record. */
      removedBytes: number;
      footerOffset: number;
    }
  /** Nothing was changed, or the file is back as it was: why the repair failed. */
  | { ok: false; problem: string };

/**
 * Seals an unsealed segment: cuts the tail that holds no record (an incomplete last record, or an
 * old footer whose trailer is damaged), then appends the footer rebuilt by checkSegment()
 * (sealedBy 'repair') and the trailer. Damaged bytes between records stay, for the record.
 *
 * A failed write (a full disk) must not leave a half-written footer or cost the cut tail: the
 * new footer and trailer are first appended after everything the file holds, and only once they
 * are on disk are they moved over the tail. When the append fails, the file is cut back to its
 * old size and is as it was. The move writes within the file's allocated size, so it does not
 * need new space.
 */
export async function repairSegment(seg: SegmentInfo, check: SegmentCheck, now: bigint): Promise<RepairResult> {
  if (seg.sealed) throw new Error('repairSegment: segment is already sealed');
  const footerOffset = check.tailFrom ?? seg.bodyEnd;
  const checksum = await checksumFile(seg.path, footerOffset);
  if (typeof checksum === 'string') return { ok: false, problem: `cannot read it again: ${checksum}` };
  const footer = { ...check.rebuilt, sealedAt: now, checksum };
  const tail = Buffer.concat([encodeFrame(RecordType.footer, pack(encodeFooter(footer))), encodeTrailer(footerOffset)]);
  const fh = await openSegmentFile(seg.path, 'r+');
  if (typeof fh === 'string') return { ok: false, problem: `cannot open it for writing: ${fh}` };
  try {
    const size = (await fh.stat()).size;
    if (size !== seg.size) return { ok: false, problem: `it changed size since it was read (${seg.size} to ${size} bytes); nothing was changed` };
    try {
      await writeAll(fh, tail, size);
      await fh.datasync();
    } catch (err) {
      const undone = await fh.truncate(size).then(
        () => 'the segment is as it was',
        (truncErr: unknown) => `and cutting it back to ${size} bytes failed too (${systemMessage(truncErr)}); run the repair again once there is space`,
      );
      return { ok: false, problem: `writing the footer failed: ${systemMessage(err)}; ${undone}` };
    }
    if (footerOffset !== size) {
      await writeAll(fh, tail, footerOffset);
      await fh.truncate(footerOffset + tail.length);
      await fh.datasync();
    }
  } finally {
    await fh.close();
  }
  return { ok: true, removedBytes: seg.size - footerOffset, footerOffset };
}

/** fh.write() may write less than asked (a disk filling up): loop until all is written or it throws. */
async function writeAll(fh: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten === 0) throw new Error('write made no progress');
    done += bytesWritten;
  }
}
