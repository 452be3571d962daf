/**
 * Opening the inputs of a command that reads captures (replay, export, stats, info, tui) and
 * compiling its `--trace` filters against them. A file that cannot be opened is kept as a
 * message, and the others are still read; the caller prints the messages once the filters
 * compiled, so that a bad filter is the only line before exit 2.
 */
import { InputError } from '../core/errors.ts';
import { terminalText } from '../core/terminal-text.ts';
import { compileFilters, type CompiledFilter, type FilterContext } from '../filter/compile.ts';
import type { ReadOptions } from '../nev/recording.ts';
import { LifecycleTree } from '../replay/lifecycle-tree.ts';
import { NevSource } from '../replay/nev-source.ts';
import { openCapture } from '../replay/open.ts';
import type { PacketSource } from '../core/source.ts';
import { checkOperands } from './parse.ts';
import type { ParsedArgs } from './spec.ts';
import { parseTime } from './values.ts';

/** -r values first, then operands; the count is checked against the command's table. */
export function inputPaths(args: ParsedArgs): string[] {
  const paths = [...args.strings('read'), ...args.operands];
  checkOperands(args.command, paths);
  if (paths.filter((p) => p === '-').length > 1) throw new InputError('standard input (-) can be read only once');
  return paths;
}

/** --from/--to as epoch ns, for commands that have them. */
export function timeWindow(args: ParsedArgs): { from?: bigint; to?: bigint } {
  const from = args.string('from');
  const to = args.string('to');
  return {
    ...(from !== undefined ? { from: parseTime(from, '--from') } : {}),
    ...(to !== undefined ? { to: parseTime(to, '--to') } : {}),
  };
}

export interface Inputs {
  sources: PacketSource[];
  /** One line each for the files that could not be opened. */
  unopened: string[];
  filter: CompiledFilter;
  /** What the filters were compiled against (signatures compile their scope filters the same way). */
  filterContext: FilterContext;
}

export async function openInputs(paths: readonly string[], trace: readonly string[], options: ReadOptions = {}): Promise<Inputs> {
  const unopened: string[] = [];
  const sources: PacketSource[] = [];
  for (const path of paths) {
    try {
      sources.push(await openCapture(path, options));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      unopened.push(err.message);
    }
  }
  // follow finds descendants in the recordings' lifecycle records, read as the replay goes.
  const recordings = sources.filter((s): s is NevSource => s instanceof NevSource);
  const lifecycle = new LifecycleTree();
  for (const r of recordings) r.feedLifecycle(lifecycle);
  const filterContext: FilterContext = {
    hasProcessContext: sources.some((s) => s.hasProcessContext),
    ...(recordings.length > 0 ? { processTree: lifecycle.tree } : {}),
  };
  const filter = compileFilters(trace, filterContext);
  return { sources, unopened, filter, filterContext };
}

/** Prints what openInputs kept for later: files not opened, filter warnings. */
export function reportInputs(inputs: Inputs): void {
  for (const message of inputs.unopened) process.stderr.write(`${terminalText(`netrec: error: ${message}`)}\n`);
  for (const warning of inputs.filter.warnings) process.stderr.write(`${terminalText(`netrec: warning: ${warning}`)}\n`);
}
