/**
 * Runs fuzz cases in a forked worker (worker.ts) under a watchdog: a case with no verdict after
 * the hang limit is a hang; the worker is killed (SIGKILL ends even a blocked read) and a new one
 * started for the next case. No vitest import.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FuzzCase, Limits, Verdict } from './harness.ts';
import type { FromWorker, ToWorker } from './worker.ts';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface SeedSummary {
  name: string;
  kind: 'pcap' | 'pcapng' | 'nev';
}

export class FuzzWorker {
  private child?: ChildProcess;
  private nextId = 1;
  private pending?: { id: number; resolve: (v: Verdict) => void };
  seeds: SeedSummary[] = [];

  /** `shared`: ../shared/pcaps, or undefined to fuzz without it. */
  constructor(private readonly shared: string | undefined) {}

  async start(): Promise<SeedSummary[]> {
    const child = fork(WORKER, [this.shared ?? '-'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child = child;
    this.seeds = await new Promise<SeedSummary[]>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`fuzz worker exited (${code}) before it was ready`)));
      child.on('message', (m: FromWorker) => {
        if ('ready' in m) resolve(m.ready as SeedSummary[]);
        else if (this.pending?.id === m.id) this.pending.resolve(m.verdict);
      });
    });
    child.removeAllListeners('exit');
    child.on('exit', (code, signal) => {
      // Dying in the middle of a case is a crash of that case (an abort in native code, say).
      this.pending?.resolve({ ok: false, hung: false, failures: [`the worker died (${signal ?? `exit ${code}`})`], runs: [] });
      this.child = undefined;
    });
    return this.seeds;
  }

  async run(c: FuzzCase, limits: Limits): Promise<Verdict> {
    if (!this.child) await this.start();
    const id = this.nextId++;
    // Three commands at most per case, each within the time limit, plus the set-up.
    const hangMs = limits.ms * 4 + 10_000;
    let timer: NodeJS.Timeout | undefined;
    const verdict = await new Promise<Verdict>((resolve) => {
      this.pending = { id, resolve };
      timer = setTimeout(() => resolve({ ok: false, hung: true, failures: [`hung: no verdict after ${hangMs} ms`], runs: [] }), hangMs);
      this.child!.send({ id, case: c, limits } satisfies ToWorker);
    });
    clearTimeout(timer);
    this.pending = undefined;
    if (verdict.hung) await this.kill();
    return verdict;
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.removeAllListeners('exit');
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}
