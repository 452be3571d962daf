/**
 * One packet as the TUI shows it: decoded, with every event it makes and its row text. Entries
 * are built only for packets someone looks at (visible rows, a search), never for the whole file.
 */
import type { CapturedPacket } from '../../core/packet.ts';
import { decodePacket, Depth, type DecodedPacket } from '../../decode/packet.ts';
import { buildEvents } from '../../event/build.ts';
import { ALL_EVENTS } from '../../event/selection.ts';
import type { TraceeEvent } from '../../event/types.ts';
import { summarize, type RowSummary } from '../views/summary.ts';

export interface Entry {
  /** Place in the capture's index (0-based); `packet.number` is what the user sees. */
  position: number;
  packet: CapturedPacket;
  decoded: DecodedPacket;
  /** Every event the packet makes; a view's filter picks which of them a row shows. */
  events: TraceeEvent[];
  summary: RowSummary;
}

/**
 * Packets are decoded one by one, so a DNS message split over TCP segments shows as TCP: its
 * reassembly needs the flow's earlier segments, which random access does not read.
 */
export function makeEntry(position: number, packet: CapturedPacket): Entry {
  const decoded = decodePacket(packet.data, packet.linkType, Depth.Application);
  const events: TraceeEvent[] = [];
  buildEvents(packet, decoded, ALL_EVENTS, events);
  return { position, packet, decoded, events, summary: summarize(decoded, events) };
}

/** The event a row shows: the most specific one `shows` lets through (the last built). */
export function rowEvent(entry: Entry, shows?: (e: TraceeEvent) => boolean): TraceeEvent | undefined {
  for (let i = entry.events.length - 1; i >= 0; i--) {
    const e = entry.events[i]!;
    if (shows === undefined || shows(e)) return e;
  }
  return undefined;
}
