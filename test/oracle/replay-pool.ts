/**
 * A few worker threads that replay captures (replay-worker.ts) with a per-file time limit. A
 * replay that throws is a crash; one that does not answer in time is a hang, and its worker is
 * terminated and replaced.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ReplayOutcome } from './replay-by-packet.ts';

export type ReplayResult = { kind: 'done'; outcome: ReplayOutcome; ms: number } | { kind: 'crash'; error: string } | { kind: 'timeout'; ms: number };

interface Job {
  path: string;
  resolve: (r: ReplayResult) => void;
}

/**
 * The worker's entry is TypeScript: a tiny ES module (a data: URL) registers tsx's loader in the
 * worker, as bin/netrec.mjs does for the CLI, then imports it.
 */
function bootstrapUrl(): URL {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  const api = pathToFileURL(join(dirname(pkgPath), pkg.exports['./esm/api']!.import.default)).href;
  const entry = new URL('./replay-worker.ts', import.meta.url).href;
  const code = `import { register } from ${JSON.stringify(api)};\nregister();\nawait import(${JSON.stringify(entry)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

class Slot {
  private worker!: Worker;
  private ready!: Promise<void>;
  private pending: ((msg: { ok: boolean; outcome?: ReplayOutcome; error?: string }) => void) | undefined;
  private nextId = 0;

  constructor(private readonly url: URL) {
    this.start();
  }

  private start(): void {
    const worker = new Worker(this.url);
    this.worker = worker;
    this.ready = new Promise((resolve, reject) => {
      worker.on('message', (msg: { ready?: boolean; ok: boolean; outcome?: ReplayOutcome; error?: string }) => {
        if (msg.ready) resolve();
        else this.pending?.(msg);
      });
      worker.on('error', (error) => {
        reject(error);
        this.pending?.({ ok: false, error: `worker error: ${error.stack ?? error.message}` });
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) this.pending?.({ ok: false, error: `worker exited with code ${code}` });
      });
    });
    this.ready.catch(() => {});
  }

  async run(path: string, timeoutMs: number): Promise<ReplayResult> {
    await this.ready;
    const started = performance.now();
    const id = this.nextId++;
    return new Promise<ReplayResult>((resolve) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        const hung = this.worker;
        this.start();
        void hung.terminate();
        resolve({ kind: 'timeout', ms: performance.now() - started });
      }, timeoutMs);
      this.pending = (msg) => {
        clearTimeout(timer);
        this.pending = undefined;
        const ms = performance.now() - started;
        resolve(msg.ok ? { kind: 'done', outcome: msg.outcome!, ms } : { kind: 'crash', error: msg.error ?? '?' });
      };
      this.worker.postMessage({ id, path });
    });
  }

  close(): Promise<number> {
    this.pending = undefined;
    return this.worker.terminate();
  }
}

export class ReplayPool {
  private readonly idle: Slot[] = [];
  private readonly all: Slot[] = [];
  private readonly queue: Job[] = [];

  constructor(
    size: number,
    private readonly timeoutMs: number,
  ) {
    const url = bootstrapUrl();
    for (let i = 0; i < size; i++) {
      const slot = new Slot(url);
      this.all.push(slot);
      this.idle.push(slot);
    }
  }

  run(path: string): Promise<ReplayResult> {
    return new Promise((resolve) => {
      this.queue.push({ path, resolve });
      this.pump();
    });
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const slot = this.idle.pop()!;
      const job = this.queue.shift()!;
      slot
        .run(job.path, this.timeoutMs)
        .catch((error: unknown): ReplayResult => ({ kind: 'crash', error: String(error) }))
        .then((result) => {
          job.resolve(result);
          this.idle.push(slot);
          this.pump();
        });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((slot) => slot.close()));
  }
}
