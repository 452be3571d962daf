/**
 * Typed headers produced by the decoders. Decoders are pure functions from bytes to these
 * values; they never throw on bad input and never format for output (that is src/event/).
 * Addresses stay as bytes; the event builder turns them into Go-style strings.
 */

/** A malformed or short header. A value, not an exception: decoding stops at this layer. */
export class DecodeError {
  constructor(
    /** Layer that failed: 'ethernet', 'ipv4', 'tcp', 'dns', ... */
    readonly layer: string,
    readonly message: string,
    /** The bytes ended before the header did (as opposed to a field holding a bad value). */
    readonly short: boolean = false,
  ) {}
}

/** Where the link layer leaves the network layer. */
export interface LinkResult {
  /** 4 or 6, or 0 when the frame carries something other than IP (ARP, LLDP...). */
  ipVersion: 0 | 4 | 6;
  /** Offset of the L3 header in the frame. */
  offset: number;
}

export interface IPv4Header {
  version: number;
  /** Header length in 32-bit words. */
  ihl: number;
  tos: number;
  /** Total Length; when the wire value is 0 (TSO), the captured length, as gopacket does. */
  length: number;
  id: number;
  /** Top 3 bits of bytes 6-7: 4 reserved, 2 DF, 1 MF. */
  flags: number;
  fragOffset: number;
  ttl: number;
  protocol: number;
  checksum: number;
  src: Uint8Array;
  dst: Uint8Array;
  /** Offset of the payload (after options) relative to the start of the IPv4 header. */
  payloadOffset: number;
  /** Payload end relative to the start of the IPv4 header, clamped to the captured bytes. */
  payloadEnd: number;
}

export interface IPv6Header {
  version: number;
  trafficClass: number;
  flowLabel: number;
  /** Payload Length as on the wire. */
  length: number;
  /** Next Header of the fixed header (what Tracee reports). */
  nextHeader: number;
  hopLimit: number;
  src: Uint8Array;
  dst: Uint8Array;
  /** Protocol after walking extension headers (hop-by-hop, routing, fragment, dst opts, AH). */
  transportProtocol: number;
  /** True when a Fragment header with a non-zero offset precedes the transport header. */
  laterFragment: boolean;
  /** Offset of the transport header relative to the start of the IPv6 header. */
  payloadOffset: number;
  /** Payload end relative to the start of the IPv6 header, clamped to the captured bytes. */
  payloadEnd: number;
}

export interface TCPHeader {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** Header length in 32-bit words. */
  dataOffset: number;
  /** Byte 13: FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80. */
  flags: number;
  /** The NS bit (byte 12, bit 0). */
  ns: boolean;
  window: number;
  checksum: number;
  urgent: number;
  /** Offset of the payload relative to the start of the TCP header. */
  payloadOffset: number;
}

export interface UDPHeader {
  srcPort: number;
  dstPort: number;
  /** Length field as on the wire. */
  length: number;
  checksum: number;
}

export interface ICMPv4Header {
  type: number;
  code: number;
  checksum: number;
  /** Bytes 4-5, read the same way for every type. */
  id: number;
  /** Bytes 6-7. */
  seq: number;
}

export interface ICMPv6Header {
  type: number;
  code: number;
  checksum: number;
}
