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
import type { Direction } from '../../core/packet.ts';
import { decodeLink } from '../../decode/link.ts';
import { decodePacket, Depth } from '../../decode/packet.ts';
import { TcpDnsReassembler, type ReassemblyOptions, type StreamResult } from '../../decode/tcp-dns-stream.ts';
import { DecodeError, type TCPHeader } from '../../decode/types.ts';

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;
const DNS_PORT = 53;

/** Could decodePacket hand this packet's payload to the reassembler? False only when surely not. */
export function maybeTcpDns(data: Uint8Array, linkType: number): boolean {
  const link = decodeLink(data, linkType);
  if (link instanceof DecodeError || link.ipVersion === 0) return false;
  const at = link.offset;
  let ports: number;
  if (link.ipVersion === 4) {
    if (data.length < at + 20 || data[at + 9] !== IPPROTO_TCP) return false;
    ports = at + (data[at]! & 0x0f) * 4;
  } else {
    if (data.length < at + 40) return false;
    const next = data[at + 6];
    // Extension headers: the transport is further on; let the real decoder find out.
    if (next !== IPPROTO_TCP) return next !== IPPROTO_UDP && next !== IPPROTO_ICMPV6 && next !== IPPROTO_ICMP;
    ports = at + 40;
  }
  if (data.length < ports + 4) return false;
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
