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
  const format = (args.string('format') ?? 'pcapng') as Format | 'parquet';
  const count = args.string('count');
  const limit = count === undefined ? undefined : integerIn('--count', count, 1, Number.MAX_SAFE_INTEGER);
  const hostName = args.string('host-name');
  if (format === 'parquet') {
    if (args.string('split-by') !== undefined) throw new UsageError('--split-by is for pcapng and pcap (Parquet tables are partitioned by host and day)');
    const { exportParquet } = await import('./parquet-export.ts');
    const order = args.flag('concat') ? 'concat' : 'merge';
    return exportParquet({ inputs, output, force: args.flag('force'), trace: args.strings('trace'), window: timeWindow(args), order, limit, hostName });
  }
  if (hostName !== undefined) throw new UsageError('--host-name is for --format parquet');
  const micro = args.flag('micro');
  if (micro && format !== 'pcap') throw new UsageError('--micro is for --format pcap (pcapng keeps nanoseconds)');
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
    limit,
  });
}
