import { availableParallelism, loadavg } from 'node:os';
import { formatIssue, UsageError, type InputIssue } from '../core/errors.ts';
import { terminalText } from '../core/terminal-text.ts';
import { parallelReplay } from '../pipeline/parallel/parallel-replay.ts';
import { replayWorkers } from '../pipeline/parallel/plan.ts';
import { replay } from '../pipeline/replay.ts';
import { exportPackets } from './export-run.ts';
import { inputPaths, openInputs, reportInputs, timeWindow } from './inputs.ts';
import { onInterrupt } from './interrupt.ts';
import { startProgress } from './progress.ts';
import { EXIT } from './report.ts';
import { makeSink } from './sinks.ts';
import { isSignatureFailure, replaySignatures, signatureFlagsOf } from './signatures-options.ts';
import type { PacketSource } from '../core/source.ts';
import type { ParsedArgs } from './spec.ts';
import { integerIn } from './values.ts';

export async function replayCommand(args: ParsedArgs): Promise<number> {
  const paths = inputPaths(args);
  const window = timeWindow(args);
  const count = args.string('count');
  const limit = count === undefined ? undefined : integerIn('--count', count, 1, Number.MAX_SAFE_INTEGER);
  const signatureFlags = signatureFlagsOf(args);
  const write = args.string('write');
  if (write !== undefined) {
    if (args.string('output') !== undefined) throw new UsageError('-w writes packets, --output formats events: give one of them');
    if (signatureFlags.signatures.length > 0 || signatureFlags.findingsOnly)
      throw new UsageError('-w writes packets; signatures run when replay prints events');
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
  // Signatures load before any input is opened: a broken one is a usage error (exit 2) alone.
  const sigs = await replaySignatures(signatureFlags);

  const inputs = await openInputs(paths, args.strings('trace'), window.from !== undefined ? { fromTime: window.from } : {});
  reportInputs(inputs);
  const { sources, filter, unopened, filterContext } = inputs;

  const progress = startProgress('replay', sources);
  const report = (issue: InputIssue): void => {
    progress.end();
    process.stderr.write(`${formatIssue(issue)}\n`);
  };
  sigs.attach(sink, sources, args.strings('trace'), filterContext, report);
  const interrupt = onInterrupt();
  const workers = replayWorkers({
    threads: threadsOf(args.string('threads') ?? process.env.NETREC_THREADS),
    json: (args.string('output') ?? 'json').replace(/^format:/, '') === 'json',
    signatures: signatureFlags.signatures.length > 0 || signatureFlags.findingsOnly,
    limit: limit !== undefined,
    recordings: sources.some((s) => s.hasProcessContext),
    inputBytes: inputBytes(sources),
    cores: availableParallelism(),
    load: loadavg()[0]!,
  });
  const common = {
    sources,
    events: sigs.printEvents ? filter.events : 0,
    report,
    order: args.flag('concat') ? ('concat' as const) : ('merge' as const),
    window,
    signal: interrupt.signal,
    progress: (packets: number) => progress.update(packets),
  };
  let stats;
  try {
    stats =
      workers > 0
        ? await parallelReplay({ ...common, trace: args.strings('trace'), hasProcessContext: false, output: process.stdout, workers })
        : await replay({
            ...common,
            accept: filter.accept,
            sink,
            ...(limit !== undefined ? { limit } : {}),
            ...(sigs.observer ? { observer: sigs.observer } : {}),
          });
  } catch (err) {
    if (!isSignatureFailure(err)) throw err;
    await sink.end(); // what was printed up to the failing event
    process.stderr.write(`${terminalText(`netrec: error: ${err.message}`)}\n`);
    return EXIT.input;
  } finally {
    progress.end();
  }
  sigs.finish();
  if (interrupt.release()) return EXIT.interrupted;
  return unopened.length + stats.errors > 0 ? EXIT.input : EXIT.ok;
}

/** --threads (or NETREC_THREADS): a count, or auto. */
function threadsOf(text: string | undefined): number | 'auto' {
  return text === undefined || text === 'auto' ? 'auto' : integerIn('--threads', text, 1, 64);
}

/** The inputs' total size, when every one is a file whose size is known (not stdin). */
function inputBytes(sources: readonly PacketSource[]): number | undefined {
  let total = 0;
  for (const s of sources) {
    const size = s.progress?.().totalBytes;
    if (size === undefined) return undefined;
    total += size;
  }
  return total;
}
