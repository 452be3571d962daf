/**
 * The signature engine as a consumer of the replay pipeline: gives it each selected event with
 * its packet, tells it where inputs end and where a recording's segments start, and closes it.
 */
import type { CapturedPacket, Direction } from '../core/packet.ts';
import type { DecodedPacket } from '../decode/packet.ts';
import type { TraceeEvent } from '../event/types.ts';
import { NevSource } from '../replay/nev-source.ts';
import type { PacketSource } from '../core/source.ts';
import type { PacketInfo } from '../signature/api.ts';
import type { SignatureEngine } from '../signature/engine.ts';
import type { EventObserver } from './replay.ts';

const EMPTY = new Uint8Array(0);
const IPV4_MF = 1;

/** PacketInfo over a captured packet and its decoding; the payload view is made on demand. */
class Packet implements PacketInfo {
  constructor(
    readonly source: string,
    private readonly pkt: CapturedPacket,
    private readonly decoded: DecodedPacket,
  ) {}

  get number(): number {
    return this.pkt.number;
  }

  get direction(): Direction {
    return this.pkt.direction ?? 'unknown';
  }

  get capturedLength(): number {
    return this.pkt.data.length;
  }

  get originalLength(): number {
    return this.pkt.originalLength;
  }

  get fragment(): boolean {
    const { ipv4, ipv6 } = this.decoded;
    if (ipv4) return (ipv4.flags & IPV4_MF) !== 0 || ipv4.fragOffset !== 0;
    return ipv6 !== undefined && (ipv6.moreFragments || ipv6.laterFragment);
  }

  get payload(): Uint8Array {
    const { payloadStart, payloadEnd } = this.decoded;
    return payloadStart === undefined ? EMPTY : this.pkt.data.subarray(payloadStart, payloadEnd);
  }
}

export interface SignatureObserverOptions {
  /** For a source that is not a .nev file (the live recording): its segments' first packet numbers so far. */
  segmentStarts?: (source: PacketSource) => readonly number[] | undefined;
  /** Measure the time spent in signatures (record's summary). */
  timed?: boolean;
  /** The --trace filters other than event selection: what signatures may see. */
  accept?: (event: TraceeEvent) => boolean;
}

interface InputState {
  name: string;
  starts: readonly number[];
  /** Segment numbers of starts[], when they do not simply count from 1 (ring-mode recordings). */
  numbers: readonly number[] | undefined;
  /** starts[next] is the first packet of the next segment to announce. */
  next: number;
}

export class SignatureObserver implements EventObserver {
  readonly events: number;
  /** Milliseconds spent in signature calls, when timed. */
  elapsedMs = 0;
  /** Per input: its name and segment starts (inputs may be merged, so packets interleave). */
  private readonly inputs = new Map<PacketSource, InputState>();
  private lastPacket: CapturedPacket | undefined;
  private info: Packet | undefined;

  constructor(
    private readonly engine: SignatureEngine,
    private readonly opts: SignatureObserverOptions = {},
  ) {
    this.events = engine.events;
  }

  startSource(source: PacketSource): void {
    let starts: readonly number[];
    let numbers: readonly number[] | undefined;
    if (source instanceof NevSource) {
      const headers = source.recording.segments.flatMap((s) => (s.info?.header ? [s.info.header] : []));
      starts = headers.map((h) => h.firstPacketNumber);
      numbers = headers.map((h) => h.segmentNumber);
    } else {
      starts = this.opts.segmentStarts?.(source) ?? [];
      numbers = undefined;
    }
    // The first segment's start is the input's start, not a boundary.
    this.inputs.set(source, { name: source.name, starts, numbers, next: 1 });
  }

  onEvent(event: TraceeEvent, pkt: CapturedPacket, decoded: DecodedPacket, source: PacketSource): void {
    if (this.opts.accept !== undefined && !this.opts.accept(event)) return;
    if (pkt !== this.lastPacket) {
      const input = this.inputs.get(source)!;
      this.lastPacket = pkt;
      this.info = new Packet(input.name, pkt, decoded);
      while (input.next < input.starts.length && input.starts[input.next]! <= pkt.number) {
        const segment = input.numbers?.[input.next] ?? input.next + 1;
        this.engine.signal({ kind: 'segment', source: input.name, segment, firstPacket: input.starts[input.next]! });
        input.next++;
      }
    }
    if (!this.opts.timed) {
      this.engine.onEvent(event, this.info!);
      return;
    }
    const t = performance.now();
    this.engine.onEvent(event, this.info!);
    this.elapsedMs += performance.now() - t;
  }

  endSource(source: PacketSource): void {
    this.engine.signal({ kind: 'end-of-input', source: source.name });
  }

  end(): void {
    this.engine.close();
  }
}
