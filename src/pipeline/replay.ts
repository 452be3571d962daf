/**
 * The replay pipeline: source → decode → event → filter → sink.
 * Each stage is a separate module; this file only wires them and keeps the counts.
 *
 * Two kinds of output hang off the same loop: an event sink (replay prints events) and a packet
 * consumer (export writes packets, stats counts them). A packet reaches the consumer when the
 * filter keeps at least one of its events, so `export --trace X` writes exactly the packets that
 * `replay --trace X` prints events for; without a filter every packet does, IP or not.
 */
import type { InputIssue } from '../core/errors.ts';
import type { CapturedPacket } from '../core/packet.ts';
import type { DecodedPacket, Depth } from '../decode/packet.ts';
import { DEFAULT_REASSEMBLY_BUDGET, TcpDnsReassembler, type ReassemblyOptions } from '../decode/tcp-dns-stream.ts';
import { ALL_EVENTS, depthFor, eventBit, type EventMask } from '../event/selection.ts';
import { EVENT_NAMES, type EventName, type TraceeEvent } from '../event/types.ts';
import { concatenate, mergeByTime } from '../replay/interleave.ts';
import { isIssue, type PacketSource } from '../core/source.ts';
import type { EventSink } from '../sink/sink.ts';
import { decodeIssue, PacketEvents } from './packet-events.ts';

/** Where kept packets go, with their decode. */
export interface PacketConsumer {
  /** How deep the consumer needs packets decoded; 0: not at all (they may still be, for the filter). */
  readonly depth: Depth | 0;
  /** `source` is the input's position in `sources`. */
  packet(packet: CapturedPacket, decoded: DecodedPacket, source: number): void;
  /** Called after every batch: lets a writer catch up with its output (back-pressure). */
  settle?(): Promise<void>;
}

export interface ReplayOptions {
  sources: PacketSource[];
  /** Events to build; the others are never built and layers they alone need are not decoded. */
  events: EventMask;
  /** Keeps an event or drops it; runs on built events only. */
  accept?: (event: TraceeEvent) => boolean;
  sink?: EventSink;
  packets?: PacketConsumer;
  /** Receives every input issue (bad record, undecodable packet) as it happens. */
  report?: (issue: InputIssue, source: number) => void;
  /** Several sources: merged by timestamp (default) or one after the other. */
  order?: 'merge' | 'concat';
  /** Only packets with from <= timestamp <= to (epoch ns) are decoded. */
  window?: { from?: bigint; to?: bigint };
  /** Stop after this many kept packets (with an accepted event, or any packet without a filter). */
  limit?: number;
  /** Stops the replay between batches; what was written stays complete. */
  signal?: AbortSignal;
  /** Called after every batch with the packets read so far. */
  progress?: (packetsRead: number) => void;
  /** Bounds of DNS-over-TCP reassembly (its memory budget, shared by all inputs). */
  reassembly?: ReassemblyOptions;
  /** A consumer of events besides the sink (signatures): sees its events whether printed or not. */
  observer?: EventObserver;
  /** Each input's DNS-over-TCP reassembly (default: its own TcpDnsReassembler); parallel replay's workers replay the main thread's. */
  reassemblers?: (source: PacketSource) => TcpDnsReassembler;
}

/**
 * Gets the events it selects, each right after the sink got it (or would have), so what it
 * writes to the sink in response follows the event that caused it.
 */
export interface EventObserver {
  /** Events to build for the observer, besides the printed ones. */
  readonly events: EventMask;
  /** Every input, before any packet is read. */
  startSource?(source: PacketSource): void;
  onEvent(event: TraceeEvent, packet: CapturedPacket, decoded: DecodedPacket, source: PacketSource): void;
  /** The input's packets are done (all inputs end together when they are merged). */
  endSource?(source: PacketSource): void;
  /** Before the sink ends. */
  end?(): void;
}

export interface ReplayStats {
  /** Packets read within the time window. */
  packets: number;
  /** Packets kept: with at least one accepted event (every packet when nothing filters). */
  matched: number;
  events: number;
  /** Packets handed to the packet consumer. */
  kept: number;
  errors: number;
  warnings: number;
}

export async function replay(opts: ReplayOptions): Promise<ReplayStats> {
  const stats: ReplayStats = { packets: 0, matched: 0, events: 0, kept: 0, errors: 0, warnings: 0 };
  const { sink, packets: consumer, accept, observer } = opts;
  const index = new Map(opts.sources.map((s, i) => [s, i]));
  const report = (issue: InputIssue, source: PacketSource): void => {
    if (issue.severity === 'error') stats.errors++;
    else stats.warnings++;
    opts.report?.(issue, index.get(source)!);
  };
  // Packets are filtered through their events when a filter or an event selection is given.
  const filtering = accept !== undefined || opts.events !== ALL_EVENTS;
  const needEvents = sink !== undefined || observer !== undefined || (consumer !== undefined && filtering);
  // The observer's events are built too, printed or not.
  const building = opts.events | (observer?.events ?? 0);
  const depth = Math.max(needEvents ? depthFor(building) : 0, consumer?.depth ?? 0) as Depth | 0;
  const built: TraceeEvent[] = [];
  const from = opts.window?.from;
  const to = opts.window?.to;
  const limit = opts.limit ?? Infinity;
  // Each input keeps its own reassembly (a flow never continues from one file into another);
  // the memory budget is shared out so that all inputs together stay within it.
  const budget = opts.reassembly?.maxBufferedBytes ?? DEFAULT_REASSEMBLY_BUDGET;
  const share = { maxBufferedBytes: Math.floor(budget / Math.max(1, opts.sources.length)) };
  const steps = new Map<PacketSource, PacketEvents>(
    opts.sources.map((s) => [s, new PacketEvents(depth, building, opts.reassemblers?.(s) ?? new TcpDnsReassembler(share))]),
  );
  const groups = (opts.order ?? 'merge') === 'concat' ? concatenate(opts.sources) : mergeByTime(opts.sources);
  for (const source of opts.sources) observer?.startSource?.(source);

  reading: for await (const group of groups) {
    for (const { source, items } of group) {
      const step = steps.get(source)!;
      const position = index.get(source)!;
      for (const item of items) {
        if (isIssue(item)) {
          report(item, source);
          continue;
        }
        if ((from !== undefined && item.timestamp < from) || (to !== undefined && item.timestamp > to)) continue;
        stats.packets++;
        const decoded = step.decode(item);
        if (decoded.error) report(decodeIssue(source.name, item, decoded.error), source);
        let keep = !filtering;
        if (needEvents) {
          built.length = 0;
          step.build(item, decoded, built);
          for (const e of built) {
            const bit = BITS[e.eventName];
            if ((opts.events & bit) !== 0 && (accept === undefined || accept(e))) {
              keep = true;
              if (sink !== undefined) {
                stats.events++;
                sink.write(e);
              }
            }
            if (observer !== undefined && (observer.events & bit) !== 0) observer.onEvent(e, item, decoded, source);
          }
        }
        if (!keep) continue;
        if (consumer !== undefined) {
          stats.kept++;
          consumer.packet(item, decoded, position);
        }
        if (++stats.matched >= limit) break reading;
      }
    }
    opts.progress?.(stats.packets);
    await consumer?.settle?.();
    if (sink !== undefined) {
      await sink.flush();
      if (sink.closed) return stats;
    }
    if (opts.signal?.aborted) break;
  }
  for (const [source, step] of steps) {
    observer?.endSource?.(source);
    const incomplete = step.finish(source.name);
    if (incomplete !== undefined) report(incomplete, source);
  }
  observer?.end?.();
  await sink?.end();
  return stats;
}

const BITS = Object.fromEntries(EVENT_NAMES.map((n) => [n, eventBit(n)])) as Record<EventName, EventMask>;
