/**
 * The tables' rows, gathered from the one replay pipeline: it is that pipeline's packet consumer
 * (packets, dns, processes, and flows and dns_transactions through src/traffic/'s aggregation:
 * every kept packet) and its event observer (events). The observer sees
 * a packet's events before the consumer sees the packet, and sees them whether the filter keeps
 * them or not, so the events of a packet wait until the packet is kept and are checked against
 * the filter here: the events table holds exactly what `replay` prints.
 */
import type { CapturedPacket } from '../core/packet.ts';
import { Depth, type DecodedPacket } from '../decode/packet.ts';
import { eventBit, type EventMask } from '../event/selection.ts';
import { EVENT_NAMES, type EventName, type TraceeEvent } from '../event/types.ts';
import { dnsRows, eventRow, fitsTables, hostOf, packetRow, ProcessRows, type Row, type RowOrigin } from './rows.ts';
import { TABLE_NAMES, type TableName } from './schema.ts';
import { StatsCollector, type StatsLimits } from '../traffic/collector.ts';
import { trafficRows, type TrafficOrigin } from './traffic-rows.ts';
import { LifecycleRows } from './lifecycle-rows.ts';
import type { LifecycleRecord, TaskRecord } from '../nev/records.ts';

export type TableRows = Record<TableName, Row[]>;

export const emptyTableRows = (): TableRows => Object.fromEntries(TABLE_NAMES.map((n) => [n, []])) as unknown as TableRows;

/**
 * Flows and DNS transactions listed per input (past them, packets and queries are counted as
 * overflow, and the export warns): the aggregation is in memory until the input ends.
 */
export const TRAFFIC_LIMITS: StatsLimits = { conversations: 2_000_000, transactions: 2_000_000 };

/** An input's traffic aggregation (flows, DNS transactions) and the host its rows belong to. */
interface Traffic {
  stats: StatsCollector;
  origin: TrafficOrigin;
}

export class TableCollector {
  /** The pipeline decodes everything: the packets and dns tables need all layers. */
  readonly depth = Depth.Application;
  readonly events: EventMask;
  private readonly rows: TableRows = emptyTableRows();
  private readonly processes = new ProcessRows();
  /** Per source (by index): its lifecycle records (recordings only). */
  private readonly lifecycles: (LifecycleRows | undefined)[] = [];
  /** Per source (by index), created at its first kept packet. */
  private readonly traffic: (Traffic | undefined)[] = [];
  private pendingPacket: CapturedPacket | undefined;
  private readonly pending: TraceeEvent[] = [];
  private seq = 0n;
  /** Kept packets whose timestamp no table can hold (rows.ts, fitsTables): not written. */
  private packetsOutOfRange = 0;

  /** Kept packets and lifecycle records whose timestamp no table can hold: not written. */
  get outOfRange(): number {
    return this.lifecycles.reduce((n, l) => n + (l?.outOfRange ?? 0), this.packetsOutOfRange);
  }

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
      this.packetsOutOfRange++;
      this.pending.length = 0;
      this.pendingPacket = undefined;
      return;
    }
    this.rows.packets.push(packetRow(origin, p, d));
    dnsRows(origin, p, d, this.rows.dns);
    this.processes.add(origin, p);
    let traffic = this.traffic[source];
    if (traffic === undefined) {
      traffic = { stats: new StatsCollector(TRAFFIC_LIMITS), origin: { recordingId: origin.recordingId, hostName: hostOf(origin, p.task) } };
      this.traffic[source] = traffic;
    }
    traffic.stats.add(p, d);
    if (p === this.pendingPacket) {
      for (const e of this.pending) this.rows.events.push(eventRow(origin, e, p, this.seq++));
      this.pending.length = 0;
      this.pendingPacket = undefined;
    }
  }

  /** A recording's process-table or lifecycle record (NevSource.feedContext) of source `source`. */
  context(source: number, record: TaskRecord | LifecycleRecord): void {
    let rows = this.lifecycles[source];
    if (rows === undefined) {
      rows = new LifecycleRows(this.origins[source]!);
      this.lifecycles[source] = rows;
    }
    rows.add(record);
  }

  /** The observer's hook for the pipeline (which passes sources, not positions). */
  observer(): { events: EventMask; onEvent(e: TraceeEvent, p: CapturedPacket): void } {
    return { events: this.events, onEvent: (e, p) => this.onEvent(e, p) };
  }

  /** Rows gathered since the last take; those of END_TABLES only at the end (`final`). */
  take(final: boolean): TableRows {
    const out: TableRows = { ...this.rows, processes: final ? this.processes.take() : [], process_events: [], flows: [], dns_transactions: [] };
    this.rows.packets = [];
    this.rows.events = [];
    this.rows.dns = [];
    if (final) {
      for (const l of this.lifecycles) if (l !== undefined) for (const r of l.take()) out.process_events.push(r);
      for (const t of this.traffic) {
        if (t === undefined) continue;
        const rows = trafficRows(t.origin, t.stats);
        for (const r of rows.flows) out.flows.push(r);
        for (const r of rows.dns_transactions) out.dns_transactions.push(r);
      }
      this.traffic.length = 0;
    }
    return out;
  }

  /** Packets of flows, and DNS queries, past TRAFFIC_LIMITS: counted, not rows. */
  get trafficOverflow(): { packets: number; queries: number } {
    let packets = 0;
    let queries = 0;
    for (const t of this.traffic) {
      packets += t?.stats.conversations.overflow.packets ?? 0;
      queries += t?.stats.dns.overflow ?? 0;
    }
    return { packets, queries };
  }
}

const BITS = Object.fromEntries(EVENT_NAMES.map((n) => [n, eventBit(n)])) as Record<EventName, EventMask>;
