/**
 * From the kernel's timestamps to epoch nanoseconds.
 *
 * The BPF programs stamp records with bpf_ktime_get_tai_ns(): CLOCK_TAI, which the kernel keeps
 * as CLOCK_REALTIME plus the TAI offset, a whole number of seconds (37 when chrony or ntpd set
 * it, often 0). Subtracting that offset gives epoch time exactly, NTP slewing included, with no
 * drift between a clock sampled in user space and one sampled in the kernel.
 */
import { CLOCK_BOOTTIME, CLOCK_REALTIME, CLOCK_TAI, type Libc } from './libbpf.ts';

const NS = 1_000_000_000n;

/** CLOCK_TAI minus CLOCK_REALTIME, in ns: a multiple of one second. */
export function taiOffset(libc: Libc): bigint {
  const real = libc.clockNs(CLOCK_REALTIME);
  const tai = libc.clockNs(CLOCK_TAI);
  const diff = tai - real;
  // The two reads are a few µs apart: round to the second.
  return ((diff + NS / 2n) / NS) * NS;
}

/**
 * CLOCK_REALTIME minus CLOCK_BOOTTIME, for the segment header ("epoch = boot time + offset").
 * Sampled between two boot-time reads; good to the µs, and it moves with NTP adjustments.
 */
export function bootTimeOffset(libc: Libc): bigint {
  const before = libc.clockNs(CLOCK_BOOTTIME);
  const real = libc.clockNs(CLOCK_REALTIME);
  const after = libc.clockNs(CLOCK_BOOTTIME);
  return real - (before + (after - before) / 2n);
}
