/**
 * The replay pipeline: source → decode → event → filter → sink.
 * Each stage is a separate module; this file only wires them and keeps the counts.
 *
 * Two kinds of output hang off the same loop: an event sink (replay prints events) and a packet
 * consumer (export writes packets, stats counts them). A packet reaches the consumer when the
 * filter keeps at least one of its events, so `export --trace X` writes exactly the packets that
 * `replay --trace X` prints events for; without a filter every packet does, IP or not.
 */
import { inputIssue, type InputIssue } from '../core/errors.ts';
import type { CapturedPacket } from '../core/packet.ts';
import { decodePacket, type DecodedPacket, type Depth } from '../decode/packet.ts';
import { TcpDnsReassembler } from '../decode/tcp-dns-stream.ts';
import type { DecodeError } from '../decode/types.ts';
import { buildEvents } from '../event/build.ts';
import { ALL_EVENTS, depthFor, type EventMask } from '../event/selection.ts';
import type { TraceeEvent } from '../event/types.ts';
import { isIssue, type PacketSource } from '../replay/source.ts';
import type { EventSink } from '../sink/sink.ts';

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
  /** Only packets from this time on (epoch ns, inclusive); the others are not read further. */
  from?: bigint;
  /** Only packets up to this time (epoch ns, inclusive). */
  to?: bigint;
}

export interface ReplayStats {
  packets: number;
  events: number;
  /** Packets handed to the packet consumer. */
  kept: number;
  errors: number;
  warnings: number;
}

/** What a packet that was not decoded looks like to a consumer. */
const UNDECODED: DecodedPacket = { dns: [] };

export async function replay(opts: ReplayOptions): Promise<ReplayStats> {
  const stats: ReplayStats = { packets: 0, events: 0, kept: 0, errors: 0, warnings: 0 };
  const { sink, packets: consumer, accept } = opts;
  // Packets are filtered through their events when a filter or an event selection is given.
  const filtering = accept !== undefined || opts.events !== ALL_EVENTS;
  const needEvents = sink !== undefined || (consumer !== undefined && filtering);
  const depth = Math.max(needEvents ? depthFor(opts.events) : 0, consumer?.depth ?? 0) as Depth | 0;
  const built: TraceeEvent[] = [];

  for (const [index, source] of opts.sources.entries()) {
    const report = (issue: InputIssue): void => {
      if (issue.severity === 'error') stats.errors++;
      else stats.warnings++;
      opts.report?.(issue, index);
    };
    const streams = new TcpDnsReassembler();
    for await (const batch of source.batches()) {
      for (const item of batch) {
        if (isIssue(item)) {
          report(item);
          continue;
        }
        if ((opts.from !== undefined && item.timestamp < opts.from) || (opts.to !== undefined && item.timestamp > opts.to)) continue;
        stats.packets++;
        let decoded = UNDECODED;
        if (depth !== 0) {
          decoded = decodePacket(item.data, item.linkType, depth, streams);
          if (decoded.error) report(decodeIssue(source.name, item, decoded.error));
        }
        let keep = !filtering;
        if (needEvents) {
          built.length = 0;
          buildEvents(item, decoded, opts.events, built);
          for (const e of built) {
            if (accept && !accept(e)) continue;
            keep = true;
            if (sink === undefined) break;
            stats.events++;
            sink.write(e);
          }
        }
        if (consumer !== undefined && keep) {
          stats.kept++;
          consumer.packet(item, decoded, index);
        }
      }
      await consumer?.settle?.();
      if (sink !== undefined) {
        await sink.flush();
        if (sink.closed) return stats;
      }
    }
    const incomplete = streams.incompleteFlows();
    if (incomplete > 0) {
      report(inputIssue(source.name, 'end of input', `${incomplete} DNS-over-TCP flow(s) end in the middle of a message`, 'warning'));
    }
  }
  await sink?.end();
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
