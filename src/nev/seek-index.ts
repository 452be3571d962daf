/**
 * Lookups in a footer's index (built by footer.ts). Each returns the entry to start reading at,
 * or undefined for "from the first record after the header"; the caller then reads forward past
 * the records before its target, at most INDEX_EVERY records plus one block.
 */
import type { IndexEntry } from './records.ts';

/** The last entry satisfying `ok`, which must hold for a prefix of the index and then fail. */
function lastWhere(index: readonly IndexEntry[], ok: (e: IndexEntry) => boolean): IndexEntry | undefined {
  let lo = 0;
  let hi = index.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ok(index[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : index[lo - 1];
}

/** Where to read from to meet every packet whose timestamp is at or after `t`. */
export function entryForTime(index: readonly IndexEntry[], t: bigint): IndexEntry | undefined {
  return lastWhere(index, (e) => e.maxTimestampBefore < t);
}

/** Where to read from to meet packet number `n`. */
export function entryForPacket(index: readonly IndexEntry[], n: number): IndexEntry | undefined {
  return lastWhere(index, (e) => e.packetNumber <= n);
}
