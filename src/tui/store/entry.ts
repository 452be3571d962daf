/**
 * One packet as the TUI shows it: decoded, with every event it makes and its row text. Entries
 * are built only for packets someone looks at (visible rows, a search), never for the whole file,
 * and through the pipeline's own decode → events step (src/pipeline/packet-events.ts), so a row
 * says what `netrec replay` says about its packet.
 *
 * Packets are read by position, not from the start of the file, so a DNS message split over TCP
 * segments would lack its first segments. A run of packets is therefore decoded after the
 * segments of its DNS-over-TCP flows that come before it (back to the flow's SYN, at most
 * CONTEXT_LIMIT packets back): the segment that completes a message shows as DNS, as in replay.
 */
import type { CapturedPacket } from '../../core/packet.ts';
import type { PacketLocations, PacketReader } from '../../core/source.ts';
import { Depth, type DecodedPacket } from '../../decode/packet.ts';
import { TcpFlag } from '../../decode/types.ts';
import { ALL_EVENTS } from '../../event/selection.ts';
import type { TraceeEvent } from '../../event/types.ts';
import { PacketEvents } from '../../pipeline/packet-events.ts';
import { summarize, type RowSummary } from '../views/summary.ts';

export interface Entry {
  /** Place in the capture's index (0-based); `packet.number` is what the user sees. */
  position: number;
  packet: CapturedPacket;
  decoded: DecodedPacket;
  /** Every event the packet makes, in layer order; a view's filter picks which a row shows. */
  events: TraceeEvent[];
  summary: RowSummary;
}

/** What entries are read from: the capture's index and its reader by position. */
export interface EntryInput {
  readonly index: PacketLocations;
  readonly reader: PacketReader;
}

/** Packets looked at before a run for the start of its DNS-over-TCP flows. */
export const CONTEXT_LIMIT = 16_384;
/** Packets read at a time while looking back. */
const CONTEXT_CHUNK = 512;
const DNS_PORT = 53;

/**
 * The entries at [first, first + count). With `keep`, each packet gets its own copy of its bytes
 * first (the decoded headers then point into it): a cached entry must pin neither the buffer of a
 * whole read nor a slab of Buffer's pool.
 */
export async function readEntries(input: EntryInput, first: number, count: number, keep: boolean): Promise<Entry[]> {
  const read = await input.reader.read(first, count);
  const packets = keep ? read.map((p) => ({ ...p, data: new Uint8Array(p.data) })) : read;
  const step = new PacketEvents(Depth.Application, ALL_EVENTS);
  for (const p of await flowContext(input, first, packets)) step.decode(p);
  return packets.map((packet, i) => {
    const decoded = step.decode(packet);
    const events: TraceeEvent[] = [];
    step.build(packet, decoded, events);
    return { position: first + i, packet, decoded, events, summary: summarize(decoded, events) };
  });
}

/**
 * The segments before `first` of the DNS-over-TCP flows that `packets` (read from `first` on)
 * continue, in file order: what the pipeline had reassembled them with when it reached `first`.
 */
export async function flowContext(input: EntryInput, first: number, packets: readonly CapturedPacket[]): Promise<CapturedPacket[]> {
  const transport = new PacketEvents(Depth.Transport, 0);
  const open = new Set<string>();
  const decided = new Set<string>();
  for (const p of packets) {
    const segment = dnsSegment(transport, p);
    if (segment === undefined || decided.has(segment.key)) continue;
    // A flow's first payload in the run may be the middle of a message unless a SYN starts it.
    if (segment.flags & TcpFlag.SYN || segment.flags & (TcpFlag.FIN | TcpFlag.RST)) decided.add(segment.key);
    else if (segment.payload) {
      decided.add(segment.key);
      open.add(segment.key);
    }
  }
  const chunks: CapturedPacket[][] = [];
  const limit = Math.max(0, first - CONTEXT_LIMIT);
  for (let end = first; open.size > 0 && end > limit; ) {
    const start = Math.max(limit, end - CONTEXT_CHUNK);
    const read = await input.reader.read(start, end - start);
    const kept: CapturedPacket[] = [];
    for (let i = read.length - 1; i >= 0; i--) {
      const segment = dnsSegment(transport, read[i]!);
      if (segment === undefined || !open.has(segment.key)) continue;
      // The flow ended before the run (the reassembler forgets it): nothing carries over.
      if (segment.flags & (TcpFlag.FIN | TcpFlag.RST)) {
        open.delete(segment.key);
        continue;
      }
      kept.push(read[i]!);
      if (segment.flags & TcpFlag.SYN) open.delete(segment.key);
    }
    chunks.push(kept.reverse());
    end = start;
  }
  return chunks.reverse().flat();
}

/** A TCP segment to or from port 53: its half-flow (and copy), flags, and whether it carries data. */
function dnsSegment(transport: PacketEvents, packet: CapturedPacket): { key: string; flags: number; payload: boolean } | undefined {
  const d = transport.decode(packet);
  const ip = d.ipv4 ?? d.ipv6;
  const tcp = d.tcp;
  if (ip === undefined || tcp === undefined || (tcp.srcPort !== DNS_PORT && tcp.dstPort !== DNS_PORT)) return undefined;
  const key = `${ip.src.join('.')}/${tcp.srcPort}>${ip.dst.join('.')}/${tcp.dstPort} ${packet.direction ?? ''}`;
  return { key, flags: tcp.flags, payload: (d.payloadEnd ?? 0) > (d.payloadStart ?? 0) };
}

/** The event a row shows: the most specific one `shows` lets through (the last built). */
export function rowEvent(entry: Entry, shows?: (e: TraceeEvent) => boolean): TraceeEvent | undefined {
  for (let i = entry.events.length - 1; i >= 0; i--) {
    const e = entry.events[i]!;
    if (shows === undefined || shows(e)) return e;
  }
  return undefined;
}
