/**
 * `netrec export <input...> -w out.pcapng`: recordings, pcap and pcapng out as one capture file
 * for Wireshark, tshark, tcpdump, Zeek or Suricata (docs/export.md).
 */
import { UsageError } from '../core/errors.ts';
import type { SplitBy } from '../sink/split-key.ts';
import { exportPackets, type Format } from './export-run.ts';
import { inputPaths, timeWindow } from './inputs.ts';
import type { ParsedArgs } from './spec.ts';
import { integerIn } from './values.ts';

export async function exportCommand(args: ParsedArgs): Promise<number> {
  const inputs = inputPaths(args);
  const output = args.string('write');
  if (output === undefined) throw new UsageError('export needs an output: -w out.pcapng');
  if (output === '-') throw new UsageError('export writes a file (renamed into place when complete), not standard output');
  const format = (args.string('format') ?? 'pcapng') as Format;
  const micro = args.flag('micro');
  if (micro && format !== 'pcap') throw new UsageError('--micro is for --format pcap (pcapng keeps nanoseconds)');
  const count = args.string('count');
  return exportPackets({
    inputs,
    output,
    format,
    micro,
    trace: args.strings('trace'),
    splitBy: args.string('split-by') as SplitBy | undefined,
    force: args.flag('force'),
    window: timeWindow(args),
    order: args.flag('concat') ? 'concat' : 'merge',
    limit: count === undefined ? undefined : integerIn('--count', count, 1, Number.MAX_SAFE_INTEGER),
  });
}

