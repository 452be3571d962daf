import { formatIssue, UsageError, type InputIssue } from '../core/errors.ts';
import { replay } from '../pipeline/replay.ts';
import { jsonSink } from '../sink/json-sink.ts';
import type { EventSink } from '../sink/sink.ts';
import { tableSink } from '../sink/table-sink.ts';
import { openInputs, reportInputs } from './inputs.ts';
import type { CommandArgs } from './main.ts';

export async function replayCommand(args: CommandArgs): Promise<number> {
  if (args.positionals.length === 0) throw new UsageError('replay needs at least one input file (or - for stdin)');
  const sink = makeSink(args.output);

  const inputs = await openInputs(args.positionals, args.trace);
  reportInputs(inputs);
  const { sources, filter, unopened } = inputs;
  const report = (issue: InputIssue): void => void process.stderr.write(formatIssue(issue) + '\n');
  const stats = await replay({ sources, events: filter.events, accept: filter.accept, sink, report });
  return unopened.length + stats.errors > 0 ? 1 : 0;
}

/** The `--output` sink on stdout (replay, record --print). */
export function makeSink(output: string): EventSink {
  switch (output.replace(/^format:/, '')) {
    case 'json':
      return jsonSink(process.stdout);
    case 'table':
      return tableSink(process.stdout);
    default:
      throw new UsageError(`unknown output format '${output}' (valid: json, table, format:json, format:table)`);
  }
}
