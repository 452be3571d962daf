/**
 * The live recording loop: kernel records from the ring buffer → task contexts → the .nev writer
 * (and, for --print, the replay pipeline).
 *
 * Start: load and attach the BPF object, read /proc, seed the sockets that already exist, open
 * the writer with the process table. Loop: drain the ring every few milliseconds (at once again
 * while it has a backlog), and once a second turn the kernel's per-CPU loss counters into loss
 * records. Stop (abort signal or --duration): detach, drain what is left, write the last losses,
 * seal the last segment, release everything. Every exit path releases the kernel objects; the
 * links die with the process anyway.
 */
import { getPriority, setPriority } from 'node:os';
import { relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LinkType, type CapturedPacket, type TaskContext } from '../core/packet.ts';
import { hi32, lo32, u64Of } from '../core/u64.ts';
import { emptyInPlacePacket, packetFields, type InPlacePacket } from '../nev/packet-frame.ts';
import { RecordingWriter, type RecordingWriterOptions } from '../nev/recording-writer.ts';
import { AbiError, decodePacket, decodeRecord, emptyPacket, RecordKind, TaskSource, TracePid, type RawLifecycle, type RawPacket } from './abi.ts';
import { BpfObject, MAPS } from './bpf-object.ts';
import { CgroupIndex, findCgroup2Root } from './cgroup.ts';
import { bootTimeOffset, taiOffset } from './clock.ts';
import { CounterReader, sumCounters } from './counters.ts';
import { CLOCK_REALTIME, loadNative } from './libbpf.ts';
import { readProcTasks } from './proc.ts';
import { RingReader } from './ring-reader.ts';
import { seedSockets } from './socket-seed.ts';
import { hostInterfaces, utsLookup } from './host.ts';
import { TaskResolver } from './tasks.ts';
import type { RecordFilter } from './trace-filter.ts';

export const DEFAULT_SNAPLEN = 65535;
export const DEFAULT_RING_BYTES = 16 << 20;
/** How long the loop sleeps when the ring is empty: bounds latency (--print) and the backlog. */
const POLL_MS = 10;
/**
 * After a second without records the loop sleeps longer (idle cost: fewer wake-ups), as long as
 * the ring can absorb what a sudden burst puts in meanwhile: at most this long, and at most half
 * the ring's worth of small records (about 300 bytes each) at half a million a second (55 ms
 * for the default 16 MiB ring).
 */
const IDLE_POLL_MS = 100;
const IDLE_AFTER_MS = 1000;
/** 500,000 records a second of about 300 bytes: above what this machine's senders reach. */
const BURST_BYTES_PER_MS = 300 * 500;
/** Records per drain before yielding to the event loop (signals, timers, the --print sink). */
const BATCH = 4096;
const TICK_MS = 1000;
/** An exited process's executable path is kept this long for its sockets' last packets. */
const EXE_PATH_GRACE_MS = 30_000;

export type WriterTarget = Pick<RecordingWriterOptions, 'dir' | 'force' | 'compress' | 'rotateSize' | 'rotateSeconds' | 'maxSegments'>;

export interface RecordOptions {
  target: WriterTarget;
  snaplen: number;
  /** The cgroup v2 directory whose subtree is captured. */
  cgroupPath: string;
  objectPath?: string;
  ringBytes?: number;
  /**
   * Follow accept/accept4 and SCM_RIGHTS with the syscall-exit hook (default true); without it,
   * such a connection stays its listener's (or sender's) until the task that holds it sends.
   */
  acceptAttribution?: boolean;
  filter?: RecordFilter;
  /**
   * Host pids whose packets are left out (counted in `ownTraffic`): netrec's own helpers, such as
   * the --ship child, whose requests would otherwise be recorded, shipped, recorded again...
   * Filled in after start (the child starts once the writer is open), so it is read per packet.
   */
  ownPids?: ReadonlySet<number>;
  /** Ends the recording. */
  signal: AbortSignal;
  /** --print: every stored packet, in the form the replay pipeline takes. */
  onPacket?: (packet: CapturedPacket) => void;
  /** One-line notes for stderr (seeding results, kernel-side losses). */
  note?: (line: string) => void;
  /** Called once capture runs: programs attached, existing sockets seeded, writer open. */
  onReady?: () => void;
  /** record --signatures: the writer, to store findings in (and learn where segments start). */
  onWriterOpen?: (writer: RecordingWriter) => void;
  /**
   * Awaited after the last packet went to onPacket and before the recording is sealed: the
   * signatures catch up and store their last findings.
   */
  beforeSeal?: () => Promise<void>;
}

export interface RecordSummary {
  packets: number;
  /** Packet bytes stored. */
  bytes: number;
  /** Packets the kernel could not hand over (ring buffer full). */
  lostPackets: bigint;
  /** Lifecycle records lost the same way. */
  lostLifecycle: bigint;
  /** Sockets accepted or received over a unix socket whose new owner could not be noted. */
  lostClaims: bigint;
  /** Packets cut by the snaplen. */
  truncated: bigint;
  /** Packets left out by --trace. */
  filtered: number;
  /** Packets of netrec's own helper processes (opts.ownPids), left out. */
  ownTraffic: number;
  segments: number;
  durationMs: number;
  seededSockets: number;
  /** Records that did not match the ABI (should be 0; a mismatched object). */
  badRecords: number;
}

/**
 * The recorder's scheduling priority (nice). A record costs it about ten times what a packet
 * costs tcpdump, so on a busy machine the default share of the CPU lets the ring overflow while
 * tcpdump keeps up (measured: docs/performance.md); a higher priority shortens the gaps in which
 * it does not run. Root may raise it; where it cannot, it records at the priority it has.
 */
const RECORDER_NICE = -10;

export async function record(opts: RecordOptions): Promise<RecordSummary> {
  const { libbpf, libc } = loadNative();
  raisePriority(opts.note);
  const ringBytes = opts.ringBytes ?? DEFAULT_RING_BYTES;
  const started = performance.now();
  const root = findCgroup2Root() ?? opts.cgroupPath;
  // With --cgroup, only that subtree's tasks: "/sub/tree" relative to the root, '' for all.
  const subtree = relative(root, opts.cgroupPath) === '' ? '' : `/${relative(root, opts.cgroupPath)}`;
  const object = BpfObject.load({
    snaplen: opts.snaplen,
    ringBytes,
    cgroupOnly: subtree !== '',
    ...(opts.objectPath ? { objectPath: opts.objectPath } : {}),
    ...(opts.filter?.prefilter ? { prefilter: opts.filter.prefilter } : {}),
  });
  let ring: RingReader | undefined;
  let session: Session | undefined;
  let summary: RecordSummary;
  try {
    object.attach(opts.cgroupPath, opts.acceptAttribution ?? true);
    ring = new RingReader(libc, object.mapFd(MAPS.events), ringBytes);
    const counters = new CounterReader(libbpf, object.mapFd(MAPS.counters), libbpf.possibleCpus());
    const cgroups = new CgroupIndex(root);
    const resolver = new TaskResolver(cgroups, utsLookup(libbpf, object.mapFd(MAPS.utsNames)));

    // The programs are attached: every socket made from now on gets its owner from the hooks,
    // so /proc is read after attaching and seeding never overwrites a hook's entry.
    const inSubtree = (id: bigint): boolean => {
      const path = cgroups.pathOf(id);
      return path !== undefined && (path === subtree || path.startsWith(`${subtree}/`));
    };
    const running = readProcTasks(cgroups, { threads: true, skipPid: process.pid }).filter((t) => subtree === '' || inSubtree(t.task.cgroupId));
    const mainThreads = running.filter((t) => t.task.hostTid === t.task.hostPid).map((t) => t.task);
    const seeded = seedSockets(libbpf, libc, object.mapFd(MAPS.sockOwners), mainThreads);
    if (seeded.unreachable > 0)
      opts.note?.(`${seeded.unreachable} process(es) vanished or refused pidfd_getfd: their existing sockets stay unattributed until used`);

    const processes = running.map((t) => ({ task: resolver.fromRaw(t.task), exePath: t.exePath }));
    opts.filter?.seed(processes.filter((p) => p.task.hostThreadId === p.task.hostProcessId).map((p) => p.task));
    if (opts.filter?.prefilter?.follow) object.addTracePids(opts.filter.followedPids, TracePid.followed);
    const kept = opts.filter === undefined ? processes : processes.filter((p) => opts.filter!.keeps(p.task));
    const writer = new RecordingWriter({
      ...opts.target,
      snaplen: opts.snaplen,
      origin: 'netrec record',
      bootTimeOffset: bootTimeOffset(libc),
      interfaces: hostInterfaces(),
      processes: kept,
      // Checksums and writes on their own thread: this one keeps draining the ring meanwhile.
      writeThread: true,
    });
    session = new Session(opts, writer, resolver, counters, {
      epochNow: () => libc.clockNs(CLOCK_REALTIME),
      taiOffset: () => taiOffset(libc),
    });
    for (const p of processes) if (p.task.hostThreadId === p.task.hostProcessId) session.exePaths.set(p.task.hostProcessId, p.exePath);
    session.summary.seededSockets = seeded.seeded;
    opts.onWriterOpen?.(writer);

    opts.onReady?.();
    await session.run(ring, opts.signal);
    // No producers after detaching: what the ring holds now is everything.
    object.detach();
    while (ring.drain(session.handle) > 0);
    session.tick();
    await opts.beforeSeal?.();
    writer.close();
    summary = session.summary;
    summary.segments = writer.stats.segments - writer.stats.deletedSegments;
  } finally {
    ring?.close();
    object.close();
    session?.abandon();
  }
  summary.durationMs = performance.now() - started;
  return summary;
}

/** State of one recording between start and stop (exported for bench/record-pipeline.ts). */
export class Session {
  readonly summary: RecordSummary = {
    packets: 0,
    bytes: 0,
    lostPackets: 0n,
    lostLifecycle: 0n,
    lostClaims: 0n,
    truncated: 0n,
    filtered: 0,
    ownTraffic: 0,
    segments: 0,
    durationMs: 0,
    seededSockets: 0,
    badRecords: 0,
  };
  /** Host pid → executable path, for the process table (exec records update it). */
  readonly exePaths = new Map<number, string>();
  private readonly exitedAt = new Map<number, number>();
  private lastTickEpoch: bigint;
  private nextTick = performance.now() + TICK_MS;
  private closed = false;
  /** CLOCK_TAI − CLOCK_REALTIME: read once a second, so a leap second moves it within 1 s. */
  private taiOffset = 0n;
  /** taiOffset as u32 halves (the high one signed), for packets' timestamps: no bigint per packet. */
  private taiHi = 0;
  private taiLo = 0;
  /** exePathOf()'s last answer, for this task object. */
  private lastTask: TaskContext | undefined;
  private lastExePath = '';
  /** The kernel's packet record, decoded anew for every packet. */
  private readonly raw: RawPacket = emptyPacket();
  /**
   * The writer's input, refilled for every packet. Its bytes are the whole ring's, viewed once
   * (a packet's are a range of them, copied by the writer): no typed array per packet.
   */
  private readonly input: InPlacePacket = { ...emptyInPlacePacket(), linkType: LinkType.RAW };

  constructor(
    private readonly opts: RecordOptions,
    private readonly writer: RecordingWriter,
    private readonly resolver: TaskResolver,
    private readonly counters: CounterReader,
    private readonly clocks: { epochNow: () => bigint; taiOffset: () => bigint },
  ) {
    this.lastTickEpoch = clocks.epochNow();
    this.readTaiOffset();
  }

  /** Reads CLOCK_TAI − CLOCK_REALTIME, and keeps its halves for the packets' timestamps. */
  private readTaiOffset(): void {
    this.taiOffset = this.clocks.taiOffset();
    this.taiHi = hi32(this.taiOffset);
    this.taiLo = lo32(this.taiOffset);
  }

  async run(ring: RingReader, signal: AbortSignal): Promise<void> {
    const idlePoll = Math.max(POLL_MS, Math.min(IDLE_POLL_MS, Math.floor(ring.size / 2 / BURST_BYTES_PER_MS)));
    let lastRecord = performance.now();
    while (!signal.aborted) {
      const n = ring.drain(this.handle, BATCH);
      const now = performance.now();
      if (now >= this.nextTick) this.tick();
      if (n === BATCH) await new Promise((resolve) => setImmediate(resolve));
      else {
        if (n > 0) lastRecord = now;
        // No AbortSignal on the timer: its listener costs more than the sleep; a stop waits one poll.
        await sleep(now - lastRecord > IDLE_AFTER_MS ? idlePoll : POLL_MS);
      }
    }
  }

  /** Writer failures (disk full) propagate: they end the recording. */
  readonly handle = (view: DataView, offset: number, size: number): void => {
    // Packets (nearly every record) are decoded into one reused object.
    const isPacket = size >= 4 && view.getUint32(offset, true) === RecordKind.packet;
    const rec = isPacket ? decodePacket(view, offset, size, this.raw) : decodeRecord(view, offset, size);
    // Compared by identity first: instanceof on every record cost more than its decoding.
    if (rec !== this.raw && rec instanceof AbiError) {
      if (this.summary.badRecords++ === 0) this.opts.note?.(`ignoring a kernel record that does not match the ABI: ${rec.message}`);
      return;
    }
    if (rec.kind === 'packet') this.packet(view, rec);
    else this.lifecycle(rec);
  };

  /**
   * The hot path (hundreds of thousands a second): one reused input object, the packet bytes
   * read in place from the ring (the writer copies them into its buffer during the call), the
   * process-table entry found by the writer from the task object the resolver shares.
   */
  private packet(view: DataView, rec: RawPacket): void {
    const task = rec.taskSource === TaskSource.none ? undefined : this.resolver.fromView(view, rec.taskOffset);
    if (this.opts.filter !== undefined && (task === undefined || !this.opts.filter.keeps(task))) {
      this.summary.filtered++;
      return;
    }
    const own = this.opts.ownPids;
    if (own !== undefined && own.size > 0 && task !== undefined && own.has(task.hostProcessId)) {
      this.summary.ownTraffic++;
      return;
    }
    // CLOCK_TAI − taiOffset in u32 halves, with the borrow; the low half stays a u32.
    let lo = rec.timeLo - this.taiLo;
    let hi = rec.timeHi - this.taiHi;
    if (lo < 0) {
      lo += 0x1_0000_0000;
      hi--;
    }
    const input = this.input;
    if (view !== input.bytesView) {
      input.bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      input.bytesView = view;
    }
    input.timestampHi = hi;
    input.timestampLo = lo;
    input.cpu = rec.cpu;
    input.ifindex = rec.ifindex;
    input.direction = rec.direction;
    input.originalLength = rec.wireLen;
    input.dataStart = rec.dataOffset;
    input.dataLength = rec.capLen;
    input.hasCookie = rec.cookieHi !== 0 || rec.cookieLo !== 0;
    input.cookieHi = rec.cookieHi;
    input.cookieLo = rec.cookieLo;
    const exePath = task === undefined ? undefined : this.exePathOf(task);
    if (hi >= 0 && hi <= 0xffffffff) this.writer.writeInPlacePacket(input, task, exePath);
    // A realtime stamp outside u64 ns (a clock set before 1970): as exact, by the generic encoder.
    else this.writer.writePacket({ ...packetFields(input), timestamp: this.realtime(rec), task, exePath });
    this.summary.packets++;
    this.summary.bytes += rec.capLen;
    if (this.opts.onPacket !== undefined) this.print(rec, task);
  }

  /** The executable path for a packet's task (the last task's is kept: packets come in runs). */
  private exePathOf(task: TaskContext): string {
    if (task !== this.lastTask) {
      this.lastTask = task;
      this.lastExePath = this.exePaths.get(task.hostProcessId) ?? '';
    }
    return this.lastExePath;
  }

  /** --print: a packet of its own, its bytes copied (the ring reuses them once consumed). */
  private print(rec: RawPacket, task: TaskContext | undefined): void {
    this.opts.onPacket!({
      ...packetFields(this.input),
      timestamp: this.realtime(rec),
      ...(task !== undefined ? { task } : {}),
      number: this.summary.packets,
      offset: 0,
    });
  }

  /** A packet's CLOCK_REALTIME ns as a bigint, exactly (off the hot path). */
  private realtime(rec: RawPacket): bigint {
    return u64Of(rec.timeHi, rec.timeLo) - this.taiOffset;
  }

  private lifecycle(rec: RawLifecycle): void {
    this.lastTask = undefined; // exePaths may change
    const task = this.resolver.fromRaw(rec.task);
    const timestamp = rec.time - this.taiOffset;
    const filter = this.opts.filter;
    const isProcess = task.hostThreadId === task.hostProcessId;
    switch (rec.kind) {
      case 'fork': {
        if (isProcess) this.exePaths.set(task.hostProcessId, this.exePaths.get(rec.actorPid) ?? '');
        if (filter !== undefined && !filter.onFork(rec.actorPid, task)) return;
        this.writer.writeLifecycle({
          kind: 'lifecycle',
          event: 'fork',
          timestamp,
          hostProcessId: rec.actorPid,
          hostThreadId: rec.actorTid,
          taskRef: this.define(task),
          childHostProcessId: task.hostProcessId,
          childHostThreadId: task.hostThreadId,
        });
        return;
      }
      case 'exec': {
        this.resolver.forgetHostName(rec.task.utsNs);
        const fresh = this.resolver.fromRaw(rec.task);
        this.exePaths.set(fresh.hostProcessId, rec.text);
        if (filter !== undefined && !filter.keeps(fresh)) return;
        const base = { kind: 'lifecycle', timestamp, hostProcessId: fresh.hostProcessId, hostThreadId: fresh.hostThreadId } as const;
        this.writer.writeLifecycle({ ...base, event: 'exec', taskRef: this.define(fresh), path: rec.text });
        return;
      }
      case 'exit': {
        const kept = filter === undefined || filter.keeps(task);
        filter?.onExit(task.hostProcessId, task.hostThreadId);
        if (isProcess) this.exitedAt.set(task.hostProcessId, performance.now());
        if (!kept) return;
        const base = { kind: 'lifecycle', timestamp, hostProcessId: task.hostProcessId, hostThreadId: task.hostThreadId } as const;
        this.writer.writeLifecycle({ ...base, event: 'exit', exitCode: rec.exitCode });
        return;
      }
      case 'comm': {
        // The main thread's name is the process's: its rename renames the process too.
        const renamed: TaskContext = { ...task, processName: rec.text, ...(isProcess ? { leaderName: rec.text } : {}) };
        if (filter !== undefined && !filter.keeps(task) && !filter.keeps(renamed)) return;
        const base = { kind: 'lifecycle', timestamp, hostProcessId: task.hostProcessId, hostThreadId: task.hostThreadId } as const;
        this.writer.writeLifecycle({ ...base, event: 'comm', taskRef: this.define(renamed), comm: rec.text });
        return;
      }
    }
  }

  private define(task: TaskContext): number {
    return this.writer.defineTask(task, this.exePaths.get(task.hostProcessId) ?? '');
  }

  /** Once a second: kernel-side losses since the last tick become loss records. */
  tick(): void {
    this.nextTick = performance.now() + TICK_MS;
    this.readTaiOffset();
    const now = this.clocks.epochNow();
    const deltas = this.counters.delta();
    deltas.forEach((d, cpu) => {
      if (d.lostPackets > 0n) {
        this.writer.writeLoss({ start: this.lastTickEpoch, end: now, cpu, kernelLost: d.lostPackets, userDropped: 0n });
      }
    });
    const total = sumCounters(deltas);
    if (total.lostPackets + total.lostLifecycle > 0n && this.summary.lostPackets + this.summary.lostLifecycle === 0n) {
      this.opts.note?.('the ring buffer overflowed: the kernel side is dropping records (loss records mark when); a larger --buffer-size may help');
    }
    this.summary.lostPackets += total.lostPackets;
    this.summary.lostLifecycle += total.lostLifecycle;
    this.summary.lostClaims += total.lostClaims;
    this.summary.truncated += total.truncated;
    this.summary.filtered += Number(total.filtered);
    this.lastTickEpoch = now;
    this.lastTask = undefined;
    const horizon = performance.now() - EXE_PATH_GRACE_MS;
    for (const [pid, at] of this.exitedAt) {
      if (at > horizon) break; // insertion order is exit order
      this.exitedAt.delete(pid);
      this.exePaths.delete(pid);
    }
  }

  /** After a failure: release the writer's directory lock (the segment stays unsealed, repairable). */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.writer.close();
    } catch {
      // already closed, or the failure that got us here: the caller reports the original error
    }
  }
}

function raisePriority(note: RecordOptions['note']): void {
  try {
    if (getPriority() > RECORDER_NICE) setPriority(RECORDER_NICE);
  } catch (err) {
    note?.(`cannot raise the recorder's priority (${err instanceof Error ? err.message : String(err)}): a busy machine may starve it`);
  }
}
