/**
 * gopacket v1.1.19 String() tables that Tracee prints verbatim
 * (../shared/reference/tracee-network-events.md §1.9). Every string that does not depend on
 * an unknown number is built once here, so the lookups allocate nothing.
 */

const IP_PROTOCOL_NAMES: readonly string[] = Object.freeze(
  buildByteTable('UnknownIPProtocol', [
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
    // IPIP: gopacket names it after the payload, like 4.
    [94, 'IPv4'],
    [97, 'EtherIP'],
    [112, 'VRRP'],
    [132, 'SCTP'],
    [136, 'UDPLite'],
    [137, 'MPLS'],
  ]),
);

/** IPProtocol.String(): IPv4 `protocol` and IPv6 `nextHeader`. */
export function ipProtocolName(protocol: number): string {
  return IP_PROTOCOL_NAMES[protocol] ?? 'UnknownIPProtocol';
}

interface ICMPType {
  name: string;
  /** Absent when gopacket has no code table for the type. */
  codes?: readonly (readonly [number, string])[];
}

const ICMPV4_TYPES: readonly (readonly [number, ICMPType])[] = [
  [0, { name: 'EchoReply' }],
  [
    3,
    {
      name: 'DestinationUnreachable',
      codes: [
        [0, 'Net'],
        [1, 'Host'],
        [2, 'Protocol'],
        [3, 'Port'],
        [4, 'FragmentationNeeded'],
        [5, 'SourceRoutingFailed'],
        [6, 'NetUnknown'],
        [7, 'HostUnknown'],
        [8, 'SourceIsolated'],
        [9, 'NetAdminProhibited'],
        [10, 'HostAdminProhibited'],
        [11, 'NetTOS'],
        [12, 'HostTOS'],
        [13, 'CommAdminProhibited'],
        [14, 'HostPrecedence'],
        [15, 'PrecedenceCutoff'],
      ],
    },
  ],
  [4, { name: 'SourceQuench' }],
  [
    5,
    {
      name: 'Redirect',
      codes: [
        [0, 'Net'],
        [1, 'Host'],
        [2, 'TOS+Net'],
        [3, 'TOS+Host'],
      ],
    },
  ],
  [8, { name: 'EchoRequest' }],
  [9, { name: 'RouterAdvertisement' }],
  [10, { name: 'RouterSolicitation' }],
  [
    11,
    {
      name: 'TimeExceeded',
      codes: [
        [0, 'TTLExceeded'],
        [1, 'FragmentReassemblyTimeExceeded'],
      ],
    },
  ],
  [
    12,
    {
      name: 'ParameterProblem',
      codes: [
        [0, 'PointerIndicatesError'],
        [1, 'MissingOption'],
        [2, 'BadLength'],
      ],
    },
  ],
  [13, { name: 'TimestampRequest' }],
  [14, { name: 'TimestampReply' }],
  [15, { name: 'InfoRequest' }],
  [16, { name: 'InfoReply' }],
  [17, { name: 'AddressMaskRequest' }],
  [18, { name: 'AddressMaskReply' }],
];

// The MLD types (130, 131, 132, 143) are missing from gopacket's table, so they print as "130(0)".
const ICMPV6_TYPES: readonly (readonly [number, ICMPType])[] = [
  [
    1,
    {
      name: 'DestinationUnreachable',
      codes: [
        [0, 'NoRouteToDst'],
        [1, 'AdminProhibited'],
        [2, 'BeyondScopeOfSrc'],
        [3, 'AddressUnreachable'],
        [4, 'PortUnreachable'],
        [5, 'SrcAddressFailedPolicy'],
        [6, 'RejectRouteToDst'],
      ],
    },
  ],
  [2, { name: 'PacketTooBig' }],
  [
    3,
    {
      name: 'TimeExceeded',
      codes: [
        [0, 'HopLimitExceeded'],
        [1, 'FragmentReassemblyTimeExceeded'],
      ],
    },
  ],
  [
    4,
    {
      name: 'ParameterProblem',
      codes: [
        [0, 'ErroneousHeaderField'],
        [1, 'UnrecognizedNextHeader'],
        [2, 'UnrecognizedIPv6Option'],
      ],
    },
  ],
  [128, { name: 'EchoRequest' }],
  [129, { name: 'EchoReply' }],
  [133, { name: 'RouterSolicitation' }],
  [134, { name: 'RouterAdvertisement' }],
  [135, { name: 'NeighborSolicitation' }],
  [136, { name: 'NeighborAdvertisement' }],
  [137, { name: 'Redirect' }],
];

/** Type names by type, and finished strings by (type << 8 | code) for the codes gopacket names. */
interface TypeCodeStrings {
  typeNames: readonly (string | undefined)[];
  known: ReadonlyMap<number, string>;
}

const ICMPV4_STRINGS = buildTypeCodeStrings(ICMPV4_TYPES);
const ICMPV6_STRINGS = buildTypeCodeStrings(ICMPV6_TYPES);

/** ICMPv4TypeCode.String(), e.g. "EchoRequest", "DestinationUnreachable(Port)", "42(0)". */
export function icmpv4TypeCode(type: number, code: number): string {
  return typeCodeString(ICMPV4_STRINGS, type, code);
}

/** ICMPv6TypeCode.String(), e.g. "EchoRequest", "TimeExceeded(HopLimitExceeded)", "130(0)". */
export function icmpv6TypeCode(type: number, code: number): string {
  return typeCodeString(ICMPV6_STRINGS, type, code);
}

function typeCodeString(strings: TypeCodeStrings, type: number, code: number): string {
  const known = strings.known.get((type << 8) | code);
  if (known !== undefined) return known;
  const name = strings.typeNames[type];
  // A code the type does not use, or one its table lacks, is printed as a number.
  return name === undefined ? `${type}(${code})` : `${name}(Code: ${code})`;
}

function buildTypeCodeStrings(types: readonly (readonly [number, ICMPType])[]): TypeCodeStrings {
  const typeNames: (string | undefined)[] = new Array<string | undefined>(256).fill(undefined);
  const known = new Map<number, string>();
  for (const [type, { name, codes }] of types) {
    typeNames[type] = name;
    if (codes === undefined) {
      known.set(type << 8, name);
      continue;
    }
    for (const [code, codeName] of codes) known.set((type << 8) | code, `${name}(${codeName})`);
  }
  return { typeNames: Object.freeze(typeNames), known };
}

function buildByteTable(fallback: string, entries: readonly (readonly [number, string])[]): string[] {
  const table = new Array<string>(256).fill(fallback);
  for (const [value, name] of entries) table[value] = name;
  return table;
}
