/**
 * A packet between two local sockets is recorded twice: leaving the sender (egress) and arriving
 * at the receiver (ingress), on loopback or on a veth into a local namespace. Both copies carry
 * the same bytes. Stats count a packet once per flow, so the second copy of such a pair is
 * recognised here (docs/export.md, "Packets recorded at both ends"):
 *
 * - only packets whose direction is known take part (recordings, pcapng with epb_flags); a
 *   capture without directions is counted as it is, as tshark counts it;
 * - two packets are copies when they go opposite ways (one egress, one ingress), belong to the
 *   same flow, have the same original length and the same captured bytes (a hash of them), and
 *   lie within COPY_WINDOW of each other; each copy pairs with one other at most, so a
 *   retransmission that repeats the bytes pairs with its own copy, not with the original's;
 * - whichever copy comes first in the input is counted, the other is the duplicate (recordings
 *   can hold the two slightly out of order, as they come from different CPUs).
 *
 * Memory is bounded: unpaired packets are forgotten once COPY_WINDOW has passed, and at most
 * MAX_UNPAIRED are remembered (the oldest go first).
 */
import type { Direction } from '../core/packet.ts';

/** How far apart in time the two copies of one packet can be. */
export const COPY_WINDOW_NS = 1_000_000_000n;
const MAX_UNPAIRED = 1 << 18;

interface Unpaired {
  key: string;
  direction: Direction;
  timestamp: bigint;
  /** Paired since it was queued: the queue entry is stale. */
  paired: boolean;
}

export class CopyMatcher {
  /** Unpaired packets by flow and content, oldest first. */
  private readonly waiting = new Map<string, Unpaired[]>();
  /** Every unpaired packet in arrival order, for expiry. */
  private readonly queue: Unpaired[] = [];
  private head = 0;
  /** Second copies found. */
  duplicates = 0;

  /** Whether this packet is the second copy of one already counted. */
  isSecondCopy(flow: string, direction: Direction | undefined, timestamp: bigint, originalLength: number, data: Uint8Array): boolean {
    if (direction !== 'ingress' && direction !== 'egress') return false;
    this.expire(timestamp);
    const key = `${flow}|${originalLength}|${contentHash(data)}`;
    const candidates = this.waiting.get(key);
    if (candidates !== undefined) {
      const match = candidates.findIndex((c) => c.direction !== direction && distance(c.timestamp, timestamp) <= COPY_WINDOW_NS);
      if (match >= 0) {
        candidates[match]!.paired = true;
        candidates.splice(match, 1);
        if (candidates.length === 0) this.waiting.delete(key);
        this.duplicates++;
        return true;
      }
    }
    const entry: Unpaired = { key, direction, timestamp, paired: false };
    if (candidates === undefined) this.waiting.set(key, [entry]);
    else candidates.push(entry);
    this.queue.push(entry);
    if (this.queue.length - this.head > MAX_UNPAIRED) this.forget(this.queue[this.head++]!);
    return false;
  }

  /** Drops unpaired packets older than the window before `now`. */
  private expire(now: bigint): void {
    while (this.head < this.queue.length && this.queue[this.head]!.timestamp + COPY_WINDOW_NS < now) {
      this.forget(this.queue[this.head++]!);
    }
    // Compact now and then, so the queue does not keep what it has passed.
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private forget(entry: Unpaired): void {
    if (entry.paired) return;
    const list = this.waiting.get(entry.key);
    if (list === undefined) return;
    const at = list.indexOf(entry);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.waiting.delete(entry.key);
  }
}

function distance(a: bigint, b: bigint): bigint {
  return a > b ? a - b : b - a;
}

/** FNV-1a over the captured bytes: copies are byte-identical, other packets almost never collide. */
function contentHash(data: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i]!, 0x01000193);
  return h >>> 0;
}
