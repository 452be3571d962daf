/**
 * Test oracle: runs tshark (Wireshark 4.0) on a capture and returns, per
 * frame, the fields netrec's output is compared against.
 *
 * tshark is run as
 *   tshark -n -r FILE -T json --no-duplicate-keys -J "frame ip ipv6 tcp udp icmp icmpv6 dns"
 * i.e. the JSON protocol tree of those layers, with name resolution off (no
 * lookups leave the machine) and an empty Wireshark configuration directory
 * (no personal preferences or "Decode As" rules change the result). The tree
 * is walked for the tshark field names (`ip.src`, `dns.a`, ...), so every
 * value below is what `tshark -T fields -E occurrence=a -e NAME` prints,
 * parsed: numbers (also tshark's hex ones such as dns.id "0x2858") become
 * numbers, 0/1 booleans become booleans. DNS is also returned per message and
 * per section (questions / answers / authorities / additionals), which flat
 * `-e` fields cannot give.
 *
 * tshark quirks worth knowing (4.0.17, Debian 12):
 *  - tshark dissects DNS on more ports than netrec (port 53 only); use the
 *    `filter` option (a display filter, -Y), e.g. `dns && (udp.port == 53 ||
 *    tcp.port == 53)`, to compare only what netrec decodes.
 *  - TCP reassembly is on by default: a DNS message spread over several
 *    segments appears once, in the frame carrying its last byte, and a
 *    segment holding several messages yields several entries in `dns`.
 *    `reassemble: false` dissects each segment on its own.
 *  - dns.resp.* / dns.a / ... flat arrays cover all three RR sections,
 *    including the OPT pseudo-RR (type 41, name "<Root>"); use the sectioned
 *    `answers` etc. to compare one section.
 *  - SRV RRs carry no dns.resp.name (tshark splits the owner into
 *    dns.srv.service/proto/name), so flat `respName` skips them; the
 *    sectioned RR's `name` puts the owner back together.
 *  - The root name is printed as "<Root>". URI (type 256) rdata is not
 *    dissected by 4.0 ("Dissector for DNS Type (256) code not implemented"):
 *    only name/type/class/ttl and the raw `dns.data` bytes are available.
 *  - Running as root makes tshark print a warning on stderr; it is ignored.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface TsharkOptions {
  /** Display filter (tshark -Y): only frames matching it are returned. */
  filter?: string;
  /** "Decode As" rules (tshark -d), e.g. `udp.port==5300,dns`. */
  decodeAs?: string[];
  /** Reassemble TCP streams and DNS-over-TCP messages (tshark's default: true). */
  reassemble?: boolean;
  /** tshark binary; default: $TSHARK or `tshark` on PATH. */
  tshark?: string;
}

export interface TsharkDnsQuestion {
  name: string;
  type: number;
  class: number;
}

export interface TsharkDnsRR {
  name: string;
  type: number;
  /** Absent for OPT, whose class field is the UDP payload size. */
  class?: number;
  ttl?: number;
  a?: string;
  aaaa?: string;
  cname?: string;
  ns?: string;
  ptr?: string;
  mx?: { preference: number; exchange: string };
  /** The character-strings of one TXT RR, in order. */
  txt?: string[];
  srv?: { priority: number; weight: number; port: number; target: string };
  soa?: {
    mname: string;
    rname: string;
    serial: number;
    refresh: number;
    retry: number;
    expire: number;
    minimum: number;
  };
  /** Every tshark field of the RR, as printed (for what is not above). */
  fields: Record<string, string[]>;
}

export interface TsharkDnsMessage {
  /** The 2-byte length prefix of DNS over TCP (dns.length); absent over UDP. */
  tcpLength?: number;
  id: number;
  response: boolean;
  opcode: number;
  rcode: number;
  authoritative: boolean;
  truncated: boolean;
  recursionDesired: boolean;
  recursionAvailable: boolean;
  /** Header counts; for UPDATE: zones, prerequisites, updates, additionals. */
  counts: { questions: number; answers: number; authorities: number; additionals: number };
  /** Questions; for UPDATE the Zone section. */
  questions: TsharkDnsQuestion[];
  /** For UPDATE the Prerequisites section. */
  answers: TsharkDnsRR[];
  /** For UPDATE the Updates section. */
  authorities: TsharkDnsRR[];
  additionals: TsharkDnsRR[];
}

/** The flat DNS field arrays, as `-T fields -E occurrence=a` would print them. */
export interface TsharkDnsFields {
  id: number[];
  response: boolean[];
  qryName: string[];
  qryType: number[];
  respName: string[];
  respType: number[];
  a: string[];
  aaaa: string[];
  cname: string[];
  ns: string[];
  mxMailExchange: string[];
  mxPreference: number[];
  ptrDomainName: string[];
  txt: string[];
  srvTarget: string[];
  soaMname: string[];
  soaRname: string[];
}

export interface TsharkFrame {
  /** frame.number, 1-based. */
  frame: number;
  /**
   * frame.time_epoch exactly as tshark prints it ("1795904186.641444000");
   * absent for records without a timestamp (pcapng simple packet blocks).
   */
  timeEpoch?: string;
  /** frame.protocols split on ":" (e.g. eth, ethertype, ip, udp, dns). */
  protocols: string[];
  ipSrc?: string;
  ipDst?: string;
  ipProto?: number;
  ipv6Src?: string;
  ipv6Dst?: string;
  ipv6Nxt?: number;
  tcpSrcPort?: number;
  tcpDstPort?: number;
  /** tcp.flags as a number (tshark prints it as hex, e.g. "0x0018"). */
  tcpFlags?: number;
  /** tcp.flags exactly as tshark prints it. */
  tcpFlagsHex?: string;
  tcpSeqRaw?: number;
  tcpAckRaw?: number;
  tcpLen?: number;
  udpSrcPort?: number;
  udpDstPort?: number;
  icmpType?: number;
  icmpCode?: number;
  icmpv6Type?: number;
  icmpv6Code?: number;
  /** One entry per DNS message tshark found in the frame (0, 1, or more over TCP). */
  dns: TsharkDnsMessage[];
  /** All DNS messages' fields, flattened in tshark's order. */
  dnsFields: TsharkDnsFields;
}

const LAYERS = 'frame ip ipv6 tcp udp icmp icmpv6 dns';

type JsonNode = string | JsonNode[] | { [key: string]: JsonNode };
type JsonObject = { [key: string]: JsonNode };

let emptyConfigDir: string | undefined;

function configDir(): string {
  if (emptyConfigDir === undefined) {
    emptyConfigDir = join(tmpdir(), 'netrec-tshark-empty-profile');
    mkdirSync(emptyConfigDir, { recursive: true });
  }
  return emptyConfigDir;
}

/** The tshark command line that tsharkFrames runs (without the binary). */
export function tsharkArgs(file: string, opts: TsharkOptions = {}): string[] {
  const args = ['-n', '-r', file, '-T', 'json', '--no-duplicate-keys', '-J', LAYERS];
  if (opts.filter !== undefined) args.push('-Y', opts.filter);
  for (const rule of opts.decodeAs ?? []) args.push('-d', rule);
  if (opts.reassemble === false) {
    args.push('-o', 'tcp.desegment_tcp_streams:FALSE', '-o', 'dns.desegment_dns_messages:FALSE');
  }
  return args;
}

/** Runs tshark on `file` and returns the frames (matching `opts.filter`) in order. */
export async function tsharkFrames(file: string, opts: TsharkOptions = {}): Promise<TsharkFrame[]> {
  const bin = opts.tshark ?? process.env.TSHARK ?? 'tshark';
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(bin, tsharkArgs(file, opts), {
      maxBuffer: 1 << 30,
      encoding: 'utf8',
      env: { ...process.env, WIRESHARK_CONFIG_DIR: configDir() },
    }));
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`tshark failed on ${file}: ${(e.stderr ?? '').trim() || e.message}`);
  }
  // tshark prints nothing at all (not "[]") when no frame matches.
  if (stdout.trim() === '') return [];
  const packets = JSON.parse(stdout) as Array<{ _source: { layers: JsonObject } }>;
  return packets.map((p) => parseFrame(p._source.layers));
}

/** tsharkFrames keyed by frame number. */
export async function tsharkFrameMap(file: string, opts: TsharkOptions = {}): Promise<Map<number, TsharkFrame>> {
  const frames = await tsharkFrames(file, opts);
  return new Map(frames.map((f) => [f.frame, f]));
}

/** The Darwin process blocks of a pcapng as tshark's pcapng reader shows them. */
export interface TsharkDarwinProcesses {
  /** Per process block, in file order. */
  pids: string[];
  names: string[];
  /** Per packet with a Darwin process option, the index of its process block. */
  packetProcessIds: string[];
}

/**
 * The Darwin process blocks of `pcapng` and the packets naming them, read with
 * tshark's "MIME Files Format" reader (the one that exposes pcapng blocks as
 * fields): one row for the whole file, each column's values comma-separated in
 * block order.
 */
export function tsharkDarwinProcesses(pcapng: string, bin = process.env.TSHARK ?? 'tshark'): TsharkDarwinProcesses {
  const fields = ['pcapng.darwin.process_id', 'pcapng.darwin.process_name', 'pcapng.options.option.data.packet.darwin.dpeb_id'];
  const out = execFileSync(bin, ['-r', pcapng, '-X', 'read_format:MIME Files Format', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, WIRESHARK_CONFIG_DIR: configDir() },
  });
  const [pids = '', names = '', ids = ''] = out.replace(/\n$/, '').split('\t');
  const list = (column: string): string[] => (column === '' ? [] : column.split(','));
  return { pids: list(pids), names: list(names), packetProcessIds: list(ids) };
}

let available: boolean | undefined;

/** Whether a tshark binary can be run (for skipping outside CI). */
export async function tsharkAvailable(bin = process.env.TSHARK ?? 'tshark'): Promise<boolean> {
  if (available === undefined) {
    try {
      await execFileAsync(bin, ['--version']);
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

// ------------------------------------------------------------------ parsing

function isObject(n: JsonNode | undefined): n is JsonObject {
  return typeof n === 'object' && n !== null && !Array.isArray(n);
}

/** The objects under `key` (with --no-duplicate-keys a repeated key holds an array). */
function objectsAt(node: JsonObject | undefined, key: string): JsonObject[] {
  const v = node?.[key];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter(isObject);
}

/** Every value of field `name` anywhere under `node`, in tree order. */
export function collectField(node: JsonNode | undefined, name: string): string[] {
  const out: string[] = [];
  const walk = (n: JsonNode): void => {
    if (Array.isArray(n)) {
      n.forEach(walk);
    } else if (isObject(n)) {
      for (const [k, v] of Object.entries(n)) {
        if (k === name) pushValues(out, v);
        else if (typeof v !== 'string') walk(v);
      }
    }
  };
  if (node !== undefined) walk(node);
  return out;
}

function pushValues(out: string[], v: JsonNode): void {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) pushValues(out, x);
  // An object under a field name would be a subtree, which tshark names
  // NAME_tree; none of the fields read here have one.
}

/** Parses tshark's decimal or 0x-hex integer output. */
export function parseNumber(s: string): number {
  const n = /^0x[0-9a-f]+$/i.test(s) ? Number.parseInt(s, 16) : Number(s);
  if (!Number.isFinite(n)) throw new Error(`tshark printed a non-number where a number was expected: ${s}`);
  return n;
}

function parseBool(s: string): boolean {
  if (s === '1' || s === 'True' || s === 'true') return true;
  if (s === '0' || s === 'False' || s === 'false') return false;
  throw new Error(`tshark printed a non-boolean where a boolean was expected: ${s}`);
}

function first(node: JsonNode | undefined, name: string): string | undefined {
  return collectField(node, name)[0];
}

function firstNum(node: JsonNode | undefined, name: string): number | undefined {
  const s = first(node, name);
  return s === undefined ? undefined : parseNumber(s);
}

function reqStr(node: JsonNode, name: string): string {
  const s = first(node, name);
  if (s === undefined) throw new Error(`tshark output lacks ${name}`);
  return s;
}

function reqNum(node: JsonNode, name: string): number {
  return parseNumber(reqStr(node, name));
}

function reqBool(node: JsonNode, name: string): boolean {
  return parseBool(reqStr(node, name));
}

function parseFrame(layers: JsonObject): TsharkFrame {
  const frameLayer = objectsAt(layers, 'frame')[0];
  // Only the outermost IP/transport layer; tunnels repeat the key.
  const ip = objectsAt(layers, 'ip')[0];
  const ipv6 = objectsAt(layers, 'ipv6')[0];
  const tcp = objectsAt(layers, 'tcp')[0];
  const udp = objectsAt(layers, 'udp')[0];
  const icmp = objectsAt(layers, 'icmp')[0];
  const icmpv6 = objectsAt(layers, 'icmpv6')[0];
  const dnsLayers = objectsAt(layers, 'dns');

  const f: TsharkFrame = {
    frame: reqNum(frameLayer ?? {}, 'frame.number'),
    protocols: (first(frameLayer, 'frame.protocols') ?? '').split(':').filter((p) => p !== ''),
    dns: dnsLayers.map(parseDnsMessage),
    dnsFields: flatDnsFields(dnsLayers),
  };
  const set = <K extends keyof TsharkFrame>(k: K, v: TsharkFrame[K] | undefined): void => {
    if (v !== undefined) f[k] = v;
  };
  set('timeEpoch', first(frameLayer, 'frame.time_epoch'));
  set('ipSrc', first(ip, 'ip.src'));
  set('ipDst', first(ip, 'ip.dst'));
  set('ipProto', firstNum(ip, 'ip.proto'));
  set('ipv6Src', first(ipv6, 'ipv6.src'));
  set('ipv6Dst', first(ipv6, 'ipv6.dst'));
  set('ipv6Nxt', firstNum(ipv6, 'ipv6.nxt'));
  set('tcpSrcPort', firstNum(tcp, 'tcp.srcport'));
  set('tcpDstPort', firstNum(tcp, 'tcp.dstport'));
  set('tcpFlagsHex', first(tcp, 'tcp.flags'));
  set('tcpFlags', firstNum(tcp, 'tcp.flags'));
  set('tcpSeqRaw', firstNum(tcp, 'tcp.seq_raw'));
  set('tcpAckRaw', firstNum(tcp, 'tcp.ack_raw'));
  set('tcpLen', firstNum(tcp, 'tcp.len'));
  set('udpSrcPort', firstNum(udp, 'udp.srcport'));
  set('udpDstPort', firstNum(udp, 'udp.dstport'));
  set('icmpType', firstNum(icmp, 'icmp.type'));
  set('icmpCode', firstNum(icmp, 'icmp.code'));
  set('icmpv6Type', firstNum(icmpv6, 'icmpv6.type'));
  set('icmpv6Code', firstNum(icmpv6, 'icmpv6.code'));
  return f;
}

function flatDnsFields(dnsLayers: JsonObject[]): TsharkDnsFields {
  const strs = (name: string): string[] => dnsLayers.flatMap((d) => collectField(d, name));
  const nums = (name: string): number[] => strs(name).map(parseNumber);
  return {
    id: nums('dns.id'),
    response: strs('dns.flags.response').map(parseBool),
    qryName: strs('dns.qry.name'),
    qryType: nums('dns.qry.type'),
    respName: strs('dns.resp.name'),
    respType: nums('dns.resp.type'),
    a: strs('dns.a'),
    aaaa: strs('dns.aaaa'),
    cname: strs('dns.cname'),
    ns: strs('dns.ns'),
    mxMailExchange: strs('dns.mx.mail_exchange'),
    mxPreference: nums('dns.mx.preference'),
    ptrDomainName: strs('dns.ptr.domain_name'),
    txt: strs('dns.txt'),
    srvTarget: strs('dns.srv.target'),
    soaMname: strs('dns.soa.mname'),
    soaRname: strs('dns.soa.rname'),
  };
}

/**
 * The entries (one per question or RR) of a section such as "Answers", each
 * with its tree label ("netrec.test: type MX, class IN, preference 10, ...").
 */
function sectionEntries(dns: JsonObject, section: string): Array<[label: string, entry: JsonObject]> {
  return objectsAt(dns, section).flatMap((sec) =>
    Object.entries(sec).flatMap(([label, v]) => (Array.isArray(v) ? v : [v]).filter(isObject).map((e): [string, JsonObject] => [label, e])),
  );
}

function parseDnsMessage(dns: JsonObject): TsharkDnsMessage {
  const update = first(dns, 'dns.flags.opcode') === '5';
  const m: TsharkDnsMessage = {
    id: reqNum(dns, 'dns.id'),
    response: reqBool(dns, 'dns.flags.response'),
    opcode: reqNum(dns, 'dns.flags.opcode'),
    rcode: firstNum(dns, 'dns.flags.rcode') ?? 0, // queries carry no rcode field
    authoritative: parseBool(first(dns, 'dns.flags.authoritative') ?? '0'),
    truncated: reqBool(dns, 'dns.flags.truncated'),
    recursionDesired: reqBool(dns, 'dns.flags.recdesired'),
    recursionAvailable: parseBool(first(dns, 'dns.flags.recavail') ?? '0'),
    // UPDATE (opcode 5) messages name the sections after RFC 2136.
    counts: {
      questions: reqNum(dns, update ? 'dns.count.zones' : 'dns.count.queries'),
      answers: reqNum(dns, update ? 'dns.count.prerequisites' : 'dns.count.answers'),
      authorities: reqNum(dns, update ? 'dns.count.updates' : 'dns.count.auth_rr'),
      additionals: reqNum(dns, 'dns.count.add_rr'),
    },
    questions: sectionEntries(dns, update ? 'Zone' : 'Queries').map(([, q]) => ({
      name: reqStr(q, 'dns.qry.name'),
      type: reqNum(q, 'dns.qry.type'),
      class: reqNum(q, 'dns.qry.class'),
    })),
    answers: sectionEntries(dns, update ? 'Prerequisites' : 'Answers').map(parseRR),
    authorities: sectionEntries(dns, update ? 'Updates' : 'Authoritative nameservers').map(parseRR),
    additionals: sectionEntries(dns, 'Additional records').map(parseRR),
  };
  const len = dns['dns.length'];
  if (typeof len === 'string') m.tcpLength = parseNumber(len);
  return m;
}

function allFields(node: JsonObject, out: Record<string, string[]> = {}): Record<string, string[]> {
  for (const [k, v] of Object.entries(node)) {
    if (typeof v === 'string') {
      out[k] ??= [];
      out[k].push(v);
    } else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
      out[k] ??= [];
      out[k].push(...(v as string[]));
    } else for (const x of Array.isArray(v) ? v : [v]) if (isObject(x)) allFields(x, out);
  }
  return out;
}

/**
 * The owner name of an RR. tshark 4.0 gives SRV records no dns.resp.name but
 * splits the owner into dns.srv.service / .proto / .name ("_sip", "_tcp",
 * "netrec.test"); failing both, the name starts the tree label.
 */
function ownerName(label: string, rr: JsonObject): string {
  const name = first(rr, 'dns.resp.name');
  if (name !== undefined) return name;
  const parts = ['dns.srv.service', 'dns.srv.proto', 'dns.srv.name'].map((f) => first(rr, f));
  if (parts.every((p) => p !== undefined)) return parts.join('.');
  const cut = label.lastIndexOf(': type ');
  if (cut >= 0) return label.slice(0, cut);
  throw new Error(`tshark output lacks the owner name of RR "${label}"`);
}

function parseRR([label, rr]: [string, JsonObject]): TsharkDnsRR {
  const r: TsharkDnsRR = {
    name: ownerName(label, rr),
    type: reqNum(rr, 'dns.resp.type'),
    fields: allFields(rr),
  };
  const cls = firstNum(rr, 'dns.resp.class');
  if (cls !== undefined) r.class = cls;
  const ttl = firstNum(rr, 'dns.resp.ttl');
  if (ttl !== undefined) r.ttl = ttl;
  for (const [key, field] of [
    ['a', 'dns.a'],
    ['aaaa', 'dns.aaaa'],
    ['cname', 'dns.cname'],
    ['ns', 'dns.ns'],
    ['ptr', 'dns.ptr.domain_name'],
  ] as const) {
    const v = first(rr, field);
    if (v !== undefined) r[key] = v;
  }
  const exchange = first(rr, 'dns.mx.mail_exchange');
  if (exchange !== undefined) r.mx = { preference: reqNum(rr, 'dns.mx.preference'), exchange };
  const txt = collectField(rr, 'dns.txt');
  if (txt.length > 0) r.txt = txt;
  const target = first(rr, 'dns.srv.target');
  if (target !== undefined) {
    r.srv = {
      priority: reqNum(rr, 'dns.srv.priority'),
      weight: reqNum(rr, 'dns.srv.weight'),
      port: reqNum(rr, 'dns.srv.port'),
      target,
    };
  }
  const mname = first(rr, 'dns.soa.mname');
  if (mname !== undefined) {
    r.soa = {
      mname,
      rname: reqStr(rr, 'dns.soa.rname'),
      serial: reqNum(rr, 'dns.soa.serial_number'),
      refresh: reqNum(rr, 'dns.soa.refresh_interval'),
      retry: reqNum(rr, 'dns.soa.retry_interval'),
      expire: reqNum(rr, 'dns.soa.expire_limit'),
      minimum: reqNum(rr, 'dns.soa.minimum_ttl'),
    };
  }
  return r;
}

// ------------------------------------------------------------------ statistics (-z)

/** Runs `tshark -n -q -r FILE -z STAT...` and returns its text output. */
export async function tsharkStatistics(file: string, stats: string[], opts: TsharkOptions = {}): Promise<string> {
  const bin = opts.tshark ?? process.env.TSHARK ?? 'tshark';
  const args = ['-n', '-q', '-r', file, ...stats.flatMap((s) => ['-z', s])];
  if (opts.filter !== undefined) args.push('-Y', opts.filter);
  try {
    const { stdout } = await execFileAsync(bin, args, { maxBuffer: 1 << 28, encoding: 'utf8', env: { ...process.env, WIRESHARK_CONFIG_DIR: configDir() } });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`tshark failed on ${file}: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

/** A byte count as tshark prints it in conversation tables: exact ("524 bytes") or rounded ("40 kB"). */
export interface TsharkBytes {
  /** The value in bytes (for "40 kB": 40000). */
  value: number;
  /** How far the true value may be from `value` (0 when exact). */
  tolerance: number;
}

export interface TsharkConversation {
  a: { address: string; port: number };
  b: { address: string; port: number };
  /** "->": from A to B. */
  aToB: { frames: number; bytes: TsharkBytes };
  /** "<-": from B to A. */
  bToA: { frames: number; bytes: TsharkBytes };
  /** Seconds from the capture's first frame, as printed (9 decimals). */
  relativeStart: string;
  /** Seconds, as printed (4 decimals). */
  duration: string;
}

const SI = new Map([
  ['bytes', 1],
  ['kB', 1e3],
  ['MB', 1e6],
  ['GB', 1e9],
]);

function tsharkBytes(number: string, unit: string): TsharkBytes {
  const scale = SI.get(unit);
  if (scale === undefined) throw new Error(`tshark printed an unknown byte unit: ${number} ${unit}`);
  return { value: Number(number) * scale, tolerance: scale === 1 ? 0 : scale };
}

/** "172.16.17.1:5000" or "fd6e::1:5001" (tshark does not bracket IPv6). */
function addressPort(text: string): { address: string; port: number } {
  const cut = text.lastIndexOf(':');
  return { address: text.slice(0, cut), port: Number(text.slice(cut + 1)) };
}

/**
 * The rows of `-z conv,tcp` or `-z conv,udp` output (one table). tshark 4.0 names the
 * directions "<-" (B to A) and "->" (A to B), and rounds byte counts of 10000 and more to kB.
 */
export function parseTsharkConversations(output: string, protocol: 'TCP' | 'UDP'): TsharkConversation[] {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l.trim() === `${protocol} Conversations`);
  if (start < 0) throw new Error(`tshark output has no ${protocol} conversation table`);
  const rows: TsharkConversation[] = [];
  const row = /^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+([\d.]+) (\S+)\s+(\d+)\s+([\d.]+) (\S+)\s+(\d+)\s+([\d.]+) (\S+)\s+(\S+)\s+(\S+)$/;
  for (const line of lines.slice(start + 4)) {
    if (line.startsWith('====')) break;
    if (line.trim() === '') continue;
    const m = row.exec(line.trim());
    if (m === null) throw new Error(`unexpected line in tshark's ${protocol} conversations: ${line}`);
    rows.push({
      a: addressPort(m[1]!),
      b: addressPort(m[2]!),
      bToA: { frames: Number(m[3]), bytes: tsharkBytes(m[4]!, m[5]!) },
      aToB: { frames: Number(m[6]), bytes: tsharkBytes(m[7]!, m[8]!) },
      relativeStart: m[12]!,
      duration: m[13]!,
    });
  }
  return rows;
}

export interface TsharkStatRow {
  count: number;
  average?: number;
  min?: number;
  max?: number;
}

/**
 * A `-z NAME,tree` table as path → row, paths joined with " / " by indentation
 * ("rcode / No such name", "Service Stats / request-response time (msec)").
 */
export function parseTsharkTree(output: string): Map<string, TsharkStatRow> {
  const lines = output.split('\n');
  const header = lines.findIndex((l) => l.startsWith('Topic / Item'));
  if (header < 0) throw new Error('tshark output has no statistics tree');
  const h = lines[header]!;
  const col = (name: string): number => h.indexOf(name);
  const [countAt, averageAt, minAt, maxAt, rateAt] = [col('Count'), col('Average'), col('Min Val'), col('Max Val'), col('Rate (ms)')];
  const rows = new Map<string, TsharkStatRow>();
  const path: string[] = [];
  for (const line of lines.slice(header + 2)) {
    if (line.startsWith('----') || line.trim() === '') break;
    const topic = line.slice(0, countAt).trimEnd();
    const depth = topic.length - topic.trimStart().length;
    path.length = depth;
    path[depth] = topic.trim();
    const field = (from: number, to: number): number | undefined => {
      const text = line.slice(from, to).trim();
      return text === '' ? undefined : Number(text);
    };
    const stat: TsharkStatRow = { count: field(countAt, averageAt) ?? 0 };
    const [average, min, max] = [field(averageAt, minAt), field(minAt, maxAt), field(maxAt, rateAt)];
    if (average !== undefined) stat.average = average;
    if (min !== undefined) stat.min = min;
    if (max !== undefined) stat.max = max;
    rows.set(path.join(' / '), stat);
  }
  return rows;
}
