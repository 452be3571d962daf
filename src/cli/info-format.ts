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

/** Epoch ns as ISO 8601 UTC with all nine fraction digits. */
export function isoTime(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const base = new Date(Number(ms)).toISOString();
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${base.slice(0, 19)}.${frac}Z`;
}

export function seconds(ns: bigint): string {
  return `${(Number(ns) / 1e9).toFixed(3)} s`;
}
