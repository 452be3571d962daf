/**
 * pcapng timestamps: a 64-bit tick count in the interface's resolution (`if_tsresol`) plus the
 * interface's offset in seconds (`if_tsoffset`), turned into epoch nanoseconds in bigint so that
 * no resolution loses a digit.
 */

/** Epoch nanoseconds of a timestamp given as its high and low 32-bit words. */
export type TickClock = (high: number, low: number) => bigint;

/** if_tsresol when the IDB has none: microseconds. */
export const DEFAULT_TSRESOL = 6;

const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * `tsresol` is the option's byte: 10^-n seconds per tick, or 2^-n when the high bit is set.
 * Resolutions finer than a nanosecond round toward the past (floor): a packet is never placed
 * after the instant it was seen, and for binary resolutions floor(ticks * 10^9 / 2^n) is what
 * tshark prints.
 */
export function tickClock(tsresol: number, tsoffsetSeconds: bigint): TickClock {
  const offset = tsoffsetSeconds * NANOS_PER_SECOND;
  const exponent = tsresol & 0x7f;
  if ((tsresol & 0x80) !== 0) {
    const shift = BigInt(exponent);
    return (high, low) => ((ticksOf(high, low) * NANOS_PER_SECOND) >> shift) + offset;
  }
  if (exponent <= 9) {
    const nanosPerTick = 10n ** BigInt(9 - exponent);
    return (high, low) => ticksOf(high, low) * nanosPerTick + offset;
  }
  const ticksPerNano = 10n ** BigInt(exponent - 9);
  return (high, low) => ticksOf(high, low) / ticksPerNano + offset;
}

function ticksOf(high: number, low: number): bigint {
  // Below 2^53 the sum is an exact integer even as a double: one BigInt instead of three.
  return high < 0x20_0000 ? BigInt(high * 0x1_0000_0000 + low) : (BigInt(high) << 32n) | BigInt(low);
}
