/**
 * The replay pipeline: source → decode → event → filter → sink.
 * Each stage is a separate module; this file only wires them and keeps the counts.
 */
import { inputIssue, type InputIssue } from '../core/errors.ts';
import type { CapturedPacket } from '../core/packet.ts';
import { decodePacket } from '../decode/packet.ts';
import { TcpDnsReassembler } from '../decode/tcp-dns-stream.ts';
import type { DecodeError } from '../decode/types.ts';
import { buildEvents } from '../event/build.ts';
import { depthFor, type EventMask } from '../event/selection.ts';
import type { TraceeEvent } from '../event/types.ts';
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
  const depth = depthFor(opts.events);
  const built: TraceeEvent[] = [];

  for (const source of opts.sources) {
    const streams = new TcpDnsReassembler();
    for await (const batch of source.batches()) {
      for (const item of batch) {
        if (isIssue(item)) {
          report(item);
          continue;
        }
        stats.packets++;
        const decoded = decodePacket(item.data, item.linkType, depth, streams, item.direction);
        if (decoded.error) report(decodeIssue(source.name, item, decoded.error));
        built.length = 0;
        buildEvents(item, decoded, opts.events, built);
        for (const e of built) {
          if (opts.accept && !opts.accept(e)) continue;
          stats.events++;
          opts.sink.write(e);
        }
      }
      await opts.sink.flush();
      if (opts.sink.closed) return stats;
    }
    const incomplete = streams.incompleteFlows();
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
