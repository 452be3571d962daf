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
import { RecordShipping } from './record-ship.ts';
import { isSignatureFailure, prepareSignatures, reportErrors, signatureFlagsOf, type PreparedSignatures } from './signatures-options.ts';
import type { RecordingWriter } from '../nev/recording-writer.ts';
import { SignatureObserver } from '../pipeline/signatures.ts';
import type { Finding } from '../signature/finding.ts';
import { findingToJSON } from '../sink/finding-json.ts';
import type { EventSink } from '../sink/sink.ts';

/**
 * `netrec record -o cap.nev`: live capture with process context until Ctrl-C, SIGTERM,
 * --duration or --count. Returns the exit code; a missing requirement is one line and exit 1.
 */
export async function recordCommand(args: ParsedArgs): Promise<number> {
  checkOperands(args.command, args.operands);
  const target = writerOptionsFrom(args);
  const shipping = RecordShipping.from(args, target);
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
  const flags = signatureFlagsOf(args);
  const signing = flags.signatures.length > 0;
  if (flags.findingsOnly) throw new UsageError('--findings-only is for replay: record prints findings, and events only with --print');
  if (output !== undefined && !args.flag('print') && !signing)
    throw new UsageError('--output sets the format of --print (and of findings): add --print or --signatures');
  // Signatures load before anything touches the kernel: a broken one is a usage error alone.
  const signatures = await prepareSignatures(flags, (line) => process.stderr.write(`${terminalText(`netrec: warning: ${line}`)}\n`));
  const sink = args.flag('print') || signing ? promptFindings(makeSink(output), signing) : undefined;
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
  const report = (issue: InputIssue): void => void process.stderr.write(`${formatIssue(issue)}\n`);
  const store = signatures === undefined || sink === undefined ? undefined : new FindingStore(signatures, sink);
  const observer =
    store === undefined ? undefined : new SignatureObserver(store.signatures.engine, { timed: true, segmentStarts: () => store.segmentStarts() });
  // A signature that throws in strict mode ends the recording, which is still sealed.
  let failure: Error | undefined;
  const printing: Promise<ReplayStats | undefined> | undefined =
    live === undefined || sink === undefined
      ? undefined
      : replay({ sources: [live], events: args.flag('print') ? ALL_EVENTS : 0, sink, report, ...(observer ? { observer } : {}) }).catch((err: unknown) => {
          if (!isSignatureFailure(err)) throw err;
          failure = err;
          stop.abort();
          return undefined;
        });
  const note = (line: string): void => void process.stderr.write(`${terminalText(`netrec: ${line}`)}\n`);

  let summary: RecordSummary | undefined;
  try {
    summary = await record({
      target,
      snaplen,
      cgroupPath: setup.cgroupPath,
      ringBytes,
      acceptAttribution: !args.flag('no-accept-attribution'),
      ...(shipping !== undefined ? { ownPids: shipping.pids } : {}),
      signal: stop.signal,
      note,
      onReady: () => {
        shipping?.start(target.dir);
        process.stderr.write(`${terminalText(`netrec: recording to ${target.dir} (cgroup ${setup.cgroupPath}, snaplen ${snaplen}); Ctrl-C stops`)}\n`);
      },
      ...(filter !== undefined ? { filter } : {}),
      ...(live !== undefined || counted !== undefined
        ? {
            onPacket: (p) => {
              live?.push(p);
              counted?.();
            },
          }
        : {}),
      ...(store !== undefined ? { onWriterOpen: (w) => store.open(w) } : {}),
      beforeSeal: async () => {
        live?.end();
        await printing;
      },
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
    // A recording that failed is still sealed: shipping takes what it holds.
    if (summary === undefined) await shipping?.finish(target.dir);
  }
  process.stderr.write(terminalLines(formatSummary(target.dir, summary, live?.skipped ?? 0, signing, shipping?.pids)));
  const shipped = (await shipping?.finish(target.dir)) ?? 0;
  if (store !== undefined && observer !== undefined) {
    process.stderr.write(store.summary(observer.elapsedMs));
    reportErrors(store.signatures.engine, (line) => process.stderr.write(`${terminalText(`netrec: warning: ${line}`)}\n`));
  }
  if (failure !== undefined) throw new InputError(failure.message);
  return shipped;
}

/**
 * record --signatures: each finding is printed at once (not when the output buffer fills) and
 * stored in the recording, as the same JSON.
 */
class FindingStore {
  private writer: RecordingWriter | undefined;
  stored = 0;
  unstored = 0;

  constructor(
    readonly signatures: PreparedSignatures,
    sink: EventSink,
  ) {
    signatures.route.onFinding = (f) => {
      sink.writeFinding?.(f);
      this.store(f);
    };
  }

  open(writer: RecordingWriter): void {
    this.writer = writer;
  }

  segmentStarts(): readonly number[] | undefined {
    return this.writer?.segmentFirstPackets;
  }

  private store(f: Finding): void {
    const severity = f.metadata.properties?.Severity;
    try {
      this.writer!.writeFinding({
        timestamp: f.event.timestamp,
        packetNumber: f.packetNumber,
        signatureId: f.metadata.id,
        ...(severity !== undefined ? { severity } : {}),
        json: findingToJSON(f),
      });
      this.stored++;
    } catch {
      // The recording failed (disk full...); record reports that. The finding was printed.
      this.unstored++;
    }
  }

  summary(elapsedMs: number): string {
    const { engine, loaded } = this.signatures;
    const events = engine.stats.reduce((n, s) => n + s.events, 0);
    const lines = [
      `netrec: signatures: ${loaded.length} loaded, ${engine.findings} finding${engine.findings === 1 ? '' : 's'} (${this.stored} stored in the recording), ${events} signature calls in ${(elapsedMs / 1000).toFixed(2)} s`,
    ];
    if (this.unstored > 0) lines.push(`netrec: warning: ${this.unstored} findings were printed but could not be stored (the recording failed)`);
    return `${lines.join('\n')}\n`;
  }
}

/**
 * A sink whose findings go out at the next flush, not when its buffer fills. With signatures it
 * never reports itself closed: when stdout goes away (`| head`), the signatures still run and
 * store their findings in the recording.
 */
function promptFindings(sink: EventSink, signing: boolean): EventSink {
  let pending = false;
  return {
    get closed() {
      return !signing && sink.closed;
    },
    write: (e) => sink.write(e),
    writeFinding: (f) => {
      sink.writeFinding?.(f);
      pending = true;
    },
    flush: async () => {
      if (!pending) return sink.flush();
      pending = false;
      return sink.end();
    },
    end: () => sink.end(),
  };
}

function formatSummary(dir: string, s: RecordSummary, unprinted: number, signing: boolean, ownPids: ReadonlySet<number> | undefined): string {
  const lines = [
    `netrec: recorded ${s.packets} packets (${s.bytes} bytes) to ${dir} in ${(s.durationMs / 1000).toFixed(1)} s, ${s.segments} segment${s.segments === 1 ? '' : 's'}`,
    `netrec: lost in the kernel: ${s.lostPackets} packets, ${s.lostLifecycle} process events${s.lostClaims > 0n ? `, ${s.lostClaims} socket owner changes` : ''}; cut by the snaplen: ${s.truncated}; sockets open at start given an owner: ${s.seededSockets}`,
  ];
  if (s.filtered > 0) lines.push(`netrec: left out by --trace: ${s.filtered} packets`);
  if (s.ownTraffic > 0) lines.push(`netrec: left out as its own shipping traffic (pid ${[...(ownPids ?? [])].join(', ')}): ${s.ownTraffic} packets`);
  if (unprinted > 0) {
    const what = signing
      ? 'not printed or analysed by signatures (they fell behind; all are recorded)'
      : 'not printed (the printer fell behind; all are recorded)';
    lines.push(`netrec: ${what}: ${unprinted} packets`);
  }
  if (s.badRecords > 0) lines.push(`netrec: warning: ${s.badRecords} kernel records did not match the ABI and were skipped`);
  return `${lines.join('\n')}\n`;
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
