import { formatIssue, InputError, UsageError, type InputIssue } from '../core/errors.ts';
import { compileFilters } from '../filter/compile.ts';
import { replay } from '../pipeline/replay.ts';
import { LifecycleTree } from '../replay/lifecycle-tree.ts';
import { NevSource } from '../replay/nev-source.ts';
import { openCapture } from '../replay/open.ts';
import { jsonSink } from '../sink/json-sink.ts';
import type { EventSink } from '../sink/sink.ts';
import { tableSink } from '../sink/table-sink.ts';
import type { CommandArgs } from './main.ts';
import { isSignatureFailure, NO_SIGNATURES, replaySignatures, type SignatureFlags } from './signatures-options.ts';

/** `signatures`: the flags of REPLAY_SIGNATURE_OPTIONS (signatures-options.ts), once the option table has them. */
export async function replayCommand(args: CommandArgs, signatures: SignatureFlags = NO_SIGNATURES): Promise<number> {
  if (args.positionals.length === 0) throw new UsageError('replay needs at least one input file (or - for stdin)');
  const sink = makeSink(args.output);
  // Signatures load before any input is opened: a broken one is a usage error (exit 2) alone.
  const sigs = await replaySignatures(signatures);

  // A file that cannot be opened is reported and the others still replay; the report waits
  // until the filters compiled, so that a bad filter is the only line before exit 2.
  const unopened: string[] = [];
  const sources = [];
  for (const path of args.positionals) {
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
  const filterContext = {
    hasProcessContext: sources.some((s) => s.hasProcessContext),
    ...(recordings.length > 0 ? { processTree: lifecycle.tree } : {}),
  };
  const filter = compileFilters(args.trace, filterContext);
  for (const message of unopened) process.stderr.write(`netrec: error: ${message}\n`);
  for (const warning of filter.warnings) process.stderr.write(`netrec: warning: ${warning}\n`);
  const report = (issue: InputIssue): void => void process.stderr.write(formatIssue(issue) + '\n');
  sigs.attach(sink, sources, args.trace, filterContext, report);
  let stats;
  try {
    stats = await replay({
      sources,
      events: sigs.printEvents ? filter.events : 0,
      accept: filter.accept,
      sink,
      report,
      ...(sigs.observer ? { observer: sigs.observer } : {}),
    });
  } catch (err) {
    if (!isSignatureFailure(err)) throw err;
    await sink.end(); // what was printed up to the failing event
    process.stderr.write(`netrec: error: ${err.message}\n`);
    return 1;
  }
  sigs.finish();
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
