/**
 * DNS over TCP across worker threads: a sequential pre-pass. Reassembly is the only state that
 * runs from one packet to the next, so the main thread keeps it: every packet that could be
 * TCP to or from port 53 is decoded there once more with the real reassembler, and what each
 * push returned (whole messages, a notice) travels with the batch. The worker decodes the packet
 * again with a reassembler that hands back those results in order, so it builds exactly the
 * events one thread would have. Everything else about the packet (the DNS decode, events, JSON)
 * stays in the worker. The candidates are a cheap superset (link header, IP protocol, ports);
 * one that is not DNS after all just costs a second decode.
 */
import { LinkType, type Direction } from '../../core/packet.ts';
import { decodeLink } from '../../decode/link.ts';
import { decodePacket, Depth } from '../../decode/packet.ts';
import { TcpDnsReassembler, type ReassemblyOptions, type StreamResult } from '../../decode/tcp-dns-stream.ts';
import { DecodeError, type TCPHeader } from '../../decode/types.ts';
import { forEachRecord, type PcapRecords, RECORD_HEADER_LENGTH, recordClock } from '../../replay/pcap.ts';

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;
const DNS_PORT = 53;
const ETHERNET_HEADER = 14;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;

/** Could decodePacket hand this packet's payload to the reassembler? False only when surely not. */
export function maybeTcpDns(data: Uint8Array, linkType: number): boolean {
  const link = decodeLink(data, linkType);
  if (link instanceof DecodeError || link.ipVersion === 0) return false;
  return maybeTcpDnsIp(data, link.offset, data.length, link.ipVersion);
}

/**
 * maybeTcpDns for the frame at [at, end) of `bytes`, without a view or a link decode for plain
 * Ethernet (nearly every frame): the main thread asks this of every packet it frames.
 */
export function maybeTcpDnsAt(bytes: Uint8Array, at: number, end: number, linkType: number): boolean {
  if (linkType === LinkType.ETHERNET && end - at >= ETHERNET_HEADER) {
    const type = (bytes[at + 12]! << 8) | bytes[at + 13]!;
    if (type === ETHERTYPE_IPV4) return maybeTcpDnsIp(bytes, at + ETHERNET_HEADER, end, 4);
    if (type === ETHERTYPE_IPV6) return maybeTcpDnsIp(bytes, at + ETHERNET_HEADER, end, 6);
  }
  return maybeTcpDns(bytes.subarray(at, end), linkType);
}

/** The IP header starts at `at`; the frame ends at `end`. */
function maybeTcpDnsIp(data: Uint8Array, at: number, end: number, ipVersion: 4 | 6): boolean {
  let ports: number;
  if (ipVersion === 4) {
    if (end < at + 20 || data[at + 9] !== IPPROTO_TCP) return false;
    ports = at + (data[at]! & 0x0f) * 4;
  } else {
    if (end < at + 40) return false;
    const next = data[at + 6];
    // Extension headers: the transport is further on; let the real decoder find out.
    if (next !== IPPROTO_TCP) return next !== IPPROTO_UDP && next !== IPPROTO_ICMPV6 && next !== IPPROTO_ICMP;
    ports = at + 40;
  }
  if (end < ports + 4) return false;
  return ((data[ports]! << 8) | data[ports + 1]!) === DNS_PORT || ((data[ports + 2]! << 8) | data[ports + 3]!) === DNS_PORT;
}

/** The main thread's reassembler: remembers what each push returned, for the worker. */
export class RecordingReassembler extends TcpDnsReassembler {
  private last: StreamResult | undefined;

  constructor(opts: ReassemblyOptions) {
    super(opts);
  }

  override push(flow: string, tcp: TCPHeader, payload: Uint8Array): StreamResult {
    const result = super.push(flow, tcp, payload);
    // Copies: a message may be a view into a large read buffer, which a clone would copy whole.
    this.last = { messages: result.messages.map((m) => m.slice()), ...(result.notice ? { notice: result.notice } : {}) };
    return result;
  }

  /**
   * The pre-pass over a run of pcap records the worker will take apart itself: the pushes of its
   * candidate packets within the time window, appended to `out` in order.
   */
  prepassRecords(run: PcapRecords, window: { from?: bigint; to?: bigint }, out: StreamResult[]): void {
    const { records, header } = run;
    const { from, to } = window;
    const clock = recordClock(header);
    forEachRecord(run, records, (view, at, capturedLength) => {
      const body = at + RECORD_HEADER_LENGTH;
      if (!maybeTcpDnsAt(records, body, body + capturedLength, header.linkType)) return;
      if (from !== undefined || to !== undefined) {
        const t = clock(view.getUint32(at, header.littleEndian), view.getUint32(at + 4, header.littleEndian));
        if ((from !== undefined && t < from) || (to !== undefined && t > to)) return;
      }
      const result = this.prepass(records.subarray(body, body + capturedLength), header.linkType, undefined);
      if (result !== undefined) out.push(result);
    });
  }

  /** Decodes the packet as the worker will and returns the push it made, if any. */
  prepass(data: Uint8Array, linkType: number, copy: Direction | undefined): StreamResult | undefined {
    this.last = undefined;
    decodePacket(data, linkType, Depth.Application, this, copy);
    return this.last;
  }
}

/** The worker's reassembler: replays the main thread's results, one per push, in order. */
export class ReplayedReassembler extends TcpDnsReassembler {
  private results: StreamResult[] = [];
  private next = 0;

  load(results: StreamResult[]): void {
    this.results = results;
    this.next = 0;
  }

  override push(): StreamResult {
    const r = this.results[this.next++];
    if (r === undefined) throw new Error('parallel replay: a DNS-over-TCP push the main thread did not make');
    // The notice crossed threads as a plain object.
    const n = r.notice;
    return n ? { messages: r.messages, notice: new DecodeError(n.layer, n.message, { kind: n.kind }) } : r;
  }

  /** The main thread reports incomplete flows, once, at the end. */
  override incompleteFlows(): number {
    return 0;
  }
}
