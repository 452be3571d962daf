/**
 * u64s as two u32 halves held in numbers. Hot paths carry timestamps (ns) and socket cookies so:
 * a bigint per packet is an allocation and its comparisons are runtime calls, and a float does
 * not hold a u64 exactly past 2^53. Bigints are made only where a value leaves the hot path.
 */

/** The high u32 of a u64. */
export function hi32(v: bigint): number {
  return Number(v >> 32n);
}

/** The low u32 of a u64. */
export function lo32(v: bigint): number {
  return Number(v & 0xffffffffn);
}

/** The u64 of two u32 halves, exactly. */
export function u64Of(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Whether the u64 (aHi, aLo) is below (bHi, bLo). */
export function u64Below(aHi: number, aLo: number, bHi: number, bLo: number): boolean {
  return aHi < bHi || (aHi === bHi && aLo < bLo);
}
