/**
 * `netrec export <input...> -w out.pcapng`: recordings, pcap and pcapng out as one capture file
 * (pcapng with the process context of every packet, or classic pcap), or with --split-by as a
 * directory of files, one per process, comm, container, cgroup or flow (docs/export.md).
 */
import { machine, release, type as osType } from 'node:os';
import { parseArgs } from 'node:util';
import { formatIssue, UsageError, type InputIssue } from '../core/errors.ts';
import { NETREC_VERSION } from '../core/version.ts';
import { replay, type PacketConsumer, type ReplayStats } from '../pipeline/replay.ts';
import { Depth } from '../decode/packet.ts';
import { NevSource } from '../replay/nev-source.ts';
import type { PacketSource } from '../replay/source.ts';
import { ByteOutput } from '../sink/byte-output.ts';
import { PcapCaptureSink, PcapngCaptureSink, type CaptureOrigin, type CaptureSink } from '../sink/capture-sink.ts';
import { DirectoryTarget, FileTarget } from '../sink/export-target.ts';
import type { SectionInfo } from '../sink/pcapng-writer.ts';
import { SPLIT_KINDS, type SplitBy } from '../sink/split-key.ts';
import { SplitSink } from '../sink/split-sink.ts';
import { openInputs, reportInputs, TIME_OPTIONS, timeWindow, TIME_SYNTAX, TRACE_OPTIONS } from './inputs.ts';

export const EXPORT_HELP = `Usage: netrec export <input...> -w <out.pcapng> [options]

Write recordings (.nev), pcap and pcapng files out as one capture file for Wireshark, tshark,
tcpdump, Zeek or Suricata. pcapng keeps each packet's exact nanosecond timestamp, direction and
process context (a packet comment, and Apple's Darwin process blocks that Wireshark decodes);
netrec reads both back, so the export replays with the same events.

Options:
  -w, --write FILE        Output file (with --split-by: a directory). Written under a
                          temporary name and renamed when complete.
  -F, --format FORMAT     pcapng (default) or pcap (classic: one link type, no context).
      --micro             With --format pcap: microsecond timestamps (cut to the µs)
                          instead of nanosecond ones, for tools that read only those.
  -t, --trace EXPR        Keep the packets that give an event the filter keeps (as for
                          replay; repeatable, also --filter / -f).
      --from TIME         Only packets from TIME on; --to TIME: up to TIME (inclusive).
                          TIME: ${TIME_SYNTAX}.
      --split-by KEY      One file per process, comm, container, cgroup or flow, in the
                          directory -w names, with index.tsv (key, file, packets, bytes).
      --force             Replace an existing output (a split directory only if an
                          export made it).
  -h, --help              Show this help.

Exit status: 0 written; 1 an input error was reported or the output could not be written
(nothing is left under the output name); 2 usage error.
`;

const FORMATS = ['pcapng', 'pcap'] as const;
export type Format = (typeof FORMATS)[number];

interface ExportArgs extends ExportOptions {
  inputs: string[];
  trace: string[];
  window: { from?: bigint; to?: bigint };
}

function parse(argv: string[]): ExportArgs | 'help' {
  // parseArgs' own errors (unknown option, missing value) are usage errors: main reports them.
  const parsed = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      write: { type: 'string', short: 'w' },
      format: { type: 'string', short: 'F', default: 'pcapng' },
      micro: { type: 'boolean', default: false },
      ...TRACE_OPTIONS,
      ...TIME_OPTIONS,
      'split-by': { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError('export needs at least one input (a recording, pcap or pcapng; - for stdin)');
  if (values.write === undefined) throw new UsageError('export needs an output: -w out.pcapng');
  if (values.write === '-') throw new UsageError('export writes a file (renamed into place when complete), not standard output');
  const format = values.format as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`unknown --format '${values.format}' (valid: ${FORMATS.join(', ')})`);
  if (values.micro && format !== 'pcap') throw new UsageError('--micro is for --format pcap (pcapng keeps nanoseconds)');
  const splitBy = values['split-by'] as SplitBy | undefined;
  if (splitBy !== undefined && !SPLIT_KINDS.includes(splitBy)) {
    throw new UsageError(`unknown --split-by '${splitBy}' (valid: ${SPLIT_KINDS.join(', ')})`);
  }
  return {
    inputs: positionals,
    window: timeWindow(values),
    output: values.write,
    format,
    micro: values.micro,
    trace: [...values.trace, ...values.filter],
    splitBy,
    force: values.force,
  };
}

export async function exportCommand(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (args === 'help') {
    process.stdout.write(EXPORT_HELP);
    return 0;
  }
  const inputs = await openInputs(args.inputs, args.trace);
  const { sources, filter } = inputs;
  let errors = inputs.unopened.length;
  const report = (issue: InputIssue): void => {
    if (issue.severity === 'error') errors++;
    process.stderr.write(formatIssue(issue) + '\n');
  };
  const exporting = startExport(args, sources, report);
  reportInputs(inputs);
  return exporting.run(async (packets, onIssue) => {
    const stats = await replay({ sources, events: filter.events, ...(filter.accept !== undefined ? { accept: filter.accept } : {}), ...args.window, packets, report: onIssue });
    return { stats, errors: () => errors };
  });
}

export interface ExportOptions {
  output: string;
  format: Format;
  micro: boolean;
  splitBy: SplitBy | undefined;
  force: boolean;
}

/** An export under way: what the pipeline feeds, and the run that finishes or abandons it. */
export interface Export {
  /**
   * Runs `pipeline` with the export's packet consumer and issue hook (losses are counted from the
   * issues, and every issue goes on to `report`), then completes the output, or removes it on a
   * write error, Ctrl-C or SIGTERM. Returns the exit code.
   */
  run(pipeline: (packets: PacketConsumer, report: (issue: InputIssue, source: number) => void) => Promise<{ stats: ReplayStats; errors: () => number }>): Promise<number>;
}

/**
 * Opens the output of an export of `sources` (refusing to overwrite without --force). `replay -w`
 * runs the same consumer beside its event sink: `startExport(options, sources, report).run(...)`.
 */
export function startExport(options: ExportOptions, sources: readonly PacketSource[], report: (issue: InputIssue) => void): Export {
  const target = options.splitBy === undefined ? new FileTarget(options.output, options.force) : new DirectoryTarget(options.output, options.force);
  return {
    async run(pipeline) {
      // Ctrl-C or a kill leaves nothing under either name.
      const onSignal = (signal: NodeJS.Signals): void => {
        target.abort();
        process.exit(signal === 'SIGINT' ? 130 : 143);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const origins = sources.map(originOf);
        const out = outputFor(options, target, sectionFor(sources));
        const { stats, errors } = await pipeline(out.consumer(origins, report), (issue, source) => {
          if (issue.lost !== undefined) out.lost(origins[source]!, issue.lost);
          report(issue);
        });
        for (const issue of await out.end()) report(issue);
        target.commit();
        const what = options.splitBy === undefined ? `${options.output} (${options.format})` : `${out.files()} ${options.format} files in ${options.output} (index.tsv lists them)`;
        process.stderr.write(`netrec: exported ${stats.kept} of ${stats.packets} packets to ${what}\n`);
        return errors() > 0 ? 1 : 0;
      } catch (err) {
        target.abort();
        const code = (err as NodeJS.ErrnoException).code;
        if (err instanceof Error && typeof code === 'string' && code.startsWith('E')) {
          // A full disk or an I/O error: one line, and no half file under the output name.
          process.stderr.write(`netrec: error: ${options.output}: cannot write: ${systemMessage(err)}; nothing was written\n`);
          return 1;
        }
        throw err;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    },
  };
}

/** The single file or the split directory, behind one face for the pipeline. */
interface Output {
  consumer(origins: CaptureOrigin[], report: (issue: InputIssue) => void): PacketConsumer;
  lost(origin: CaptureOrigin, loss: { kernelLost: bigint; userDropped: bigint }): void;
  end(): Promise<InputIssue[]>;
  files(): number;
}

function outputFor(args: ExportOptions, target: FileTarget | DirectoryTarget, section: SectionInfo): Output {
  const open = (output: ByteOutput, dropCounts: boolean): CaptureSink =>
    args.format === 'pcap' ? new PcapCaptureSink(output, { nanosecond: !args.micro }) : new PcapngCaptureSink(output, { section, dropCounts });
  if (target instanceof FileTarget) {
    // One large file: the kernel writes a chunk while the next is encoded.
    const output = new ByteOutput(target, undefined, true);
    const sink = open(output, true);
    return {
      consumer: (origins, report) => ({
        depth: 0,
        packet(p, _d, source) {
          const issue = sink.write(p, origins[source]!);
          if (issue !== undefined) report(issue);
        },
        settle: () => output.settle(),
      }),
      lost: (origin, loss) => sink.lost(origin, loss),
      end: () => sink.end(),
      files: () => 1,
    };
  }
  const split = new SplitSink(target, {
    by: args.splitBy!,
    extension: `.${args.format}`,
    open: (output) => open(output, false),
  });
  return {
    consumer: (origins, report) => ({
      // Flows are told apart by their ports; the other keys need no decoding.
      depth: args.splitBy === 'flow' ? Depth.Transport : 0,
      packet(p, d, source) {
        const issue = split.write(p, d, origins[source]!);
        if (issue !== undefined) report(issue);
      },
    }),
    lost: (origin, loss) => split.lost(origin, loss),
    end: () => split.end(),
    files: () => split.groupCount,
  };
}

/** An input as the capture sink sees it: its position, name and recorded interface names. */
function originOf(source: PacketSource, index: number): CaptureOrigin {
  const names = new Map<number, string>();
  if (source instanceof NevSource) {
    for (const segment of source.recording.segments) {
      for (const i of segment.info?.header?.interfaces ?? []) names.set(i.ifindex, i.name);
      for (const i of segment.info?.footer?.interfaces ?? []) names.set(i.ifindex, i.name);
    }
  }
  return { index, name: source.name, interfaceName: (ifindex) => names.get(ifindex) };
}

/**
 * The section header: the recording host's kernel when the first recording names it (the
 * packets were captured there), this machine's otherwise; the comment lists the inputs.
 */
function sectionFor(sources: readonly PacketSource[]): SectionInfo {
  const recorded = sources
    .filter((s): s is NevSource => s instanceof NevSource)
    .map((s) => s.recording.segments.find((seg) => seg.info?.header !== undefined)?.info?.header)
    .find((h) => h !== undefined && h.kernelRelease !== '');
  const inputs = sources.map((s) => {
    if (!(s instanceof NevSource)) return s.name;
    const h = s.recording.segments.find((seg) => seg.info?.header !== undefined)?.info?.header;
    return h === undefined ? s.name : `${s.name} (recording ${h.recordingId}${h.hostName !== '' ? ` on ${h.hostName}` : ''}, ${h.origin})`;
  });
  return {
    hardware: machine(),
    os: recorded !== undefined ? `Linux ${recorded.kernelRelease}` : `${osType()} ${release()}`,
    userAppl: `netrec ${NETREC_VERSION}`,
    comment: `netrec export of ${inputs.join(', ')}`,
  };
}

/** "no space left on device" from "ENOSPC: no space left on device, write". */
function systemMessage(error: Error): string {
  const match = /^[A-Z0-9_]+: ([^,]+)/.exec(error.message);
  return match?.[1] ?? error.message;
}
