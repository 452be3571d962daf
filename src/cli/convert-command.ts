import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { formatIssue, InputError, systemMessage, UsageError } from '../core/errors.ts';
import { terminalText } from '../core/terminal-text.ts';
import type { CapturedPacket } from '../core/packet.ts';
import { prepareTarget } from '../nev/directory.ts';
import { RecordingWriter, type PacketInput, type RecordingWriterOptions } from '../nev/recording-writer.ts';
import { parseSize, SIZE_SYNTAX } from '../nev/size.ts';
import { NevSource } from '../replay/nev-source.ts';
import { openCapture } from '../replay/open.ts';
import { isIssue } from '../replay/source.ts';
import { USAGE } from './usage.ts';

/** The segment-writer flags `convert` shares with `record`. */
export const WRITER_FLAGS = {
  output: { type: 'string', short: 'o' },
  force: { type: 'boolean' },
  compress: { type: 'boolean' },
  'rotate-size': { type: 'string' },
  'rotate-seconds': { type: 'string' },
  'max-segments': { type: 'string' },
} as const;

type WriterFlagValues = { [K in keyof typeof WRITER_FLAGS]?: (typeof WRITER_FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

/** Writer options from the flags above; UsageError for a bad value. */
export function writerOptionsFrom(values: WriterFlagValues): Pick<
  RecordingWriterOptions,
  'dir' | 'force' | 'compress' | 'rotateSize' | 'rotateSeconds' | 'maxSegments'
> {
  if (values.output === undefined) throw new UsageError('the output recording is missing (-o DIR.nev)');
  const opts: ReturnType<typeof writerOptionsFrom> = { dir: values.output, force: values.force ?? false, compress: values.compress ?? false };
  if (values['rotate-size'] !== undefined) {
    const size = parseSize(values['rotate-size']);
    if (size === undefined) throw new UsageError(`invalid --rotate-size '${values['rotate-size']}': expected ${SIZE_SYNTAX}`);
    opts.rotateSize = size;
  }
  if (values['rotate-seconds'] !== undefined) opts.rotateSeconds = positive('--rotate-seconds', values['rotate-seconds'], false);
  if (values['max-segments'] !== undefined) opts.maxSegments = positive('--max-segments', values['max-segments'], true);
  return opts;
}

function positive(flag: string, text: string, integer: boolean): number {
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`invalid ${flag} '${text}': expected a positive ${integer ? 'integer' : 'number'}`);
  }
  return n;
}

/**
 * `netrec convert in.pcap -o out.nev`: a capture into a recording without process context.
 * Time rotation follows the packets' own timestamps, so segments split where the capture's time
 * crosses the multiples, as if it had been recorded.
 */
export async function convertCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ...WRITER_FLAGS, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('convert needs exactly one input capture (pcap or pcapng)');
  const input = positionals[0]!;
  const target = writerOptionsFrom(values);
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
  let failure: unknown;
  try {
    for await (const batch of source.batches()) {
      for (const item of batch) {
        if (isIssue(item)) {
          if (item.severity === 'error') errors++;
          process.stderr.write(formatIssue(item) + '\n');
          continue;
        }
        // Header and footer times are u64: a timestamp outside it (malformed capture) leaves the clock be.
        clock = BigInt.asUintN(64, item.timestamp) === item.timestamp ? item.timestamp : clock;
        writer ??= open();
        writer.writePacket(packetInput(item));
      }
    }
  } catch (err) {
    failure = err;
  }
  // Seal what was written, also after a failure; a file system error (a full disk) is one line.
  try {
    writer ??= open();
    const stats = writer.close();
    process.stderr.write(terminalText(`netrec: converted ${stats.packets} packets into ${target.dir} (${stats.segments - stats.deletedSegments} segments)`) + '\n');
  } catch (err) {
    failure ??= err;
  }
  if (failure !== undefined) {
    const code = (failure as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) throw new InputError(`writing ${target.dir}: ${systemMessage(failure)}`);
    throw failure;
  }
  return errors > 0 ? 1 : 0;
}

function packetInput(p: CapturedPacket): PacketInput {
  const { number: _number, offset: _offset, ...fields } = p;
  return fields;
}
