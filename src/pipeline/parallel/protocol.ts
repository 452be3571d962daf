/**
 * What the main thread and a replay worker say to each other. Batches go out in sequence
 * numbers; results come back with the same number, and the main thread writes them in that
 * order whatever order the workers finish in.
 */
import type { InputIssue } from '../../core/errors.ts';
import type { EventMask } from '../../event/selection.ts';

/** Given to every worker when it starts (workerData). */
export interface WorkerSetup {
  events: EventMask;
  /** The --trace expressions, compiled again in the worker (a compiled filter is code). */
  trace: readonly string[];
  hasProcessContext: boolean;
  /** The inputs' names, by position: messages name the file. */
  names: readonly string[];
  window: { from?: bigint; to?: bigint };
}

/** A worker's answer to one batch. */
export interface BatchResult {
  seq: number;
  /** The batch's JSON lines, in order. */
  chunks: Uint8Array[];
  /** Issues in the order one thread would have reported them, with the input's position. */
  issues: [InputIssue, number][];
  packets: number;
  matched: number;
  events: number;
  /** The batch's packet buffer, given back (transferred) for the next batch to fill. */
  bytes: ArrayBuffer;
}
