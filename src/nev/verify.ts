/**
 * `netrec verify`: checks a segment end to end (framing, every record's CRC and schema, the
 * segment checksum, and the footer against the records it summarises) and `--repair`: seals an
 * unsealed segment by appending a footer rebuilt from its records. Repair never rewrites a
 * record: it only cuts the incomplete record a stopped writer left at the end, if any.
 */
import { open } from 'node:fs/promises';
import { crc32c } from './crc32c.ts';
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
  /** The footer rebuilt from the records read. */
  rebuilt: SegmentFooter;
  /** End of the last good frame. */
  recordsEnd: number;
  /** Bytes of an incomplete record at the end (a stopped writer's), after recordsEnd. */
  cutBytes: number;
}

const CHUNK = 1024 * 1024;

/** CRC-32C of a file's bytes [0, end). */
export async function checksumFile(path: string, end: number): Promise<number> {
  const fh = await open(path, 'r');
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
  const findings: Finding[] = seg.problems.map((p) => ({ ...p, severity: 'error' }));
  const builder = new FooterBuilder(seg.header?.firstPacketNumber ?? 1);
  let recordsEnd = seg.bodyStart;
  let cutBytes = 0;
  let damaged = false;
  for await (const events of readBody(seg)) {
    for (const e of events) {
      switch (e.kind) {
        case 'frame':
          builder.frameStart(e.offset);
          if (e.type === RecordType.block) builder.add(e.type);
          recordsEnd = e.end;
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
          if (e.cut) cutBytes = e.end - e.offset;
          damaged = true;
        }
      }
    }
  }
  const checksum = await checksumFile(seg.path, recordsEnd);
  const rebuilt = builder.finish(checksum, 'repair', 0n);
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
    if (stored !== seg.footer.checksum) {
      findings.push({ offset: seg.bodyEnd, message: `segment checksum mismatch (footer ${hex(seg.footer.checksum)}, bytes ${hex(stored)})`, severity: 'error' });
    }
    // Damage already explains any disagreement; on clean data the footer must match exactly.
    if (!damaged) for (const m of footerMismatches(seg.footer, rebuilt)) findings.push({ offset: seg.bodyEnd, message: m, severity: 'error' });
  }
  return { records, packets, findings, rebuilt, recordsEnd, cutBytes };
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

export interface RepairResult {
  /** Bytes cut: an incomplete last record, and a damaged footer and trailer. */
  removedBytes: number;
  footerOffset: number;
}

/**
 * Seals an unsealed segment: cuts an incomplete last record (and a damaged footer and trailer, if
 * any), then appends the footer rebuilt by checkSegment() (sealedBy 'repair') and the trailer.
 * Damaged bytes elsewhere stay as they are, for the record.
 */
export async function repairSegment(seg: SegmentInfo, check: SegmentCheck, now: bigint): Promise<RepairResult> {
  if (seg.sealed) throw new Error('repairSegment: segment is already sealed');
  const footerOffset = check.cutBytes > 0 ? check.recordsEnd : seg.bodyEnd;
  const footer = { ...check.rebuilt, sealedAt: now, checksum: await checksumFile(seg.path, footerOffset) };
  const fh = await open(seg.path, 'r+');
  try {
    await fh.truncate(footerOffset);
    const tail = Buffer.concat([encodeFrame(RecordType.footer, pack(encodeFooter(footer))), encodeTrailer(footerOffset)]);
    await fh.write(tail, 0, tail.length, footerOffset);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  return { removedBytes: seg.size - footerOffset, footerOffset };
}
