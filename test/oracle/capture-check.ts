/**
 * One capture through both tools: tshark (the oracle) and netrec's replay (in a worker, with a
 * time limit), then frame by frame comparison.
 */
import { compareAddressesOnly, compareFrame, compareTimestamps, expectedLayers } from './compare.ts';
import { runOracle, type OracleRun } from './oracle-tshark.ts';
import type { ReplayOutcome } from './replay-by-packet.ts';
import type { ReplayPool, ReplayResult } from './replay-pool.ts';

export interface CaptureRun {
  oracle: OracleRun;
  replay: ReplayResult;
}

/** Frames left out of the field comparison, by netrec packet number. */
export interface Exceptions {
  /** tshark marks the frame Malformed (_ws.malformed). */
  malformed: number[];
  /** netrec reported an issue (error or warning) while decoding the packet. */
  netrecIssue: number[];
}

export interface CaptureComparison {
  exceptions: Exceptions;
  /** Differences on the frames that were compared. */
  mismatches: string[];
  /** tshark frames with no netrec packet, or the reverse. */
  unmatched: string[];
  /** How much was compared field by field (to catch a comparison that checks nothing). */
  stats: { compared: number; dnsMessages: number; records: number };
}

/** Runs at most `n` tasks at once. */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

export async function runCapture(path: string, pool: ReplayPool): Promise<CaptureRun> {
  const [oracle, replay] = await Promise.all([runOracle(path), pool.run(path)]);
  return { oracle, replay };
}

/**
 * `timestamps`: also check each event's timestamp against frame.time_epoch (off for the public
 * captures, whose timestamps test/replay/shared-pcaps.test.ts checks, with the hand-checked case
 * where tshark's 32-bit arithmetic wraps an out-of-range microsecond field).
 */
export function compareCapture(
  oracle: Extract<OracleRun, { refused: false }>,
  outcome: ReplayOutcome,
  { timestamps }: { timestamps: boolean },
): CaptureComparison {
  const out: CaptureComparison = {
    exceptions: { malformed: [], netrecIssue: [] },
    mismatches: [],
    unmatched: [],
    stats: { compared: 0, dnsMessages: 0, records: 0 },
  };
  const packets = new Map(outcome.packets.map((p) => [p.number, p]));
  for (const f of oracle.frames) {
    const p = packets.get(f.packet);
    if (p === undefined) {
      out.unmatched.push(`tshark frame ${f.frame} (packet ${f.packet}) has no netrec packet`);
      continue;
    }
    packets.delete(f.packet);
    const flagged = f.malformed || p.issues.length > 0;
    if (f.malformed) out.exceptions.malformed.push(f.packet);
    if (p.issues.length > 0) out.exceptions.netrecIssue.push(f.packet);
    if (timestamps) out.mismatches.push(...compareTimestamps(f, p));
    if (flagged) {
      out.mismatches.push(...compareAddressesOnly(f, p));
      continue;
    }
    out.mismatches.push(...compareFrame(f, p));
    out.stats.compared++;
    for (const m of expectedLayers(f).dns) {
      out.stats.dnsMessages++;
      out.stats.records += m.answers.length + m.authorities.length + m.additionals.length;
    }
  }
  for (const p of packets.values()) out.unmatched.push(`netrec packet ${p.number} has no tshark frame`);
  return out;
}
