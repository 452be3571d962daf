import { parseArgs } from 'node:util';
import { formatIssue, UsageError, type InputIssue } from '../core/errors.ts';
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
import { WRITER_FLAGS, writerOptionsFrom } from './convert-command.ts';
import { makeSink } from './replay-command.ts';
import { USAGE } from './usage.ts';

const { output: _recordingFlag, ...SHARED_WRITER_FLAGS } = WRITER_FLAGS;

/**
 * `netrec record -o cap.nev`: live capture with process context until Ctrl-C, SIGTERM or
 * --duration. Returns the exit code; a missing requirement is one line and exit 1.
 */
export async function recordCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...SHARED_WRITER_FLAGS,
      // -o names the recording here, as in convert; --output is --print's format, as in replay.
      write: { type: 'string', short: 'o' },
      output: { type: 'string' },
      duration: { type: 'string' },
      snaplen: { type: 'string' },
      'buffer-size': { type: 'string' },
      trace: { type: 'string', short: 't', multiple: true, default: [] },
      filter: { type: 'string', short: 'f', multiple: true, default: [] },
      cgroup: { type: 'string' },
      print: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const target = writerOptionsFrom({ ...values, output: values.write });
  const snaplen = values.snaplen === undefined ? DEFAULT_SNAPLEN : integerIn('--snaplen', values.snaplen, 1, DEFAULT_SNAPLEN);
  const ringBytes = values['buffer-size'] === undefined ? DEFAULT_RING_BYTES : ringSize(values['buffer-size']);
  const durationMs = values.duration === undefined ? undefined : parseDuration(values.duration);
  const filter = RecordFilter.compile([...values.trace, ...values.filter]);
  if (values.output !== undefined && !values.print) throw new UsageError('--output sets the format of --print: add --print');
  const sink = values.print ? makeSink(values.output ?? 'json') : undefined;

  let setup;
  try {
    setup = preflight({ ...(values.cgroup !== undefined ? { cgroup: values.cgroup } : {}), objectPath: DEFAULT_OBJECT_PATH });
  } catch (err) {
    if (err instanceof RecordSetupError) return fail(err.message);
    throw err;
  }
  // A target that cannot be written is reported before anything is loaded into the kernel.
  prepareTarget(target.dir, target.force ?? false);

  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) process.exit(130); // a second Ctrl-C: the kernel detaches on exit
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timer = durationMs === undefined ? undefined : setTimeout(() => stop.abort(), durationMs);

  const live = sink === undefined ? undefined : new LiveSource();
  const report = (issue: InputIssue): void => void process.stderr.write(formatIssue(issue) + '\n');
  const printing: Promise<ReplayStats> | undefined =
    live === undefined || sink === undefined ? undefined : replay({ sources: [live], events: ALL_EVENTS, sink, report });
  const note = (line: string): void => void process.stderr.write(`netrec: ${line}\n`);

  let summary: RecordSummary;
  try {
    summary = await record({
      target,
      snaplen,
      cgroupPath: setup.cgroupPath,
      ringBytes,
      signal: stop.signal,
      note,
      onReady: () => process.stderr.write(`netrec: recording to ${target.dir} (cgroup ${setup.cgroupPath}, snaplen ${snaplen}); Ctrl-C stops\n`),
      ...(filter !== undefined ? { filter } : {}),
      ...(live !== undefined ? { onPacket: (p) => live.push(p) } : {}),
    });
  } catch (err) {
    if (err instanceof BpfLoadError) return fail([err.message, ...err.log.map((l) => `  ${l}`)].join('\n'));
    if (err instanceof NativeError || err instanceof RecordSetupError) return fail(err.message);
    // The recording's file system failed (disk full...): the recording stops there.
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('E')) return fail(`writing ${target.dir}: ${(err as Error).message}`);
    throw err;
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    live?.end();
    await printing;
  }
  process.stderr.write(formatSummary(target.dir, summary, live?.skipped ?? 0));
  return 0;
}

function fail(message: string): number {
  process.stderr.write(`netrec: error: ${message}\n`);
  return 1;
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

function integerIn(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`invalid ${flag} '${text}': expected an integer from ${min} to ${max}`);
  return n;
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

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, '': 1000 };

/** "30s", "5m", "1h", "250ms"; a plain number is seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * DURATION_UNITS[m[2]!]! : NaN;
  if (!(ms > 0) || !Number.isFinite(ms) || ms > 2 ** 31 - 1) {
    throw new UsageError(`invalid --duration '${text}': expected a positive time such as 30s, 5m, 1h or 500ms`);
  }
  return ms;
}
