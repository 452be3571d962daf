/** Epoch-ns timestamps as text, exactly (bigint arithmetic, never through a float). */

const NS_PER_DAY = 86_400_000_000_000n;

/** HH:MM:SS.nnnnnnnnn (UTC) of an epoch-ns timestamp. */
export function clockTime(ns: bigint): string {
  const inDay = ((ns % NS_PER_DAY) + NS_PER_DAY) % NS_PER_DAY;
  const secs = Number(inDay / 1_000_000_000n);
  const frac = (inDay % 1_000_000_000n).toString().padStart(9, '0');
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(secs / 3600))}:${two(Math.floor(secs / 60) % 60)}:${two(secs % 60)}.${frac}`;
}

const NS_PER_S = 1_000_000_000n;
/** Date's range: ±8.64e15 ms around the epoch. */
const DATE_LIMIT_MS = 8_640_000_000_000_000n;

/**
 * Epoch ns as ISO 8601 UTC with all nine fraction digits; a time Date cannot hold (a malformed
 * capture's) as its exact count of nanoseconds instead.
 */
export function isoTime(ns: bigint): string {
  const secs = ns >= 0n ? ns / NS_PER_S : -((-ns + NS_PER_S - 1n) / NS_PER_S); // floor, also before 1970
  const ms = secs * 1000n;
  if (ms > DATE_LIMIT_MS || ms < -DATE_LIMIT_MS) return `${ns} ns since the epoch`;
  const base = new Date(Number(ms)).toISOString(); // '...T12:00:00.000Z', years past 9999 as '+010000-...'
  const frac = (ns - secs * NS_PER_S).toString().padStart(9, '0');
  return `${base.slice(0, -5)}.${frac}Z`;
}
