/**
 * DNS over TCP across segments. A message may be split over several segments (zone transfers,
 * TKEY/TSIG exchanges, large answers) and one segment may end one message and start the next,
 * so the payload of each port-53 flow is put back in sequence order and cut at the RFC 1035
 * 2-byte length prefixes. A message belongs to the segment that completes it, as in tshark.
 *
 * Stateful by nature, hence apart from the pure decoders; one instance per replay.
 */
import { splitTCPDNS } from './dns.ts';
import { DecodeError, type TCPHeader } from './types.ts';

const SYN = 0x02;
const RST = 0x04;
const FIN = 0x01;
/** Largest DNS message plus its length prefix: a flow never buffers more. */
const MAX_PENDING = 0xffff + 2;
/** Bound on flows tracked at once; the least recently used one is forgotten first. */
const MAX_FLOWS = 16_384;

interface FlowState {
  /** Sequence number of the first byte not yet seen. */
  nextSeq: number;
  pending: Uint8Array;
}

export interface StreamResult {
  messages: Uint8Array[];
  /** Something the capture does not hold (a gap, a flow that ended mid-message). */
  notice?: DecodeError;
}

const NOTHING: StreamResult = { messages: [] };

export class TcpDnsReassembler {
  private readonly flows = new Map<string, FlowState>();

  push(flow: string, tcp: TCPHeader, payload: Uint8Array): StreamResult {
    let state = this.flows.get(flow);
    if (state) {
      // Refresh the flow's place in the LRU order.
      this.flows.delete(flow);
      this.flows.set(flow, state);
    }
    const dataSeq = (tcp.seq + (tcp.flags & SYN ? 1 : 0)) >>> 0;
    let notice: DecodeError | undefined;

    if (payload.length > 0) {
      if (!state) {
        state = { nextSeq: dataSeq, pending: new Uint8Array(0) };
        this.remember(flow, state);
      }
      const skip = (state.nextSeq - dataSeq) | 0;
      if (skip < 0) {
        notice = this.gap(state, -skip);
        state.nextSeq = dataSeq;
      }
      // A retransmission repeats bytes already taken: keep only what is new.
      if (skip < payload.length) {
        state.pending = concat(state.pending, skip > 0 ? payload.subarray(skip) : payload);
        state.nextSeq = (dataSeq + payload.length) >>> 0;
      }
    }

    if (!state) return NOTHING;
    const { messages, rest } = splitTCPDNS(state.pending);
    // Copy what stays: the segment buffer it points into is not ours to keep.
    state.pending = state.pending.slice(state.pending.length - rest);
    if (state.pending.length > MAX_PENDING) {
      notice ??= new DecodeError('dns', `more than ${MAX_PENDING} bytes without a whole length-prefixed message; dropped`, false);
      state.pending = new Uint8Array(0);
    }
    if (tcp.flags & (FIN | RST)) {
      if (state.pending.length > 0) {
        notice ??= new DecodeError('dns', `flow ended with ${state.pending.length} bytes of an incomplete DNS message`, true, true);
      }
      this.flows.delete(flow);
    }
    return notice ? { messages, notice } : { messages };
  }

  /** Flows that still hold part of a message, for the end-of-input report. */
  incompleteFlows(): number {
    let n = 0;
    for (const s of this.flows.values()) if (s.pending.length > 0) n++;
    return n;
  }

  private gap(state: FlowState, missing: number): DecodeError {
    const lost = state.pending.length;
    state.pending = new Uint8Array(0);
    const what = lost > 0 ? `; ${lost} buffered bytes of a DNS message dropped` : '';
    return new DecodeError('dns', `${missing} bytes of the TCP stream are missing from the capture${what}`, true, true);
  }

  private remember(flow: string, state: FlowState): void {
    if (this.flows.size >= MAX_FLOWS) {
      const oldest = this.flows.keys().next().value;
      if (oldest !== undefined) this.flows.delete(oldest);
    }
    this.flows.set(flow, state);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
