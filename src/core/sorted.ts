/** Binary search in an ascending list of numbers. */

/** Index of the last element at or before `n` (-1 when `n` is before the first). */
export function lastAtOrBefore(sorted: readonly number[], n: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= n) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
