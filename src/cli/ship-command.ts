/**
 * `netrec ship <input...> --to http://HOST:8123/[DB] [--cluster NAME]`: the tables of each input
 * into ClickHouse, in batches, exactly once (src/ship/shipper.ts); docs/fleet.md.
 */
import { InputError, UsageError } from '../core/errors.ts';
import { terminalText } from '../core/terminal-text.ts';
import { BatchCutter } from '../ship/batches.ts';
import { errorLine } from '../ship/clickhouse.ts';
import { inputKey } from '../ship/input-key.ts';
import { Shipper, ShipSetupError } from '../ship/shipper.ts';
import { serverAddress } from './clickhouse-options.ts';
import { inputPaths } from './inputs.ts';
import type { ParsedArgs } from './spec.ts';
import { replayTables } from './tables-run.ts';
import { TABLE_NAMES } from '../table/schema.ts';

export async function shipCommand(args: ParsedArgs): Promise<number> {
  const inputs = inputPaths(args);
  if (args.string('to') === undefined) throw new UsageError('ship needs a server: --to http://HOST:8123/[DB]');
  if (inputs.includes('-')) throw new UsageError('ship reads files (their content identifies them across runs), not standard input');
  const server = serverAddress(args, 'to');
  const cluster = args.string('cluster');
  const hostName = args.string('host-name');
  const trace = args.strings('trace');
  let shipper: Shipper;
  try {
    shipper = await Shipper.open(server, cluster);
  } catch (err) {
    throw new InputError(`${server.origin}: cannot prepare the tables: ${errorLine(err)}; nothing was shipped`);
  }
  let errors = 0;
  const done: string[] = [];
  try {
    for (const input of inputs) {
      let key: string;
      try {
        key = await inputKey(input, hostName, trace);
      } catch (err) {
        process.stderr.write(`${terminalText(`netrec: error: ${input}: ${errorLine(err)}`)}\n`);
        errors++;
        continue;
      }
      const before = await shipper.shippedBatches(key).catch((err: unknown) => {
        throw new InputError(`${server.origin}: ${errorLine(err)}; ${progress(done)}`);
      });
      const cutter = new BatchCutter();
      let batch = 0;
      let shippedPackets = 0;
      let skippedPackets = 0;
      const result = await replayTables({ inputs: [input], trace, window: {}, order: 'concat', limit: undefined, hostName }, 'ship', async (rows, final) => {
        for (const b of cutter.add(rows, final)) {
          batch++;
          if (batch <= before) {
            skippedPackets += b.packets.length;
            continue;
          }
          const recordingId = String(TABLE_NAMES.map((n) => b[n][0]).find((r) => r !== undefined)?.recordingId ?? '');
          try {
            await shipper.ship(key, recordingId, batch, b, b.packets.length, batch === before + 1);
          } catch (err) {
            const why = err instanceof ShipSetupError ? err.message : errorLine(err);
            throw new InputError(
              `${server.origin}: ${why}; ${input}: batches 1-${batch - 1} are in (${skippedPackets + shippedPackets} packets), batch ${batch} is not; run the same command again to continue from there`,
            );
          }
          shippedPackets += b.packets.length;
        }
      });
      errors += result.errors;
      const again = before > 0 ? `, ${skippedPackets} shipped before` : '';
      done.push(`${input}: ${shippedPackets} packets${again}`);
      process.stderr.write(
        `${terminalText(
          `netrec: shipped ${input}: ${shippedPackets} packets in ${Math.max(0, batch - before)} batch(es)${again} to ${server.origin}/${server.database}${cluster !== undefined ? ` (cluster ${cluster}, ${shipper.shardCount} shards)` : ''}`,
        )}\n`,
      );
    }
  } finally {
    await shipper.close();
  }
  return errors > 0 ? 1 : 0;
}

function progress(done: readonly string[]): string {
  return done.length === 0 ? 'nothing was shipped in this run' : `done before it: ${done.join(', ')}`;
}
