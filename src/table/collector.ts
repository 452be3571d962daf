/**
 * The tables' rows, gathered from the one replay pipeline: it is that pipeline's packet consumer
 * (packets, dns, processes: every kept packet) and its event observer (events). The observer sees
 * a packet's events before the consumer sees the packet, and sees them whether the filter keeps
 * them or not, so the events of a packet wait until the packet is kept and are checked against
 * the filter here: the events table holds exactly what `replay` prints.
 */
import type { CapturedPacket } from '../core/packet.ts';
import { Depth, type DecodedPacket } from '../decode/packet.ts';
import { eventBit, type EventMask } from '../event/selection.ts';
import { EVENT_NAMES, type EventName, type TraceeEvent } from '../event/types.ts';
import { dnsRows, eventRow, fitsTables, packetRow, ProcessRows, type Row, type RowOrigin } from './rows.ts';
import type { TableName } from './schema.ts';

export type TableRows = Record<TableName, Row[]>;

export class TableCollector {
  /** The pipeline decodes everything: the packets and dns tables need all layers. */
  readonly depth = Depth.Application;
  readonly events: EventMask;
  private readonly rows: TableRows = { packets: [], events: [], dns: [], processes: [] };
  private readonly processes = new ProcessRows();
  private pendingPacket: CapturedPacket | undefined;
  private readonly pending: TraceeEvent[] = [];
  private seq = 0n;
  /** Kept packets whose timestamp no table can hold (rows.ts, fitsTables): not written. */
  outOfRange = 0;

  /** `origins[i]` describes the pipeline's source i; `events` and `accept` are the filter's. */
  constructor(
    private readonly origins: readonly RowOrigin[],
    events: EventMask,
    private readonly accept: ((e: TraceeEvent) => boolean) | undefined,
  ) {
    this.events = events;
  }

  onEvent(event: TraceeEvent, packet: CapturedPacket): void {
    if (packet !== this.pendingPacket) {
      this.pending.length = 0;
      this.pendingPacket = packet;
    }
    if ((this.events & BITS[event.eventName]) === 0) return;
    if (this.accept === undefined || this.accept(event)) this.pending.push(event);
  }

  packet(p: CapturedPacket, d: DecodedPacket, source: number): void {
    const origin = this.origins[source]!;
    if (!fitsTables(p.timestamp)) {
      this.outOfRange++;
      this.pending.length = 0;
      this.pendingPacket = undefined;
      return;
    }
    this.rows.packets.push(packetRow(origin, p, d));
    dnsRows(origin, p, d, this.rows.dns);
    this.processes.add(origin, p);
    if (p === this.pendingPacket) {
      for (const e of this.pending) this.rows.events.push(eventRow(origin, e, p, this.seq++));
      this.pending.length = 0;
      this.pendingPacket = undefined;
    }
  }

  /** The observer's hook for the pipeline (which passes sources, not positions). */
  observer(): { events: EventMask; onEvent(e: TraceeEvent, p: CapturedPacket): void } {
    return { events: this.events, onEvent: (e, p) => this.onEvent(e, p) };
  }

  /** Rows gathered since the last take; the processes only at the end (`final`). */
  take(final: boolean): TableRows {
    const out = { ...this.rows, processes: final ? this.processes.take() : [] };
    this.rows.packets = [];
    this.rows.events = [];
    this.rows.dns = [];
    return out;
  }
}

const BITS = Object.fromEntries(EVENT_NAMES.map((n) => [n, eventBit(n)])) as Record<EventName, EventMask>;
