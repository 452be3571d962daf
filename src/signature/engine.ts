/**
 * Runs signatures over events: routes each event to the signatures that select it, in a fixed
 * order (by id), turns their emit() calls into findings, and contains their failures. A
 * signature that throws is reported once (with the event it was handling), counted, and keeps
 * running; in strict mode the first throw ends the run instead (SignatureFailure).
 */
import { EVENT_NAMES, EventIds, type NetworkEvent, type TraceeEvent } from '../event/types.ts';
import { maskOf, type EventMask } from '../event/selection.ts';
import type { FindingInput, PacketInfo, Signal, Signature, SignatureContext } from './api.ts';
import { findingDataProblem, type Finding } from './finding.ts';
import { helpers } from './helpers.ts';
import { terminalText } from '../core/terminal-text.ts';

export interface LoadedSignature {
  signature: Signature;
  /** The file it came from, or 'builtin'. */
  origin: string;
}

export interface EngineOptions {
  /** The first throw of any signature ends the run. */
  strict?: boolean;
  /** --signatures-config: an entry per signature id. */
  config?: Readonly<Record<string, unknown>>;
  onFinding: (finding: Finding) => void;
  /** One line for stderr, without the "netrec: " prefix. */
  warn: (line: string) => void;
}

/** Strict mode: a signature threw. The message is the report line. */
export class SignatureFailure extends Error {
  override readonly name = 'SignatureFailure';
}

/** A signature's init() threw: it cannot run at all (reported like a file that fails to load). */
export class SignatureInitError extends Error {
  override readonly name = 'SignatureInitError';
}

export interface SignatureStats {
  id: string;
  origin: string;
  events: number;
  findings: number;
  errors: number;
}

interface Entry {
  readonly sig: Signature;
  readonly stats: SignatureStats;
  /** Tracks the call in progress, so emit() knows its signature is being called. */
  active: boolean;
}

/** Event ids are consecutive from 2007: the index into EVENT_NAMES. */
const FIRST_ID = EventIds.net_packet_ipv4;

export class SignatureEngine {
  /** The events some signature selects: the pipeline builds these. */
  readonly events: EventMask;
  private readonly entries: Entry[];
  private readonly routes: Entry[][];
  private current: TraceeEvent | undefined;
  private packet: PacketInfo | undefined;
  private lastPacket = { source: '', number: 0 };
  private readonly warned = new Set<string>();
  findings = 0;

  constructor(
    loaded: readonly LoadedSignature[],
    private readonly opts: EngineOptions,
  ) {
    const sorted = [...loaded].sort((a, b) => compare(a.signature.metadata.id, b.signature.metadata.id));
    this.entries = sorted.map(({ signature, origin }) => ({
      sig: signature,
      stats: { id: signature.metadata.id, origin, events: 0, findings: 0, errors: 0 },
      active: false,
    }));
    this.routes = EVENT_NAMES.map((name) => this.entries.filter((e) => e.sig.selectedEvents.includes('*') || e.sig.selectedEvents.includes(name)));
    this.events = maskOf(EVENT_NAMES.filter((_, i) => this.routes[i]!.length > 0));
  }

  get stats(): readonly SignatureStats[] {
    return this.entries.map((e) => e.stats);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Calls every init(); a throw is a SignatureInitError naming the signature and its file. */
  init(): void {
    for (const entry of this.entries) {
      const { sig, stats } = entry;
      const config = this.opts.config?.[stats.id];
      const ctx: SignatureContext = {
        emit: (finding) => this.emit(entry, finding),
        helpers,
        config: Object.freeze(isObject(config) ? { ...config } : {}),
        warn: (message) => this.warnOnce(`signature ${stats.id}: ${terminalText(message)}`),
      };
      if (sig.init === undefined) continue;
      entry.active = true;
      try {
        sig.init(ctx);
      } catch (err) {
        throw new SignatureInitError(`${stats.origin}: signature ${stats.id}: init failed: ${describe(err)}`);
      } finally {
        entry.active = false;
      }
    }
  }

  /** One event of `packet`; the pipeline calls it for the events in `events` only. */
  onEvent(event: TraceeEvent, packet: PacketInfo): void {
    const route = this.routes[Number(EventIds[event.eventName]) - FIRST_ID];
    if (route === undefined || route.length === 0) return;
    this.current = event;
    this.packet = packet;
    for (const entry of route) {
      entry.stats.events++;
      entry.active = true;
      try {
        entry.sig.onEvent(event as NetworkEvent, packet);
      } catch (err) {
        this.failed(entry, 'onEvent', err, event);
      } finally {
        entry.active = false;
      }
    }
    this.current = undefined;
    this.lastPacket = { source: packet.source, number: packet.number };
    this.packet = undefined;
  }

  signal(signal: Signal): void {
    for (const entry of this.entries) this.call(entry, 'onSignal', () => entry.sig.onSignal?.(signal));
  }

  close(): void {
    for (const entry of this.entries) this.call(entry, 'close', () => entry.sig.close?.());
  }

  private call(entry: Entry, what: string, fn: () => void): void {
    entry.active = true;
    try {
      fn();
    } catch (err) {
      this.failed(entry, what, err, undefined);
    } finally {
      entry.active = false;
    }
  }

  private emit(entry: Entry, input: FindingInput | undefined): void {
    if (!entry.active) {
      // Called later (a timer, a promise): the order would depend on timing, so it is refused.
      // Counted and reported, never thrown: nothing of netrec's is on that call stack to stop.
      entry.stats.errors++;
      this.warnOnce(
        `signature ${entry.stats.id} (${terminalText(entry.stats.origin)}): emit() called outside init/onEvent/onSignal/close (signatures are synchronous); finding dropped`,
      );
      return;
    }
    const event = input?.event ?? this.current;
    if (event === undefined || typeof event !== 'object' || !Object.hasOwn(EventIds, event.eventName)) {
      throw new Error(this.current === undefined ? 'emit() outside onEvent needs an event' : 'emit(): event is not a network event');
    }
    const data = input?.data ?? {};
    const problem = findingDataProblem(data);
    if (problem !== undefined) throw new Error(`emit(): ${problem}`);
    const where = this.packet ?? this.lastPacket;
    entry.stats.findings++;
    this.findings++;
    this.opts.onFinding({ metadata: entry.sig.metadata, event: event as TraceeEvent, data, source: where.source, packetNumber: where.number });
  }

  private failed(entry: Entry, what: string, err: unknown, event: TraceeEvent | undefined): void {
    const { stats } = entry;
    stats.errors++;
    if (stats.errors > 1 && !this.opts.strict) return;
    const at =
      event !== undefined && this.packet !== undefined
        ? ` on ${this.packet.source} packet ${this.packet.number} (${event.eventName}, timestamp ${event.timestamp})`
        : '';
    const line = `signature ${stats.id} (${stats.origin}): ${what} threw${at}: ${describe(err)}`;
    if (this.opts.strict) throw new SignatureFailure(line);
    this.opts.warn(`${line}; further errors of this signature are only counted`);
  }

  private warnOnce(line: string): void {
    if (this.warned.has(line)) return;
    this.warned.add(line);
    this.opts.warn(line);
  }
}

function describe(err: unknown): string {
  return terminalText(err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
