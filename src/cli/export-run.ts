/**
 * Recordings, pcap and pcapng out as one capture file (pcapng with the process context of every
 * packet, or classic pcap), or with --split-by as a directory of files, one per process, comm,
 * container, cgroup or flow (docs/export.md). Shared by `export`, `replay -w` and `convert`.
 */
import { machine, release, type as osType } from 'node:os';
import { formatIssue, systemMessage, type InputIssue } from '../core/errors.ts';
import { netrecVersion } from '../core/package.ts';
import { terminalText } from '../core/terminal-text.ts';
import { Depth } from '../decode/packet.ts';
import { replay, type PacketConsumer, type ReplayStats } from '../pipeline/replay.ts';
import { NevSource } from '../replay/nev-source.ts';
import type { PacketSource } from '../core/source.ts';
import { ByteOutput } from '../sink/byte-output.ts';
import { PcapCaptureSink, PcapngCaptureSink, type CaptureOrigin, type CaptureSink } from '../sink/capture-sink.ts';
import { DirectoryTarget, FileTarget } from '../sink/export-target.ts';
import type { SectionInfo } from '../sink/pcapng-writer.ts';
import type { SplitBy } from '../sink/split-key.ts';
import { SplitSink } from '../sink/split-sink.ts';
import { openInputs, reportInputs } from './inputs.ts';
import { startProgress } from './progress.ts';

export const FORMATS = ['pcapng', 'pcap'] as const;
export type Format = (typeof FORMATS)[number];

export interface ExportArgs extends ExportOptions {
  inputs: string[];
  trace: readonly string[];
  window: { from?: bigint; to?: bigint };
  order: 'merge' | 'concat';
  limit: number | undefined;
}

/**
 * Writes the packets of `args.inputs` that pass `args.trace` as one capture file (or a split
 * directory). Shared by `export`, `replay -w` and `convert` to pcap/pcapng.
 */
export async function exportPackets(args: ExportArgs): Promise<number> {
  const inputs = await openInputs(args.inputs, args.trace, args.window.from !== undefined ? { fromTime: args.window.from } : {});
  const { sources, filter } = inputs;
  if (sources.length === 0) {
    // Every input failed to open: each is named, and no empty capture takes the output's name.
    reportInputs(inputs);
    return nothingWritten(args.output);
  }
  let errors = inputs.unopened.length;
  // The output is a file: progress may show beside it even when stdout is a terminal.
  const progress = startProgress('export', sources, true);
  const report = (issue: InputIssue): void => {
    if (issue.severity === 'error') errors++;
    progress.end();
    process.stderr.write(`${formatIssue(issue)}\n`);
  };
  const exporting = startExport(args, sources, report);
  reportInputs(inputs);
  return exporting.run(async (packets, onIssue) => {
    const stats = await replay({
      sources,
      events: filter.events,
      ...(filter.accept !== undefined ? { accept: filter.accept } : {}),
      packets,
      report: onIssue,
      order: args.order,
      window: args.window,
      progress: (n) => progress.update(n),
      ...(args.limit !== undefined ? { limit: args.limit } : {}),
    }).finally(() => progress.end());
    return { stats, errors: () => errors };
  });
}

/** The one line of an export that opened none of its inputs; its exit code. */
export function nothingWritten(output: string): number {
  process.stderr.write(`${terminalText(`netrec: error: ${output}: no input could be opened; nothing was written`)}\n`);
  return 1;
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
  run(
    pipeline: (packets: PacketConsumer, report: (issue: InputIssue, source: number) => void) => Promise<{ stats: ReplayStats; errors: () => number }>,
  ): Promise<number>;
}

/**
 * Opens the output of an export of `sources` (refusing to overwrite without --force); run()
 * feeds it from the pipeline exportPackets() hands it.
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
        const what =
          options.splitBy === undefined
            ? `${options.output} (${options.format})`
            : `${out.files()} ${options.format} files in ${options.output} (index.tsv lists them)`;
        process.stderr.write(`${terminalText(`netrec: exported ${stats.kept} of ${stats.packets} packets to ${what}`)}\n`);
        return errors() > 0 ? 1 : 0;
      } catch (err) {
        target.abort();
        const code = (err as NodeJS.ErrnoException).code;
        if (err instanceof Error && typeof code === 'string' && code.startsWith('E')) {
          // A full disk or an I/O error: one line, and no half file under the output name.
          process.stderr.write(`${terminalText(`netrec: error: ${options.output}: cannot write: ${systemMessage(err)}; nothing was written`)}\n`);
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
export function originOf(source: PacketSource, index: number): CaptureOrigin {
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
    userAppl: `netrec ${netrecVersion()}`,
    comment: `netrec export of ${inputs.join(', ')}`,
  };
}
