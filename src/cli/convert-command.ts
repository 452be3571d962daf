import { basename } from 'node:path';
import { formatIssue, InputError, systemMessage, UsageError } from '../core/errors.ts';
import { terminalText } from '../core/terminal-text.ts';
import type { CapturedPacket } from '../core/packet.ts';
import { prepareTarget } from '../nev/directory.ts';
import { RecordingWriter, type PacketInput } from '../nev/recording-writer.ts';
import { NevSource } from '../replay/nev-source.ts';
import { openCapture } from '../replay/open.ts';
import { isIssue } from '../core/source.ts';
import { onInterrupt } from './interrupt.ts';
import { checkOperands } from './parse.ts';
import { startProgress } from './progress.ts';
import { EXIT } from './report.ts';
import type { ParsedArgs } from './spec.ts';
import { writerOptionsFrom } from './writer-options.ts';
import { exportPackets, type Format } from './export-run.ts';

/**
 * `netrec convert in.pcap -o out.nev`: a capture into a recording without process context.
 * Time rotation follows the packets' own timestamps, so segments split where the capture's time
 * crosses the multiples, as if it had been recorded.
 */
export async function convertCommand(args: ParsedArgs): Promise<number> {
  checkOperands(args.command, args.operands);
  const input = args.operands[0]!;
  const target = writerOptionsFrom(args);
  // The output format follows --format, else the output's name: a name never promises a format
  // that is not written.
  const format = args.string('format') ?? (/\.pcapng$/i.test(target.dir) ? 'pcapng' : /\.pcap$/i.test(target.dir) ? 'pcap' : 'nev');
  if (format !== 'nev') {
    const nevOnly = ['compress', 'rotate-size', 'rotate-seconds', 'max-segments'].filter((o) => args.flag(o) || args.string(o) !== undefined);
    if (nevOnly.length > 0) throw new UsageError(`--${nevOnly[0]} is for .nev recordings, not ${format}`);
    return exportPackets({
      inputs: [input],
      output: target.dir,
      format: format as Format,
      micro: false,
      trace: [],
      splitBy: undefined,
      force: args.flag('force'),
      window: {},
      order: 'concat',
      limit: undefined,
    });
  }
  if (args.string('format') === undefined && /\.(cap|ntar)$/i.test(target.dir))
    throw new UsageError(`${target.dir} names a capture file: give --format nev to write a recording under that name, or --format pcapng`);
  const source = await openCapture(input);
  if (source instanceof NevSource) throw new UsageError(`${input} is already a .nev recording`);

  // Refuse a non-empty target before reading anything; the writer itself starts at the first
  // packet, whose timestamp is its clock from then on.
  prepareTarget(target.dir, target.force ?? false);
  let clock: bigint | undefined;
  let writer: RecordingWriter | undefined;
  const open = (): RecordingWriter =>
    new RecordingWriter({
      ...target,
      snaplen: 0,
      origin: `netrec convert ${basename(input)}`,
      hostName: '',
      kernelRelease: '',
      now: () => clock ?? BigInt(Date.now()) * 1_000_000n,
    });
  let errors = 0;
  let packets = 0;
  // Ctrl-C stops at a batch boundary and the recording is sealed: what was converted is whole.
  const interrupt = onInterrupt();
  const progress = startProgress('convert', [source], true);
  let failure: unknown;
  try {
    for await (const batch of source.batches()) {
      for (const item of batch) {
        if (isIssue(item)) {
          if (item.severity === 'error') errors++;
          progress.end();
          process.stderr.write(`${formatIssue(item)}\n`);
          continue;
        }
        packets++;
        // Header and footer times are u64: a timestamp outside it (malformed capture) leaves the clock be.
        clock = BigInt.asUintN(64, item.timestamp) === item.timestamp ? item.timestamp : clock;
        writer ??= open();
        writer.writePacket(packetInput(item));
      }
      progress.update(packets);
      if (interrupt.signal.aborted) break;
    }
  } catch (err) {
    failure = err;
  } finally {
    progress.end();
  }
  // Seal what was written, also after a failure; a file system error (a full disk) is one line.
  try {
    writer ??= open();
    const stats = writer.close();
    process.stderr.write(
      `${terminalText(`netrec: converted ${stats.packets} packets into ${target.dir} (${stats.segments - stats.deletedSegments} segments)`)}\n`,
    );
  } catch (err) {
    failure ??= err;
  }
  const interrupted = interrupt.release();
  if (failure !== undefined) {
    const code = (failure as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) throw new InputError(`writing ${target.dir}: ${systemMessage(failure)}`);
    throw failure;
  }
  if (interrupted) return EXIT.interrupted;
  return errors > 0 ? EXIT.input : EXIT.ok;
}

function packetInput(p: CapturedPacket): PacketInput {
  const { number: _number, offset: _offset, ...fields } = p;
  return fields;
}
