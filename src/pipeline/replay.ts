/**
 * The replay pipeline: source → decode → event → filter → sink.
 * Each stage is a separate module; this file only wires them and keeps the counts.
 */
import { inputIssue, type InputIssue } from '../core/errors.ts';
import type { CapturedPacket } from '../core/packet.ts';
import { decodePacket, type DecodedPacket } from '../decode/packet.ts';
import { TcpDnsReassembler } from '../decode/tcp-dns-stream.ts';
import type { DecodeError } from '../decode/types.ts';
import { buildEvents } from '../event/build.ts';
import { depthFor, eventBit, type EventMask } from '../event/selection.ts';
import { EVENT_NAMES, type EventName, type TraceeEvent } from '../event/types.ts';
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
  /** A consumer of events besides the sink (signatures): sees its events whether printed or not. */
  observer?: EventObserver;
}

/**
 * Gets the events it selects, each right after the sink got it (or would have), so what it
 * writes to the sink in response follows the event that caused it.
 */
export interface EventObserver {
  /** Events to build for the observer, besides the printed ones. */
  readonly events: EventMask;
  startSource?(source: PacketSource): void;
  onEvent(event: TraceeEvent, packet: CapturedPacket, decoded: DecodedPacket): void;
  /** The source's packets are done; called before the next source starts. */
  endSource?(source: PacketSource): void;
  /** Before the sink ends. */
  end?(): void;
}

export interface ReplayStats {
  packets: number;
  events: number;
  errors: number;
  warnings: number;
}

export async function replay(opts: ReplayOptions): Promise<ReplayStats> {
  const stats: ReplayStats = { packets: 0, events: 0, errors: 0, warnings: 0 };
  const report = (issue: InputIssue): void => {
    if (issue.severity === 'error') stats.errors++;
    else stats.warnings++;
    opts.report?.(issue);
  };
  const observer = opts.observer;
  const built = opts.events | (observer?.events ?? 0);
  const depth = depthFor(built);
  const events: TraceeEvent[] = [];

  for (const source of opts.sources) {
    observer?.startSource?.(source);
    const streams = new TcpDnsReassembler();
    for await (const batch of source.batches()) {
      for (const item of batch) {
        if (isIssue(item)) {
          report(item);
          continue;
        }
        stats.packets++;
        const decoded = decodePacket(item.data, item.linkType, depth, streams);
        if (decoded.error) report(decodeIssue(source.name, item, decoded.error));
        events.length = 0;
        buildEvents(item, decoded, built, events);
        for (const e of events) {
          const bit = BITS[e.eventName];
          if ((opts.events & bit) !== 0 && (opts.accept === undefined || opts.accept(e))) {
            stats.events++;
            opts.sink.write(e);
          }
          if (observer !== undefined && (observer.events & bit) !== 0) observer.onEvent(e, item, decoded);
        }
      }
      await opts.sink.flush();
      if (opts.sink.closed) return stats;
    }
    observer?.endSource?.(source);
    const incomplete = streams.incompleteFlows();
    if (incomplete > 0) {
      report(inputIssue(source.name, 'end of input', `${incomplete} DNS-over-TCP flow(s) end in the middle of a message`, 'warning'));
    }
  }
  observer?.end?.();
  await opts.sink.end();
  return stats;
}

const BITS = Object.fromEntries(EVENT_NAMES.map((n) => [n, eventBit(n)])) as Record<EventName, EventMask>;

/**
 * What the capture does not hold is not bad input: a header cut by the snaplen, a TCP gap, an
 * unreassembled fragment are warnings. Malformed bytes are errors.
 */
function decodeIssue(file: string, pkt: CapturedPacket, err: DecodeError): InputIssue {
  const cut = err.short && pkt.data.length < pkt.originalLength;
  const detail = cut ? `${err.message} (captured ${pkt.data.length} of ${pkt.originalLength} bytes)` : err.message;
  return inputIssue(file, `packet ${pkt.number}`, `${err.layer}: ${detail}`, cut || err.benign ? 'warning' : 'error');
}
