/**
 * What every source (pcap, pcapng, .nev recording, live capture) hands to the decoders.
 * Timestamps are epoch nanoseconds as bigint: 64-bit values never pass through a float.
 */

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

/**
 * The task (thread) that owns a packet's socket, as recorded. Absent for pcap input.
 * Field names follow Tracee's envelope; 64-bit values are bigint.
 */
export interface TaskContext {
  threadStartTime: bigint;
  processId: number;
  threadId: number;
  parentProcessId: number;
  hostProcessId: number;
  hostThreadId: number;
  hostParentProcessId: number;
  userId: number;
  mountNamespace: number;
  pidNamespace: number;
  /** The thread's name (comm), as Tracee reports it: `isc-net-0000` for a thread of dig. */
  processName: string;
  hostName: string;
  cgroupId: bigint;
  containerId: string;
  /**
   * netrec: the process's name, i.e. its thread-group leader's comm (`dig`). Absent when not
   * recorded (recordings before format 1.1, converted captures).
   */
  leaderName?: string;
}

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
