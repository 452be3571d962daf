import type { SourceItem } from '../core/source.ts';

/** Items per batch: large enough that per-batch costs vanish, small enough to keep latency low. */
export const BATCH_SIZE = 1024;
/**
 * Captured bytes per batch: a batch is handed over at BATCH_SIZE items or this many bytes,
 * whichever comes first, so 1024 jumbo packets are not one 256 MiB batch.
 */
export const BATCH_BYTES = 8 * 1024 * 1024;
/** Full batches waiting for the consumer before the producer is asked to pause. */
const PAUSE_AT = 8;
/** The same in captured bytes: what a fast reader may hold ahead of a slow consumer. */
const PAUSE_BYTES = 32 * 1024 * 1024;

/**
 * Turns items pushed by an event-driven parser into the async batches a PacketSource yields, with
 * backpressure: `setPaused(true)` is called when the consumer falls behind, `false` when it has
 * caught up. A partial batch is handed over as soon as the consumer waits for one, so a slow live
 * stdin still flows.
 */
export class BatchQueue {
  private current: SourceItem[] = [];
  private currentBytes = 0;
  private readonly full: { items: SourceItem[]; bytes: number }[] = [];
  /** Captured bytes in `full`. */
  private fullBytes = 0;
  private finished = false;
  private paused = false;
  private flushScheduled = false;
  private wakeConsumer: (() => void) | undefined;

  constructor(private readonly setPaused: (paused: boolean) => void) {}

  push(item: SourceItem): void {
    this.current.push(item);
    if ('data' in item) this.currentBytes += item.data.length;
    if (this.current.length >= BATCH_SIZE || this.currentBytes >= BATCH_BYTES) {
      this.seal();
    } else if (this.wakeConsumer !== undefined && !this.flushScheduled) {
      // Let the parser finish the chunk in hand first, then hand over what it produced.
      this.flushScheduled = true;
      queueMicrotask(() => {
        this.flushScheduled = false;
        this.seal();
      });
    }
  }

  /** No more items will come. */
  finish(): void {
    this.seal();
    this.finished = true;
    this.wake();
  }

  async *batches(): AsyncGenerator<SourceItem[]> {
    for (;;) {
      const batch = this.full.shift();
      if (batch !== undefined) {
        this.fullBytes -= batch.bytes;
        if (this.paused && this.full.length < PAUSE_AT / 2 && this.fullBytes < PAUSE_BYTES / 2) {
          this.paused = false;
          this.setPaused(false);
        }
        yield batch.items;
      } else if (this.finished) {
        return;
      } else {
        this.seal();
        if (this.full.length === 0) {
          await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
        }
      }
    }
  }

  private seal(): void {
    if (this.current.length === 0) return;
    this.full.push({ items: this.current, bytes: this.currentBytes });
    this.fullBytes += this.currentBytes;
    this.current = [];
    this.currentBytes = 0;
    if (!this.paused && (this.full.length >= PAUSE_AT || this.fullBytes >= PAUSE_BYTES)) {
      this.paused = true;
      this.setPaused(true);
    }
    this.wake();
  }

  private wake(): void {
    const wake = this.wakeConsumer;
    this.wakeConsumer = undefined;
    wake?.();
  }
}
