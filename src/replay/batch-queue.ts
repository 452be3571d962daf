import type { SourceItem } from './source.ts';

/** Items per batch: large enough that per-batch costs vanish, small enough to keep latency low. */
export const BATCH_SIZE = 1024;
/** Full batches waiting for the consumer before the producer is asked to pause. */
const PAUSE_AT = 8;

/**
 * Turns items pushed by an event-driven parser into the async batches a PacketSource yields, with
 * backpressure: `setPaused(true)` is called when the consumer falls behind, `false` when it has
 * caught up. A partial batch is handed over as soon as the consumer waits for one, so a slow live
 * stdin still flows.
 */
export class BatchQueue {
  private current: SourceItem[] = [];
  private readonly full: SourceItem[][] = [];
  private finished = false;
  private paused = false;
  private flushScheduled = false;
  private wakeConsumer: (() => void) | undefined;

  constructor(private readonly setPaused: (paused: boolean) => void) {}

  push(item: SourceItem): void {
    this.current.push(item);
    if (this.current.length >= BATCH_SIZE) {
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
        if (this.paused && this.full.length < PAUSE_AT / 2) {
          this.paused = false;
          this.setPaused(false);
        }
        yield batch;
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
    this.full.push(this.current);
    this.current = [];
    if (!this.paused && this.full.length >= PAUSE_AT) {
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
