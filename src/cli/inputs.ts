/**
 * Opening the inputs of a command that reads captures (replay, export, stats) and compiling its
 * `--trace` filters against them. A file that cannot be opened is kept as a message, and the
 * others are still read; the caller prints the messages once the filters compiled, so that a bad
 * filter is the only line before exit 2.
 */
import { InputError, UsageError } from '../core/errors.ts';
import { compileFilters, type CompiledFilter } from '../filter/compile.ts';
import { LifecycleTree } from '../replay/lifecycle-tree.ts';
import { NevSource } from '../replay/nev-source.ts';
import { openCapture } from '../replay/open.ts';
import type { PacketSource } from '../replay/source.ts';

/** The filter flags of the commands that read captures: `--trace` and its aliases `-t`, `--filter`, `-f`. */
export const TRACE_OPTIONS = {
  trace: { type: 'string', short: 't', multiple: true, default: [] as string[] },
  filter: { type: 'string', short: 'f', multiple: true, default: [] as string[] },
} as const;

/** `--from` / `--to`: a time window over the packets (the pipeline's `from` and `to`). */
export const TIME_OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
} as const;

export const TIME_SYNTAX = 'RFC 3339 (2026-11-28T23:46:40.634422579Z, any offset) or epoch seconds (1795909600.5)';

/** The window the options give, exact to the nanosecond; UsageError for a time that does not parse. */
export function timeWindow(values: { from?: string | undefined; to?: string | undefined }): { from?: bigint; to?: bigint } {
  const window: { from?: bigint; to?: bigint } = {};
  if (values.from !== undefined) window.from = parseTime('--from', values.from);
  if (values.to !== undefined) window.to = parseTime('--to', values.to);
  if (window.from !== undefined && window.to !== undefined && window.from > window.to) throw new UsageError(`--from ${values.from} is after --to ${values.to}`);
  return window;
}

function parseTime(flag: string, text: string): bigint {
  const epoch = /^(\d{1,12})(?:\.(\d{1,9}))?$/.exec(text);
  if (epoch !== null) return BigInt(epoch[1]!) * 1_000_000_000n + BigInt((epoch[2] ?? '').padEnd(9, '0'));
  const rfc = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/.exec(text);
  const ms = rfc === null ? NaN : Date.parse(`${rfc[1]}T${rfc[2]}${rfc[4]!.toUpperCase()}`);
  if (rfc === null || Number.isNaN(ms)) throw new UsageError(`invalid ${flag} '${text}': expected ${TIME_SYNTAX}`);
  return BigInt(ms) * 1_000_000n + BigInt((rfc[3] ?? '').padEnd(9, '0'));
}

export interface Inputs {
  sources: PacketSource[];
  /** One line each for the files that could not be opened. */
  unopened: string[];
  filter: CompiledFilter;
}

export async function openInputs(paths: readonly string[], trace: readonly string[]): Promise<Inputs> {
  const unopened: string[] = [];
  const sources: PacketSource[] = [];
  for (const path of paths) {
    try {
      sources.push(await openCapture(path));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      unopened.push(err.message);
    }
  }
  // follow finds descendants in the recordings' lifecycle records, read as the replay goes.
  const recordings = sources.filter((s): s is NevSource => s instanceof NevSource);
  const lifecycle = new LifecycleTree();
  for (const r of recordings) r.feedLifecycle(lifecycle);
  const filter = compileFilters(trace, {
    hasProcessContext: sources.some((s) => s.hasProcessContext),
    ...(recordings.length > 0 ? { processTree: lifecycle.tree } : {}),
  });
  return { sources, unopened, filter };
}

/** Prints what openInputs kept for later: files not opened, filter warnings. */
export function reportInputs(inputs: Inputs): void {
  for (const message of inputs.unopened) process.stderr.write(`netrec: error: ${message}\n`);
  for (const warning of inputs.filter.warnings) process.stderr.write(`netrec: warning: ${warning}\n`);
}
