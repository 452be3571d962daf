/**
 * Writes a .nev recording: a directory of segments, rotated by size and on wall-clock multiples,
 * optionally as a ring of the newest N segments. Owns the process table: packets name their task
 * by a ref, and each segment's header carries the table as it stands, so a segment stands alone.
 *
 * Durability: buffered records reach the kernel at least every `flushIntervalMs` (100 ms by
 * default; also when a write finds the interval passed, should the event loop be busy), so a
 * SIGKILL loses at most that much. Sealing a segment also fdatasyncs it.
 *
 * With `writeThread`, checksums and writes happen on a worker thread (write-thread.ts) and a
 * flush hands the bytes to it; `flushedPackets` then counts what the thread has written.
 *
 * File system errors (disk full...) are exceptions: they end the recording, not one record.
 */
import { unlinkSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { netrecVersion } from '../core/package.ts';
import type { TaskContext } from '../core/packet.ts';
import { requireBlockCodec } from './block.ts';
import { acquireLock, prepareTarget, releaseLock } from './directory.ts';
import { FORMAT_MAJOR, FORMAT_MINOR, segmentFileName } from './layout.ts';
import type { FindingRecord, InterfaceEntry, LifecycleRecord, LossRecord, PacketRecord, ProcessEntry, SegmentHeader } from './records.ts';
import { emptyInPlacePacket, fitsPacketFrame, packetFields, packetFromFields, type InPlacePacket } from './packet-frame.ts';
import { encodeRecord, frameSize, OUTPUT_BYTES, packetFrameSize, SegmentWriter, type EncodedRecord } from './segment-writer.ts';
import { WriteThread } from './write-thread.ts';

const DEFAULT_FLUSH_INTERVAL_MS = 100;
/** Tasks whose refs writePacket() remembers: a recording of two local ends alternates between two. */
const RECENT_TASKS = 4;

export interface RecordingWriterOptions {
  dir: string;
  /** Replace the segments of an existing non-empty directory. */
  force?: boolean;
  /**
   * Start a new segment before one would pass this many bytes. Exact for plain segments (unless
   * one record is larger); compressed ones estimate their open block from the ratio so far.
   */
  rotateSize?: number;
  /** Start a new segment at every multiple of this many seconds of wall-clock (epoch) time. */
  rotateSeconds?: number;
  /** Ring mode: delete the oldest segments beyond this many. */
  maxSegments?: number;
  /** Write records in lz4-compressed blocks. */
  compress?: boolean;
  snaplen: number;
  /** 'netrec record', 'netrec convert x.pcap'... */
  origin: string;
  /** Defaults: this machine's. Pass '' for input captured elsewhere. */
  hostName?: string;
  kernelRelease?: string;
  /** Epoch ns minus CLOCK_BOOTTIME ns; 0 (the default) when unknown. */
  bootTimeOffset?: bigint;
  interfaces?: InterfaceEntry[];
  /** The processes and threads known at start. */
  processes?: { task: TaskContext; exePath?: string }[];
  flushIntervalMs?: number;
  /**
   * Checksum and write on a worker thread (the live recorder: its thread keeps draining the
   * kernel's ring meanwhile). Synchronous otherwise.
   */
  writeThread?: boolean;
  /** Wall clock in epoch ns; tests inject one. */
  now?: () => bigint;
}

/** A packet to write; its task, if any, goes through the process table. */
export type PacketInput = Omit<PacketRecord, 'kind' | 'task'> & { task?: TaskContext; exePath?: string };

export interface WriterStats {
  segments: number;
  deletedSegments: number;
  packets: number;
  /** Packets handed to the kernel (a SIGKILL from now on cannot lose them). */
  flushedPackets: number;
  records: number;
}

const wallClock = (): bigint => BigInt(Date.now()) * 1_000_000n;

export class RecordingWriter {
  private readonly now: () => bigint;
  private readonly recordingId = randomUUID();
  private readonly flushInterval: number;
  /**
   * The flush timer: with --rotate-seconds a steady interval (segments rotate through idle
   * times); otherwise armed by the first record after a flush, so an idle recorder sleeps.
   */
  private timer: NodeJS.Timeout | undefined;
  private segment!: SegmentWriter;
  private segmentNumber = 0;
  /** Segment numbers on disk, oldest first (for ring mode). */
  private readonly onDisk: number[] = [];
  private readonly firstPackets: number[] = [];
  private rotateAt?: bigint;
  private lastFlush = performance.now();
  private nextPacketNumber = 1;
  private closed = false;
  /** Set by a failed timer flush; thrown by the next call. */
  private failure?: unknown;

  private readonly tasks = new Map<string, ProcessEntry>();
  private nextRef = 1;
  /** Refs the current segment defines (its header's table plus its task records). */
  private defined = new Set<number>();
  private readonly exited = new Set<number>();
  private readonly interfaces = new Map<number, InterfaceEntry>();
  private readonly thread: WriteThread | undefined;
  /** Write-thread jobs not known to be written yet, with the packet count each completes. */
  private readonly inFlight: [job: number, packets: number][] = [];
  /** The last tasks packets named, with their refs (defined in the current segment). */
  private readonly recent = Array.from({ length: RECENT_TASKS }, () => ({
    task: undefined as TaskContext | undefined,
    exePath: undefined as string | undefined,
    ref: 0,
  }));
  private nextRecent = 0;
  /** writePacket()'s packet in the in-place encoder's form, refilled for every packet. */
  private readonly fields = emptyInPlacePacket();
  /** Block bytes of the sealed segments, for compressionRatio(). */
  private readonly blocksDone = { raw: 0, packed: 0 };

  readonly stats: WriterStats = { segments: 0, deletedSegments: 0, packets: 0, flushedPackets: 0, records: 0 };

  constructor(private readonly opts: RecordingWriterOptions) {
    this.now = opts.now ?? wallClock;
    this.flushInterval = opts.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
    if (opts.compress) requireBlockCodec();
    prepareTarget(opts.dir, opts.force ?? false);
    acquireLock(opts.dir);
    for (const i of opts.interfaces ?? []) this.interfaces.set(i.ifindex, i);
    for (const p of opts.processes ?? []) this.entryFor(p.task, p.exePath);
    try {
      this.thread = opts.writeThread ? new WriteThread(OUTPUT_BYTES) : undefined;
      this.openSegment();
    } catch (err) {
      this.thread?.close();
      releaseLock(opts.dir);
      throw err;
    }
    if (opts.rotateSeconds !== undefined) {
      this.timer = setInterval(() => this.tick(), this.flushInterval);
      this.timer.unref();
    }
  }

  /** `p` and its data are not kept: a caller may reuse them for the next packet. */
  writePacket(p: PacketInput): void {
    this.check();
    // Every packet a recording makes is encoded in place; odd ones (timestamps beyond u64 ns
    // from malformed captures) take the generic encoder.
    this.packet(p.task, p.exePath, packetFromFields(p, this.fields) ? this.fields : undefined, p);
  }

  /**
   * writePacket() for a packet in the in-place encoder's form (the live recorder: it fills one
   * from the ring buffer with no allocation). `p` is not kept, nor its bytes.
   */
  writeInPlacePacket(p: InPlacePacket, task: TaskContext | undefined, exePath: string | undefined): void {
    this.check();
    this.packet(task, exePath, p, undefined);
  }

  /** A packet, in place when `inPlace` is given and fits, else from `fields` (made from `inPlace` if need be). */
  private packet(task: TaskContext | undefined, exePath: string | undefined, inPlace: InPlacePacket | undefined, fields: PacketInput | undefined): void {
    // Most packets name one of the last tasks, already defined in this segment: no lookups.
    let ref = task === undefined ? undefined : this.recentRef(task, exePath);
    let definition: EncodedRecord | undefined;
    const known = ref !== undefined;
    if (task !== undefined && !known) [ref, definition] = this.refFor(task, exePath);
    if (inPlace !== undefined && !fitsPacketFrame(inPlace, ref)) {
      fields ??= packetFields(inPlace);
      inPlace = undefined;
    }
    let packet = inPlace ? undefined : encodeRecord(packetRecord(fields!, ref));
    let bytes = packet ? frameSize(packet) : packetFrameSize(inPlace!, ref);
    if (this.rotateIfDue(bytes + (definition ? frameSize(definition) : 0)) && task !== undefined) {
      // The new header holds the table as it stands (a task that exited is no longer in it).
      [ref, definition] = this.refFor(task, exePath);
      packet = inPlace ? undefined : encodeRecord(packetRecord(fields!, ref));
      bytes = packet ? frameSize(packet) : packetFrameSize(inPlace!, ref);
    }
    if (definition) {
      this.append(definition);
      this.defined.add(ref!);
    }
    if (packet) this.append(packet);
    else {
      this.segment.appendPacket(inPlace!, ref, bytes);
      this.appended();
    }
    if (task !== undefined && !known) this.noteRecent(task, exePath, ref!);
    this.stats.packets++;
    this.nextPacketNumber++;
  }

  /** A task's ref, and its definition record when the current segment does not define it yet. */
  private refFor(task: TaskContext, exePath: string | undefined): [number, EncodedRecord | undefined] {
    const entry = this.entryFor(task, exePath);
    return [entry.ref, this.defined.has(entry.ref) ? undefined : encodeRecord({ kind: 'task', ...entry })];
  }

  /** The ref of a task (and executable path) among the last few written, if still defined. */
  private recentRef(task: TaskContext, exePath: string | undefined): number | undefined {
    const recent = this.recent;
    for (let i = 0; i < RECENT_TASKS; i++) {
      const r = recent[i]!;
      if (r.task === task && r.exePath === exePath) return r.ref;
    }
    return undefined;
  }

  private noteRecent(task: TaskContext, exePath: string | undefined, ref: number): void {
    const r = this.recent[this.nextRecent]!;
    r.task = task;
    r.exePath = exePath;
    r.ref = ref;
    this.nextRecent = (this.nextRecent + 1) % RECENT_TASKS;
  }

  /** After the table or the segment's definitions changed: look refs up again. */
  private forgetRecent(): void {
    for (const r of this.recent) r.task = undefined;
  }

  /** Adds a task to the process table (if new) and returns its ref. */
  defineTask(task: TaskContext, exePath?: string): number {
    this.check();
    const entry = this.entryFor(task, exePath);
    if (this.defined.has(entry.ref)) return entry.ref;
    const rec = encodeRecord({ kind: 'task', ...entry });
    this.rotateIfDue(frameSize(rec));
    // A rotation just now put it in the new header.
    if (!this.defined.has(entry.ref)) {
      this.append(rec);
      this.defined.add(entry.ref);
    }
    return entry.ref;
  }

  writeInterface(entry: InterfaceEntry): void {
    this.check();
    this.interfaces.set(entry.ifindex, entry);
    this.write(encodeRecord({ kind: 'interface', ...entry }));
  }

  writeLifecycle(rec: LifecycleRecord): void {
    this.check();
    // An exited thread leaves the table at the next segment (packets of its sockets may still
    // come until then and keep their ref).
    if (rec.event === 'exit') this.exited.add(rec.hostThreadId);
    this.write(encodeRecord(rec));
  }

  writeLoss(rec: Omit<LossRecord, 'kind'>): void {
    this.check();
    this.write(encodeRecord({ kind: 'loss', ...rec }));
  }

  writeFinding(rec: Omit<FindingRecord, 'kind'>): void {
    this.check();
    this.write(encodeRecord({ kind: 'finding', ...rec }));
  }

  /** Number of the first packet of each segment opened so far, in order. */
  get segmentFirstPackets(): readonly number[] {
    return this.firstPackets;
  }

  flush(): void {
    this.check();
    this.segment.flush();
    this.lastFlush = performance.now();
    this.noteFlushed();
  }

  /** After a flush: what is in the kernel now (with a write thread, what it has written). */
  private noteFlushed(): void {
    const thread = this.thread;
    if (thread === undefined) {
      this.stats.flushedPackets = this.stats.packets;
      return;
    }
    const job = thread.postedJobs;
    if (this.inFlight.at(-1)?.[0] !== job) this.inFlight.push([job, this.stats.packets]);
    const done = thread.doneJobs;
    while (this.inFlight.length > 0 && this.inFlight[0]![0] <= done) this.stats.flushedPackets = this.inFlight.shift()![1];
  }

  /** After sealing a segment: everything is written. */
  private settled(): void {
    this.inFlight.length = 0;
    this.stats.flushedPackets = this.stats.packets;
  }

  /** Seals the last segment and releases the directory. */
  close(): WriterStats {
    if (this.closed) return this.stats;
    this.closed = true;
    clearTimeout(this.timer);
    try {
      this.segment.seal(this.now());
      this.settled();
    } finally {
      this.thread?.close();
      releaseLock(this.opts.dir);
    }
    if (this.failure !== undefined) throw this.failure;
    return this.stats;
  }

  private check(): void {
    if (this.closed) throw new Error('RecordingWriter used after close()');
    if (this.failure !== undefined) throw this.failure;
  }

  private tick(): void {
    if (this.closed || this.failure !== undefined) return;
    try {
      if (this.rotateAt !== undefined && this.now() >= this.rotateAt) this.rotate();
      this.flush();
    } catch (err) {
      this.failure = err;
    }
  }

  private write(rec: EncodedRecord): void {
    this.rotateIfDue(frameSize(rec));
    this.append(rec);
  }

  private append(rec: EncodedRecord): void {
    this.segment.append(rec);
    this.appended();
  }

  private appended(): void {
    // The clock is read every 64 records: at a few µs per record that is well within the
    // interval, and reading it per record cost more than anything else per record but the CRC.
    if ((++this.stats.records & 63) === 0 && performance.now() - this.lastFlush >= this.flushInterval) this.flush();
    if (this.timer === undefined) this.armTimer();
  }

  /**
   * Arms the flush timer. A method of its own: a closure over `this` in appended() made V8
   * allocate a context at every call (about 40 bytes a record), armed or not.
   */
  private armTimer(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.tick();
    }, this.flushInterval);
    this.timer.unref();
  }

  /** Rotates when the next record (of `nextBytes`) is due in a new segment; says whether it did. */
  private rotateIfDue(nextBytes: number): boolean {
    const { rotateSize } = this.opts;
    if (rotateSize === undefined && this.rotateAt === undefined) return false;
    const pending = (this.segment.openBlockBytes + nextBytes) * this.compressionRatio();
    const bySize = rotateSize !== undefined && this.segment.bodyRecords > 0 && this.segment.bytes + pending > rotateSize;
    const byTime = this.rotateAt !== undefined && this.now() >= this.rotateAt;
    if (bySize || byTime) this.rotate();
    return bySize || byTime;
  }

  /**
   * Compressed size per raw byte so far (1 for plain segments, and until a block is written):
   * an open block's size on disk is known only once it closes, so size rotation estimates it.
   */
  private compressionRatio(): number {
    const raw = this.blocksDone.raw + this.segment.blocks.raw;
    return raw === 0 ? 1 : (this.blocksDone.packed + this.segment.blocks.packed) / raw;
  }

  private rotate(): void {
    this.segment.seal(this.now());
    this.blocksDone.raw += this.segment.blocks.raw;
    this.blocksDone.packed += this.segment.blocks.packed;
    this.settled();
    for (const [key, entry] of this.tasks) if (this.exited.has(entry.task.hostThreadId)) this.tasks.delete(key);
    this.exited.clear();
    this.openSegment();
    const { maxSegments } = this.opts;
    while (maxSegments !== undefined && this.onDisk.length > maxSegments) {
      unlinkSync(join(this.opts.dir, segmentFileName(this.onDisk.shift()!)));
      this.stats.deletedSegments++;
    }
  }

  private openSegment(): void {
    this.segmentNumber++;
    const processes = [...this.tasks.values()];
    const header: SegmentHeader = {
      formatMajor: FORMAT_MAJOR,
      formatMinor: FORMAT_MINOR,
      netrecVersion: netrecVersion(),
      recordingId: this.recordingId,
      segmentNumber: this.segmentNumber,
      firstPacketNumber: this.nextPacketNumber,
      createdAt: this.now(),
      hostName: this.opts.hostName ?? hostname(),
      kernelRelease: this.opts.kernelRelease ?? release(),
      bootTimeOffset: this.opts.bootTimeOffset ?? 0n,
      snaplen: this.opts.snaplen,
      interfaces: [...this.interfaces.values()],
      processes,
      origin: this.opts.origin,
    };
    this.segment = new SegmentWriter(join(this.opts.dir, segmentFileName(this.segmentNumber)), header, this.opts.compress ?? false, this.thread);
    this.defined = new Set(processes.map((p) => p.ref));
    this.forgetRecent();
    this.onDisk.push(this.segmentNumber);
    this.firstPackets.push(this.nextPacketNumber);
    this.stats.segments++;
    this.lastFlush = performance.now();
    if (this.opts.rotateSeconds !== undefined) {
      const period = BigInt(Math.round(this.opts.rotateSeconds * 1e9));
      this.rotateAt = (header.createdAt / period + 1n) * period;
    }
  }

  /**
   * The table entry for a task as it is now; a changed task gets a new ref. The executable path
   * is not part of a task's identity: without one (a packet's task) the entry keeps its own, and
   * a different one (learned later, or after exec) makes a new entry.
   */
  private entryFor(task: TaskContext, exePath: string | undefined): ProcessEntry {
    const key = taskKey(task);
    let entry = this.tasks.get(key);
    if (!entry || (exePath !== undefined && exePath !== entry.exePath)) {
      entry = { ref: this.nextRef++, task, exePath: exePath ?? '' };
      this.tasks.set(key, entry);
      this.forgetRecent();
    }
    return entry;
  }
}

function packetRecord(p: PacketInput, ref: number | undefined): PacketRecord {
  const { task: _task, exePath: _exePath, ...fields } = p;
  return { kind: 'packet', ...fields, ...(ref !== undefined ? { task: ref } : {}) };
}

/** Keys per task object: a recorder hands the same object for many packets of one socket. */
const keys = new WeakMap<TaskContext, string>();

function taskKey(t: TaskContext): string {
  let key = keys.get(t);
  if (key === undefined) {
    key = computeKey(t);
    keys.set(t, key);
  }
  return key;
}

function computeKey(t: TaskContext): string {
  return [
    t.hostThreadId,
    t.threadStartTime,
    t.hostProcessId,
    t.hostParentProcessId,
    t.processId,
    t.threadId,
    t.parentProcessId,
    t.userId,
    t.mountNamespace,
    t.pidNamespace,
    t.cgroupId,
    t.processName,
    t.hostName,
    t.containerId,
    t.leaderName,
  ].join('\0');
}
