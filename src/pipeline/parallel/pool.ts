/**
 * The replay workers: started on the first batch (a small input never pays for them), each batch
 * to the worker with the fewest batches pending, each answer matched to its batch by sequence
 * number. A worker that fails is a bug: every pending batch fails with its error.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PackedBatch } from './batch.ts';
import type { BatchResult, WorkerSetup } from './protocol.ts';

interface Pending {
  resolve: (r: BatchResult) => void;
  reject: (e: Error) => void;
}

/**
 * The worker's code: dist/replay-worker.js in the build (this module is then in dist/chunks/, or
 * dist/ itself), worker.ts beside this file when running from the sources (through tsx).
 */
function workerEntry(): { url: URL; execArgv?: string[] } {
  if (import.meta.url.endsWith('.ts')) return { url: new URL('./worker.ts', import.meta.url), execArgv: [...process.execArgv, '--import', 'tsx'] };
  for (const candidate of ['./replay-worker.js', '../replay-worker.js']) {
    const url = new URL(candidate, import.meta.url);
    // The workers inherit node's options (--cpu-prof, heap limits).
    if (existsSync(fileURLToPath(url))) return { url };
  }
  throw new Error(`replay-worker.js not found beside ${import.meta.url}`);
}

export class WorkerPool {
  private readonly workers: { worker: Worker; pending: Map<number, Pending> }[] = [];
  private failure: Error | undefined;

  constructor(
    private readonly size: number,
    private readonly setup: WorkerSetup,
  ) {}

  run(batch: PackedBatch): Promise<BatchResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.workers.length === 0) this.start();
    let target = this.workers[0]!;
    for (const w of this.workers) if (w.pending.size < target.pending.size) target = w;
    return new Promise<BatchResult>((resolve, reject) => {
      target.pending.set(batch.seq, { resolve, reject });
      const transfer = [batch.bytes, batch.meta.buffer, batch.timestamps.buffer, batch.order.buffer] as ArrayBuffer[];
      target.worker.postMessage(batch, transfer);
    });
  }

  /** Lets the workers finish and exit (a profiler they run writes its profile); stops them after a failure. */
  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(({ worker }) => {
        if (this.failure) return worker.terminate();
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.postMessage(null);
        return exited;
      }),
    );
    this.workers.length = 0;
  }

  private start(): void {
    const { url, ...options } = workerEntry();
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(url, { ...options, workerData: this.setup, stdout: false, stderr: false });
      const pending = new Map<number, Pending>();
      worker.on('message', (r: BatchResult) => {
        const p = pending.get(r.seq)!;
        pending.delete(r.seq);
        p.resolve(r);
      });
      const fail = (err: Error): void => {
        this.failure ??= err;
        for (const w of this.workers) {
          for (const p of w.pending.values()) p.reject(this.failure);
          w.pending.clear();
        }
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (pending.size > 0) fail(new Error(`replay worker exited with code ${code} while batches were pending`));
      });
      this.workers.push({ worker, pending });
    }
  }
}
