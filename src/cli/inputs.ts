/**
 * Opening the inputs of a command that reads captures (replay, export, stats) and compiling its
 * `--trace` filters against them. A file that cannot be opened is kept as a message, and the
 * others are still read; the caller prints the messages once the filters compiled, so that a bad
 * filter is the only line before exit 2.
 */
import { InputError } from '../core/errors.ts';
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
