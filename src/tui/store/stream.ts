/**
 * "Follow TCP/UDP stream", as Wireshark has it: the payload of one conversation, direction by
 * direction, in the order it was sent. TCP is put in sequence order per direction:
 * retransmitted bytes are dropped, missing ones are a marked gap. A recording of two local ends
 * holds each packet twice (the sender's egress, the receiver's ingress): one copy per direction
 * is taken, and each copy gives the process of the end that owns it.
 *
 * Memory: at most STREAM_LIMIT payload bytes are kept; past it the pass counts but keeps nothing.
 */
import type { CapturedPacket, Direction } from '../../core/packet.ts';
import { Depth, type DecodedPacket } from '../../decode/packet.ts';
import { TcpFlag } from '../../decode/types.ts';
import type { Matcher } from './match-pass.ts';
import { flowOf, sameEndpoint, type Flow } from './matchers.ts';

/** Payload bytes a stream keeps. */
export const STREAM_LIMIT = 16 * 1024 * 1024;

export interface StreamChunk {
  /** Sent by the end that sent the conversation's first packet (the client). */
  fromClient: boolean;
  data: Uint8Array;
  /** Bytes missing from the capture before this chunk, in its direction. */
  gap: number;
}

/** One direction's progress through its TCP sequence space. */
interface Side {
  nextSeq?: number;
  /** Which copy of its packets this direction takes (the first one seen). */
  copy?: Direction | undefined;
  copyChosen: boolean;
  bytes: number;
  /** The owning process of this end, when a packet's copy tells it. */
  process?: string;
}

export class FlowStream {
  readonly chunks: StreamChunk[] = [];
  readonly protocol: 'tcp' | 'udp';
  /** The end that sent the conversation's first packet, and the other. */
  client: Flow['a'];
  server: Flow['b'];
  #started = false;
  readonly #sides: [Side, Side] = [
    { copyChosen: false, bytes: 0 },
    { copyChosen: false, bytes: 0 },
  ];
  #kept = 0;
  truncated = false;
  packets = 0;
  examined = 0;
  done = false;
  failure: string | undefined;

  /** The conversation of `flow`; the sender of its first packet is the client. */
  constructor(
    flow: Flow,
    private readonly label: (packet: CapturedPacket) => string | undefined,
  ) {
    this.protocol = flow.protocol;
    this.client = flow.a;
    this.server = flow.b;
  }

  /** Bytes each way: [client → server, server → client]. */
  get bytes(): [number, number] {
    return [this.#sides[0].bytes, this.#sides[1].bytes];
  }

  /** The owning processes of [client, server], where the capture tells them. */
  get processes(): [string | undefined, string | undefined] {
    return [this.#sides[0].process, this.#sides[1].process];
  }

  matcher(): Matcher {
    return { depth: Depth.Transport, events: 0, test: (packet, d) => this.#take(packet, d) };
  }

  #take(packet: CapturedPacket, d: DecodedPacket): boolean {
    const f = flowOf(d);
    if (f === undefined || f.protocol !== this.protocol) return false;
    if (!this.#started && sameEndpoint(f.a, this.server) && sameEndpoint(f.b, this.client)) [this.client, this.server] = [this.server, this.client];
    const fromClient = sameEndpoint(f.a, this.client) && sameEndpoint(f.b, this.server);
    if (!fromClient && !(sameEndpoint(f.a, this.server) && sameEndpoint(f.b, this.client))) return false;
    this.#started = true;
    this.packets++;
    const side = this.#sides[fromClient ? 0 : 1];
    // The sender owns an egress copy, the receiver an ingress copy.
    const owner = packet.direction === 'egress' ? side : packet.direction === 'ingress' ? this.#sides[fromClient ? 1 : 0] : undefined;
    if (owner !== undefined && owner.process === undefined) owner.process = this.label(packet);
    if (!side.copyChosen) {
      side.copy = packet.direction;
      side.copyChosen = true;
    }
    if (packet.direction !== side.copy) return true;
    const start = d.payloadStart ?? 0;
    const end = d.payloadEnd ?? start;
    let payload = packet.data.subarray(start, end);
    let gap = 0;
    if (d.tcp !== undefined) {
      const dataSeq = (d.tcp.seq + (d.tcp.flags & TcpFlag.SYN ? 1 : 0)) >>> 0;
      side.nextSeq ??= dataSeq;
      if (payload.length === 0) return true;
      const offset = (dataSeq - side.nextSeq) | 0;
      if (offset < 0) {
        // A retransmission: only what follows the bytes already taken is new.
        payload = payload.subarray(Math.min(payload.length, -offset));
        side.nextSeq = (side.nextSeq + payload.length) >>> 0;
      } else {
        gap = offset;
        side.nextSeq = (dataSeq + payload.length) >>> 0;
      }
    }
    if (payload.length === 0 && gap === 0) return true;
    side.bytes += payload.length;
    if (this.#kept + payload.length > STREAM_LIMIT) {
      this.truncated = true;
      return true;
    }
    this.#kept += payload.length;
    this.chunks.push({ fromClient, data: new Uint8Array(payload), gap });
    return true;
  }
}
