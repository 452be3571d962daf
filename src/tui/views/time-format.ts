/**
 * The list's time column, as Wireshark's View → Time Display Format: UTC or local time of day,
 * seconds since the first packet, or since the packet before. Exact: every figure is cut from
 * the nanosecond bigint, never rounded through a float.
 */
import { clockTime } from '../../format/time.ts';

export const TIME_FORMATS = ['utc', 'local', 'relative', 'delta'] as const;
export type TimeFormat = (typeof TIME_FORMATS)[number];

const TITLES: Readonly<Record<TimeFormat, string>> = { utc: 'Time (UTC)', local: 'Time (local)', relative: 'Since first', delta: 'Since previous' };
const NS_PER_S = 1_000_000_000n;
const NS_PER_MINUTE = 60n * NS_PER_S;

export function timeTitle(format: TimeFormat): string {
  return TITLES[format];
}

export function nextTimeFormat(format: TimeFormat): TimeFormat {
  return TIME_FORMATS[(TIME_FORMATS.indexOf(format) + 1) % TIME_FORMATS.length]!;
}

/** HH:MM:SS with `digits` of the fraction (UTC, exact: cut from the nanosecond text). */
export function shortTime(ns: bigint, digits: number): string {
  return clockTime(ns).slice(0, digits === 0 ? 8 : 9 + digits);
}

/**
 * The time of the packet at `ns` in `format` with `digits` of the fraction; `first` is the
 * capture's first packet, `previous` the one before it (undefined for the first).
 */
export function timeText(format: TimeFormat, ns: bigint, digits: number, first: bigint, previous: bigint | undefined): string {
  switch (format) {
    case 'utc':
      return shortTime(ns, digits);
    case 'local':
      return shortTime(ns - BigInt(localOffsetMinutes(ns)) * NS_PER_MINUTE, digits);
    case 'relative':
      return seconds(ns - first, digits);
    case 'delta':
      return seconds(previous === undefined ? 0n : ns - previous, digits);
  }
}

/** The local zone's offset (minutes to subtract from UTC) at that instant, as Date knows it. */
function localOffsetMinutes(ns: bigint): number {
  return new Date(Number(ns / 1_000_000n)).getTimezoneOffset();
}

/** "12.345678" for 12,345,678,xxx ns with 6 digits; "-0.000012" for a packet out of order. */
function seconds(ns: bigint, digits: number): string {
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  const whole = (abs / NS_PER_S).toString();
  const fraction = (abs % NS_PER_S).toString().padStart(9, '0').slice(0, digits);
  return `${sign}${whole}${digits === 0 ? '' : `.${fraction}`}`;
}
