import { formatIssue, type InputIssue } from '../core/errors.ts';
import { terminalText } from '../core/terminal-text.ts';
import { compileFilters } from '../filter/compile.ts';
import { replay } from '../pipeline/replay.ts';
import { LifecycleTree } from '../replay/lifecycle-tree.ts';
import { NevSource } from '../replay/nev-source.ts';
import { inputPaths, openInputs } from './inputs.ts';
import { onInterrupt } from './interrupt.ts';
import { startProgress } from './progress.ts';
import { EXIT } from './report.ts';
import { makeSink } from './sinks.ts';
import type { ParsedArgs } from './spec.ts';
import { integerIn, parseTime } from './values.ts';

export async function replayCommand(args: ParsedArgs): Promise<number> {
  const paths = inputPaths(args);
  const from = args.string('from');
  const to = args.string('to');
  const window = {
    ...(from !== undefined ? { from: parseTime(from, '--from') } : {}),
    ...(to !== undefined ? { to: parseTime(to, '--to') } : {}),
  };
  const count = args.string('count');
  const limit = count === undefined ? undefined : integerIn('--count', count, 1, Number.MAX_SAFE_INTEGER);
  const sink = makeSink(args.string('output'));

  // A file that cannot be opened is reported and the others still replay; the report waits
  // until the filters compiled, so that a bad filter is the only line before exit 2.
  const { sources, unopened } = await openInputs(paths, window.from !== undefined ? { fromTime: window.from } : {});
  // follow finds descendants in the recordings' lifecycle records, read as the replay goes.
  const recordings = sources.filter((s): s is NevSource => s instanceof NevSource);
  const lifecycle = new LifecycleTree();
  for (const r of recordings) r.feedLifecycle(lifecycle);
  const filter = compileFilters([...args.strings('trace')], {
    hasProcessContext: sources.some((s) => s.hasProcessContext),
    ...(recordings.length > 0 ? { processTree: lifecycle.tree } : {}),
  });
  for (const message of unopened) process.stderr.write(terminalText(`netrec: error: ${message}`) + '\n');
  for (const warning of filter.warnings) process.stderr.write(terminalText(`netrec: warning: ${warning}`) + '\n');

  const progress = startProgress('replay', sources);
  const report = (issue: InputIssue): void => {
    progress.end();
    process.stderr.write(formatIssue(issue) + '\n');
  };
  const interrupt = onInterrupt();
  const stats = await replay({
    sources,
    events: filter.events,
    accept: filter.accept,
    sink,
    report,
    order: args.flag('concat') ? 'concat' : 'merge',
    window,
    signal: interrupt.signal,
    progress: (packets) => progress.update(packets),
    ...(limit !== undefined ? { limit } : {}),
  }).finally(() => progress.end());
  if (interrupt.release()) return EXIT.interrupted;
  return unopened.length + stats.errors > 0 ? EXIT.input : EXIT.ok;
}
