import { basename } from 'node:path';
import { formatIssue, UsageError } from '../core/errors.ts';
import { terminalText } from '../core/terminal-text.ts';
import type { CapturedPacket } from '../core/packet.ts';
import { prepareTarget } from '../nev/directory.ts';
import { RecordingWriter, type PacketInput } from '../nev/recording-writer.ts';
import { NevSource } from '../replay/nev-source.ts';
import { openCapture } from '../replay/open.ts';
import { isIssue } from '../replay/source.ts';
import { onInterrupt } from './interrupt.ts';
import { checkOperands } from './parse.ts';
import { startProgress } from './progress.ts';
import { EXIT } from './report.ts';
import type { ParsedArgs } from './spec.ts';
import { writerOptionsFrom } from './writer-options.ts';

/**
 * `netrec convert in.pcap -o out.nev`: a capture into a recording without process context.
 * Time rotation follows the packets' own timestamps, so segments split where the capture's time
 * crosses the multiples, as if it had been recorded.
 */
export async function convertCommand(args: ParsedArgs): Promise<number> {
  checkOperands(args.command, args.operands);
  const input = args.operands[0]!;
  const target = writerOptionsFrom(args);
  // The output's name must not promise a format that is not written.
  const named = /\.(pcapng|pcap|cap|ntar)$/i.exec(target.dir)?.[1];
  if (named !== undefined && args.string('format') === undefined) {
    throw new UsageError(`convert writes .nev recordings, not ${named.toLowerCase()}: to write ${target.dir}, use netrec export ${input} -w ${target.dir}`);
  }
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
  try {
    for await (const batch of source.batches()) {
      for (const item of batch) {
        if (isIssue(item)) {
          if (item.severity === 'error') errors++;
          progress.end();
          process.stderr.write(formatIssue(item) + '\n');
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
  } finally {
    progress.end();
    writer ??= open();
    const stats = writer.close();
    process.stderr.write(terminalText(`netrec: converted ${stats.packets} packets into ${target.dir} (${stats.segments - stats.deletedSegments} segments)`) + '\n');
  }
  if (interrupt.release()) return EXIT.interrupted;
  return errors > 0 ? EXIT.input : EXIT.ok;
}

function packetInput(p: CapturedPacket): PacketInput {
  const { number: _number, offset: _offset, ...fields } = p;
  return fields;
}
