/**
 * `netrec ship <input...> --to http://HOST:8123/[DB] [--cluster NAME]`: the tables of each input
 * into ClickHouse, in batches, exactly once (src/ship/shipper.ts); docs/fleet.md.
 *
 * `--follow` (what `record --ship` runs beside the recorder): one recording that is still being
 * written, shipped as its segments are sealed until its writer ends. A server that refuses or is
 * gone does not end it: the failure is one line, counted, and the same batch is tried again every
 * few seconds (the replay waits meanwhile, so memory stays bounded); SIGTERM or Ctrl-C stops it
 * between batches, saying how far it got.
 */
import { statSync } from 'node:fs';
import { setPriority } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError, UsageError } from '../core/errors.ts';
import { lockHolder } from '../nev/directory.ts';
import { FOLLOW_POLL_MS } from '../nev/follow.ts';
import { terminalText } from '../core/terminal-text.ts';
import { BatchCutter } from '../ship/batches.ts';
import { errorLine } from '../ship/clickhouse.ts';
import { inputKey } from '../ship/input-key.ts';
import { Shipper, ShipSetupError } from '../ship/shipper.ts';
import { serverAddress } from './clickhouse-options.ts';
import { inputPaths } from './inputs.ts';
import { onInterrupt } from './interrupt.ts';
import { ShipMarker } from './ship-marker.ts';
import type { ParsedArgs } from './spec.ts';
import { replayTables } from './tables-run.ts';
import { TABLE_NAMES } from '../table/schema.ts';

/** --follow: how long a failed attempt waits before the next. */
export const RETRY_MS = 2_000;
/** --follow runs at this nice value: the recorder it follows comes first. */
const FOLLOW_NICE = 10;

const say = (line: string): void => void process.stderr.write(`${terminalText(`netrec: ${line}`)}\n`);

export async function shipCommand(args: ParsedArgs): Promise<number> {
  const inputs = inputPaths(args);
  if (args.string('to') === undefined) throw new UsageError('ship needs a server: --to http://HOST:8123/[DB]');
  if (inputs.includes('-')) throw new UsageError('ship reads files (their content identifies them across runs), not standard input');
  const follow = args.flag('follow');
  if (follow && (inputs.length !== 1 || !isDirectory(inputs[0]!))) throw new UsageError('--follow follows one recording directory (a .nev being written)');
  // A recording still being written, shipped as it is now, would have its last batch recorded
  // short of what the finished recording holds in that range: that range would never be completed.
  for (const input of follow ? [] : inputs) {
    const writer = isDirectory(input) ? lockHolder(input) : undefined;
    if (writer !== undefined) throw new UsageError(`${input} is being written by process ${writer}: ship it once it is finished, or follow it with --follow`);
  }
  const server = serverAddress(args, 'to');
  const cluster = args.string('cluster');
  const hostName = args.string('host-name');
  const trace = args.strings('trace');
  const where = `${server.origin}/${server.database}${cluster !== undefined ? ` (cluster ${cluster})` : ''}`;
  const interrupt = follow ? onInterrupt() : undefined;
  if (follow) {
    lowerPriority();
    stopWithParent();
  }
  const retry = new Retry(server.origin, interrupt?.signal);
  let shipper: Shipper;
  try {
    shipper = await retry.attempt(() => Shipper.open(server, cluster));
  } catch (err) {
    interrupt?.release();
    throw new InputError(
      `${server.origin}: ${retry.stopped ? 'stopped before the server answered' : `cannot prepare the tables: ${errorLine(err)}`}; nothing was shipped`,
    );
  }
  let errors = 0;
  const done: string[] = [];
  try {
    for (const input of inputs) {
      let key: string;
      try {
        key = interrupt ? await keyWhenReadable(input, hostName, trace, interrupt.signal) : await inputKey(input, hostName, trace);
      } catch (err) {
        process.stderr.write(`${terminalText(`netrec: error: ${input}: ${errorLine(err)}`)}\n`);
        errors++;
        continue;
      }
      const before = await retry
        .attempt(() => shipper.shippedBatches(key))
        .catch((err: unknown) => {
          throw new InputError(`${server.origin}: ${retry.stopped ? 'stopped' : errorLine(err)}; ${progress(done)}`);
        });
      // Only beside its own recorder: a plain ship never writes into the evidence it reads.
      const marker = interrupt ? new ShipMarker(input, where, key) : undefined;
      const cutter = new BatchCutter();
      let batches = 0;
      let lastIn = before;
      let shippedPackets = 0;
      let skippedPackets = 0;
      const result = await replayTables(
        { inputs: [input], trace, window: {}, order: 'concat', limit: undefined, hostName, ...(interrupt ? { follow: interrupt.signal } : {}) },
        'ship',
        async (rows, final, origins) => {
          const ready = cutter.add(rows, final, origins[0]?.segmentStarts);
          for (const b of ready) {
            if (b.id <= before) {
              skippedPackets += b.rows.packets.length;
              continue;
            }
            const recordingId = String(TABLE_NAMES.map((n) => b.rows[n][0]).find((r) => r !== undefined)?.recordingId ?? '');
            const first = batches === 0;
            try {
              // A stop (record's drain bound) never ships a last batch of a recording not read to its end.
              if (interrupt?.signal.aborted) throw new Error('stopped');
              // The first batch of a run, and one tried again, may be in already (partly): only what is missing goes in.
              await retry.attempt((again) => shipper.ship(key, recordingId, b.id, b.rows, b.rows.packets.length, first || again));
            } catch (err) {
              const why = retry.stopped || interrupt?.signal.aborted ? 'stopped' : err instanceof ShipSetupError ? err.message : errorLine(err);
              const count = skippedPackets + shippedPackets;
              marker?.write(lastIn, count, false);
              throw new InputError(
                `${server.origin}: ${why}; ${input}: ${count} packets are in, from packet ${b.id} on it is not; run 'netrec ship ${input} --to ${server.origin}/${server.database}' to continue from there`,
              );
            }
            batches++;
            lastIn = b.id;
            shippedPackets += b.rows.packets.length;
            marker?.write(lastIn, skippedPackets + shippedPackets, final && b === ready.at(-1));
          }
        },
      );
      errors += result.errors;
      const again = before > 0 ? `, ${skippedPackets} shipped before` : '';
      const failed = retry.failures > 0 ? `; ${retry.failures} failed attempt(s) were retried` : '';
      done.push(`${input}: ${shippedPackets} packets${again}`);
      say(
        `shipped ${input}: ${shippedPackets} packets in ${batches} batch(es)${again} to ${server.origin}/${server.database}${cluster !== undefined ? ` (cluster ${cluster}, ${shipper.shardCount} shards)` : ''}${failed}`,
      );
    }
  } finally {
    interrupt?.release();
    await shipper.close();
  }
  return errors > 0 ? 1 : 0;
}

/**
 * Without --follow (no signal) an attempt is made once. With it, a failure is reported on one
 * line (again only when the reason changes), counted, and tried again every RETRY_MS until it
 * succeeds or the signal stops it (then the last failure is thrown, and `stopped` is set).
 */
class Retry {
  failures = 0;
  stopped = false;
  private lastReason = '';

  constructor(
    private readonly origin: string,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async attempt<T>(run: (again: boolean) => Promise<T>): Promise<T> {
    let again = false;
    for (;;) {
      try {
        const result = await run(again);
        if (again) say(`ship: ${this.origin} answers again; shipping goes on`);
        this.lastReason = '';
        return result;
      } catch (err) {
        if (this.signal === undefined || err instanceof ShipSetupError) throw err;
        this.failures++;
        const reason = errorLine(err);
        if (reason !== this.lastReason)
          say(`warning: ship: ${this.origin}: ${reason}; trying again every ${RETRY_MS / 1000} s (the recording is not affected)`);
        this.lastReason = reason;
        again = true;
        try {
          await sleep(RETRY_MS, undefined, { signal: this.signal });
        } catch {
          this.stopped = true;
          throw err;
        }
      }
    }
  }
}

/**
 * The key of a recording that a writer has only just started: its first header may not be on
 * disk yet (the writer flushes at an interval), so it is asked again while the writer lives.
 */
async function keyWhenReadable(input: string, hostName: string | undefined, trace: readonly string[], signal: AbortSignal): Promise<string> {
  for (;;) {
    try {
      return await inputKey(input, hostName, trace);
    } catch (err) {
      if (lockHolder(input) === undefined || signal.aborted) throw err;
      await sleep(FOLLOW_POLL_MS);
    }
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Started by record --ship (an IPC channel to it): its end ends following too, as SIGTERM does. */
function stopWithParent(): void {
  if (!process.connected) return;
  process.channel?.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

function lowerPriority(): void {
  try {
    setPriority(FOLLOW_NICE);
  } catch {
    // Raising the nice value is always allowed; should it fail, shipping runs at the recorder's.
  }
}

function progress(done: readonly string[]): string {
  return done.length === 0 ? 'nothing was shipped in this run' : `done before it: ${done.join(', ')}`;
}
