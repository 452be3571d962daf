/**
 * Writes a large, deterministic, mixed classic pcap (Ethernet, little-endian) for the replay
 * benchmark (bench/replay-vs-tshark.sh):
 *
 *   npx tsx bench/gen-mixed-pcap.ts [--packets N] [--seed S] [--nanosecond] [--profile mixed|dns] OUTPUT
 *
 * Profiles: `mixed` (the default, the project's mix below) and `dns`, a small-packet, DNS-heavy
 * mix (issue 16): 30% DNS queries, 30% DNS responses (over UDP, every query answered), 20% short
 * TCP exchanges (handshake, one small request and response, teardown), 10% UDP (NTP), 10% ICMP
 * and ICMPv6 echo. Its frames average about 110 bytes, so per-packet and per-event costs
 * dominate where the default mix's large TLS/HTTP payloads make tshark slow.
 *
 * Traffic is a set of concurrent conversations whose packets interleave, as on a real link:
 * DNS over UDP (A, AAAA, CNAME chains, MX, TXT, NXDOMAIN with SOA, some EDNS), DNS over TCP
 * (some pipelined, some responses split across segments), TCP flows (handshake, TLS- or
 * HTTP-framed data, FIN teardown), UDP (NTP, QUIC-like, syslog), ICMP and ICMPv6 echo; about a
 * fifth over IPv6. Every length and checksum (IPv4 header, TCP, UDP, ICMP, ICMPv6) is computed,
 * so Wireshark and netrec see valid packets. The same arguments always give the same bytes.
 *
 * Speed: DNS messages are encoded once into a pool by dns-packet and only their ID is patched
 * per use; payloads are views into one random block; headers are written in place into a large
 * output buffer that is flushed in chunks. A summary of the mix goes to stderr.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import dnsPacket from 'dns-packet';

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: tiny, fast, and good enough to pick traffic; the seed fixes the whole file. */
class Rng {
  constructor(private state: number) {}

  /** Uniform in [0, 2^32). */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)]!;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Output: a pcap file written through one big buffer

const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;
const LINKTYPE_ETHERNET = 1;
const SNAPLEN = 262_144;
const RECORD_HEADER = 16;
/** Larger than any frame this generator writes (Ethernet 14 + MTU 1500 + slack). */
const MAX_FRAME = 1600;
const OUTPUT_CHUNK = 16 << 20;

class PcapOut {
  readonly buf = Buffer.allocUnsafe(OUTPUT_CHUNK);
  private pos = 0;
  private seconds = 1_700_000_000;
  private nanos = 0;
  bytesWritten = 0;

  constructor(
    private readonly fd: number,
    private readonly nanosecond: boolean,
    private readonly rng: Rng,
  ) {
    const b = this.buf;
    b.writeUInt32LE(nanosecond ? PCAP_MAGIC_NANOSECONDS : PCAP_MAGIC_MICROSECONDS, 0);
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(4, 6);
    b.writeInt32LE(0, 8);
    b.writeUInt32LE(0, 12);
    b.writeUInt32LE(SNAPLEN, 16);
    b.writeUInt32LE(LINKTYPE_ETHERNET, 20);
    this.pos = 24;
  }

  /** Offset in `buf` where the next frame starts. */
  begin(): number {
    if (this.pos + RECORD_HEADER + MAX_FRAME > OUTPUT_CHUNK) this.flush();
    return this.pos + RECORD_HEADER;
  }

  /** Closes the record whose frame runs from begin() to `frameEnd`. */
  end(frameEnd: number): void {
    // Exponential gaps (mean 20 µs) at nanosecond resolution: the low digits of ns timestamps
    // are not all zero, so exact 64-bit printing is exercised.
    this.nanos += Math.floor(-Math.log(1 - this.rng.float()) * 20_000) + 1;
    while (this.nanos >= 1_000_000_000) {
      this.nanos -= 1_000_000_000;
      this.seconds++;
    }
    const b = this.buf;
    const length = frameEnd - this.pos - RECORD_HEADER;
    b.writeUInt32LE(this.seconds, this.pos);
    b.writeUInt32LE(this.nanosecond ? this.nanos : Math.floor(this.nanos / 1000), this.pos + 4);
    b.writeUInt32LE(length, this.pos + 8);
    b.writeUInt32LE(length, this.pos + 12);
    this.pos = frameEnd;
  }

  flush(): void {
    let done = 0;
    while (done < this.pos) done += writeSync(this.fd, this.buf, done, this.pos - done);
    this.bytesWritten += this.pos;
    this.pos = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Header writing and checksums

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMPV6 = 58;

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 8;
  b[at + 1] = v & 0xff;
}

function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/** Unfolded one's-complement sum of [start, end) as big-endian 16-bit words. */
function sum16(b: Uint8Array, start: number, end: number, sum: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (i < end) sum += b[i]! << 8;
  return sum;
}

function fold(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** Both directions of a conversation: addresses, MACs and per-host IP state. */
interface Path {
  v6: boolean;
  client: Uint8Array;
  server: Uint8Array;
  clientMac: Uint8Array;
  gatewayMac: Uint8Array;
  serverTtl: number;
  flowLabel: number;
  ipId: number;
}

/**
 * Writes Ethernet and IP headers for an L4 segment of `l4Length` bytes at `at` and returns the
 * L4 offset. The pseudo-header sum for the L4 checksum is left in `pseudoSum`.
 */
let pseudoSum = 0;
function writeL3(b: Uint8Array, at: number, p: Path, fromClient: boolean, proto: number, l4Length: number): number {
  const src = fromClient ? p.client : p.server;
  const dst = fromClient ? p.server : p.client;
  b.set(fromClient ? p.gatewayMac : p.clientMac, at);
  b.set(fromClient ? p.clientMac : p.gatewayMac, at + 6);
  put16(b, at + 12, p.v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
  const ip = at + 14;
  const ttl = fromClient ? 64 : p.serverTtl;
  if (p.v6) {
    put32(b, ip, 0x60000000 | p.flowLabel);
    put16(b, ip + 4, l4Length);
    b[ip + 6] = proto;
    b[ip + 7] = ttl;
    b.set(src, ip + 8);
    b.set(dst, ip + 24);
    pseudoSum = sum16(b, ip + 8, ip + 40, l4Length + proto);
    return ip + 40;
  }
  b[ip] = 0x45;
  b[ip + 1] = 0;
  put16(b, ip + 2, 20 + l4Length);
  p.ipId = (p.ipId + 1) & 0xffff;
  put16(b, ip + 4, p.ipId);
  put16(b, ip + 6, proto === PROTO_TCP ? 0x4000 : 0); // DF on TCP, as Linux sets it
  b[ip + 8] = ttl;
  b[ip + 9] = proto;
  put16(b, ip + 10, 0);
  b.set(src, ip + 12);
  b.set(dst, ip + 16);
  put16(b, ip + 10, fold(sum16(b, ip, ip + 20, 0)));
  pseudoSum = sum16(b, ip + 12, ip + 20, l4Length + proto);
  return ip + 20;
}

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;
/** MSS 1460, the option a Linux SYN starts with. */
const MSS_OPTION = Uint8Array.of(2, 4, 0x05, 0xb4);

/** A TCP segment; `tlsLength` > 0 writes a TLS record header over the payload's first 5 bytes. */
function writeTcp(
  b: Uint8Array,
  at: number,
  p: Path,
  fromClient: boolean,
  ports: [number, number],
  seq: number,
  ack: number,
  flags: number,
  payload: Uint8Array,
  tlsLength: number,
): number {
  const headerLength = flags & TCP_SYN ? 24 : 20;
  const tcp = writeL3(b, at, p, fromClient, PROTO_TCP, headerLength + payload.length);
  put16(b, tcp, fromClient ? ports[0] : ports[1]);
  put16(b, tcp + 2, fromClient ? ports[1] : ports[0]);
  put32(b, tcp + 4, seq);
  put32(b, tcp + 8, ack);
  b[tcp + 12] = (headerLength / 4) << 4;
  b[tcp + 13] = flags;
  put16(b, tcp + 14, fromClient ? 64240 : 65160);
  put32(b, tcp + 16, 0); // checksum and urgent pointer
  if (headerLength === 24) b.set(MSS_OPTION, tcp + 20);
  b.set(payload, tcp + headerLength);
  if (tlsLength > 0) {
    const record = tcp + headerLength;
    b[record] = 0x17; // TLS 1.2+ application data
    b[record + 1] = 0x03;
    b[record + 2] = 0x03;
    put16(b, record + 3, tlsLength);
  }
  const end = tcp + headerLength + payload.length;
  put16(b, tcp + 16, fold(sum16(b, tcp, end, pseudoSum)));
  return end;
}

/** A UDP datagram; `dnsId` >= 0 overwrites the first two payload bytes (a DNS message ID). */
function writeUdp(b: Uint8Array, at: number, p: Path, fromClient: boolean, ports: [number, number], payload: Uint8Array, dnsId: number): number {
  const length = 8 + payload.length;
  const udp = writeL3(b, at, p, fromClient, PROTO_UDP, length);
  put16(b, udp, fromClient ? ports[0] : ports[1]);
  put16(b, udp + 2, fromClient ? ports[1] : ports[0]);
  put16(b, udp + 4, length);
  put16(b, udp + 6, 0);
  b.set(payload, udp + 8);
  if (dnsId >= 0) put16(b, udp + 8, dnsId);
  const end = udp + length;
  // A computed 0 is sent as 0xffff: 0 means "no checksum" over IPv4 and is invalid over IPv6.
  put16(b, udp + 6, fold(sum16(b, udp, end, pseudoSum)) || 0xffff);
  return end;
}

/** An ICMP or ICMPv6 echo request/reply; returns the frame end. */
function writeEcho(b: Uint8Array, at: number, p: Path, fromClient: boolean, id: number, seq: number): number {
  const length = 8 + ECHO_PAYLOAD.length;
  const proto = p.v6 ? PROTO_ICMPV6 : PROTO_ICMP;
  const icmp = writeL3(b, at, p, fromClient, proto, length);
  b[icmp] = p.v6 ? (fromClient ? 128 : 129) : fromClient ? 8 : 0;
  b[icmp + 1] = 0;
  put16(b, icmp + 2, 0);
  put16(b, icmp + 4, id);
  put16(b, icmp + 6, seq);
  b.set(ECHO_PAYLOAD, icmp + 8);
  const end = icmp + length;
  // ICMPv4's checksum has no pseudo-header; ICMPv6's has.
  put16(b, icmp + 2, fold(sum16(b, icmp, end, p.v6 ? pseudoSum : 0)));
  return end;
}

/** What ping sends: 8 bytes of time, then 0x10, 0x11, ... */
const ECHO_PAYLOAD = Uint8Array.from({ length: 56 }, (_, i) => (i < 8 ? 0x5a ^ i : i + 8));

// ---------------------------------------------------------------------------------------------
// Address pools

function ipv4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

function ipv6(text: string): Uint8Array {
  const [head = '', tail = ''] = text.split('::');
  const words = (s: string): number[] => (s === '' ? [] : s.split(':').map((w) => parseInt(w, 16)));
  const h = words(head);
  const t = words(tail);
  const all = [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((w, i) => put16(out, i * 2, w));
  return out;
}

interface Pools {
  v4Clients: Uint8Array[];
  v6Clients: Uint8Array[];
  v4Servers: Uint8Array[];
  v6Servers: Uint8Array[];
  v4Resolvers: Uint8Array[];
  v6Resolvers: Uint8Array[];
  clientMacs: Uint8Array[];
  gatewayMac: Uint8Array;
}

function makePools(rng: Rng): Pools {
  const n = <T>(count: number, make: () => T): T[] => Array.from({ length: count }, make);
  const v6In = (prefix: string): Uint8Array => {
    const a = ipv6(prefix);
    a.set(rng.bytes(8), 8);
    return a;
  };
  return {
    v4Clients: n(1024, () => Uint8Array.of(10, rng.int(0, 3), rng.int(0, 255), rng.int(1, 254))),
    v6Clients: n(256, () => v6In('2001:db8:1::')),
    v4Servers: n(512, () => ipv4(`${rng.pick(['192.0.2', '198.51.100', '203.0.113'])}.${rng.int(1, 254)}`)),
    v6Servers: n(256, () => v6In('2001:db8:f00::')),
    v4Resolvers: ['8.8.8.8', '1.1.1.1', '9.9.9.9', '10.0.0.53'].map(ipv4),
    v6Resolvers: ['2001:4860:4860::8888', '2606:4700:4700::1111', '2001:db8::53'].map(ipv6),
    // Locally administered MACs: 02:xx:...
    clientMacs: n(64, () => Uint8Array.of(0x02, ...rng.bytes(5))),
    gatewayMac: Uint8Array.of(0x02, 0x00, 0x5e, 0x00, 0x01, 0x01),
  };
}

function makePath(rng: Rng, pools: Pools, v6: boolean, server: Uint8Array): Path {
  return {
    v6,
    client: rng.pick(v6 ? pools.v6Clients : pools.v4Clients),
    server,
    clientMac: rng.pick(pools.clientMacs),
    gatewayMac: pools.gatewayMac,
    serverTtl: rng.pick([52, 56, 57, 118, 119, 243]),
    flowLabel: v6 ? rng.int(0, 0xfffff) : 0,
    ipId: rng.int(0, 0xffff),
  };
}

const ephemeralPort = (rng: Rng): number => rng.int(32768, 60999);

// ---------------------------------------------------------------------------------------------
// DNS message pool (encoded once by dns-packet; each use patches the ID)

interface DnsExchange {
  query: Uint8Array;
  response: Uint8Array;
}

const HOSTS = [
  'www',
  'api',
  'cdn',
  'mail',
  'static',
  'img',
  'login',
  'auth',
  'm',
  'docs',
  'git',
  'time',
  'update',
  'telemetry',
  'assets',
  'ws',
  'edge',
  'files',
];
const DOMAINS = [
  'example.com',
  'example.org',
  'example.net',
  'wikipedia.org',
  'github.com',
  'googleapis.com',
  'cloudflare.com',
  'amazonaws.com',
  'akamaiedge.net',
  'debian.org',
  'npmjs.org',
  'office.com',
  'corp.internal',
  'ubuntu.com',
  'fastly.net',
  'gstatic.com',
  'mozilla.org',
  'kernel.org',
];

function randomName(rng: Rng): string {
  const domain = rng.pick(DOMAINS);
  const r = rng.float();
  if (r < 0.6) return `${rng.pick(HOSTS)}.${domain}`;
  if (r < 0.8) return `${rng.pick(HOSTS)}-${rng.int(1, 99)}.${rng.pick(['eu-west-1', 'us-east-2', 'ap-south-1'])}.${domain}`;
  if (r < 0.9) return domain;
  // CDN-style random label
  return `${[...rng.bytes(6)].map((x) => x.toString(16).padStart(2, '0')).join('')}.${rng.pick(HOSTS)}.${domain}`;
}

function dotted4(rng: Rng): string {
  return `${rng.pick([93, 104, 142, 151, 172, 185])}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

function dotted6(rng: Rng): string {
  return `2a00:${rng.int(0, 0xffff).toString(16)}:${rng.int(0, 0xffff).toString(16)}::${rng.int(1, 0xffff).toString(16)}`;
}

function makeDnsPool(rng: Rng, size: number): DnsExchange[] {
  const pool: DnsExchange[] = [];
  for (let i = 0; i < size; i++) {
    const name = randomName(rng);
    const ttl = (): number => rng.pick([30, 60, 300, 600, 3600, 86400]);
    const edns = rng.chance(0.4);
    const opt: dnsPacket.Answer[] = edns ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232 } as dnsPacket.Answer] : [];
    let qtype: 'A' | 'AAAA' | 'MX' | 'TXT';
    let answers: dnsPacket.Answer[] = [];
    let authorities: dnsPacket.Answer[] = [];
    let rcode = 0;
    const r = rng.float();
    if (r < 0.45) {
      qtype = 'A';
      answers = Array.from({ length: rng.int(1, 4) }, (): dnsPacket.Answer => ({ type: 'A', name, ttl: ttl(), data: dotted4(rng) }));
    } else if (r < 0.7) {
      qtype = 'AAAA';
      answers = Array.from({ length: rng.int(1, 2) }, (): dnsPacket.Answer => ({ type: 'AAAA', name, ttl: ttl(), data: dotted6(rng) }));
    } else if (r < 0.8) {
      qtype = 'A';
      const target = `${name.split('.')[0]}.${rng.pick(['akamaiedge.net', 'cloudfront.net', 'fastly.net'])}`;
      answers = [
        { type: 'CNAME', name, ttl: ttl(), data: target },
        ...Array.from({ length: rng.int(1, 2) }, (): dnsPacket.Answer => ({ type: 'A', name: target, ttl: ttl(), data: dotted4(rng) })),
      ];
    } else if (r < 0.87) {
      qtype = 'MX';
      answers = Array.from(
        { length: rng.int(1, 3) },
        (_, k): dnsPacket.Answer => ({ type: 'MX', name, ttl: ttl(), data: { preference: 10 * (k + 1), exchange: `mx${k + 1}.${name}` } }),
      );
    } else if (r < 0.95) {
      qtype = 'TXT';
      const token = (): string => Buffer.from(rng.bytes(32)).toString('base64');
      answers = [
        { type: 'TXT', name, ttl: ttl(), data: `v=spf1 include:_spf.${name} ~all` },
        ...(rng.chance(0.5) ? [{ type: 'TXT', name, ttl: ttl(), data: [`site-verification=${token()}`, token()] } as dnsPacket.Answer] : []),
      ];
    } else {
      qtype = rng.pick(['A', 'AAAA'] as const);
      rcode = 3; // NXDOMAIN, with the zone's SOA as negative-caching authority
      const zone = name.split('.').slice(-2).join('.');
      authorities = [
        {
          type: 'SOA',
          name: zone,
          ttl: 900,
          data: {
            mname: `ns1.${zone}`,
            rname: `hostmaster.${zone}`,
            serial: 2024010100 + rng.int(0, 99),
            refresh: 7200,
            retry: 900,
            expire: 1209600,
            minimum: 300,
          },
        },
      ];
    }
    const questions = [{ type: qtype, name }];
    pool.push({
      query: dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions, additionals: opt }),
      response: dnsPacket.encode({
        type: 'response',
        id: 0,
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode,
        questions,
        answers,
        authorities,
        additionals: opt,
      }),
    });
  }
  return pool;
}

// ---------------------------------------------------------------------------------------------
// Conversations

type Kind = 'dns-udp' | 'dns-tcp' | 'tcp' | 'udp' | 'icmp' | 'icmpv6';

/** A conversation: its packet count is fixed when it is created, so the total can be exact. */
interface Conversation {
  readonly kind: Kind;
  readonly path: Path;
  readonly packets: number;
  /** DNS messages its packets carry. */
  dnsMessages: number;
  sent: number;
  /** Writes the next packet's frame at `at` in `b`; returns the frame end. */
  emit(b: Uint8Array, at: number): number;
}

interface TcpStep {
  fromClient: boolean;
  flags: number;
  payload: Uint8Array;
  /** > 0: the payload starts a TLS application-data record of this length (header patched in). */
  tlsLength: number;
}

const EMPTY = new Uint8Array(0);
const MSS = 1448;

class TcpConversation implements Conversation {
  sent = 0;
  dnsMessages = 0;
  readonly packets: number;
  private clientSeq: number;
  private serverSeq: number;

  constructor(
    readonly kind: Kind,
    readonly path: Path,
    private readonly ports: [number, number],
    private readonly steps: TcpStep[],
    rng: Rng,
  ) {
    this.packets = steps.length;
    this.clientSeq = rng.u32();
    this.serverSeq = rng.u32();
  }

  emit(b: Uint8Array, at: number): number {
    const s = this.steps[this.sent++]!;
    const seq = s.fromClient ? this.clientSeq : this.serverSeq;
    const ack = s.flags & TCP_ACK ? (s.fromClient ? this.serverSeq : this.clientSeq) : 0;
    const end = writeTcp(b, at, this.path, s.fromClient, this.ports, seq, ack, s.flags, s.payload, s.tlsLength);
    const advance = s.payload.length + (s.flags & (TCP_SYN | TCP_FIN) ? 1 : 0);
    if (s.fromClient) this.clientSeq = (this.clientSeq + advance) >>> 0;
    else this.serverSeq = (this.serverSeq + advance) >>> 0;
    return end;
  }
}

interface UdpStep {
  fromClient: boolean;
  payload: Uint8Array;
  /** >= 0: a DNS message ID patched into the payload. */
  dnsId: number;
}

class UdpConversation implements Conversation {
  sent = 0;
  dnsMessages = 0;
  readonly packets: number;

  constructor(
    readonly kind: Kind,
    readonly path: Path,
    private readonly ports: [number, number],
    private readonly steps: UdpStep[],
  ) {
    this.packets = steps.length;
  }

  emit(b: Uint8Array, at: number): number {
    const s = this.steps[this.sent++]!;
    return writeUdp(b, at, this.path, s.fromClient, this.ports, s.payload, s.dnsId);
  }
}

class EchoConversation implements Conversation {
  sent = 0;
  dnsMessages = 0;
  readonly packets: number;

  constructor(
    readonly kind: Kind,
    readonly path: Path,
    private readonly id: number,
    pings: number,
  ) {
    this.packets = 2 * pings;
  }

  emit(b: Uint8Array, at: number): number {
    const i = this.sent++;
    return writeEcho(b, at, this.path, i % 2 === 0, this.id, (i >> 1) + 1);
  }
}

/** An HTTP response header whose Content-Length makes header + body exactly `total` bytes. */
function httpResponseHeader(total: number): Buffer {
  const text = (body: number, pad: string): string => `HTTP/1.1 200 OK\r\nContent-Type: image/webp${pad}\r\nContent-Length: ${body}\r\n\r\n`;
  // The header's length depends on the body length's digit count. Near a power of ten no count
  // may agree (999 vs 1000), so one optional trailing space on a field value absorbs the byte.
  for (let digits = 1; ; digits++) {
    for (const pad of ['', ' ']) {
      const body = total - text(0, pad).length + 1 - digits;
      if (String(body).length === digits) return Buffer.from(text(body, pad));
    }
  }
}

const handshake = (): TcpStep[] => [
  { fromClient: true, flags: TCP_SYN, payload: EMPTY, tlsLength: 0 },
  { fromClient: false, flags: TCP_SYN | TCP_ACK, payload: EMPTY, tlsLength: 0 },
  { fromClient: true, flags: TCP_ACK, payload: EMPTY, tlsLength: 0 },
];

const teardown = (): TcpStep[] => [
  { fromClient: true, flags: TCP_FIN | TCP_ACK, payload: EMPTY, tlsLength: 0 },
  { fromClient: false, flags: TCP_FIN | TCP_ACK, payload: EMPTY, tlsLength: 0 },
  { fromClient: true, flags: TCP_ACK, payload: EMPTY, tlsLength: 0 },
];

type Profile = 'mixed' | 'dns';

/** Conversation factories and their weights, chosen so that packets split roughly as
 * DNS/UDP 25 %, DNS/TCP 3 %, other TCP 50 %, other UDP 12 %, ICMP 6 %, ICMPv6 4 % (`mixed`), or
 * DNS queries 30 %, DNS responses 30 %, TCP 20 %, UDP 10 %, ICMP + ICMPv6 10 % (`dns`). */
class Traffic {
  private readonly pools: Pools;
  private readonly dns: DnsExchange[];
  /** Random bytes that TCP and UDP payloads are views into. */
  private readonly noise: Uint8Array;
  private readonly syslog: Uint8Array[];
  private readonly table: [number, () => Conversation][];
  private readonly totalWeight: number;

  constructor(
    private readonly rng: Rng,
    profile: Profile = 'mixed',
  ) {
    this.pools = makePools(rng);
    this.dns = makeDnsPool(rng, 512);
    this.noise = rng.bytes(1 << 16);
    this.syslog = Array.from({ length: 64 }, (_, i) =>
      Buffer.from(
        `<${rng.pick([13, 30, 86, 134, 165])}>Nov 14 22:13:${String(i % 60).padStart(2, '0')} host${i} ${rng.pick(['sshd', 'cron', 'kernel', 'systemd', 'nginx'])}[${rng.int(100, 60000)}]: ${rng.pick(['session opened for user root', 'Accepted publickey for deploy', 'Started Daily apt upgrade', 'upstream timed out (110: Connection timed out)', 'eth0: link up'])}`,
      ),
    );
    this.table = [
      [128, () => this.dnsUdp()],
      [3, () => this.dnsTcp()],
      [16, () => this.tcp()],
      [32, () => this.udp()],
      [12, () => this.echo(false)],
      [8, () => this.echo(true)],
    ];
    if (profile === 'dns') {
      // Weight × packets per conversation = share: DNS 2 packets (always answered), short TCP 9,
      // NTP 2, echo 5 on average (1–4 pings of 2 packets).
      this.table = [
        [30, () => this.dnsUdp(1)],
        [20 / 9, () => this.shortTcp()],
        [5, () => this.ntp()],
        [1.2, () => this.echo(false)],
        [0.8, () => this.echo(true)],
      ];
    }
    this.totalWeight = this.table.reduce((sum, [w]) => sum + w, 0);
  }

  random(): Conversation {
    let r = this.rng.float() * this.totalWeight;
    for (const [weight, make] of this.table) {
      r -= weight;
      if (r < 0) return make();
    }
    return this.table[0]![1]();
  }

  /** A one-packet conversation, used to land exactly on the requested packet count. */
  single(): Conversation {
    const path = makePath(this.rng, this.pools, false, this.rng.pick(this.pools.v4Servers));
    return new UdpConversation('udp', path, [ephemeralPort(this.rng), 514], [{ fromClient: true, payload: this.rng.pick(this.syslog), dnsId: -1 }]);
  }

  private resolverPath(): Path {
    const v6 = this.rng.chance(0.2);
    return makePath(this.rng, this.pools, v6, this.rng.pick(v6 ? this.pools.v6Resolvers : this.pools.v4Resolvers));
  }

  private serverPath(v6Share: number): Path {
    const v6 = this.rng.chance(v6Share);
    return makePath(this.rng, this.pools, v6, this.rng.pick(v6 ? this.pools.v6Servers : this.pools.v4Servers));
  }

  private noiseView(length: number): Uint8Array {
    const at = this.rng.int(0, this.noise.length - length);
    return this.noise.subarray(at, at + length);
  }

  /** `answered`: the share of queries that get a response (one in twenty is lost by default). */
  private dnsUdp(answered = 0.95): Conversation {
    const x = this.rng.pick(this.dns);
    const id = this.rng.int(0, 0xffff);
    const steps: UdpStep[] = [{ fromClient: true, payload: x.query, dnsId: id }];
    if (this.rng.chance(answered)) steps.push({ fromClient: false, payload: x.response, dnsId: id });
    const c = new UdpConversation('dns-udp', this.resolverPath(), [ephemeralPort(this.rng), 53], steps);
    c.dnsMessages = steps.length;
    return c;
  }

  /** One connection, one or two pipelined queries; a quarter of responses span two segments. */
  private dnsTcp(): Conversation {
    const exchanges = Array.from({ length: this.rng.chance(0.25) ? 2 : 1 }, () => this.rng.pick(this.dns));
    const framed = (messages: Uint8Array[]): Uint8Array => {
      const out = Buffer.alloc(messages.reduce((n, m) => n + 2 + m.length, 0));
      let at = 0;
      for (const m of messages) {
        put16(out, at, m.length);
        out.set(m, at + 2);
        put16(out, at + 2, this.rng.int(0, 0xffff));
        at += 2 + m.length;
      }
      return out;
    };
    const queries = framed(exchanges.map((x) => x.query));
    const responses = framed(exchanges.map((x) => x.response));
    // A response pair shares each query's ID.
    for (let q = 0, r = 0, i = 0; i < exchanges.length; i++) {
      responses.set(queries.subarray(q + 2, q + 4), r + 2);
      q += 2 + exchanges[i]!.query.length;
      r += 2 + exchanges[i]!.response.length;
    }
    const data = TCP_PSH | TCP_ACK;
    const steps = [...handshake(), { fromClient: true, flags: data, payload: queries, tlsLength: 0 }];
    if (this.rng.chance(0.25)) {
      const cut = this.rng.int(1, responses.length - 1);
      steps.push(
        { fromClient: false, flags: TCP_ACK, payload: responses.subarray(0, cut), tlsLength: 0 },
        { fromClient: false, flags: data, payload: responses.subarray(cut), tlsLength: 0 },
      );
    } else {
      steps.push({ fromClient: false, flags: data, payload: responses, tlsLength: 0 });
    }
    steps.push({ fromClient: true, flags: TCP_ACK, payload: EMPTY, tlsLength: 0 }, ...teardown());
    const c = new TcpConversation('dns-tcp', this.resolverPath(), [ephemeralPort(this.rng), 53], steps, this.rng);
    c.dnsMessages = 2 * exchanges.length;
    return c;
  }

  /**
   * HTTPS (TLS records) or HTTP: 1–4 request/response exchanges, responses of 1–11 full-size
   * segments (one TLS record, at most 16 KiB), the client ACKing every second segment.
   */
  private tcp(): Conversation {
    const https = this.rng.chance(0.75);
    const steps = handshake();
    const exchanges = this.rng.int(1, 4);
    for (let e = 0; e < exchanges; e++) {
      const requestLength = this.rng.int(80, 700);
      const segments = this.rng.int(1, 11);
      const lastLength = this.rng.int(100, MSS);
      const responseLength = (segments - 1) * MSS + lastLength;
      if (https) {
        steps.push({ fromClient: true, flags: TCP_PSH | TCP_ACK, payload: this.noiseView(requestLength), tlsLength: requestLength - 5 });
      } else {
        const request = `GET /${this.rng.pick(HOSTS)}/${this.rng.int(1, 99999)} HTTP/1.1\r\nHost: ${randomName(this.rng)}\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n`;
        steps.push({ fromClient: true, flags: TCP_PSH | TCP_ACK, payload: Buffer.from(request), tlsLength: 0 });
      }
      for (let s = 0; s < segments; s++) {
        const last = s === segments - 1;
        let payload = this.noiseView(last ? lastLength : MSS);
        if (!https && s === 0) {
          const header = httpResponseHeader(responseLength);
          payload = Buffer.concat([header, payload.subarray(header.length)]);
        }
        steps.push({ fromClient: false, flags: last ? TCP_PSH | TCP_ACK : TCP_ACK, payload, tlsLength: https && s === 0 ? responseLength - 5 : 0 });
        if (s % 2 === 1 || last) steps.push({ fromClient: true, flags: TCP_ACK, payload: EMPTY, tlsLength: 0 });
      }
    }
    steps.push(...teardown());
    return new TcpConversation('tcp', this.serverPath(0.2), [ephemeralPort(this.rng), https ? 443 : 80], steps, this.rng);
  }

  /** Handshake, one small request and response (40–400 bytes), the ACK, teardown: 9 packets. */
  private shortTcp(): Conversation {
    const data = TCP_PSH | TCP_ACK;
    const steps = [
      ...handshake(),
      { fromClient: true, flags: data, payload: this.noiseView(this.rng.int(40, 200)), tlsLength: 0 },
      { fromClient: false, flags: data, payload: this.noiseView(this.rng.int(40, 400)), tlsLength: 0 },
      { fromClient: true, flags: TCP_ACK, payload: EMPTY, tlsLength: 0 },
      ...teardown(),
    ];
    return new TcpConversation('tcp', this.serverPath(0.2), [ephemeralPort(this.rng), this.rng.pick([443, 80, 8080, 5432])], steps, this.rng);
  }

  /** An NTP request and its response. */
  private ntp(): Conversation {
    const request = new Uint8Array(48);
    request[0] = 0x23; // NTPv4, client
    request.set(this.rng.bytes(8), 40);
    const response = new Uint8Array(48);
    response.set(this.rng.bytes(48));
    response[0] = 0x24; // NTPv4, server
    response[1] = 2; // stratum
    return new UdpConversation(
      'udp',
      this.serverPath(0.15),
      [ephemeralPort(this.rng), 123],
      [
        { fromClient: true, payload: request, dnsId: -1 },
        { fromClient: false, payload: response, dnsId: -1 },
      ],
    );
  }

  /** NTP request/response, a QUIC-like burst on 443, or syslog messages. */
  private udp(): Conversation {
    const r = this.rng.float();
    if (r < 0.4) return this.ntp();
    if (r < 0.7) {
      const steps: UdpStep[] = [{ fromClient: true, payload: this.noiseView(1200), dnsId: -1 }];
      for (let i = this.rng.int(2, 10); i > 0; i--) {
        steps.push({ fromClient: this.rng.chance(0.4), payload: this.noiseView(this.rng.int(40, 1350)), dnsId: -1 });
      }
      return new UdpConversation('udp', this.serverPath(0.15), [ephemeralPort(this.rng), 443], steps);
    }
    const steps = Array.from({ length: this.rng.int(1, 3) }, () => ({ fromClient: true, payload: this.rng.pick(this.syslog), dnsId: -1 }));
    return new UdpConversation('udp', this.serverPath(0.15), [ephemeralPort(this.rng), 514], steps);
  }

  private echo(v6: boolean): Conversation {
    const servers = v6 ? this.pools.v6Servers : this.pools.v4Servers;
    const path = makePath(this.rng, this.pools, v6, this.rng.pick(servers));
    return new EchoConversation(v6 ? 'icmpv6' : 'icmp', path, this.rng.int(1, 0xffff), this.rng.int(1, 4));
  }
}

// ---------------------------------------------------------------------------------------------
// Main

/** Conversations in progress at once; their packets interleave. */
const CONCURRENT = 32;

function main(): void {
  const { values, positionals } = parseArgs({
    options: {
      packets: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '1' },
      nanosecond: { type: 'boolean', default: false },
      profile: { type: 'string', default: 'mixed' },
    },
    allowPositionals: true,
  });
  const total = Number(values.packets);
  const profile = values.profile;
  if (positionals.length !== 1 || !Number.isSafeInteger(total) || total < 1 || (profile !== 'mixed' && profile !== 'dns')) {
    process.stderr.write('usage: npx tsx bench/gen-mixed-pcap.ts [--packets N] [--seed S] [--nanosecond] [--profile mixed|dns] OUTPUT\n');
    process.exit(2);
  }
  const started = performance.now();
  const rng = new Rng(Number(values.seed) >>> 0);
  const traffic = new Traffic(rng, profile);
  const fd = openSync(positionals[0]!, 'w');
  const out = new PcapOut(fd, values.nanosecond, rng);

  // `committed` counts the packets of every conversation started so far. A conversation that
  // would overshoot the total is replaced by one-packet ones, so the file holds exactly `total`
  // packets and every conversation in it is complete (no DNS message is cut at the end).
  let committed = 0;
  let dnsMessages = 0;
  const start = (): Conversation | undefined => {
    if (committed >= total) return undefined;
    let c = traffic.random();
    if (committed + c.packets > total) c = traffic.single();
    committed += c.packets;
    dnsMessages += c.dnsMessages;
    return c;
  };
  const active: Conversation[] = [];
  for (let i = 0; i < CONCURRENT; i++) {
    const c = start();
    if (c) active.push(c);
  }

  const perKind = new Map<Kind, number>();
  let ipv6 = 0;
  let written = 0;
  while (active.length > 0) {
    const slot = Math.floor(rng.float() * active.length);
    const c = active[slot]!;
    out.end(c.emit(out.buf, out.begin()));
    written++;
    perKind.set(c.kind, (perKind.get(c.kind) ?? 0) + 1);
    if (c.path.v6) ipv6++;
    if (c.sent === c.packets) {
      const next = start();
      if (next) active[slot] = next;
      else {
        active[slot] = active[active.length - 1]!;
        active.pop();
      }
    }
  }
  out.flush();
  closeSync(fd);

  const pct = (n: number): string => `${((100 * n) / written).toFixed(1)}%`;
  const kinds = [...perKind]
    .sort()
    .map(([k, n]) => `${k} ${n} (${pct(n)})`)
    .join(', ');
  process.stderr.write(
    `${positionals[0]}: ${written} packets, ${out.bytesWritten} bytes ` +
      `(mean frame ${((out.bytesWritten - 24) / written - RECORD_HEADER).toFixed(0)} B), ` +
      `${dnsMessages} DNS messages, IPv6 ${pct(ipv6)}; ${kinds}; ` +
      `${((performance.now() - started) / 1000).toFixed(2)} s\n`,
  );
}

main();
