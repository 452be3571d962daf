/**
 * Conversations: one per TCP or UDP flow, both directions merged, as tshark's `-z conv,tcp` and
 * `-z conv,udp` list them. Endpoint A is the source of the conversation's first packet (the
 * initiator when the capture saw the start). Bytes are the packets' original lengths (tshark's
 * frame.len): with the link header for a capture, from the IP header for a recording.
 *
 * A TCP flow whose conversation has ended (FIN both ways, or RST) and that sees a new SYN starts a
 * new conversation, as tshark starts a new TCP stream on port reuse.
 */
import type { CapturedPacket, TaskContext } from '../core/packet.ts';
import type { Flow } from '../decode/flow.ts';
import { TcpFlag, type TCPHeader } from '../decode/types.ts';

const { FIN, SYN, RST, ACK } = TcpFlag;

/** Distinct processes remembered per endpoint; more are counted. */
const OWNERS_KEPT = 4;

export interface Owner {
  pid: number;
  comm: string;
}

export interface Endpoint {
  address: string;
  port: number;
  /** Processes that owned the endpoint's socket (sent from it or received on it), first seen first. */
  owners: Owner[];
  /** More processes owned it than are listed. */
  moreOwners: boolean;
}

export interface Traffic {
  packets: number;
  bytes: number;
}

export type TcpState = 'mid-stream' | 'syn' | 'syn-ack' | 'established' | 'closing' | 'closed' | 'reset';

export interface TcpProgress {
  /** The furthest state reached, by the flags seen. */
  state: TcpState;
  syn: boolean;
  synAck: boolean;
  established: boolean;
  finFromA: boolean;
  finFromB: boolean;
  rst: boolean;
}

export interface Conversation {
  protocol: 'tcp' | 'udp';
  a: Endpoint;
  b: Endpoint;
  first: bigint;
  last: bigint;
  aToB: Traffic;
  bToA: Traffic;
  /** Second copies of its packets (recorded at both ends), not counted in the traffic. */
  copies: number;
  tcp?: TcpProgress;
}

/** A conversation while it is counted: which of the flow's canonical ends is A. */
interface Live {
  conversation: Conversation;
  /** The flow's canonical `a` end is the conversation's A. */
  aIsFlowA: boolean;
}

export class ConversationTable {
  /** Every conversation, in the order they started. */
  readonly all: Conversation[] = [];
  private readonly live = new Map<string, Live>();
  /** Packets of flows that arrived once the table was full. */
  readonly overflow: Traffic = { packets: 0, bytes: 0 };

  constructor(readonly limit: number) {}

  get full(): boolean {
    return this.all.length >= this.limit;
  }

  /**
   * Counts a packet of a TCP or UDP flow; `counted` is false for the second copy of a packet
   * recorded at both ends, which still tells who owns its endpoint. Returns the conversation.
   */
  add(key: string, flow: Flow, ends: { src: string; dst: string }, p: CapturedPacket, tcp: TCPHeader | undefined, counted: boolean): Conversation | undefined {
    let live = this.live.get(key);
    if (live !== undefined && tcp !== undefined && startsAgain(live.conversation, tcp)) live = undefined;
    if (live === undefined) {
      if (!counted) return undefined;
      if (this.full) {
        this.overflow.packets++;
        this.overflow.bytes += p.originalLength;
        return undefined;
      }
      live = this.start(key, flow, ends, p, tcp !== undefined);
    }
    const c = live.conversation;
    const fromA = flow.forward === live.aIsFlowA;
    const sender = fromA ? c.a : c.b;
    const receiver = fromA ? c.b : c.a;
    if (p.task !== undefined) {
      if (p.direction === 'egress') own(sender, p.task);
      else if (p.direction === 'ingress') own(receiver, p.task);
    }
    if (!counted) {
      c.copies++;
      return c;
    }
    const traffic = fromA ? c.aToB : c.bToA;
    traffic.packets++;
    traffic.bytes += p.originalLength;
    if (p.timestamp < c.first) c.first = p.timestamp;
    if (p.timestamp > c.last) c.last = p.timestamp;
    if (tcp !== undefined) progress(c.tcp!, tcp.flags, fromA);
    return c;
  }

  /** A conversation whose A is the packet's source (`ends` are its address strings). */
  private start(key: string, flow: Flow, ends: { src: string; dst: string }, p: CapturedPacket, isTcp: boolean): Live {
    const end = (address: string, port: number): Endpoint => ({ address, port, owners: [], moreOwners: false });
    const conversation: Conversation = {
      protocol: isTcp ? 'tcp' : 'udp',
      a: end(ends.src, flow.forward ? flow.aPort : flow.bPort),
      b: end(ends.dst, flow.forward ? flow.bPort : flow.aPort),
      first: p.timestamp,
      last: p.timestamp,
      aToB: { packets: 0, bytes: 0 },
      bToA: { packets: 0, bytes: 0 },
      copies: 0,
      ...(isTcp ? { tcp: { state: 'mid-stream', syn: false, synAck: false, established: false, finFromA: false, finFromB: false, rst: false } } : {}),
    };
    const live: Live = { conversation, aIsFlowA: flow.forward };
    this.all.push(conversation);
    this.live.set(key, live);
    return live;
  }
}

/** A new SYN on a flow whose conversation is over: the ports are being reused. */
function startsAgain(c: Conversation, tcp: TCPHeader): boolean {
  const t = c.tcp;
  if (t === undefined || (tcp.flags & (SYN | ACK)) !== SYN) return false;
  return t.rst || (t.finFromA && t.finFromB);
}

function own(end: Endpoint, task: TaskContext): void {
  const pid = task.hostProcessId;
  const comm = task.processName;
  if (end.owners.some((o) => o.pid === pid && o.comm === comm)) return;
  if (end.owners.length < OWNERS_KEPT) end.owners.push({ pid, comm });
  else end.moreOwners = true;
}

function progress(t: TcpProgress, flags: number, fromA: boolean): void {
  if ((flags & (SYN | ACK)) === SYN) t.syn = true;
  else if ((flags & (SYN | ACK)) === (SYN | ACK)) t.synAck = true;
  // The handshake's last ACK: the SYN's sender acknowledges the SYN-ACK.
  else if ((flags & ACK) !== 0 && t.syn && t.synAck) t.established = true;
  if ((flags & FIN) !== 0) {
    if (fromA) t.finFromA = true;
    else t.finFromB = true;
  }
  if ((flags & RST) !== 0) t.rst = true;
  t.state = t.rst
    ? 'reset'
    : t.finFromA && t.finFromB
      ? 'closed'
      : t.finFromA || t.finFromB
        ? 'closing'
        : t.established
          ? 'established'
          : t.synAck
            ? 'syn-ack'
            : t.syn
              ? 'syn'
              : 'mid-stream';
}
