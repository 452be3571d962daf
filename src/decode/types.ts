/**
 * Typed headers produced by the decoders. Decoders are pure functions from bytes to these
 * values; they never throw on bad input and never format for output (that is src/event/).
 * Addresses stay as bytes; the event builder turns them into Go-style strings.
 */

/**
 * What kind of failure a DecodeError is, which decides how replay reports it:
 * - `short`: the bytes ended before the header did (a warning when the snaplen cut the frame);
 * - `malformed`: a field holds a bad value (an error);
 * - `benign`: not bad input, the capture does not hold what decoding needs (a TCP gap, a
 *   fragmented datagram that netrec does not reassemble): a warning.
 */
export type DecodeErrorKind = 'short' | 'malformed' | 'benign';

/** A malformed or short header. A value, not an exception: decoding stops at this layer. */
export class DecodeError {
  readonly kind: DecodeErrorKind;
  constructor(
    /** Layer that failed: 'ethernet', 'ipv4', 'tcp', 'dns', ... */
    readonly layer: string,
    readonly message: string,
    options: { kind: DecodeErrorKind },
  ) {
    this.kind = options.kind;
  }
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
  /**
   * True when a Fragment header has its M flag set: the transport header is here but its
   * payload continues in later fragments (netrec does not reassemble).
   */
  moreFragments: boolean;
  /** Offset of the transport header relative to the start of the IPv6 header. */
  payloadOffset: number;
  /** Payload end relative to the start of the IPv6 header, clamped to the captured bytes. */
  payloadEnd: number;
  /**
   * Set when the extension-header walk failed (header cut short, or longer than the payload).
   * The fixed header is still valid; transportProtocol is then the protocol number of the
   * extension header that failed (44 for a fragment header...) and payloadOffset is where it
   * starts.
   */
  extError?: DecodeError;
}

/** The bits of TCPHeader.flags. */
export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

export interface TCPHeader {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** Header length in 32-bit words. */
  dataOffset: number;
  /** Byte 13: the TcpFlag bits (FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80). */
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

/**
 * A DNS message as gopacket v1.1.19's `layers.DNS` decodes it (src/decode/dns.ts).
 * Names are raw label bytes joined with '.', no trailing dot, root = empty. Names are copies;
 * every other byte field is a view into the decoded message (copy it if that buffer is reused).
 */
export interface DNSMessage {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  z: number;
  /** Header RCODE with `(TTL >> 20) & 0xF0` of every OPT additional OR'ed in, as gopacket does. */
  responseCode: number;
  qdCount: number;
  anCount: number;
  nsCount: number;
  arCount: number;
  questions: DNSQuestion[];
  answers: DNSResourceRecord[];
  authorities: DNSResourceRecord[];
  additionals: DNSResourceRecord[];
}

export interface DNSQuestion {
  name: Uint8Array;
  type: number;
  class: number;
}

/**
 * One resource record. The RDATA-derived fields are filled only for the types gopacket decodes
 * and are null otherwise, so unknown types keep just the header and `data`.
 */
export interface DNSResourceRecord {
  name: Uint8Array;
  type: number;
  /** For OPT: the requestor's UDP payload size. */
  class: number;
  /** Unsigned. For OPT: extended RCODE, version and flags. */
  ttl: number;
  /** RDATA exactly as framed by RDLENGTH. */
  data: Uint8Array;
  /** A and AAAA: the RDATA, whatever its length. */
  ip: Uint8Array | null;
  ns: Uint8Array | null;
  cname: Uint8Array | null;
  ptr: Uint8Array | null;
  /** TXT and HINFO: the RDATA split into <character-string>s (the raw RDATA is `data`). */
  txts: Uint8Array[] | null;
  soa: DNSSOA | null;
  srv: DNSSRV | null;
  mx: DNSMX | null;
  uri: DNSURI | null;
  /** OPT: the options, possibly none. */
  opt: DNSOption[] | null;
}

export interface DNSSOA {
  mname: Uint8Array;
  rname: Uint8Array;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export interface DNSSRV {
  priority: number;
  weight: number;
  port: number;
  name: Uint8Array;
}

export interface DNSMX {
  preference: number;
  name: Uint8Array;
}

export interface DNSURI {
  priority: number;
  weight: number;
  /** RDATA after the first 4 bytes, undecoded. */
  target: Uint8Array;
}

export interface DNSOption {
  code: number;
  data: Uint8Array;
}
