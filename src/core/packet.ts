/**
 * What every source (pcap, pcapng, .nev recording, live capture) hands to the decoders.
 * Timestamps are epoch nanoseconds as bigint: 64-bit values never pass through a float.
 */
import type { TaskContext } from './task-fields.ts';

export type { TaskContext } from './task-fields.ts';

/** LINKTYPE_* values (https://www.tcpdump.org/linktypes.html) that netrec decodes. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW_12: 12,
  RAW_14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;
export type LinkType = (typeof LinkType)[keyof typeof LinkType];

/** Direction of a packet relative to the host that captured it. */
export type Direction = 'ingress' | 'egress' | 'unknown';

export interface CapturedPacket {
  /** Epoch nanoseconds. */
  timestamp: bigint;
  /** LINKTYPE_* of `data`. Recordings store L3 bytes and use LinkType.RAW. */
  linkType: number;
  /** Captured bytes, starting at the link-layer header. */
  data: Uint8Array;
  /** Length of the packet on the wire (>= data.length when a snaplen cut it). */
  originalLength: number;
  /** 1-based position of the packet in its source, for messages and `jump to`. */
  number: number;
  /** Byte offset of the packet's record in its file, for messages. */
  offset: number;
  /** CPU that saw the packet, when the source knows it. */
  cpu?: number;
  direction?: Direction;
  ifindex?: number;
  /** Name of the capture interface, when the source names it (pcapng if_name). */
  interfaceName?: string;
  /** The kernel's socket cookie of the owning socket (recordings only). */
  socketCookie?: bigint;
  task?: TaskContext;
}
