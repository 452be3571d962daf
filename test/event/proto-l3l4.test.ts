/** JSON text is compared whole: it checks the values and the key order Tracee prints. */
import { describe, expect, it } from 'vitest';
import type { IPv4Header, IPv6Header, TCPHeader } from '../../src/decode/types.ts';
import { toProtoICMP, toProtoICMPv6, toProtoIPv4, toProtoIPv6, toProtoTCP, toProtoUDP } from '../../src/event/proto-l3l4.ts';

const IPV4: IPv4Header = {
  version: 4,
  ihl: 5,
  tos: 0,
  length: 60,
  id: 7238,
  flags: 2,
  fragOffset: 0,
  ttl: 64,
  protocol: 6,
  checksum: 45542,
  src: Uint8Array.of(172, 16, 10, 99),
  dst: Uint8Array.of(172, 16, 10, 12),
  payloadOffset: 20,
  payloadEnd: 60,
};

const IPV6: IPv6Header = {
  version: 6,
  trafficClass: 225,
  flowLabel: 144470,
  length: 20,
  nextHeader: 0,
  hopLimit: 255,
  src: Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
  dst: Uint8Array.of(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55),
  transportProtocol: 6,
  laterFragment: false,
  moreFragments: false,
  payloadOffset: 48,
  payloadEnd: 60,
};

function tcp(flags: number, ns = false): TCPHeader {
  return {
    srcPort: 50000,
    dstPort: 443,
    seq: 4294967295,
    ack: 1,
    dataOffset: 8,
    flags,
    ns,
    window: 502,
    checksum: 0xfe30,
    urgent: 0,
    payloadOffset: 32,
  };
}

describe('toProtoIPv4', () => {
  it('prints the fields in Tracee order, protocol as gopacket names it', () => {
    expect(JSON.stringify(toProtoIPv4(IPV4))).toBe(
      '{"version":4,"IHL":5,"TOS":0,"length":60,"id":7238,"flags":2,"fragOffset":0,"TTL":64,' +
        '"protocol":"TCP","checksum":45542,"srcIP":"172.16.10.99","dstIP":"172.16.10.12"}',
    );
  });

  it('names unknown protocols UnknownIPProtocol', () => {
    expect(toProtoIPv4({ ...IPV4, protocol: 253 }).protocol).toBe('UnknownIPProtocol');
  });
});

describe('toProtoIPv6', () => {
  it('prints the fixed Next Header, not the transport found past the extensions', () => {
    expect(JSON.stringify(toProtoIPv6(IPV6))).toBe(
      '{"version":6,"trafficClass":225,"flowLabel":144470,"length":20,"nextHeader":"IPv6HopByHop",' +
        '"hopLimit":255,"srcIP":"2001:db8::1","dstIP":"fe80::211:22ff:fe33:4455"}',
    );
  });

  it('prints an IPv4-mapped address as dotted quad, as Go does', () => {
    const mapped = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1);
    expect(toProtoIPv6({ ...IPV6, src: mapped }).srcIP).toBe('192.0.2.1');
  });
});

describe('toProtoTCP', () => {
  it('prints the fields in Tracee order', () => {
    expect(JSON.stringify(toProtoTCP(tcp(0x18)))).toBe(
      '{"srcPort":50000,"dstPort":443,"seq":4294967295,"ack":1,"dataOffset":8,' +
        '"FIN":0,"SYN":0,"RST":0,"PSH":1,"ACK":1,"URG":0,"ECE":0,"CWR":0,"NS":0,' +
        '"window":502,"checksum":65072,"urgent":0}',
    );
  });

  const FLAG_BITS: [string, number][] = [
    ['FIN', 0x01],
    ['SYN', 0x02],
    ['RST', 0x04],
    ['PSH', 0x08],
    ['ACK', 0x10],
    ['URG', 0x20],
    ['ECE', 0x40],
    ['CWR', 0x80],
  ];

  it.each(FLAG_BITS)('%s alone comes from its bit (%i)', (name, bit) => {
    const proto = toProtoTCP(tcp(bit)) as unknown as Record<string, number>;
    for (const other of [...FLAG_BITS.map(([flag]) => flag), 'NS']) expect(proto[other], other).toBe(other === name ? 1 : 0);
  });

  it('CWR reports the real bit (Tracee always printed 0)', () => {
    expect(toProtoTCP(tcp(0xc2)).CWR).toBe(1);
    expect(toProtoTCP(tcp(0xc2)).ECE).toBe(1);
    expect(toProtoTCP(tcp(0xc2)).SYN).toBe(1);
  });

  it('NS comes from the header flag, all flags at once', () => {
    const proto = toProtoTCP(tcp(0xff, true));
    expect([proto.FIN, proto.SYN, proto.RST, proto.PSH, proto.ACK, proto.URG, proto.ECE, proto.CWR, proto.NS]).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(toProtoTCP(tcp(0, true)).NS).toBe(1);
  });
});

describe('toProtoUDP', () => {
  it('prints the length field as on the wire', () => {
    expect(JSON.stringify(toProtoUDP({ srcPort: 53, dstPort: 54321, length: 8, checksum: 4660 }))).toBe(
      '{"srcPort":53,"dstPort":54321,"length":8,"checksum":4660}',
    );
  });
});

describe('toProtoICMP / toProtoICMPv6', () => {
  it('ICMP: typeCode, checksum, id, seq', () => {
    expect(JSON.stringify(toProtoICMP({ type: 3, code: 3, checksum: 0x1234, id: 0, seq: 1500 }))).toBe(
      '{"typeCode":"DestinationUnreachable(Port)","checksum":4660,"id":0,"seq":1500}',
    );
    expect(toProtoICMP({ type: 8, code: 0, checksum: 0, id: 1, seq: 2 }).typeCode).toBe('EchoRequest');
  });

  it('ICMPv6: typeCode and checksum only', () => {
    expect(JSON.stringify(toProtoICMPv6({ type: 135, code: 0, checksum: 0xabcd }))).toBe('{"typeCode":"NeighborSolicitation","checksum":43981}');
    expect(toProtoICMPv6({ type: 143, code: 0, checksum: 0 }).typeCode).toBe('143(0)');
  });
});
