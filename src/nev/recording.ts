/**
 * A recording as readers see it: a .nev directory or one segment file, opened into its segments,
 * and read as packets (with their tasks resolved), context records and input issues, from the
 * start or from a time or packet number found through the footer indexes.
 */
import { realpath, stat } from 'node:fs/promises';
import { inputIssue, InputError, systemMessage, type InputIssue } from '../core/errors.ts';
import type { CapturedPacket, TaskContext } from '../core/packet.ts';
import { lockHolder, scanDirectory, type SegmentFile, type SkippedEntry } from './directory.ts';
import type { ContextRecord, PacketRecord } from './records.ts';
import { entryForPacket, entryForTime } from './seek-index.ts';
import { openSegment, readBody, type BodyEvent, type ReadFrom, type SegmentInfo } from './segment-reader.ts';

/** What a recording yields: packets, the records that give them context, and issues. */
export type NevItem = CapturedPacket | InputIssue | ContextRecord;

export function isPacketItem(item: NevItem): item is CapturedPacket {
  return !('kind' in item);
}

export interface RecordingSegment {
  /** File name (the path as given for a single segment file). */
  name: string;
  /** Absent for a file named like a segment that is none: its issue says why. */
  info?: SegmentInfo;
  /** Reported when reading reaches the segment: damage found on opening it, unsealed... */
  issues: InputIssue[];
}

export interface Recording {
  /** As the user gave it. */
  path: string;
  isDirectory: boolean;
  segments: RecordingSegment[];
  /** Pid of a writer still recording into it. */
  writer?: number;
}

/**
 * Header and footer bytes a recording keeps in memory once opened: every segment's header (its
 * process table) and footer (index, task list). Past this, later segments keep their summaries
 * but let their process tables and task lists go, with a warning: a directory of many segments
 * with 64 MiB headers each must not take the reader down.
 */
export const METADATA_BUDGET = 256 * 1024 * 1024;

export interface OpenOptions {
  metadataBudget?: number;
  /**
   * Only these of the directory's segment files (follow.ts: those sealed and not read yet); none
   * is then no error.
   */
  select?: (files: SegmentFile[]) => SegmentFile[];
}

/** Opens a recording; InputError when it is none (or its format is too new). */
export async function openRecording(path: string, opts: OpenOptions = {}): Promise<Recording> {
  const budget = opts.metadataBudget ?? METADATA_BUDGET;
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (err) {
    throw new InputError(`${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : systemMessage(err)}`);
  }
  const listed = isDirectory ? listFiles(path) : { files: [await namedFile(path)], skipped: [] };
  const { skipped } = listed;
  const files = opts.select ? opts.select(listed.files) : listed.files;
  if (files.length === 0 && opts.select === undefined) {
    const why = skipped.map((e) => `${e.name} ${e.problem}`).join('; ');
    throw new InputError(`${path}: no .nev segments in this directory${why === '' ? '' : ` (${why})`}`);
  }
  const writer = isDirectory ? lockHolder(path) : undefined;
  // Entries named like segments that are none come first: reported before any packet.
  const segments: RecordingSegment[] = skipped.map((e) => ({ name: e.name, issues: [inputIssue(path, `segment ${e.name}`, e.problem)] }));
  let metadata = 0;
  for (const [i, file] of files.entries()) {
    const where = (offset: number): string => (isDirectory ? `segment ${file.name} offset ${offset}` : `offset ${offset}`);
    const opened = await openSegment(file.path);
    if (!opened.ok) {
      if (!isDirectory) throw new InputError(`${path}: ${opened.problem.message}`);
      // An empty last segment is a writer stopped between creating it and writing its header.
      const stopped = opened.empty && i === files.length - 1;
      const message = stopped ? 'empty (the writer stopped as it created it)' : opened.unopened ? `${opened.problem.message}; skipped` : opened.problem.message;
      const at = opened.unopened ? `segment ${file.name}` : where(opened.problem.offset);
      segments.push({ name: file.name, issues: [inputIssue(path, at, message, stopped ? 'warning' : 'error')] });
      continue;
    }
    const info = opened.segment;
    const issues = info.problems.map((p) => inputIssue(path, where(p.offset), p.message, p.severity));
    metadata += info.metadataBytes;
    if (metadata > budget && (info.header?.processes.length || info.footer?.tasks.length)) {
      if (info.header) info.header.processes = [];
      if (info.footer) info.footer.tasks = [];
      info.contextDropped = true;
      issues.push(
        inputIssue(
          path,
          `segment ${file.name}`,
          `the recording's segment headers and footers pass ${budget} bytes: this segment's process table is not kept, so only its own task records give its packets a process`,
          'warning',
        ),
      );
    }
    const stated = info.header?.segmentNumber;
    if (isDirectory && stated !== undefined && stated !== file.number) {
      issues.push(inputIssue(path, `segment ${file.name}`, `its header says it is segment ${stated}`, 'warning'));
    }
    const next = files[i + 1];
    if (next !== undefined && next.number > file.number + 1) {
      const gap = next.number === file.number + 2 ? `segment ${file.number + 1} is` : `segments ${file.number + 1} to ${next.number - 1} are`;
      issues.push(inputIssue(path, `segment ${file.name}`, `${gap} missing after it`, 'warning'));
    }
    segments.push({ name: file.name, info, issues });
  }
  const readable = segments.filter((s): s is RecordingSegment & { info: SegmentInfo } => s.info !== undefined);
  const first = readable[0]?.info.header;
  readable.forEach((s, i) => {
    const { info } = s;
    const at = isDirectory ? `segment ${info.name}` : 'segment';
    if (first && info.header && info.header.recordingId !== first.recordingId) {
      s.issues.push(inputIssue(path, at, `belongs to another recording (id ${info.header.recordingId}, not ${first.recordingId})`, 'warning'));
    }
    if (info.sealed) return;
    if (i < readable.length - 1) s.issues.unshift(inputIssue(path, at, 'not sealed (file cut short or damaged trailer)'));
    else if (writer !== undefined) s.issues.unshift(inputIssue(path, at, `still being written by process ${writer}; records so far`, 'warning'));
    else {
      s.issues.unshift(
        inputIssue(path, at, "not sealed (the writer stopped before closing it); its complete records replay, 'netrec verify --repair' seals it", 'warning'),
      );
    }
  });
  return { path, isDirectory, segments, ...(writer !== undefined ? { writer } : {}) };
}

function listFiles(dir: string): { files: SegmentFile[]; skipped: SkippedEntry[] } {
  try {
    const { segments, skipped } = scanDirectory(dir);
    return { files: segments, skipped };
  } catch (err) {
    throw new InputError(`${dir}: cannot list the directory: ${systemMessage(err)}`);
  }
}

/**
 * A segment file named on the command line: read where the name leads, as any capture named
 * there is (segments inside a directory are never read through a link).
 */
async function namedFile(path: string): Promise<SegmentFile> {
  try {
    return { number: 0, name: path, path: await realpath(path) };
  } catch (err) {
    throw new InputError(`${path}: ${systemMessage(err)}`);
  }
}

export interface ReadOptions {
  /** Start at the first packet whose timestamp is at or after this (epoch ns). */
  fromTime?: bigint;
  /** Start at this packet number. */
  fromPacket?: number;
  /**
   * A recording still being written (ship --follow): each segment is read once sealed, until the
   * writer is gone (then the rest, as it is) or this signal aborts. See follow.ts.
   */
  follow?: AbortSignal;
  /**
   * Set by the source that follows: called when the segments run out; resolves true once it
   * appended segments to `rec.segments` to read on, false when there are no more.
   */
  more?: (rec: Recording) => Promise<boolean>;
}

/**
 * Items in file order. With a start point, segments before it are skipped through their footers
 * and reading begins at the index entry before it; nothing before the first matching packet is
 * yielded, though task records met on the way still resolve refs.
 */
export async function* readRecording(rec: Recording, opts: ReadOptions = {}): AsyncGenerator<NevItem[]> {
  const { segments } = rec;
  let started = opts.fromTime === undefined && opts.fromPacket === undefined;
  const reached = (p: PacketRecord, number: number): boolean => (opts.fromTime !== undefined ? p.timestamp >= opts.fromTime : number >= (opts.fromPacket ?? 0));

  for (let i = 0; i < segments.length || (opts.more !== undefined && (await opts.more(rec))); i++) {
    const { info, issues } = segments[i]!;
    if (info === undefined) {
      if (started && issues.length > 0) yield issues;
      continue;
    }
    let from: ReadFrom | undefined;
    if (!started) {
      if (skipSegment(info, segments[i + 1]?.info, opts)) continue;
      from = startIn(info, opts);
    }
    if (started && issues.length > 0) yield issues;
    const tasks = new Map<number, TaskContext>();
    for (const p of info.header?.processes ?? []) tasks.set(p.ref, p.task);
    // A seek lands after task records it will not read: the footer lists them all.
    if (from) for (const p of info.footer?.tasks ?? []) tasks.set(p.ref, p.task); // from implies footerConsistent
    const unknownRefs = new Set<number>();
    const where = (offset: number): string => (rec.isDirectory ? `segment ${info.name} offset ${offset}` : `offset ${offset}`);

    for await (const events of readBody(info, from)) {
      const out: NevItem[] = [];
      for (const e of events) {
        if (!started && e.kind === 'record' && e.rec.kind === 'packet' && reached(e.rec, e.packetNumber)) {
          started = true;
          out.push(...issues);
        }
        const item = toItem(e, tasks, unknownRefs, rec.path, where, info.sealed);
        if (item === undefined) continue;
        if (started) out.push(...item);
      }
      if (out.length > 0) yield out;
    }
  }
}

/** Whether a seek can pass over the whole segment on the strength of its footer. */
function skipSegment(info: SegmentInfo, next: SegmentInfo | undefined, opts: ReadOptions): boolean {
  if (opts.fromTime !== undefined) {
    const last = info.footer?.lastTimestamp;
    return info.footerConsistent && (last === undefined || last < opts.fromTime);
  }
  const nextFirst = next?.header?.firstPacketNumber;
  return opts.fromPacket !== undefined && nextFirst !== undefined && nextFirst <= opts.fromPacket;
}

function startIn(info: SegmentInfo, opts: ReadOptions): ReadFrom | undefined {
  const index = info.footerConsistent ? (info.footer?.index ?? []) : [];
  const entry = opts.fromTime !== undefined ? entryForTime(index, opts.fromTime) : entryForPacket(index, opts.fromPacket ?? 0);
  return entry && { offset: entry.offset, record: entry.record, packetNumber: entry.packetNumber };
}

function toItem(
  e: BodyEvent,
  tasks: Map<number, TaskContext>,
  unknownRefs: Set<number>,
  file: string,
  where: (offset: number) => string,
  sealed: boolean,
): NevItem[] | undefined {
  switch (e.kind) {
    case 'frame':
    case 'unknown':
      return undefined;
    case 'problem':
      return [inputIssue(file, where(e.offset), e.message, e.cut && !sealed ? 'warning' : 'error')];
    case 'record': {
      const r = e.rec;
      if (r.kind === 'task') tasks.set(r.ref, r.task);
      if (r.kind !== 'packet') return [r];
      const pkt: CapturedPacket = {
        timestamp: r.timestamp,
        linkType: r.linkType,
        data: r.data,
        originalLength: r.originalLength,
        number: e.packetNumber,
        offset: e.offset,
      };
      if (r.cpu !== undefined) pkt.cpu = r.cpu;
      if (r.direction !== undefined) pkt.direction = r.direction;
      if (r.ifindex !== undefined) pkt.ifindex = r.ifindex;
      if (r.socketCookie !== undefined) pkt.socketCookie = r.socketCookie;
      if (typeof r.task === 'object') pkt.task = r.task;
      else if (r.task !== undefined) {
        const task = tasks.get(r.task);
        if (task) pkt.task = task;
        else if (!unknownRefs.has(r.task)) {
          unknownRefs.add(r.task);
          return [inputIssue(file, `packet ${e.packetNumber}`, `refers to task ${r.task}, which this segment does not define`), pkt];
        }
      }
      return [pkt];
    }
  }
}
