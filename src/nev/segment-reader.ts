/**
 * Reads one segment file: opens it (preamble, header, and footer through the trailer when it is
 * sealed), then streams its body as events in file order: valid frames, decoded records with
 * their record and packet numbers, and problems (damage, undecodable records) with their offsets.
 * Nothing here throws on bad bytes except a newer major format version, which refuses the file.
 */
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { InputError } from '../core/errors.ts';
import { decodeBlock } from './block.ts';
import { openSegmentFile } from './directory.ts';
import { checkFrame, FRAME_HEADER_SIZE, FrameScanner, type FrameCheck } from './framing.ts';
import { FORMAT_MAJOR, parsePreamble, parseTrailer, PREAMBLE_SIZE, TRAILER_SIZE } from './layout.ts';
import { unpack } from './msgpack.ts';
import { decodeBody, decodeFooter, decodeHeader, RecordDecodeError, RecordType, type BodyRecord, type SegmentFooter, type SegmentHeader } from './records.ts';

const CHUNK = 1024 * 1024;
/** Events per batch readBody yields. */
const BATCH = 512;

export interface Problem {
  offset: number;
  message: string;
  /** Error unless said otherwise. */
  severity?: 'warning';
}

export interface SegmentInfo {
  path: string;
  name: string;
  size: number;
  version: { major: number; minor: number };
  /** Absent when the header record is damaged: the body still reads, without process context. */
  header?: SegmentHeader;
  /** Offset of the first body frame. */
  bodyStart: number;
  /** End of the body: the footer's offset when the trailer names one, else the file size. */
  bodyEnd: number;
  footer?: SegmentFooter;
  /**
   * The footer's index and time span agree with the file and with themselves, so seeks may
   * trust them. When not, a warning says why and readers read the segment from its start.
   */
  footerConsistent: boolean;
  sealed: boolean;
  /** What opening found wrong (damaged header, footer or trailer). */
  problems: Problem[];
  /** Encoded bytes of the header and footer records kept in memory with this info. */
  metadataBytes: number;
  /**
   * Set when the recording's open metadata passed its budget: the header's process table and
   * the footer's task list were let go (see openRecording).
   */
  contextDropped?: true;
}

/**
 * `empty`: a zero-length file, what a writer killed as it created the segment leaves.
 * `unopened`: the file could not be opened at all (not a regular file, permissions).
 */
export type OpenResult = { ok: true; segment: SegmentInfo } | { ok: false; problem: Problem; empty: boolean; unopened?: true };

/** Opens a segment. A newer major version throws InputError: reading on would guess. */
export async function openSegment(path: string): Promise<OpenResult> {
  const fh = await openSegmentFile(path);
  if (typeof fh === 'string') return { ok: false, problem: { offset: 0, message: fh }, empty: false, unopened: true };
  try {
    return await inspect(fh, path);
  } finally {
    await fh.close();
  }
}

async function inspect(fh: FileHandle, path: string): Promise<OpenResult> {
  const size = (await fh.stat()).size;
  const problems: Problem[] = [];
  const preamble = parsePreamble(await readAt(fh, 0, PREAMBLE_SIZE));

  // The header repeats the version under a CRC: it confirms the preamble, or stands in for a
  // damaged one, so one flipped bit there neither refuses nor hides the file.
  let header: SegmentHeader | undefined;
  let bodyStart = PREAMBLE_SIZE;
  const head = await frameAt(fh, PREAMBLE_SIZE, size);
  if (head.status === 'ok' && head.type === RecordType.header) {
    const value = unpack(head.payload);
    const decoded = value.ok ? decodeHeader(value.value) : new RecordDecodeError(value.message);
    if (decoded instanceof RecordDecodeError) problems.push({ offset: PREAMBLE_SIZE, message: `header record: ${decoded.message}` });
    else header = decoded;
    bodyStart = PREAMBLE_SIZE + head.end;
  } else {
    const why = head.status === 'ok' ? `record type ${head.type} where the header belongs` : head.status === 'bad' ? head.reason : 'file ends inside it';
    problems.push({ offset: PREAMBLE_SIZE, message: `header record damaged (${why}); packets of this segment have no process context` });
  }

  const stated = header && { major: header.formatMajor, minor: header.formatMinor };
  if (!preamble && !stated) {
    return { ok: false, problem: { offset: 0, message: size === 0 ? 'empty file' : 'not a .nev segment (bad magic)' }, empty: size === 0 };
  }
  const version = stated ?? preamble!;
  if (!preamble) problems.unshift({ offset: 0, message: 'segment magic damaged; the header record vouches for the file' });
  else if (stated && (stated.major !== preamble.major || stated.minor !== preamble.minor)) {
    problems.unshift({
      offset: 8,
      message: `preamble says format ${preamble.major}.${preamble.minor}, header record ${stated.major}.${stated.minor}; trusting the header`,
    });
  }
  if (version.major > FORMAT_MAJOR) {
    throw new InputError(`${path}: .nev format ${version.major}.${version.minor} is newer than this netrec reads (${FORMAT_MAJOR}.x); upgrade netrec`);
  }
  const seg: SegmentInfo = {
    path,
    name: basename(path),
    size,
    version,
    bodyStart,
    bodyEnd: size,
    footerConsistent: false,
    sealed: false,
    problems,
    metadataBytes: bodyStart - PREAMBLE_SIZE,
  };
  if (header) seg.header = header;

  if (size >= seg.bodyStart + TRAILER_SIZE) {
    const footerOffset = parseTrailer(await readAt(fh, size - TRAILER_SIZE, TRAILER_SIZE));
    if (footerOffset !== undefined && footerOffset >= PREAMBLE_SIZE && footerOffset < size - TRAILER_SIZE) {
      seg.bodyEnd = footerOffset;
      const f = await frameAt(fh, footerOffset, size - TRAILER_SIZE);
      const value = f.status === 'ok' && f.type === RecordType.footer && footerOffset + f.end === size - TRAILER_SIZE ? unpack(f.payload) : undefined;
      const footer = value === undefined ? undefined : value.ok ? decodeFooter(value.value) : new RecordDecodeError(value.message);
      if (footer === undefined || footer instanceof RecordDecodeError) {
        const detail = footer instanceof RecordDecodeError ? `: ${footer.message}` : '';
        problems.push({ offset: footerOffset, message: `footer record damaged${detail}; index unavailable` });
      } else {
        seg.footer = footer;
        seg.sealed = true;
        seg.metadataBytes += size - TRAILER_SIZE - footerOffset;
        const doubt = footerDoubt(footer, seg);
        if (doubt === undefined) seg.footerConsistent = true;
        else problems.push({ offset: footerOffset, message: `footer ${doubt}; its index is not used`, severity: 'warning' });
      }
    }
  }
  return { ok: true, segment: seg };
}

/**
 * What makes a footer's index or time span untrustworthy, if anything: an index entry outside
 * the body or out of order would send a seek to the wrong place, or past the file.
 */
function footerDoubt(footer: SegmentFooter, seg: SegmentInfo): string | undefined {
  const { firstTimestamp: first, lastTimestamp: last } = footer;
  if ((first === undefined) !== (last === undefined))
    return `gives ${first === undefined ? 'a last' : 'a first'} packet time but no ${first === undefined ? 'first' : 'last'}`;
  if (first !== undefined && last !== undefined && first > last) return `time span ends (${last}) before it starts (${first})`;
  let prev: SegmentFooter['index'][number] | undefined;
  for (const [i, e] of footer.index.entries()) {
    if (e.offset < seg.bodyStart || e.offset >= seg.bodyEnd) {
      return `index entry ${i} points at offset ${e.offset}, outside the segment's records (${seg.bodyStart}-${seg.bodyEnd})`;
    }
    if (prev && (e.offset <= prev.offset || e.record <= prev.record || e.packetNumber < prev.packetNumber || e.maxTimestampBefore < prev.maxTimestampBefore)) {
      return `index entry ${i} is out of order`;
    }
    prev = e;
  }
  return undefined;
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buf = Buffer.allocUnsafe(length); // only the bytes read are returned
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/**
 * The frame at `offset` of a file whose usable bytes end at `end`; offsets in the result are
 * relative. Reads its header, then exactly the frame: opening a recording of many segments reads
 * only their headers and footers.
 */
async function frameAt(fh: FileHandle, offset: number, end: number): Promise<FrameCheck> {
  const head = await readAt(fh, offset, Math.max(0, Math.min(FRAME_HEADER_SIZE, end - offset)));
  const r = checkFrame(head, 0, head.length);
  if (r.status !== 'short' || offset + r.need > end || r.need <= head.length) return r;
  return checkFrame(await readAt(fh, offset, r.need), 0, r.need);
}

// ---------------------------------------------------------------------------------------------

export type BodyEvent =
  /** A valid top-level frame (record or block) spans [offset, end). */
  | { kind: 'frame'; offset: number; end: number; type: number }
  /**
   * A record. `offset` is its top-level frame's (the block's, when compressed); `packetNumber`
   * is the number of this packet, or for other records of the next one.
   */
  | { kind: 'record'; type: number; rec: BodyRecord; offset: number; record: number; packetNumber: number }
  /** A record of a type this version does not know (from a newer minor version): skipped. */
  | { kind: 'unknown'; type: number; offset: number; record: number }
  /**
   * Bytes [offset, end) are unusable. `cut`: a record cut off by the end of the data (what a
   * stopped writer leaves). `tail`: no record follows up to the end of the body.
   */
  | { kind: 'problem'; offset: number; end: number; message: string; cut: boolean; tail: boolean };

export interface ReadFrom {
  offset: number;
  record: number;
  packetNumber: number;
}

/**
 * The body of a segment, in batches of events. Starts at `from` (an index entry) or at the first
 * body record. When the segment is sealed, record and packet numbers re-anchor at each index entry,
 * so after a damaged stretch they are right again from the next entry on.
 */
export async function* readBody(seg: SegmentInfo, from?: ReadFrom): AsyncGenerator<BodyEvent[]> {
  const anchors = new Map((seg.footerConsistent ? (seg.footer?.index ?? []) : []).map((e) => [e.offset, e]));
  let record = from?.record ?? 1;
  let packetNumber = from?.packetNumber ?? seg.header?.firstPacketNumber ?? 1;
  const fh = await openSegmentFile(seg.path);
  if (typeof fh === 'string') {
    // Opened a moment ago: the file was replaced since.
    yield [{ kind: 'problem', offset: seg.bodyStart, end: seg.bodyEnd, message: `cannot read it again: ${fh}`, cut: false, tail: false }];
    return;
  }
  try {
    const start = from?.offset ?? seg.bodyStart;
    const scanner = new FrameScanner(start, seg.bodyEnd);
    let out: BodyEvent[] = [];

    const onRecord = (type: number, payload: Uint8Array, offset: number, where: string): void => {
      const value = unpack(payload);
      const rec = value.ok ? decodeBody(type, value.value) : new RecordDecodeError(`not msgpack: ${value.message}`);
      if (rec instanceof RecordDecodeError) {
        out.push({ kind: 'problem', offset, end: offset, message: `${where}undecodable record: ${rec.message}`, cut: false, tail: false });
      } else if (rec === undefined) {
        out.push({ kind: 'unknown', type, offset, record });
      } else {
        out.push({ kind: 'record', type, rec, offset, record, packetNumber });
        if (rec.kind === 'packet') packetNumber++;
      }
      record++;
    };

    for (;;) {
      // Hand over batches as they fill, not only per chunk read: a seek wants its first packet soon.
      if (out.length >= BATCH) {
        yield out;
        out = [];
      }
      const step = scanner.next();
      if (step.kind === 'end') break;
      if (step.kind === 'more') {
        yield out;
        out = [];
        scanner.push(await readAt(fh, scanner.loadedEnd, Math.min(CHUNK, seg.bodyEnd - scanner.loadedEnd)));
        continue;
      }
      if (step.kind === 'damage') {
        out.push({ kind: 'problem', offset: step.offset, end: step.end, message: damageMessage(step), cut: step.cut, tail: step.end === seg.bodyEnd });
        continue;
      }
      const anchor = anchors.get(step.offset);
      if (anchor) {
        record = anchor.record;
        packetNumber = anchor.packetNumber;
      }
      out.push({ kind: 'frame', offset: step.offset, end: step.end, type: step.type });
      if (step.type === RecordType.block) {
        expandBlock(step.payload, step.offset, onRecord, out);
      } else if (step.type === RecordType.footer) {
        // Only an unsealed segment is scanned this far: its trailer is what is missing.
        out.push({
          kind: 'problem',
          offset: step.offset,
          end: seg.bodyEnd,
          message: 'footer record found, but the trailer after it is damaged',
          cut: false,
          tail: true,
        });
        break;
      } else if (step.type === RecordType.header) {
        out.push({ kind: 'problem', offset: step.offset, end: step.end, message: 'unexpected header record in the body', cut: false, tail: false });
      } else {
        onRecord(step.type, step.payload, step.offset, '');
      }
    }
    yield out;
  } finally {
    await fh.close();
  }
}

function damageMessage(step: { offset: number; end: number; reason: string; cut: boolean }): string {
  const n = step.end - step.offset;
  if (step.cut) return `last record incomplete (${n} bytes): ${step.reason}`;
  return `damaged data, ${n} bytes skipped: ${step.reason}`;
}

function expandBlock(
  payload: Uint8Array,
  offset: number,
  onRecord: (type: number, payload: Uint8Array, offset: number, where: string) => void,
  out: BodyEvent[],
): void {
  const value = unpack(payload);
  const block = value.ok ? decodeBlock(value.value) : { error: `block: not msgpack: ${value.message}` };
  if ('error' in block) {
    out.push({ kind: 'problem', offset, end: offset, message: `compressed block lost: ${block.error}`, cut: false, tail: false });
    return;
  }
  const inner = new FrameScanner(0, block.raw.length);
  inner.push(block.raw);
  for (let step = inner.next(); step.kind !== 'end'; step = inner.next()) {
    if (step.kind === 'frame') onRecord(step.type, step.payload, offset, `block byte ${step.offset}: `);
    else if (step.kind === 'damage') {
      out.push({ kind: 'problem', offset, end: offset, message: `block bytes ${step.offset}-${step.end}: ${step.reason}`, cut: false, tail: false });
    }
  }
}
