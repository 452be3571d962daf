import type { Writable } from 'node:stream';

/**
 * Writes to a Node stream with back-pressure. A closed pipe (`netrec … | head`) is not an
 * error: writing stops and `closed` turns true so the pipeline can stop early.
 */
export class OutputStream {
  closed = false;

  constructor(private readonly out: Writable) {
    out.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.closed = true;
      else throw err;
    });
  }

  async write(data: string | Uint8Array): Promise<void> {
    if (this.closed || this.out.write(data)) return;
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
