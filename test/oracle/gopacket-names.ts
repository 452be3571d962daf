/**
 * gopacket v1.1.19's string tables, copied for the oracle from
 * /work/shared/reference/tracee-network-events.md §1.9 (not imported from src/: the expected
 * strings must not come from the code under test). tshark gives numbers; these turn them into
 * the strings Tracee, and so netrec, prints.
 */

const UNKNOWN = 'Unknown';

/** IPProtocol.String(): IPv4 `protocol`, IPv6 `nextHeader`. */
export const IP_PROTOCOLS: ReadonlyMap<number, string> = new Map<number, string>([
  [0, 'IPv6HopByHop'],
  [1, 'ICMPv4'],
  [2, 'IGMP'],
  [4, 'IPv4'],
  [6, 'TCP'],
  [17, 'UDP'],
  [27, 'RUDP'],
  [41, 'IPv6'],
  [43, 'IPv6Routing'],
  [44, 'IPv6Fragment'],
  [47, 'GRE'],
  [50, 'IPSecESP'],
  [51, 'IPSecAH'],
  [58, 'ICMPv6'],
  [59, 'NoNextHeader'],
  [60, 'IPv6Destination'],
  [89, 'OSPF'],
  [94, 'IPv4'],
  [97, 'EtherIP'],
  [112, 'VRRP'],
  [132, 'SCTP'],
  [136, 'UDPLite'],
  [137, 'MPLS'],
]);

export function ipProtocolName(p: number): string {
  return IP_PROTOCOLS.get(p) ?? 'UnknownIPProtocol';
}

const ICMPV4_TYPES = new Map<number, string>([
  [0, 'EchoReply'],
  [3, 'DestinationUnreachable'],
  [4, 'SourceQuench'],
  [5, 'Redirect'],
  [8, 'EchoRequest'],
  [9, 'RouterAdvertisement'],
  [10, 'RouterSolicitation'],
  [11, 'TimeExceeded'],
  [12, 'ParameterProblem'],
  [13, 'TimestampRequest'],
  [14, 'TimestampReply'],
  [15, 'InfoRequest'],
  [16, 'InfoReply'],
  [17, 'AddressMaskRequest'],
  [18, 'AddressMaskReply'],
]);

const ICMPV4_CODES = new Map<number, readonly string[]>([
  [
    3,
    [
      'Net',
      'Host',
      'Protocol',
      'Port',
      'FragmentationNeeded',
      'SourceRoutingFailed',
      'NetUnknown',
      'HostUnknown',
      'SourceIsolated',
      'NetAdminProhibited',
      'HostAdminProhibited',
      'NetTOS',
      'HostTOS',
      'CommAdminProhibited',
      'HostPrecedence',
      'PrecedenceCutoff',
    ],
  ],
  [11, ['TTLExceeded', 'FragmentReassemblyTimeExceeded']],
  [12, ['PointerIndicatesError', 'MissingOption', 'BadLength']],
  [5, ['Net', 'Host', 'TOS+Net', 'TOS+Host']],
]);

const ICMPV6_TYPES = new Map<number, string>([
  [1, 'DestinationUnreachable'],
  [2, 'PacketTooBig'],
  [3, 'TimeExceeded'],
  [4, 'ParameterProblem'],
  [128, 'EchoRequest'],
  [129, 'EchoReply'],
  [133, 'RouterSolicitation'],
  [134, 'RouterAdvertisement'],
  [135, 'NeighborSolicitation'],
  [136, 'NeighborAdvertisement'],
  [137, 'Redirect'],
]);

const ICMPV6_CODES = new Map<number, readonly string[]>([
  [1, ['NoRouteToDst', 'AdminProhibited', 'BeyondScopeOfSrc', 'AddressUnreachable', 'PortUnreachable', 'SrcAddressFailedPolicy', 'RejectRouteToDst']],
  [3, ['HopLimitExceeded', 'FragmentReassemblyTimeExceeded']],
  [4, ['ErroneousHeaderField', 'UnrecognizedNextHeader', 'UnrecognizedIPv6Option']],
]);

/** ICMPv4TypeCode.String() / ICMPv6TypeCode.String() format rules (§1.9). */
function typeCode(types: ReadonlyMap<number, string>, codes: ReadonlyMap<number, readonly string[]>, type: number, code: number): string {
  const name = types.get(type);
  if (name === undefined) return `${type}(${code})`;
  const table = codes.get(type);
  if (table === undefined) return code === 0 ? name : `${name}(Code: ${code})`;
  const codeName = table[code];
  return codeName === undefined ? `${name}(Code: ${code})` : `${name}(${codeName})`;
}

export function icmpv4TypeCode(type: number, code: number): string {
  return typeCode(ICMPV4_TYPES, ICMPV4_CODES, type, code);
}

export function icmpv6TypeCode(type: number, code: number): string {
  return typeCode(ICMPV6_TYPES, ICMPV6_CODES, type, code);
}

const DNS_TYPES = new Map<number, string>([
  [1, 'A'],
  [2, 'NS'],
  [3, 'MD'],
  [4, 'MF'],
  [5, 'CNAME'],
  [6, 'SOA'],
  [7, 'MB'],
  [8, 'MG'],
  [9, 'MR'],
  [10, 'NULL'],
  [11, 'WKS'],
  [12, 'PTR'],
  [13, 'HINFO'],
  [14, 'MINFO'],
  [15, 'MX'],
  [16, 'TXT'],
  [28, 'AAAA'],
  [33, 'SRV'],
  [41, 'OPT'],
  [256, 'URI'],
]);

/** DNSType.String(), not lower-cased; ANY (255) is "Unknown". */
export function dnsTypeName(t: number): string {
  return DNS_TYPES.get(t) ?? UNKNOWN;
}

const DNS_CLASSES = new Map<number, string>([
  [1, 'IN'],
  [2, 'CS'],
  [3, 'CH'],
  [4, 'HS'],
  [255, 'Any'],
]);

/** DNSClass.String(). */
export function dnsClassName(c: number): string {
  return DNS_CLASSES.get(c) ?? UNKNOWN;
}

const DNS_OPCODES = new Map<number, string>([
  [0, 'Query'],
  [1, 'Inverse Query'],
  [2, 'Status'],
  [4, 'Notify'],
  [5, 'Update'],
]);

/** DNSOpCode.String(), lower-cased as Tracee prints it. */
export function dnsOpcodeName(op: number): string {
  return (DNS_OPCODES.get(op) ?? UNKNOWN).toLowerCase();
}

const DNS_RCODES = new Map<number, string>([
  [0, 'No Error'],
  [1, 'Format Error'],
  [2, 'Server Failure '], // gopacket's trailing space, kept by Tracee
  [3, 'Non-Existent Domain'],
  [4, 'Not Implemented'],
  [5, 'Query Refused'],
  [6, 'Name Exists when it should not'],
  [7, 'RR Set Exists when it should not'],
  [8, 'RR Set that should exist does not'],
  [9, 'Server Not Authoritative for zone'],
  [10, 'Name not contained in zone'],
  [16, 'Bad OPT Version'],
  [17, 'Key not recognized'],
  [18, 'Signature out of time window'],
  [19, 'Bad TKEY Mode'],
  [20, 'Duplicate key name'],
  [21, 'Algorithm not supported'],
  [22, 'Bad Truncation'],
  [23, 'Bad Cookie'],
]);

/** DNSResponseCode.String(), lower-cased as Tracee prints it. */
export function dnsResponseCodeName(rcode: number): string {
  return (DNS_RCODES.get(rcode) ?? UNKNOWN).toLowerCase();
}

const DNS_OPTION_CODES = new Map<number, string>([
  [3, 'NSID'],
  [5, 'DAU'],
  [6, 'DHU'],
  [7, 'N3U'],
  [8, 'EDNSClientSubnet'],
  [9, 'EDNSExpire'],
  [10, 'Cookie'],
  [11, 'EDNSKeepAlive'],
  [12, 'CodePadding'],
  [13, 'CodeChain'],
  [14, 'CodeEDNSKeyTag'],
  [16, 'EDNSClientTag'],
  [17, 'EDNSServerTag'],
  [26946, 'DeviceID'],
]);

/** DNSOptionCode.String(). */
export function dnsOptionCodeName(code: number): string {
  return DNS_OPTION_CODES.get(code) ?? UNKNOWN;
}
