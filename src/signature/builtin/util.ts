/**
 * What several builtin signatures share: who the actor of a packet is, DNS name measures, bounded
 * state, and reading their --signatures-config entry. Builtins hold state per process and per
 * peer; hostile input could make that unbounded, so every table is a BoundedMap that forgets
 * its oldest entries and counts what it forgot.
 */
import type { PacketInfo, SignatureContext } from '../api.ts';
import { parseCidr, type Cidr } from '../../filter/ip.ts';
import type { TraceeEvent } from '../../event/types.ts';

/**
 * The process a packet belongs to, or for input without process context (pcap) the whole
 * capture: `pid:<host pid>` or `host`.
 */
export function actorOf(e: TraceeEvent): string {
  return e.hostProcessId !== 0 ? `pid:${e.hostProcessId}` : 'host';
}

/** How findings name the actor: `comm (pid N)`, or the address for input without processes. */
export function actorData(e: TraceeEvent, address: string): Record<string, string | number> {
  return e.hostProcessId !== 0 ? { pid: e.hostProcessId, comm: e.processName } : { address };
}

/**
 * The packet was sent by the event's process (or may have been: captures without a direction).
 * A recording holds both copies of traffic between two recorded sockets; the receiver's copy
 * must not count as the receiver acting.
 */
export function sent(p: PacketInfo): boolean {
  return p.direction !== 'ingress';
}

export function received(p: PacketInfo): boolean {
  return p.direction !== 'egress';
}

/** Shannon entropy in bits per symbol (byte or UTF-16 unit). */
export function entropy(s: string | Uint8Array): number {
  const n = s.length;
  if (n === 0) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const c = typeof s === 'string' ? s.charCodeAt(i) : s[i]!;
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const k of counts.values()) {
    const p = k / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * The registered domain of a name, approximated without a public-suffix list: the last two
 * labels, or three when the last two look like a country's second level (`uol.com.br`,
 * `example.co.uk`: a TLD of two letters under a label of at most three).
 */
export function baseDomain(name: string): string {
  // Runs for every query: dots are found from the end instead of splitting the name.
  let end = name.length;
  while (end > 0 && name.charCodeAt(end - 1) === 0x2e) end--;
  const last = name.lastIndexOf('.', end - 1);
  if (last < 0) return name.slice(0, end).toLowerCase();
  const second = name.lastIndexOf('.', last - 1);
  if (second < 0) return name.slice(0, end).toLowerCase();
  const keep = end - last - 1 === 2 && last - second - 1 <= 3 ? name.lastIndexOf('.', second - 1) : second;
  return name.slice(keep + 1, end).toLowerCase();
}

/** Rounded for findings: data is compared across machines, so no long float tails. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** A Map that keeps at most `limit` keys, forgetting the least recently set; `forgotten` counts them. */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  forgotten = 0;

  constructor(private readonly limit: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.limit) {
      this.map.delete(this.map.keys().next().value as K);
      this.forgotten++;
    }
  }

  /** Adds `key` unless present (a present key keeps its age: cheaper than set() for repeats). */
  add(key: K, value: V): void {
    if (!this.map.has(key)) this.set(key, value);
  }

  /** The value for `key`, made by `make` (and kept) when absent. */
  upsert(key: K, make: () => V): V {
    let v = this.map.get(key);
    if (v === undefined) {
      v = make();
      this.set(key, v);
    }
    return v;
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }
}

/** Per-signature table size: generous for a host, bounded for hostile input. */
export const STATE_LIMIT = 65_536;

/** On close: says how much state the bounds made a signature forget (it may have missed findings). */
export function reportForgotten(ctx: SignatureContext, ...maps: BoundedMap<unknown, unknown>[]): void {
  const n = maps.reduce((sum, m) => sum + m.forgotten, 0);
  if (n > 0) ctx.warn(`forgot ${n} entries of state (more than ${STATE_LIMIT} processes, peers or names at once): findings may be missing`);
}

/** Reads one numeric setting of a builtin's config entry; a wrong type is the user's mistake and throws. */
export function numberSetting(ctx: SignatureContext, key: string, fallback: number): number {
  const v = ctx.config[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`config ${key} must be a non-negative number`);
  return v;
}

/** Addresses or CIDRs from a config entry (`"10.0.0.53"`, `"10.0.0.0/8"`, `"fd00::/8"`). */
export function cidrSetting(ctx: SignatureContext, key: string, fallback: readonly string[]): Cidr[] {
  const v = ctx.config[key] ?? fallback;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`config ${key} must be an array of addresses or CIDRs`);
  return v.map((text: string) => {
    const cidr = parseCidr(text.includes('/') ? text : `${text}/${text.includes(':') ? 128 : 32}`);
    if (cidr === undefined) throw new Error(`config ${key}: '${text}' is not an address or CIDR`);
    return cidr;
  });
}

/** Seconds from a config entry as nanoseconds (windows are measured on event timestamps). */
export function windowSetting(ctx: SignatureContext, key: string, fallbackSeconds: number): bigint {
  return BigInt(Math.round(numberSetting(ctx, key, fallbackSeconds) * 1e9));
}

/** Loopback, private, link-local and unique-local ranges. */
export const LOCAL_NETWORKS = ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '::1/128', 'fc00::/7', 'fe80::/10'];
