/**
 * The one-line columns of an event-list row: who talked to whom, and what the packet says
 * (TCP flags, the DNS question and its answers, the ICMP type). Strings come from the events
 * (src/event), so a row and the detail pane's JSON never disagree about a name or a code.
 */
import type { TaskContext } from '../../core/packet.ts';
import type { DecodedPacket } from '../../decode/packet.ts';
import { ipString } from '../../event/ip-string.ts';
import type { ProtoDNS, ProtoDNSResourceRecord, ProtoICMP, ProtoICMPv6, ProtoIPv4, ProtoIPv6, ProtoTCP, TraceeEvent } from '../../event/types.ts';
import type { ProcessTable } from '../store/process-table.ts';

export interface RowSummary {
  /** "src:port → dst:port". */
  flow: string;
  /** What the packet says, in one line. */
  info: string;
}

const TCP_FLAGS: readonly (keyof ProtoTCP)[] = ['SYN', 'FIN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'NS'];
/** Answers listed before "+N more": a row is one line. */
const ANSWERS_SHOWN = 3;

export function summarize(decoded: DecodedPacket, events: readonly TraceeEvent[]): RowSummary {
  return {
    flow: flowText(decoded),
    info: withError(infoText(decoded, events), decoded),
  };
}

/**
 * "comm/pid" of the process that owns the packet, '' without a task. The task is a thread
 * (named's isc-net-0000); the process's own name (recorded with the packet since format 1.1,
 * else the table's) says more.
 */
export function processLabel(task: TaskContext | undefined, processes: ProcessTable): string {
  if (task === undefined) return '';
  const name = task.leaderName ?? processes.get(task.hostProcessId)?.task.processName ?? task.processName;
  return `${name}/${task.hostProcessId}`;
}

/** Short event label for the list: the Tracee name without its common prefix. */
export function eventLabel(name: string): string {
  return name
    .replace(/^net_packet_/, '')
    .replace(/^dns_request$/, 'dns_req')
    .replace(/^dns_response$/, 'dns_resp');
}

function flowText(d: DecodedPacket): string {
  const ip = d.ipv4 ?? d.ipv6;
  if (ip === undefined) return '';
  const ports = d.tcp ?? d.udp;
  const v6 = d.ipv6 !== undefined;
  const end = (addr: Uint8Array, port: number | undefined): string => {
    const text = ipString(addr);
    if (port === undefined) return text;
    return v6 ? `[${text}]:${port}` : `${text}:${port}`;
  };
  return `${end(ip.src, ports?.srcPort)} → ${end(ip.dst, ports?.dstPort)}`;
}

function infoText(d: DecodedPacket, events: readonly TraceeEvent[]): string {
  const dns = argOf<ProtoDNS>(events, 'net_packet_dns', 'proto_dns');
  if (dns !== undefined) return dnsText(dns) + (d.dns.length > 1 ? ` (+${d.dns.length - 1} more messages)` : '');
  const tcp = argOf<ProtoTCP>(events, 'net_packet_tcp', 'proto_tcp');
  if (tcp !== undefined) {
    const flags = TCP_FLAGS.filter((f) => tcp[f] === 1).join(' ');
    return `[${flags}] len=${transportPayload(d)} seq=${tcp.seq} ack=${tcp.ack} win=${tcp.window}`;
  }
  if (d.udp !== undefined) return `len=${Math.max(0, d.udp.length - 8)}`;
  const icmp = argOf<ProtoICMP>(events, 'net_packet_icmp', 'proto_icmp');
  if (icmp !== undefined) return icmp.typeCode.startsWith('Echo') ? `${icmp.typeCode} id=${icmp.id} seq=${icmp.seq}` : icmp.typeCode;
  const icmpv6 = argOf<ProtoICMPv6>(events, 'net_packet_icmpv6', 'proto_icmpv6');
  if (icmpv6 !== undefined) return icmpv6.typeCode;
  const ipv4 = argOf<ProtoIPv4>(events, 'net_packet_ipv4', 'proto_ipv4');
  if (ipv4 !== undefined) return ipv4.fragOffset !== 0 ? `${ipv4.protocol} fragment at ${ipv4.fragOffset * 8}` : `${ipv4.protocol} len=${ipv4.length}`;
  const ipv6 = argOf<ProtoIPv6>(events, 'net_packet_ipv6', 'proto_ipv6');
  if (ipv6 !== undefined) return `${ipv6.nextHeader} len=${ipv6.length}`;
  return d.error === undefined ? 'not IP' : '';
}

/** tcpdump-like: "1a2b A? netrec.test" for a query, answers after "→" for a response. */
function dnsText(m: ProtoDNS): string {
  const id = m.ID.toString(16).padStart(4, '0');
  const question = m.questions[0];
  const asked = question === undefined ? '' : ` ${question.type}? ${question.name}`;
  if (m.QR === 0) return `${id}${asked}`;
  const code = m.responseCode === 'no error' ? '' : ` [${m.responseCode.trim()}]`;
  const shown = m.answers.slice(0, ANSWERS_SHOWN).map(answerText);
  const more = m.answers.length > ANSWERS_SHOWN ? ` +${m.answers.length - ANSWERS_SHOWN} more` : '';
  const answers = shown.length === 0 ? (m.TC === 1 ? ' (truncated)' : ' (no answer)') : ` → ${shown.join(', ')}${more}`;
  return `${id}${code}${asked}${answers}`;
}

function answerText(rr: ProtoDNSResourceRecord): string {
  switch (rr.type) {
    case 'A':
    case 'AAAA':
      return rr.IP;
    case 'CNAME':
      return `CNAME ${rr.CNAME}`;
    case 'NS':
      return `NS ${rr.NS}`;
    case 'PTR':
      return `PTR ${rr.PTR}`;
    case 'MX':
      return `MX ${rr.MX.preference} ${rr.MX.name}`;
    case 'SRV':
      return `SRV ${rr.SRV.priority} ${rr.SRV.weight} ${rr.SRV.port} ${rr.SRV.name}`;
    case 'SOA':
      return `SOA ${rr.SOA.MName}`;
    case 'TXT':
      return `TXT ${JSON.stringify((rr.TXTs ?? []).join(''))}`;
    case 'URI':
      return `URI ${rr.URI.target}`;
    default:
      return rr.type;
  }
}

function transportPayload(d: DecodedPacket): number {
  const ip = d.ipv4 ?? d.ipv6;
  if (ip === undefined || d.tcp === undefined) return 0;
  return Math.max(0, ip.payloadEnd - ip.payloadOffset - d.tcp.dataOffset * 4);
}

function withError(info: string, d: DecodedPacket): string {
  if (d.error === undefined) return info;
  const problem = `! ${d.error.layer}: ${d.error.message}`;
  return info === '' ? problem : `${info} ${problem}`;
}

function argOf<T>(events: readonly TraceeEvent[], event: string, arg: string): T | undefined {
  for (const e of events) {
    if (e.eventName !== event) continue;
    for (const a of e.args) if (a.name === arg) return a.value as T;
  }
  return undefined;
}
