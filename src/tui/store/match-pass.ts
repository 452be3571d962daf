/**
 * A background pass over the indexed packets in file order: each packet is read back, decoded
 * as deep as the matcher needs and given the events it asks for by the pipeline's decode →
 * events step (DNS over TCP reassembled as in replay), and tested. Matches are handed
 * over as they are found, so a filtered view shows its first rows long before the pass ends.
 * The pass follows the index scan when it catches up with it, and yields to the event loop
 * between chunks so that keys stay responsive.
 */
import type { CapturedPacket } from '../../core/packet.ts';
import type { PacketReader } from '../../core/source.ts';
import { Depth, type DecodedPacket } from '../../decode/packet.ts';
import type { EventMask } from '../../event/selection.ts';
import type { TraceeEvent } from '../../event/types.ts';
import { PacketEvents } from '../../pipeline/packet-events.ts';
import { flowContext } from './entry.ts';
import type { PacketIndex } from './packet-index.ts';

/** Packets read and tested between two yields: about 10 ms of work at the slowest. */
export const PASS_CHUNK = 512;

export interface Matcher {
  /** How far to decode: layers the test does not read are never decoded. */
  depth: Depth;
  /** Events the test needs built (0: none). */
  events: EventMask;
  /** 'stop' ends the pass: nothing after this packet can match. */
  test(packet: CapturedPacket, decoded: DecodedPacket, events: readonly TraceeEvent[]): boolean | 'stop';
}

/** What a pass reads from: the capture's index, growing while the scan runs, and its reader. */
export interface PassInput {
  readonly index: PacketIndex;
  readonly reader: PacketReader;
  scanDone(): boolean;
  /** Resolves when the index has grown or the scan has ended. */
  indexed(): Promise<void>;
}

export interface PassOutput {
  match(position: number): void;
  /** Positions before `examined` have all been tested. */
  progress(examined: number): void;
}

/** Runs until the last packet, a 'stop', or `signal`; read errors reject. */
export async function runPass(input: PassInput, matcher: Matcher, from: number, out: PassOutput, signal: AbortSignal): Promise<void> {
  const step = new PacketEvents(matcher.depth, matcher.events);
  const built: TraceeEvent[] = [];
  // A pass that starts inside the file first reads what its DNS-over-TCP flows began with.
  let primed = from === 0 || matcher.depth < Depth.Application;
  let position = from;
  for (;;) {
    if (signal.aborted) return;
    const available = input.index.length;
    if (position >= available) {
      if (input.scanDone()) break;
      await input.indexed();
      continue;
    }
    const packets = await input.reader.read(position, Math.min(PASS_CHUNK, available - position));
    if (!primed) {
      for (const p of await flowContext(input, position, packets)) step.decode(p);
      primed = true;
    }
    if (signal.aborted) return;
    for (const packet of packets) {
      const decoded = step.decode(packet);
      built.length = 0;
      step.build(packet, decoded, built);
      const verdict = matcher.test(packet, decoded, built);
      if (verdict === 'stop') {
        out.progress(position);
        return;
      }
      if (verdict) out.match(position);
      position++;
    }
    out.progress(position);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  out.progress(position);
}
