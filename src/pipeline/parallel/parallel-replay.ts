/**
 * Replay on several cores (issue 16). The main thread reads the inputs (merging them as one
 * thread would), does the DNS-over-TCP reassembly pre-pass (./tcp-dns.ts), packs batches of
 * packets (for one pcap input: copies runs of whole records, which the workers take apart) and
 * writes the answers; workers decode, build and filter events and format them as
 * JSON, each batch through the same replay() one thread runs. The answers are written in batch
 * order, so the output is the same bytes as one thread's. See docs/performance.md, "Parallel
 * replay", for the design and its bounds.
 *
 * Memory: at most two batches per worker are between reading and writing, each at most
 * BATCH_PACKETS packets or BATCH_BYTES bytes of packet data (one packet more may pass it), with
 * its JSON; reading waits while the window is full. Their packet buffers are reused.
 */
import type { Writable } from 'node:stream';
import type { InputIssue } from '../../core/errors.ts';
import { Depth } from '../../decode/packet.ts';
import { DEFAULT_REASSEMBLY_BUDGET, type ReassemblyOptions } from '../../decode/tcp-dns-stream.ts';
import { depthFor, type EventMask } from '../../event/selection.ts';
import { concatenate, mergeByTime } from '../../replay/interleave.ts';
import { isIssue, type PacketSource } from '../../core/source.ts';
import { OutputStream } from '../../sink/output-stream.ts';
import { incompleteFlowsIssue } from '../packet-events.ts';
import type { ReplayStats } from '../replay.ts';
import { BatchBuilder, type PackedBatch, RecordBatchBuilder } from './batch.ts';
import { isPcapSource, type PcapSource } from '../../replay/pcap.ts';
import type { StreamResult } from '../../decode/tcp-dns-stream.ts';
import { WorkerPool } from './pool.ts';
import type { BatchResult } from './protocol.ts';
import { maybeTcpDns, RecordingReassembler } from './tcp-dns.ts';

/** Packets per batch: enough that a batch's fixed costs (a message, a replay() call) vanish. */
export const BATCH_PACKETS = 4096;
/** Packet bytes per batch, for inputs of large frames. */
export const BATCH_BYTES = 4 << 20;

/**
 * NETREC_PARALLEL_BATCH sets the packets per batch: the tests make batches of a few packets, so
 * that small captures cross many batch boundaries (DNS-over-TCP flows, issues, several inputs).
 */
function batchPackets(): number {
  const n = Number(process.env.NETREC_PARALLEL_BATCH);
  return Number.isSafeInteger(n) && n > 0 ? n : BATCH_PACKETS;
}

export interface ParallelReplayOptions {
  sources: PacketSource[];
  events: EventMask;
  /** The --trace expressions (each worker compiles them). */
  trace: readonly string[];
  hasProcessContext: boolean;
  /** Where the JSON lines go. */
  output: Writable;
  workers: number;
  report?: (issue: InputIssue, source: number) => void;
  order?: 'merge' | 'concat';
  window?: { from?: bigint; to?: bigint };
  signal?: AbortSignal;
  progress?: (packetsRead: number) => void;
  reassembly?: ReassemblyOptions;
}

export async function parallelReplay(opts: ParallelReplayOptions): Promise<ReplayStats> {
  const stats: ReplayStats = { packets: 0, matched: 0, events: 0, kept: 0, errors: 0, warnings: 0 };
  const out = new OutputStream(opts.output);
  const window = opts.window ?? {};
  const { from, to } = window;
  const index = new Map(opts.sources.map((s, i) => [s, i]));
  const budget = opts.reassembly?.maxBufferedBytes ?? DEFAULT_REASSEMBLY_BUDGET;
  const share = { maxBufferedBytes: Math.floor(budget / Math.max(1, opts.sources.length)) };
  const streams = opts.sources.map(() => new RecordingReassembler(share));
  // Reassembly happens only where one thread would do it: when DNS events are built.
  const reassembling = depthFor(opts.events) >= Depth.Application;
  const report = (issue: InputIssue, source: number): void => {
    if (issue.severity === 'error') stats.errors++;
    else stats.warnings++;
    opts.report?.(issue, source);
  };
  const pool = new WorkerPool(opts.workers, {
    events: opts.events,
    trace: opts.trace,
    hasProcessContext: opts.hasProcessContext,
    names: opts.sources.map((s) => s.name),
    window,
  });
  const inFlight: Promise<BatchResult>[] = [];
  const limit = 2 * opts.workers;
  let seq = 0;
  // Packet buffers come back with the answers and are filled again: fresh memory costs page faults.
  const spare: ArrayBuffer[] = [];
  const buffer = (): ArrayBuffer => spare.pop() ?? new ArrayBuffer(BATCH_BYTES / 2);
  const newBuilder = (): BatchBuilder => new BatchBuilder(batchPackets(), buffer());
  let builder = newBuilder();

  const writeNext = async (): Promise<void> => {
    const r = await inFlight.shift()!;
    spare.push(r.bytes);
    for (const [issue, source] of r.issues) report(issue, source);
    stats.packets += r.packets;
    stats.matched += r.matched;
    stats.events += r.events;
    for (const chunk of r.chunks) await out.write(chunk);
    opts.progress?.(stats.packets);
  };
  const send = async (batch: PackedBatch): Promise<void> => {
    while (inFlight.length >= limit) await writeNext();
    const pending = pool.run(batch);
    // Handled when its turn comes; this keeps an early failure from going unhandled meanwhile.
    pending.catch(() => undefined);
    inFlight.push(pending);
  };
  const dispatch = async (): Promise<void> => {
    const batch = builder.finish(seq++);
    builder = newBuilder();
    await send(batch);
  };
  const stopped = (): boolean => out.closed || opts.signal?.aborted === true;

  const readItems = async (): Promise<void> => {
    const groups = (opts.order ?? 'merge') === 'concat' ? concatenate(opts.sources) : mergeByTime(opts.sources);
    for await (const group of groups) {
      for (const { source, items } of group) {
        const position = index.get(source)!;
        const reassembler = streams[position]!;
        for (const item of items) {
          if (isIssue(item)) {
            builder.issue(position, item);
            if (builder.full) await dispatch();
            continue;
          }
          const inWindow = (from === undefined || item.timestamp >= from) && (to === undefined || item.timestamp <= to);
          const stream =
            reassembling && inWindow && maybeTcpDns(item.data, item.linkType) ? reassembler.prepass(item.data, item.linkType, item.direction) : undefined;
          builder.packet(position, item, stream);
          if (builder.full || builder.bytes >= BATCH_BYTES) {
            await dispatch();
            if (stopped()) return;
          }
        }
      }
    }
  };

  /**
   * One pcap input: runs of whole records go to the workers as they lie in the file, the main
   * thread only finds their boundaries (and runs the DNS-over-TCP pre-pass); what ends the file
   * early (a corrupt or cut record, a read error) follows in an ordinary batch.
   */
  const readRecords = async (source: PcapSource): Promise<void> => {
    const runs = source.records();
    const capacity = { packets: batchPackets(), bytes: BATCH_BYTES };
    let records = new RecordBatchBuilder(0, capacity, buffer());
    const found: StreamResult[] = [];
    try {
      for (;;) {
        const { packets, bytes } = records.room;
        const run = await runs.next(packets, bytes);
        if (run === undefined) break;
        if ('kind' in run) {
          builder.issue(0, run);
          break;
        }
        found.length = 0;
        if (reassembling) streams[0]!.prepassRecords(run, window, found);
        records.add(run, found);
        if (records.full) {
          await send(records.finish(seq++));
          records = new RecordBatchBuilder(0, capacity, buffer());
          if (stopped()) return;
        }
      }
      if (!records.empty) await send(records.finish(seq++));
    } finally {
      runs.close();
    }
  };

  try {
    const only = opts.sources.length === 1 ? opts.sources[0]! : undefined;
    if (only !== undefined && isPcapSource(only)) await readRecords(only);
    else await readItems();
    if (!builder.empty && !stopped()) await dispatch();
    // Batches already out are written, interrupted or not: one thread too writes what it did.
    while (inFlight.length > 0 && !out.closed) await writeNext();
  } finally {
    await pool.close();
  }
  if (out.closed) return stats;
  streams.forEach((reassembler, i) => {
    const incomplete = reassembler.incompleteFlows();
    if (incomplete > 0) report(incompleteFlowsIssue(opts.sources[i]!.name, incomplete), i);
  });
  return stats;
}
