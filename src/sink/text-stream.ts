import type { Writable } from 'node:stream';
import { OutputStream } from './output-stream.ts';

/** Line-buffered text output over an OutputStream (the table sink). */
export class TextStream {
  private pending = '';
  private readonly stream: OutputStream;

  constructor(
    out: Writable,
    private readonly highWater = 1 << 16,
  ) {
    this.stream = new OutputStream(out);
  }

  get closed(): boolean {
    return this.stream.closed;
  }

  line(text: string): void {
    if (!this.stream.closed) this.pending += `${text}\n`;
  }

  async flush(): Promise<void> {
    if (this.pending.length >= this.highWater) await this.drain();
  }

  async drain(): Promise<void> {
    if (this.pending.length === 0) return;
    const data = this.pending;
    this.pending = '';
    await this.stream.write(data);
  }
}
