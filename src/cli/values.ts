/** Option values with units: durations, times, counts. Each bad value is a UsageError naming its option. */
import { UsageError } from '../core/errors.ts';

export function integerIn(flag: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`invalid ${flag} '${text}': expected an integer from ${min} to ${max}`);
  return n;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, '': 1000 };

/** "30s", "5m", "1h", "250ms"; a plain number is seconds. Milliseconds. */
export function parseDuration(text: string, flag = '--duration'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * DURATION_UNITS[m[2]!]! : NaN;
  if (!(ms > 0) || !Number.isFinite(ms) || ms > 2 ** 31 - 1) {
    throw new UsageError(`invalid ${flag} '${text}': expected a positive time such as 30s, 5m, 1h or 500ms`);
  }
  return ms;
}

const NS_PER_S = 1_000_000_000n;

/**
 * A point in time as epoch nanoseconds, exactly (no float on the way):
 * - RFC 3339: 2026-12-07T10:00:00Z, 2026-12-07T10:00:00.123456789+01:00 (a space may stand for T);
 * - epoch seconds, with up to nine fraction digits: 1765101600, 1765101600.5;
 * - epoch nanoseconds: 16 digits or more, or any integer followed by "ns".
 */
export function parseTime(text: string, flag: string): bigint {
  const t = text.trim();
  let m = /^(\d+)ns$/.exec(t) ?? (/^\d{16,}$/.test(t) ? [t, t] : null);
  if (m) return BigInt(m[1]!);
  m = /^(\d{1,15})(?:\.(\d{1,9}))?s?$/.exec(t);
  if (m) return BigInt(m[1]!) * NS_PER_S + BigInt((m[2] ?? '').padEnd(9, '0'));
  m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/.exec(t);
  if (m) {
    const [, y, mo, d, h, mi, s, frac, zone] = m;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    const check = new Date(ms);
    if (Number.isNaN(ms) || check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
      throw new UsageError(`invalid ${flag} '${text}': no such date or time`);
    }
    let offsetMinutes = 0;
    if (zone !== 'Z' && zone !== 'z') {
      const sign = zone!.startsWith('-') ? -1 : 1;
      offsetMinutes = sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6)));
    }
    return BigInt(ms - offsetMinutes * 60_000) * 1_000_000n + BigInt((frac ?? '').padEnd(9, '0'));
  }
  throw new UsageError(
    `invalid ${flag} '${text}': expected RFC 3339 (2026-12-07T10:00:00Z), epoch seconds (1765101600.5) or epoch nanoseconds (1765101600500000000)`,
  );
}
