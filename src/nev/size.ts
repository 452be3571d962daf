/**
 * Byte sizes as users write them for `--rotate-size`: 64MiB, 512KiB, 1GiB (powers of 1024),
 * 100M, 500k, 2G (powers of 1000, as tcpdump's -C), or plain bytes. Case-insensitive, a B suffix
 * is optional (MB = M).
 */
const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
};

/** Segment size at which `record` and `convert` rotate unless --rotate-size says otherwise. */
export const DEFAULT_ROTATE_SIZE = 64 * 2 ** 20;

export const SIZE_SYNTAX = 'a number of bytes with an optional unit: KiB, MiB, GiB (1024-based) or k, M, G (1000-based)';

/** The number of bytes, or undefined when `text` is not a positive size. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.floor(Number(m[1]) * unit);
  return bytes >= 1 && Number.isSafeInteger(bytes) ? bytes : undefined;
}
