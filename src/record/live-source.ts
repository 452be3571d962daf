/**
 * `record --print`: the packets being recorded as a PacketSource, so the replay pipeline decodes
 * and prints them exactly as `netrec replay` would print the recording.
 *
 * The kernel cannot be paused, so when the printer falls behind (a slow terminal) packets are
 * left out of the printout, and counted; the recording itself never waits for the printer.
 */
import type { CapturedPacket } from '../core/packet.ts';
import { BatchQueue } from '../replay/batch-queue.ts';
import type { PacketSource, SourceItem } from '../core/source.ts';

export class LiveSource implements PacketSource {
  readonly name = 'live';
  readonly hasProcessContext = true;
  /** Packets not printed because the printer was behind. */
  skipped = 0;
  private paused = false;
  private readonly queue = new BatchQueue((paused) => (this.paused = paused));

  push(packet: CapturedPacket): void {
    if (this.paused) this.skipped++;
    else this.queue.push(packet);
  }

  end(): void {
    this.queue.finish();
  }

  batches(): AsyncIterable<SourceItem[]> {
    return this.queue.batches();
  }
}
