/**
 * DNS over TCP across segments. A message may be split over several segments (zone transfers,
 * TKEY/TSIG exchanges, large answers) and one segment may end one message and start the next,
 * so the payload of each port-53 flow is put back in sequence order and cut at the RFC 1035
 * 2-byte length prefixes. A message belongs to the segment that completes it, as in tshark.
 *
 * Stateful by nature, hence apart from the pure decoders; one instance per replay.
 *
 * Memory is bounded twice: per flow (one message, MAX_PENDING) and overall (a byte budget on all
 * buffered bytes, 64 MiB unless told otherwise): when a push would pass the budget, the flows
 * least recently seen are dropped, oldest first, with a warning that counts what they held.
 * Without the budget, 16,384 flows each holding most of a message reach a gigabyte.
 */
import { splitTCPDNS } from './dns.ts';
import { DecodeError, TcpFlag, type TCPHeader } from './types.ts';

const { SYN, RST, FIN } = TcpFlag;
/** Largest DNS message plus its length prefix: a flow never buffers more. */
const MAX_PENDING = 0xffff + 2;
/** Bound on flows tracked at once; the least recently used one is forgotten first. */
const MAX_FLOWS = 16_384;
/** Default budget for the bytes all flows buffer together. */
export const DEFAULT_REASSEMBLY_BUDGET = 64 * 1024 * 1024;

export interface ReassemblyOptions {
  /** Bytes all flows may buffer together (default DEFAULT_REASSEMBLY_BUDGET). */
  maxBufferedBytes?: number;
}

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
  private readonly budget: number;
  /** Sum of the flows' pending bytes. */
  private buffered = 0;

  constructor(opts: ReassemblyOptions = {}) {
    this.budget = opts.maxBufferedBytes ?? DEFAULT_REASSEMBLY_BUDGET;
  }

  /** Bytes buffered across all flows now: never more than the budget after a push. */
  get bufferedBytes(): number {
    return this.buffered;
  }

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
        notice = this.remember(flow, state);
      }
      const skip = (state.nextSeq - dataSeq) | 0;
      if (skip < 0) {
        notice = this.gap(state, -skip);
        state.nextSeq = dataSeq;
      }
      // A retransmission repeats bytes already taken: keep only what is new.
      if (skip < payload.length) {
        this.setPending(state, concat(state.pending, skip > 0 ? payload.subarray(skip) : payload));
        state.nextSeq = (dataSeq + payload.length) >>> 0;
      }
    }

    if (!state) return NOTHING;
    const { messages, rest } = splitTCPDNS(state.pending);
    // Copy what stays: the segment buffer it points into is not ours to keep.
    this.setPending(state, state.pending.slice(state.pending.length - rest));
    if (state.pending.length > MAX_PENDING) {
      notice ??= new DecodeError('dns', `more than ${MAX_PENDING} bytes without a whole length-prefixed message; dropped`, { kind: 'malformed' });
      this.setPending(state, new Uint8Array(0));
    }
    if (tcp.flags & (FIN | RST)) {
      if (state.pending.length > 0) {
        notice ??= new DecodeError('dns', `flow ended with ${state.pending.length} bytes of an incomplete DNS message`, { kind: 'benign' });
      }
      this.forget(flow, state);
    }
    notice = this.keepBudget(state) ?? notice;
    return notice ? { messages, notice } : { messages };
  }

  /** Flows that still hold part of a message, for the end-of-input report. */
  incompleteFlows(): number {
    let n = 0;
    for (const s of this.flows.values()) if (s.pending.length > 0) n++;
    return n;
  }

  private setPending(state: FlowState, bytes: Uint8Array): void {
    this.buffered += bytes.length - state.pending.length;
    state.pending = bytes;
  }

  private forget(flow: string, state: FlowState): void {
    this.buffered -= state.pending.length;
    this.flows.delete(flow);
  }

  private gap(state: FlowState, missing: number): DecodeError {
    const lost = state.pending.length;
    this.setPending(state, new Uint8Array(0));
    const what = lost > 0 ? `; ${lost} buffered bytes of a DNS message dropped` : '';
    return new DecodeError('dns', `${missing} bytes of the TCP stream are missing from the capture${what}`, { kind: 'benign' });
  }

  /** Tracks a new flow; past MAX_FLOWS the least recently seen one goes, and what it held is said. */
  private remember(flow: string, state: FlowState): DecodeError | undefined {
    let notice: DecodeError | undefined;
    if (this.flows.size >= MAX_FLOWS) {
      const [oldest, old] = this.flows.entries().next().value as [string, FlowState];
      if (old.pending.length > 0) {
        notice = new DecodeError(
          'dns',
          `more than ${MAX_FLOWS} DNS-over-TCP flows at once: the least recently seen one dropped with ${old.pending.length} buffered bytes`,
          { kind: 'benign' },
        );
      }
      this.forget(oldest, old);
    }
    this.flows.set(flow, state);
    return notice;
  }

  /**
   * Drops the least recently seen flows (the one just pushed last of all) until the buffered
   * bytes are within the budget; a warning counts them.
   */
  private keepBudget(current: FlowState): DecodeError | undefined {
    if (this.buffered <= this.budget) return undefined;
    let flows = 0;
    let bytes = 0;
    for (const [flow, state] of this.flows) {
      if (this.buffered <= this.budget) break;
      if (state === current || state.pending.length === 0) continue;
      flows++;
      bytes += state.pending.length;
      this.forget(flow, state);
    }
    if (this.buffered > this.budget && current.pending.length > 0) {
      flows++;
      bytes += current.pending.length;
      this.setPending(current, new Uint8Array(0));
    }
    const which = flows === 1 ? 'the least recently seen flow' : `the ${flows} least recently seen flows`;
    return new DecodeError('dns', `DNS-over-TCP reassembly reached its ${this.budget}-byte budget: ${which} dropped with ${bytes} buffered bytes`, {
      kind: 'benign',
    });
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
