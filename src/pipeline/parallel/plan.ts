/**
 * One thread or several: how many replay workers a run gets. Parallel replay covers JSON output
 * of events, with or without --trace; what carries state from one event to the next, or needs
 * the events in one place, stays on one thread:
 * - signatures (their state runs across events and inputs, findings interleave with events),
 * - .nev recordings (their stored findings are printed among the events as they are read, and
 *   `follow` grows its process tree as the recording is read),
 * - --count (the cut falls inside a batch), the table output (one header, one column layout),
 * - -w / export and stats (they take packets, not JSON).
 * Small inputs stay on one thread too: starting a worker costs more than it saves. So does a
 * busy machine (see `auto` below).
 */

/** Below this many bytes of input one thread is done before workers would have paid off. */
export const SMALL_INPUT_BYTES = 16 << 20;
/** More workers than this only add start-up and memory. */
const MAX_WORKERS = 8;

export interface ParallelPlan {
  /** Threads asked for: 'auto' decides from the machine and the input; 1 is one thread. */
  threads: number | 'auto';
  json: boolean;
  signatures: boolean;
  limit: boolean;
  /** Some input is a recording (process context, stored findings). */
  recordings: boolean;
  /** Total size of the inputs, when every one is a file of known size. */
  inputBytes: number | undefined;
  /** The machine: its cores (os.availableParallelism) and 1-minute load average (os.loadavg). */
  cores: number;
  load: number;
}

/**
 * Workers to start; 0: replay on the main thread alone. `auto` starts one per core when at
 * least one core is idle (load average at most cores - 1): workers cost about a sixth more CPU
 * than one thread (start-up, compiling the same code once per thread, copying batches), which
 * only pays when there is a core for them. On a machine other jobs keep busy, Linux shares the
 * CPU between sessions (autogroup), not threads, so more threads get no more of it.
 */
export function replayWorkers(plan: ParallelPlan): number {
  if (!plan.json || plan.signatures || plan.limit || plan.recordings) return 0;
  if (typeof plan.threads === 'number') return plan.threads <= 1 ? 0 : Math.min(plan.threads, MAX_WORKERS);
  if (plan.inputBytes !== undefined && plan.inputBytes < SMALL_INPUT_BYTES) return 0;
  // Filtered output too: since the main thread hands pcap records over without unpacking them,
  // DNS-only replay of the 1M-packet DNS mix takes 4.6 s with two workers against 6.0 s on one
  // thread (docs/performance.md, quiet machine; it was 9.8 against 7.0 before).
  if (plan.cores < 2 || plan.load > plan.cores - 1) return 0;
  return Math.min(plan.cores, MAX_WORKERS);
}
