import { formatIssue, InputError, UsageError, type InputIssue } from '../core/errors.ts';
import { terminalLines, terminalText } from '../core/terminal-text.ts';
import { ALL_EVENTS } from '../event/selection.ts';
import { prepareTarget } from '../nev/directory.ts';
import { parseSize, SIZE_SYNTAX } from '../nev/size.ts';
import { replay, type ReplayStats } from '../pipeline/replay.ts';
import { DEFAULT_OBJECT_PATH, BpfLoadError } from '../record/bpf-object.ts';
import { NativeError } from '../record/libbpf.ts';
import { LiveSource } from '../record/live-source.ts';
import { preflight, RecordSetupError } from '../record/preflight.ts';
import { DEFAULT_RING_BYTES, DEFAULT_SNAPLEN, record, type RecordSummary } from '../record/recorder.ts';
import { RecordFilter } from '../record/trace-filter.ts';
import { onInterrupt } from './interrupt.ts';
import { checkOperands } from './parse.ts';
import { makeSink } from './sinks.ts';
import type { ParsedArgs } from './spec.ts';
import { integerIn, parseDuration } from './values.ts';
import { writerOptionsFrom } from './writer-options.ts';

/**
 * `netrec record -o cap.nev`: live capture with process context until Ctrl-C, SIGTERM,
 * --duration or --count. Returns the exit code; a missing requirement is one line and exit 1.
 */
export async function recordCommand(args: ParsedArgs): Promise<number> {
  checkOperands(args.command, args.operands);
  const target = writerOptionsFrom(args);
  const snaplenText = args.string('snaplen');
  const snaplen = snaplenText === undefined ? DEFAULT_SNAPLEN : integerIn('--snaplen', snaplenText, 1, DEFAULT_SNAPLEN);
  const bufferSize = args.string('buffer-size');
  const ringBytes = bufferSize === undefined ? DEFAULT_RING_BYTES : ringSize(bufferSize);
  const duration = args.string('duration');
  const durationMs = duration === undefined ? undefined : parseDuration(duration);
  const countText = args.string('count');
  const count = countText === undefined ? undefined : integerIn('--count', countText, 1, Number.MAX_SAFE_INTEGER);
  const filter = RecordFilter.compile([...args.strings('trace')]);
  const output = args.string('output');
  if (output !== undefined && !args.flag('print')) throw new UsageError('--output sets the format of --print: add --print');
  const sink = args.flag('print') ? makeSink(output) : undefined;
  const cgroup = args.string('cgroup');

  let setup;
  try {
    setup = preflight({ ...(cgroup !== undefined ? { cgroup } : {}), objectPath: DEFAULT_OBJECT_PATH });
  } catch (err) {
    if (err instanceof RecordSetupError) throw new InputError(err.message);
    throw err;
  }
  // A target that cannot be written is reported before anything is loaded into the kernel.
  prepareTarget(target.dir, target.force ?? false);

  // A second Ctrl-C exits at once: the kernel detaches the programs when the process ends.
  const interrupt = onInterrupt();
  const stop = new AbortController();
  interrupt.signal.addEventListener('abort', () => stop.abort());
  const timer = durationMs === undefined ? undefined : setTimeout(() => stop.abort(), durationMs);
  let recorded = 0;
  const counted =
    count === undefined
      ? undefined
      : (): void => {
          if (++recorded >= count) stop.abort();
        };

  const live = sink === undefined ? undefined : new LiveSource();
  const report = (issue: InputIssue): void => void process.stderr.write(formatIssue(issue) + '\n');
  const printing: Promise<ReplayStats> | undefined =
    live === undefined || sink === undefined ? undefined : replay({ sources: [live], events: ALL_EVENTS, sink, report });
  const note = (line: string): void => void process.stderr.write(terminalText(`netrec: ${line}`) + '\n');

  let summary: RecordSummary;
  try {
    summary = await record({
      target,
      snaplen,
      cgroupPath: setup.cgroupPath,
      ringBytes,
      signal: stop.signal,
      note,
      onReady: () => process.stderr.write(terminalText(`netrec: recording to ${target.dir} (cgroup ${setup.cgroupPath}, snaplen ${snaplen}); Ctrl-C stops`) + '\n'),
      ...(filter !== undefined ? { filter } : {}),
      ...(live !== undefined || counted !== undefined
        ? {
            onPacket: (p) => {
              live?.push(p);
              counted?.();
            },
          }
        : {}),
    });
  } catch (err) {
    if (err instanceof BpfLoadError) {
      // The verifier's log is what a kernel developer needs: it goes under the one-line error.
      process.stderr.write(err.log.map((l) => `  ${l}\n`).join(''));
      throw new InputError(err.message);
    }
    if (err instanceof NativeError || err instanceof RecordSetupError) throw new InputError(err.message);
    // The recording's file system failed (disk full...): the recording stops there.
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E')) throw new InputError(`writing ${target.dir}: ${(err as Error).message}`);
    throw err;
  } finally {
    clearTimeout(timer);
    interrupt.release();
    live?.end();
    await printing;
  }
  process.stderr.write(terminalLines(formatSummary(target.dir, summary, live?.skipped ?? 0)));
  return 0;
}

function formatSummary(dir: string, s: RecordSummary, unprinted: number): string {
  const lines = [
    `netrec: recorded ${s.packets} packets (${s.bytes} bytes) to ${dir} in ${(s.durationMs / 1000).toFixed(1)} s, ${s.segments} segment${s.segments === 1 ? '' : 's'}`,
    `netrec: lost in the kernel: ${s.lostPackets} packets, ${s.lostLifecycle} process events${s.lostClaims > 0n ? `, ${s.lostClaims} socket owner changes` : ''}; cut by the snaplen: ${s.truncated}; sockets open at start given an owner: ${s.seededSockets}`,
  ];
  if (s.filtered > 0) lines.push(`netrec: left out by --trace: ${s.filtered} packets`);
  if (unprinted > 0) lines.push(`netrec: not printed (the printer fell behind; all are recorded): ${unprinted} packets`);
  if (s.badRecords > 0) lines.push(`netrec: warning: ${s.badRecords} kernel records did not match the ABI and were skipped`);
  return lines.join('\n') + '\n';
}

/** The ring buffer must be a power of two of at least a page. */
function ringSize(text: string): number {
  const n = parseSize(text);
  if (n === undefined) throw new UsageError(`invalid --buffer-size '${text}': expected ${SIZE_SYNTAX}`);
  if (n < 4096 || n > 2 ** 30 || (n & (n - 1)) !== 0) {
    throw new UsageError(`invalid --buffer-size '${text}': expected a power of two from 4KiB to 1GiB`);
  }
  return n;
}
