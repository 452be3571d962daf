/**
 * The pipeline's decode → events step for one input read in order: each packet decoded as deep
 * as its events need, DNS over TCP put back together across segments (each copy of a packet
 * recorded at both ends on its own), and the selected Tracee events built. Replay, the TUI's
 * views and its detail pane all go through it, so a packet never decodes two ways.
 */
import { inputIssue, type InputIssue } from '../core/errors.ts';
import type { CapturedPacket } from '../core/packet.ts';
import { decodePacket, Depth, type DecodedPacket } from '../decode/packet.ts';
import { TcpDnsReassembler } from '../decode/tcp-dns-stream.ts';
import { decodeLink } from '../decode/link.ts';
import { DecodeError } from '../decode/types.ts';
import { buildEvents } from '../event/build.ts';
import type { EventMask } from '../event/selection.ts';
import type { TraceeEvent } from '../event/types.ts';

/** What a packet that was not decoded looks like to a consumer. */
const UNDECODED: DecodedPacket = { layers: [], dns: [] };

export class PacketEvents {
  readonly #streams: TcpDnsReassembler;

  /**
   * `depth` 0 decodes nothing (a consumer that only copies packets); `events` are the events
   * `build` makes. One instance per input: a flow never continues from one file into another.
   */
  constructor(
    readonly depth: Depth | 0,
    readonly events: EventMask,
    streams: TcpDnsReassembler = new TcpDnsReassembler(),
  ) {
    this.#streams = streams;
  }

  /** The packet's headers (and its DNS messages, those a TCP segment completes included). */
  decode(packet: CapturedPacket): DecodedPacket {
    if (this.depth === 0) return UNDECODED;
    return decodePacket(packet.data, packet.linkType, this.depth, this.depth >= Depth.Application ? this.#streams : undefined, packet.direction);
  }

  /** Appends the packet's selected events to `out`, in layer order (IP, transport, DNS). */
  build(packet: CapturedPacket, decoded: DecodedPacket, out: TraceeEvent[]): void {
    if (this.events !== 0) buildEvents(packet, decoded, this.events, out);
  }

  /** The end-of-input warning when flows stop in the middle of a DNS message. */
  finish(file: string): InputIssue | undefined {
    const incomplete = this.#streams.incompleteFlows();
    return incomplete === 0 ? undefined : incompleteFlowsIssue(file, incomplete);
  }
}

/** The end-of-input warning for DNS-over-TCP messages never completed. */
export function incompleteFlowsIssue(file: string, flows: number): InputIssue {
  return inputIssue(file, 'end of input', `${flows} DNS-over-TCP flow(s) end in the middle of a message`, 'warning');
}

/**
 * What the capture does not hold is not bad input: a header cut by the snaplen, a TCP gap, an
 * unreassembled fragment are warnings. Malformed bytes are errors.
 */
export function decodeIssue(file: string, pkt: CapturedPacket, err: DecodeError): InputIssue {
  const cut = err.kind === 'short' && pkt.data.length < pkt.originalLength;
  const detail = cut ? `${err.message} (captured ${pkt.data.length} of ${pkt.originalLength} bytes)` : err.message;
  return inputIssue(file, `packet ${pkt.number}`, `${err.layer}: ${detail}`, cut || err.kind === 'benign' ? 'warning' : 'error');
}

/**
 * Where the network header starts in the frame (after the link header), to turn the decoded
 * headers' offsets into frame offsets; undefined when the link header does not decode.
 */
export function networkOffset(packet: CapturedPacket): number | undefined {
  const link = decodeLink(packet.data, packet.linkType);
  return link instanceof DecodeError ? undefined : link.offset;
}
