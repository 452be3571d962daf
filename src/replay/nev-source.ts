/**
 * A .nev recording (directory or single segment file) as a PacketSource.
 *
 * batches() is what replay, tui and export read: packets with their tasks, and issues. A loss
 * record becomes a warning there, so a gap in the recording is never silent. records() is the
 * extension for readers that want the context itself: the same stream plus task, interface,
 * lifecycle and loss records, in file order. PacketSource is unchanged, so pcap sources are
 * unaffected.
 */
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { inputIssue, type InputIssue } from '../core/errors.ts';
import { scanDirectory } from '../nev/directory.ts';
import { openFollowing } from '../nev/follow.ts';
import { hasMagic, MAGIC } from '../nev/layout.ts';
import { isPacketItem, openRecording, readRecording, type NevItem, type ReadOptions, type Recording } from '../nev/recording.ts';
import { RecordType, type FindingRecord, type LifecycleRecord, type LossRecord, type TaskRecord } from '../nev/records.ts';
import type { LifecycleTree } from './lifecycle-tree.ts';
import type { PacketLocations, PacketReader, PacketSource, SourceItem } from '../core/source.ts';
import { NevReader } from '../nev/random-access.ts';

export class NevSource implements PacketSource {
  readonly name: string;
  readonly hasProcessContext: boolean;

  private constructor(
    readonly recording: Recording,
    private readonly options: ReadOptions,
  ) {
    this.name = recording.path;
    // Converted captures carry no tasks; anything the recorder wrote does.
    this.hasProcessContext = recording.segments.some((s) => s.info?.header && !s.info.header.origin.startsWith('netrec convert'));
  }

  /** Opens a recording; throws InputError when `path` is none. With `follow`, its sealed part (follow.ts). */
  static async open(path: string, options: ReadOptions = {}): Promise<NevSource> {
    if (options.follow === undefined) return new NevSource(await openRecording(path), options);
    const { recording, more } = await openFollowing(path, options.follow);
    return new NevSource(recording, { ...options, more });
  }

  /** By position, through the segments' footer indexes. */
  randomAccess(locations: PacketLocations): Promise<PacketReader> {
    return Promise.resolve(new NevReader(this.recording, locations));
  }

  async *records(): AsyncIterable<NevItem[]> {
    for await (const items of readRecording(this.recording, this.options)) {
      // progress() goes by the last packet handed out, whichever way the recording is read.
      for (let i = items.length - 1; i >= 0; i--) {
        const item = items[i]!;
        if (isPacketItem(item)) {
          this.lastNumber = item.number;
          break;
        }
      }
      yield items;
    }
  }

  /**
   * Lifecycle records met by batches() also go into `tree`, so a `follow` filter sees each
   * fork and exec before the packets that come after it.
   */
  feedLifecycle(tree: LifecycleTree): void {
    this.lifecycle = tree;
  }

  private lifecycle: LifecycleTree | undefined;

  /**
   * The process table and lifecycle records met by batches() also go to `take`, in their place
   * among the packets (the processes running when the recording began first, as task records):
   * the tables' process_events.
   */
  feedContext(take: (record: TaskRecord | LifecycleRecord) => void): void {
    this.context = take;
  }

  private context: ((record: TaskRecord | LifecycleRecord) => void) | undefined;
  /** Number of the last packet handed out, for progress(). */
  private lastNumber = 0;

  /**
   * Recordings are read by position, segment by segment: progress is estimated from packet
   * numbers against the footers' counts, scaled to the recording's bytes.
   */
  progress(): { bytes: number; totalBytes: number | undefined } {
    const segments = this.recording.segments.flatMap((s) => (s.info ? [s.info] : []));
    const totalBytes = segments.reduce((sum, s) => sum + s.size, 0);
    const first = segments[0]?.header?.firstPacketNumber ?? 1;
    const lastSegment = segments[segments.length - 1];
    const end =
      lastSegment?.footer && lastSegment.header ? lastSegment.header.firstPacketNumber + (lastSegment.footer.counts.get(RecordType.packet) ?? 0) : undefined;
    if (end === undefined || end <= first) return { bytes: 0, totalBytes: undefined };
    return { bytes: Math.round(((this.lastNumber - first + 1) / (end - first)) * totalBytes), totalBytes };
  }

  /**
   * Finding records (record --signatures) met by batches() go to `take`, in their place: the
   * packets before a finding are yielded first, and the generator resumes (and calls `take`)
   * only once the consumer has processed them, so output stays in recording order.
   */
  feedFindings(take: (finding: FindingRecord) => void): void {
    this.findings = take;
  }

  private findings: ((finding: FindingRecord) => void) | undefined;

  async *batches(): AsyncIterable<SourceItem[]> {
    const tree = this.lifecycle;
    const findings = this.findings;
    const first = this.recording.segments.find((s) => s.info?.header !== undefined)?.info?.header;
    const context = this.context;
    if (tree && first) tree.running(first.processes, first.createdAt);
    if (context && first) for (const p of first.processes) context({ kind: 'task', ...p });
    for await (const items of this.records()) {
      let out: SourceItem[] = [];
      for (const item of items) {
        if (isPacketItem(item)) {
          this.lastNumber = item.number;
          out.push(item);
        } else if (item.kind === 'issue') out.push(item);
        else if (findings && item.kind === 'finding') {
          if (out.length > 0) yield out;
          out = [];
          findings(item);
        } else if (item.kind === 'loss' && (item.kernelLost > 0n || item.userDropped > 0n)) out.push(lossWarning(this.name, item));
        else if (item.kind === 'task') {
          tree?.define(item);
          context?.(item);
        } else if (item.kind === 'lifecycle') {
          tree?.add(item);
          context?.(item);
        }
      }
      if (out.length > 0) yield out;
    }
  }
}

function lossWarning(file: string, loss: LossRecord): InputIssue {
  const parts = [];
  if (loss.kernelLost > 0n) parts.push(`${loss.kernelLost} packets the kernel could not hand over${loss.cpu !== undefined ? ` on CPU ${loss.cpu}` : ''}`);
  if (loss.userDropped > 0n) parts.push(`${loss.userDropped} packets dropped by the recorder`);
  const issue = inputIssue(file, `time ${loss.start}-${loss.end}`, `lost ${parts.join(', ')}`, 'warning');
  issue.lost = { kernelLost: loss.kernelLost, userDropped: loss.userDropped };
  return issue;
}

/**
 * The recording at `path` when it is one: a directory holding segment files (or entries named
 * like them, which opening reports), or a regular file that starts with the segment magic.
 * Undefined for anything else, which other readers may take: a FIFO or a device is read as a
 * stream, never probed here (a probe would consume its first bytes, or wait on them).
 */
export async function openNevIfRecording(path: string, options: ReadOptions = {}): Promise<NevSource | undefined> {
  let kind: 'directory' | 'file' | 'other';
  try {
    const st = await stat(path);
    kind = st.isDirectory() ? 'directory' : st.isFile() ? 'file' : 'other';
  } catch {
    return undefined; // the caller reports why it cannot be opened
  }
  if (kind === 'directory') {
    let listing;
    try {
      listing = scanDirectory(path);
    } catch {
      return undefined;
    }
    return listing.segments.length + listing.skipped.length > 0 ? NevSource.open(path, options) : undefined;
  }
  if (kind === 'other') return undefined;
  const head = Buffer.alloc(MAGIC.length);
  try {
    // O_NONBLOCK: should a FIFO have taken the file's place since the stat, do not wait on it.
    const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    await fh.read(head, 0, head.length, 0).finally(() => fh.close());
  } catch {
    return undefined;
  }
  return hasMagic(head) ? NevSource.open(path, options) : undefined;
}
