/**
 * Everything the TUI knows about one capture, apart from React: the packet index (filled by a
 * background scan), random access to packets, a bounded cache of decoded entries, the process
 * table, and the views (all packets, filters, follows) with their background passes.
 *
 * Memory is bounded whatever the capture's size: 17 bytes per packet in the index, 4 bytes per
 * packet a filtered view holds, at most ENTRY_CACHE_CAPACITY decoded packets, and stats in
 * bounded counters. Components subscribe to one change signal and read synchronously; background
 * progress is coalesced to at most one notification every PROGRESS_INTERVAL_MS.
 */
import { stat } from 'node:fs/promises';
import { compileFilters, type CompiledFilter } from '../../filter/compile.ts';
import { InputError, systemMessage } from '../../core/errors.ts';
import { openCapture } from '../../replay/open.ts';
import type { PacketReader, PacketSource } from '../../core/source.ts';
import { EntryCache } from './entry-cache.ts';
import { readEntries, type Entry } from './entry.ts';
import { splitFilterText } from './filter-text.ts';
import { scanSource, type ScanState } from './index-scan.ts';
import { LifecycleTree } from '../../replay/lifecycle-tree.ts';
import { dnsExchangeMatcher, exchangeNote, filterMatcher, filterShows, flowMatcher, flowOf } from './matchers.ts';
import { runPass, type Matcher, type PassInput } from './match-pass.ts';
import { PacketIndex } from './packet-index.ts';
import { ProcessTable } from './process-table.ts';
import { CaptureStats } from './stats.ts';
import { FlowStream } from './stream.ts';
import { processLabel } from '../views/summary.ts';
import { AllPackets, MatchView, TailView, type MatchViewOptions, type PacketView } from './view.ts';
import { readTail, tailPlan } from './recording-tail.ts';
import { NevSource } from '../../replay/nev-source.ts';

/** Background progress reaches the screen at most this often. */
export const PROGRESS_INTERVAL_MS = 100;
/** Rows decoded as soon as the index has them: a tall terminal's first screen. */
const FIRST_PAGE = 128;

export interface FilterResult {
  view: PacketView;
  warnings: string[];
}

export class CaptureStore implements PassInput {
  readonly processes = new ProcessTable();
  readonly lifecycle = new LifecycleTree();
  readonly scan: ScanState = { done: false, wireBytes: 0, errors: 0, warnings: 0, issues: [], findings: [], findingsTotal: 0, findingPackets: new Set() };
  readonly all: AllPackets;
  readonly #cache: EntryCache;
  /** Positions being read for the screen: asked again before they arrive, they are not re-read. */
  readonly #loading = new Set<number>();
  readonly #listeners = new Set<() => void>();
  readonly #scanAbort = new AbortController();
  #indexWaiters: (() => void)[] = [];
  #version = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerUrgent = false;
  #stats: CaptureStats | undefined;
  readonly #statsAbort = new AbortController();
  #streamAbort: AbortController | undefined;
  #drillAbort: AbortController | undefined;
  /** Views made here, so that closing the store stops their passes before the file closes. */
  readonly #views = new Set<MatchView>();
  #readFailure: string | undefined;
  #firstFailure: string | undefined;
  #firstPageAsked = false;

  private constructor(
    readonly name: string,
    readonly hasProcessContext: boolean,
    readonly index: PacketIndex,
    readonly reader: PacketReader,
    private readonly source: PacketSource,
    cacheCapacity: number | undefined,
  ) {
    this.#cache = new EntryCache(cacheCapacity);
    this.all = new AllPackets(this);
    const targets = {
      index: this.index,
      processes: this.processes,
      lifecycle: this.lifecycle,
      state: this.scan,
      progressed: () => this.#indexProgressed(),
    };
    void scanSource(source, targets, this.#scanAbort.signal);
    if (source instanceof NevSource) void this.#readTail(source);
  }

  /** A recording's last packets, through its footers, for G while the scan runs (recording-tail.ts). */
  async #readTail(source: NevSource): Promise<void> {
    const plan = tailPlan(source.recording);
    if (plan === undefined) return;
    try {
      const packets = await readTail(source.recording, plan, this.#scanAbort.signal);
      if (packets === undefined || this.scan.done) return;
      this.index.setTail(plan.start, packets);
      this.changed();
    } catch {
      // The scan reads the same bytes and reports what is wrong with them; G then waits for it.
    }
  }

  /** The recording's end while the scan has not reached it (G), else undefined. */
  tailView(): PacketView | undefined {
    const tail = this.index.tail;
    return tail === undefined || this.scan.done ? undefined : new TailView(tail.start, tail.end - tail.start);
  }

  /** Opens `path` and starts indexing it; InputError when it is not a capture. */
  static async open(path: string, options: { cacheCapacity?: number } = {}): Promise<CaptureStore> {
    await requireSeekable(path);
    const source = await openCapture(path);
    const index = new PacketIndex();
    if (source.randomAccess === undefined) throw new InputError(`${path}: cannot be read by position; the TUI pages back and forth through a file`);
    const reader = await source.randomAccess(index);
    return new CaptureStore(source.name, source.hasProcessContext, index, reader, source, options.cacheCapacity);
  }

  // --- change signal (useSyncExternalStore) ------------------------------------------------

  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  readonly getVersion = (): number => this.#version;

  /** Coalesces notifications: urgent ones go out on the next turn, progress every 100 ms. */
  changed(urgent = false): void {
    if (this.#timer !== undefined) {
      if (!urgent || this.#timerUrgent) return;
      clearTimeout(this.#timer);
    }
    this.#timerUrgent = urgent;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#version++;
        for (const listener of this.#listeners) listener();
      },
      urgent ? 0 : PROGRESS_INTERVAL_MS,
    );
  }

  // --- PassInput ------------------------------------------------------------------------------

  scanDone(): boolean {
    return this.scan.done;
  }

  indexed(): Promise<void> {
    if (this.scan.done) return Promise.resolve();
    return new Promise((resolve) => this.#indexWaiters.push(resolve));
  }

  // --- entries --------------------------------------------------------------------------------

  /** The decoded entry at `position` if it is in memory; `want` it otherwise. */
  entry(position: number): Entry | undefined {
    return this.#cache.get(position);
  }

  /** How far the index scan has read the file (0..1), when the source can tell. */
  indexProgress(): number | undefined {
    const p = this.source.progress?.();
    if (p === undefined || p.totalBytes === undefined || p.totalBytes === 0) return undefined;
    return Math.min(1, p.bytes / p.totalBytes);
  }

  /** A failed read for the screen (the file changed under us...), shown in the status line. */
  get readFailure(): string | undefined {
    return this.#readFailure;
  }

  /**
   * The first read of the file that failed, whatever made it (the scan, the screen, a filter,
   * search or stats pass): the file changed under the TUI. Reported again on exit (exit 1).
   */
  get failure(): string | undefined {
    return this.#firstFailure ?? this.scan.failure;
  }

  #failed(message: string): void {
    this.#firstFailure ??= message;
  }

  /** Reads and decodes the missing ones among `positions` (ascending), then notifies. */
  want(positions: readonly number[]): void {
    const missing = positions.filter((p) => !this.#cache.has(p) && !this.#loading.has(p) && this.index.has(p));
    if (missing.length === 0) return;
    for (const p of missing) this.#loading.add(p);
    this.#load(missing, true)
      .then((entries) => {
        for (const e of entries) this.#cache.set(e);
      })
      .catch((error: unknown) => {
        this.#readFailure = error instanceof Error ? error.message : String(error);
        this.#failed(this.#readFailure);
      })
      .finally(() => {
        for (const p of missing) this.#loading.delete(p);
        this.changed(true);
      });
  }

  /** Entries for `positions` (ascending), from the cache or read without filling it (searches). */
  async entries(positions: readonly number[]): Promise<Entry[]> {
    const cached = new Map<number, Entry>();
    for (const p of positions) {
      const e = this.#cache.get(p);
      if (e !== undefined) cached.set(p, e);
    }
    const read = await this.#load(
      positions.filter((p) => !cached.has(p)),
      false,
    );
    for (const e of read) cached.set(e.position, e);
    return positions.map((p) => cached.get(p)!);
  }

  // --- views ----------------------------------------------------------------------------------

  /** The packets `text` selects; throws UsageError (the filter engine's message) when it is wrong. */
  filter(text: string): FilterResult {
    const expressions = splitFilterText(text);
    if (expressions.length === 0) return { view: this.all, warnings: [] };
    const compiled: CompiledFilter = compileFilters(expressions, {
      hasProcessContext: this.hasProcessContext,
      // follow finds descendants in lifecycle records; a capture without any has none to give.
      ...(this.lifecycle.records > 0 ? { processTree: this.lifecycle.tree } : {}),
    });
    if (compiled.needsProcessTree && !this.scan.done) {
      compiled.warnings.push('follow sees the lifecycle records indexed so far; apply the filter again once indexing is done');
    }
    const view = this.#matchView({ title: expressions.join(' '), shows: filterShows(compiled), matcher: filterMatcher(compiled) });
    return { view, warnings: compiled.warnings };
  }

  /** The flow of `entry`'s packet, or its DNS exchange when it carries DNS; a reason when neither. */
  follow(entry: Entry): PacketView | { problem: string } {
    const { packet, decoded } = entry;
    const exchange = dnsExchangeMatcher(packet, decoded);
    if (exchange !== undefined) {
      const { matcher, start } = exchange;
      const question = decoded.dns[0]!;
      const view: MatchView = this.#matchView({
        title: `DNS exchange id ${question.id.toString(16).padStart(4, '0')}`,
        matcher,
        from: Math.min(this.index.positionAtTime(start), entry.position),
        note: () => exchangeNote(exchange.exchange, view.done),
      });
      return view;
    }
    const flow = flowOf(decoded);
    if (flow === undefined) return { problem: 'follow needs a TCP, UDP or DNS packet' };
    return this.#matchView({ title: `${flow.protocol.toUpperCase()} flow ${entry.summary.flow.replace(' → ', ' ↔ ')}`, matcher: flowMatcher(flow) });
  }

  /**
   * The payload of `entry`'s TCP or UDP conversation both ways, gathered by a pass over the
   * whole capture (one stream at a time: a new one stops the last); a reason when there is none.
   */
  stream(entry: Entry): FlowStream | { problem: string } {
    const flow = flowOf(entry.decoded);
    if (flow === undefined) return { problem: 'a stream needs a TCP or UDP packet' };
    this.#streamAbort?.abort();
    const abort = new AbortController();
    this.#streamAbort = abort;
    const stream = new FlowStream(flow, (p) => (p.task === undefined ? undefined : processLabel(p.task, this.processes)));
    const out = {
      match: () => {},
      progress: (examined: number) => {
        stream.examined = examined;
        this.changed();
      },
    };
    runPass(this, stream.matcher(), 0, out, abort.signal)
      .catch((error: unknown) => {
        stream.failure = error instanceof Error ? error.message : String(error);
        this.#failed(stream.failure);
      })
      .finally(() => {
        stream.done = true;
        this.changed();
      });
    return stream;
  }

  /**
   * Stats of one process's packets (with its descendants' when `pids` lists them): its flows,
   * DNS transactions and names. One at a time: a new one stops the last.
   */
  processStats(pids: readonly number[]): CaptureStats {
    this.#drillAbort?.abort();
    const abort = new AbortController();
    this.#drillAbort = abort;
    const stats = new CaptureStats();
    const wanted = new Set(pids);
    this.#countInto(
      stats,
      stats.matcher((p) => p.task !== undefined && wanted.has(p.task.hostProcessId)),
      abort.signal,
    );
    return stats;
  }

  /** Capture-wide stats, gathered by a pass started on the first call. */
  stats(): CaptureStats {
    if (this.#stats !== undefined) return this.#stats;
    const stats = new CaptureStats();
    this.#stats = stats;
    this.#countInto(stats, stats.matcher(), this.#statsAbort.signal);
    return stats;
  }

  /** Runs the counting pass of `stats` in the background. */
  #countInto(stats: CaptureStats, matcher: Matcher, signal: AbortSignal): void {
    const out = {
      match: () => {},
      progress: (examined: number) => {
        stats.examined = examined;
        this.changed();
      },
    };
    runPass(this, matcher, 0, out, signal)
      .catch((error: unknown) => {
        stats.failure = error instanceof Error ? error.message : String(error);
        this.#failed(stats.failure);
      })
      .finally(() => {
        stats.done = true;
        this.changed();
      });
  }

  /** Stops every background pass and closes the file. */
  async close(): Promise<void> {
    this.#scanAbort.abort();
    this.#statsAbort.abort();
    this.#streamAbort?.abort();
    this.#drillAbort?.abort();
    for (const view of this.#views) view.close();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#listeners.clear();
    await this.reader.close();
  }

  /** Decoded entries in memory (at most the cache's capacity). */
  get cachedEntries(): number {
    return this.#cache.size;
  }

  /** A view whose pass notifies this store, and which closing the store stops. */
  #matchView(options: Omit<MatchViewOptions, 'changed' | 'closed'>): MatchView {
    const view = new MatchView(this, {
      ...options,
      changed: () => this.changed(),
      closed: () => this.#views.delete(view),
      failed: (message) => this.#failed(message),
    });
    this.#views.add(view);
    return view;
  }

  #indexProgressed(): void {
    if (this.index.takeTailMisplaced()) this.#cache.dropFrom(0);
    const waiters = this.#indexWaiters;
    this.#indexWaiters = [];
    for (const wake of waiters) wake();
    if (!this.#firstPageAsked && this.index.length > 0) {
      // The first screen is what a person waits for: decode it now, and draw once it is ready
      // (want notifies), rather than drawing empty rows first and asking for them after.
      this.#firstPageAsked = true;
      this.want(Array.from({ length: Math.min(this.index.length, FIRST_PAGE, this.#cache.capacity) }, (_, i) => i));
      return;
    }
    this.changed(this.scan.done);
  }

  /** Reads and decodes `positions`; entries to `keep` get their own copy of their bytes. */
  async #load(positions: readonly number[], keep: boolean): Promise<Entry[]> {
    const entries: Entry[] = [];
    for (const [first, count] of runsOf(positions)) entries.push(...(await readEntries(this, first, count, keep)));
    return entries;
  }
}

/** Ascending positions as [first, count] runs of consecutive ones: one read per run. */
function runsOf(positions: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const p of positions) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[0] + last[1] === p) last[1]++;
    else runs.push([p, 1]);
  }
  return runs;
}

/**
 * The TUI reads back and forth by offset: a file or a recording directory. A FIFO or a device
 * would be read once, or block the second open: refused with what it is.
 */
async function requireSeekable(path: string): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    throw new InputError(`${path}: cannot open: ${systemMessage(err)}`);
  }
  if (!st.isFile() && !st.isDirectory())
    throw new InputError(`${path}: not a regular file; the TUI pages back and forth through a file (netrec replay reads pipes)`);
}
