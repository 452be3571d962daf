/** Number, size and time wording shared by `netrec info` for recordings and captures. */

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** A footer's packet time span; the reader warns when a footer holds one end only. */
export function timeSpan(first: bigint | undefined, last: bigint | undefined): string {
  if (first === undefined && last === undefined) return '';
  return `  ${first === undefined ? '?' : isoTime(first)} .. ${last === undefined ? '?' : isoTime(last)}`;
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

/** A non-negative span in seconds to the millisecond, rounded, without a float. */
export function seconds(ns: bigint): string {
  const ms = (ns + 500_000n) / 1_000_000n;
  return `${ms / 1000n}.${(ms % 1000n).toString().padStart(3, '0')} s`;
}
