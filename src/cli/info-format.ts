/** Number, size and time wording shared by `netrec info` for recordings and captures. */
import { isoTime } from '../format/time.ts';

export { isoTime };

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

/** A non-negative span in seconds to the millisecond, rounded, without a float. */
export function seconds(ns: bigint): string {
  const ms = (ns + 500_000n) / 1_000_000n;
  return `${ms / 1000n}.${(ms % 1000n).toString().padStart(3, '0')} s`;
}
