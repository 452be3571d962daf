import type { Writable } from 'node:stream';

/**
 * Buffered line writer over a Node stream, with back-pressure. A closed pipe (`netrec … | head`)
 * is not an error: writing stops and `closed` turns true so the pipeline can stop early.
 */
export class TextStream {
  private chunks: string[] = [];
  private size = 0;
  closed = false;

  constructor(
    private readonly out: Writable,
    private readonly highWater = 1 << 16,
  ) {
    out.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.closed = true;
      else throw err;
    });
  }

  line(text: string): void {
    if (this.closed) return;
    this.chunks.push(text, '\n');
    this.size += text.length + 1;
  }

  async flush(): Promise<void> {
    if (this.size < this.highWater) return;
    await this.drain();
  }

  async drain(): Promise<void> {
    if (this.closed || this.chunks.length === 0) return;
    const data = this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    if (!this.out.write(data)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.out.off('drain', done);
          this.out.off('close', done);
          resolve();
        };
        this.out.on('drain', done);
        this.out.on('close', done);
      });
    }
  }
}
