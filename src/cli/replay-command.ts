import { formatIssue, UsageError, type InputIssue } from '../core/errors.ts';
import { replay } from '../pipeline/replay.ts';
import { exportPackets } from './export-run.ts';
import { inputPaths, openInputs, reportInputs, timeWindow } from './inputs.ts';
import { onInterrupt } from './interrupt.ts';
import { startProgress } from './progress.ts';
import { EXIT } from './report.ts';
import { makeSink } from './sinks.ts';
import type { ParsedArgs } from './spec.ts';
import { integerIn } from './values.ts';

export async function replayCommand(args: ParsedArgs): Promise<number> {
  const paths = inputPaths(args);
  const window = timeWindow(args);
  const count = args.string('count');
  const limit = count === undefined ? undefined : integerIn('--count', count, 1, Number.MAX_SAFE_INTEGER);
  const write = args.string('write');
  if (write !== undefined) {
    if (args.string('output') !== undefined) throw new UsageError('-w writes packets, --output formats events: give one of them');
    // As tshark -w: the packets that pass the filters, into a capture file (export's writer).
    return exportPackets({
      inputs: paths,
      output: write,
      format: /\.pcap$/i.test(write) ? 'pcap' : 'pcapng',
      micro: false,
      trace: args.strings('trace'),
      splitBy: undefined,
      force: false,
      window,
      order: args.flag('concat') ? 'concat' : 'merge',
      limit,
    });
  }
  const sink = makeSink(args.string('output'));

  const inputs = await openInputs(paths, args.strings('trace'), window.from !== undefined ? { fromTime: window.from } : {});
  reportInputs(inputs);
  const { sources, filter, unopened } = inputs;

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
