/**
 * IP address and CIDR values. Events hold addresses as Go prints them (src/event/ip-string.ts),
 * so exact values are compared in that canonical text and CIDRs by parsed address bytes.
 */
import { ipString } from '../event/ip-string.ts';

export interface Cidr {
  /** The network address, host bits cleared: 4 bytes for IPv4, 16 for IPv6. */
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/**
 * Parses dotted-quad IPv4 or IPv6 text (RFC 4291: `::`, embedded IPv4) into `out`, which needs
 * 16 bytes. Returns the address length, or 0 when `text` is not an address. Writes no heap
 * memory, because it runs on every event under a CIDR filter.
 */
export function parseIp(text: string, out: Uint8Array): 0 | 4 | 16 {
  if (text.includes(':')) return parseIPv6(text, out);
  return parseIPv4(text, 0, out, 0) ? 4 : 0;
}

const DOT = 0x2e;
const COLON = 0x3a;

/** Four decimal octets without leading zeros (as Go since 1.17 and Node require). */
function parseIPv4(text: string, from: number, out: Uint8Array, at: number): boolean {
  let octet = 0;
  let digits = 0;
  let parts = 0;
  for (let i = from; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : DOT;
    if (c === DOT) {
      if (digits === 0 || parts === 4) return false;
      out[at + parts++] = octet;
      octet = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && octet === 0) return false;
      octet = octet * 10 + c - 0x30;
      digits++;
      if (octet > 255) return false;
    } else return false;
  }
  return parts === 4;
}

const groups = new Uint16Array(8);

function parseIPv6(text: string, out: Uint8Array): 0 | 16 {
  let n = 0;
  let gapAt = -1;
  let i = 0;
  if (text.startsWith('::')) {
    gapAt = 0;
    i = 2;
  } else if (text.charCodeAt(0) === COLON) return 0;
  while (i < text.length) {
    if (n === 8) return 0;
    let j = i;
    let value = 0;
    for (let h = hexValue(text.charCodeAt(j)); h >= 0; h = hexValue(text.charCodeAt(j))) {
      value = value * 16 + h;
      if (++j - i > 4) return 0;
    }
    if (text.charCodeAt(j) === DOT) {
      // An IPv4 tail (::ffff:1.2.3.4) fills the last two groups; it is parsed through
      // out[0..3], which the expansion below overwrites.
      if (n > 6 || !parseIPv4(text, i, out, 0)) return 0;
      groups[n++] = (out[0]! << 8) | out[1]!;
      groups[n++] = (out[2]! << 8) | out[3]!;
      break;
    }
    if (j === i) return 0;
    groups[n++] = value;
    if (j === text.length) break;
    if (text.charCodeAt(j) !== COLON) return 0;
    j++;
    if (text.charCodeAt(j) === COLON) {
      if (gapAt >= 0) return 0;
      gapAt = n;
      j++;
    } else if (j === text.length) return 0;
    i = j;
  }
  // `::` stands for at least one zero group.
  if (gapAt < 0 ? n !== 8 : n > 7) return 0;
  const zeros = 8 - n;
  for (let g = 0; g < 8; g++) {
    const v = gapAt < 0 || g < gapAt ? groups[g]! : g < gapAt + zeros ? 0 : groups[g - zeros]!;
    out[2 * g] = v >> 8;
    out[2 * g + 1] = v & 0xff;
  }
  return 16;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** The address as Go prints it (so as events hold it), or undefined when `text` is not one. */
export function canonicalIp(text: string): string | undefined {
  const bytes = new Uint8Array(16);
  const length = parseIp(text, bytes);
  return length === 0 ? undefined : ipString(bytes.subarray(0, length));
}

/** `a.b.c.d/n` or `x:y::/n`; host bits are cleared, as Go's ParseCIDR does. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const bits = text.slice(slash + 1);
  if (slash < 0 || !/^\d{1,3}$/.test(bits)) return undefined;
  const buf = new Uint8Array(16);
  const length = parseIp(text.slice(0, slash), buf);
  if (length === 0) return undefined;
  // Go prints an IPv4-mapped address as IPv4, so events never show ::ffff:a.b.c.d:
  // a mapped network is matched as the IPv4 network it contains.
  const mapped = length === 16 && Number(bits) >= 96 && ipString(buf).includes('.');
  const prefix = Number(bits) - (mapped ? 96 : 0);
  const bytes = mapped ? buf.slice(12, 16) : buf.slice(0, length);
  if (prefix > bytes.length * 8) return undefined;
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.min(8, Math.max(0, prefix - 8 * i));
    bytes[i]! &= (0xff << (8 - keep)) & 0xff;
  }
  return { bytes, prefix };
}

/** Does the address text `value` fall in any of `cidrs`? Families never mix, as in Go. */
export function inAnyCidr(cidrs: readonly Cidr[]): (value: unknown) => boolean {
  const scratch = new Uint8Array(16);
  return (value) => {
    if (typeof value !== 'string') return false;
    const length = parseIp(value, scratch);
    if (length === 0) return false;
    for (const c of cidrs) if (c.bytes.length === length && inPrefix(scratch, c)) return true;
    return false;
  };
}

function inPrefix(addr: Uint8Array, c: Cidr): boolean {
  const whole = c.prefix >> 3;
  for (let i = 0; i < whole; i++) if (addr[i] !== c.bytes[i]) return false;
  const rest = c.prefix & 7;
  return rest === 0 || (addr[whole]! & ((0xff << (8 - rest)) & 0xff)) === c.bytes[whole];
}
