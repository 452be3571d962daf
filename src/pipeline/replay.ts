/**
 * The replay pipeline: source → decode → event → filter → sink.
 * Each stage is a separate module; this file only wires them and keeps the counts.
 */
import { inputIssue, type InputIssue } from '../core/errors.ts';
import type { CapturedPacket } from '../core/packet.ts';
import { decodePacket } from '../decode/packet.ts';
import { DEFAULT_REASSEMBLY_BUDGET, TcpDnsReassembler, type ReassemblyOptions } from '../decode/tcp-dns-stream.ts';
import type { DecodeError } from '../decode/types.ts';
import { buildEvents } from '../event/build.ts';
import { depthFor, type EventMask } from '../event/selection.ts';
import type { TraceeEvent } from '../event/types.ts';
import { concatenate, mergeByTime } from '../replay/interleave.ts';
import { isIssue, type PacketSource } from '../replay/source.ts';
import type { EventSink } from '../sink/sink.ts';

export interface ReplayOptions {
  sources: PacketSource[];
  /** Events to build; the others are never built and layers they alone need are not decoded. */
  events: EventMask;
  /** Keeps an event or drops it; runs on built events only. */
  accept?: (event: TraceeEvent) => boolean;
  sink: EventSink;
  /** Receives every input issue (bad record, undecodable packet) as it happens. */
  report?: (issue: InputIssue) => void;
  /** Several sources: merged by timestamp (default) or one after the other. */
  order?: 'merge' | 'concat';
  /** Only packets with from <= timestamp <= to (epoch ns) are decoded. */
  window?: { from?: bigint; to?: bigint };
  /** Stop after this many packets that gave at least one accepted event. */
  limit?: number;
  /** Stops the replay between batches; what was written stays complete. */
  signal?: AbortSignal;
  /** Called after every batch with the packets read so far. */
  progress?: (packetsRead: number) => void;
  /** Bounds of DNS-over-TCP reassembly (its memory budget). */
  reassembly?: ReassemblyOptions;
}

export interface ReplayStats {
  packets: number;
  /** Packets that gave at least one accepted event. */
  matched: number;
  events: number;
  errors: number;
  warnings: number;
}

export async function replay(opts: ReplayOptions): Promise<ReplayStats> {
  const stats: ReplayStats = { packets: 0, matched: 0, events: 0, errors: 0, warnings: 0 };
  const report = (issue: InputIssue): void => {
    if (issue.severity === 'error') stats.errors++;
    else stats.warnings++;
    opts.report?.(issue);
  };
  const depth = depthFor(opts.events);
  const built: TraceeEvent[] = [];
  const from = opts.window?.from;
  const to = opts.window?.to;
  const limit = opts.limit ?? Infinity;
  // Each input keeps its own reassembly (a flow never continues from one file into another);
  // the memory budget is shared out so that all inputs together stay within it.
  const budget = opts.reassembly?.maxBufferedBytes ?? DEFAULT_REASSEMBLY_BUDGET;
  const share = { maxBufferedBytes: Math.floor(budget / Math.max(1, opts.sources.length)) };
  const streams = new Map<PacketSource, TcpDnsReassembler>(opts.sources.map((s) => [s, new TcpDnsReassembler(share)]));
  const groups = (opts.order ?? 'merge') === 'concat' ? concatenate(opts.sources) : mergeByTime(opts.sources);

  reading: for await (const group of groups) {
    for (const { source, items } of group) {
      const reassembler = streams.get(source)!;
      for (const item of items) {
        if (isIssue(item)) {
          report(item);
          continue;
        }
        stats.packets++;
        if ((from !== undefined && item.timestamp < from) || (to !== undefined && item.timestamp > to)) continue;
        const decoded = decodePacket(item.data, item.linkType, depth, reassembler, item.direction);
        if (decoded.error) report(decodeIssue(source.name, item, decoded.error));
        built.length = 0;
        buildEvents(item, decoded, opts.events, built);
        let accepted = false;
        for (const e of built) {
          if (opts.accept && !opts.accept(e)) continue;
          stats.events++;
          accepted = true;
          opts.sink.write(e);
        }
        if (accepted && ++stats.matched >= limit) break reading;
      }
    }
    opts.progress?.(stats.packets);
    await opts.sink.flush();
    if (opts.sink.closed) return stats;
    if (opts.signal?.aborted) break;
  }
  for (const [source, reassembler] of streams) {
    const incomplete = reassembler.incompleteFlows();
    if (incomplete > 0) {
      report(inputIssue(source.name, 'end of input', `${incomplete} DNS-over-TCP flow(s) end in the middle of a message`, 'warning'));
    }
  }
  await opts.sink.end();
  return stats;
}

/**
 * What the capture does not hold is not bad input: a header cut by the snaplen, a TCP gap, an
 * unreassembled fragment are warnings. Malformed bytes are errors.
 */
function decodeIssue(file: string, pkt: CapturedPacket, err: DecodeError): InputIssue {
  const cut = err.short && pkt.data.length < pkt.originalLength;
  const detail = cut ? `${err.message} (captured ${pkt.data.length} of ${pkt.originalLength} bytes)` : err.message;
  return inputIssue(file, `packet ${pkt.number}`, `${err.layer}: ${detail}`, cut || err.benign ? 'warning' : 'error');
}
