/**
 * Random access to a .nev recording through its segments' footer indexes: a read seeks to the
 * index entry before its first packet and reads forward from there (at most one index interval
 * of records too many), with tasks resolved as the streaming reader resolves them.
 *
 * A read that starts where an earlier one stopped goes on from there instead of seeking again:
 * background passes read the whole recording in consecutive chunks, and a seek per chunk would
 * decode up to an index interval of records twice.
 */
import type { CapturedPacket } from '../core/packet.ts';
import type { PacketLocations, PacketReader } from '../core/source.ts';
import { isPacketItem, readRecording, type NevItem, type Recording } from './recording.ts';

/** Reads left open to go on from: a pass or two and the screen. */
const CURSORS = 4;

/** An open read, and the packets it has decoded past the last one handed out. */
interface Cursor {
  items: AsyncIterator<NevItem[]>;
  pending: CapturedPacket[];
}

export class NevReader implements PacketReader {
  /** By the packet number each would hand out next; Map order is least recently used first. */
  readonly #cursors = new Map<number, Cursor>();
  #closed = false;

  constructor(
    private readonly recording: Recording,
    private readonly index: PacketLocations,
  ) {}

  async read(first: number, count: number): Promise<CapturedPacket[]> {
    const packets: CapturedPacket[] = [];
    if (count <= 0) return packets;
    const number = this.index.numberAt(first);
    const cursor = this.#take(number) ?? { items: readRecording(this.recording, { fromPacket: number })[Symbol.asyncIterator](), pending: [] };
    while (packets.length < count) {
      if (cursor.pending.length === 0 && !(await this.#refill(cursor))) break;
      packets.push(...cursor.pending.splice(0, count - packets.length));
    }
    const last = packets[packets.length - 1];
    // A read still running when the reader closed must not leave its segment file open.
    if (last === undefined || packets.length < count || this.#closed) void cursor.items.return?.();
    else this.#keep(last.number + 1, cursor);
    return packets;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const cursor of this.#cursors.values()) await cursor.items.return?.();
    this.#cursors.clear();
  }

  /** False at the end of the recording. */
  async #refill(cursor: Cursor): Promise<boolean> {
    const next = await cursor.items.next();
    if (next.done === true) return false;
    for (const item of next.value) if (isPacketItem(item)) cursor.pending.push(item);
    return true;
  }

  #take(number: number): Cursor | undefined {
    const cursor = this.#cursors.get(number);
    this.#cursors.delete(number);
    return cursor;
  }

  #keep(number: number, cursor: Cursor): void {
    this.#cursors.set(number, cursor);
    while (this.#cursors.size > CURSORS) {
      const [oldest, evicted] = this.#cursors.entries().next().value as [number, Cursor];
      this.#cursors.delete(oldest);
      // Closing the generator closes the segment file it has open.
      void evicted.items.return?.();
    }
  }
}
