/**
 * Checks the golden tests' own tools against independent decoders (dns-packet, hand reads), so a
 * golden failure points at netrec rather than at the builders.
 */
import dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { dnsMessage, internetChecksum, ipBytes, ipv4, ipv6, tcp, udp } from '../helpers/packet-builder.ts';
import { pcapFile } from '../helpers/pcap-writer.ts';
import { loadSeedCases, type JsonObject } from './seed-cases.ts';

describe('packet builders', () => {
  it('parse IPv6 text like Go prints it', () => {
    expect(Array.from(ipBytes('fd6e:a63d:71f:2000::1'))).toStrictEqual([0xfd, 0x6e, 0xa6, 0x3d, 0x07, 0x1f, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(Array.from(ipBytes('::ffff:1.2.3.4')).slice(10)).toStrictEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect(Array.from(ipBytes('::'))).toStrictEqual(new Array(16).fill(0));
  });

  it('write IPv4 fields verbatim, and compute the header checksum only when none is given', () => {
    const p = ipv4({
      TOS: 3,
      length: 999,
      id: 42857,
      flags: 2,
      fragOffset: 5,
      TTL: 7,
      protocol: 'TCP',
      checksum: 33109,
      srcIP: '10.157.254.1',
      dstIP: '10.157.254.193',
      payload: Uint8Array.of(9),
    });
    expect(Array.from(p.subarray(0, 12))).toStrictEqual([0x45, 3, 999 >> 8, 999 & 255, 0xa7, 0x69, 0x40, 5, 7, 6, 0x81, 0x55]);
    expect(p.length).toBe(21);
    const q = ipv4({ protocol: 17, srcIP: '1.2.3.4', dstIP: '5.6.7.8' });
    expect(internetChecksum(q.subarray(0, 20))).toBe(0);
  });

  it('write IPv6, TCP and UDP fields verbatim', () => {
    const p = ipv6({ trafficClass: 0xab, flowLabel: 263249, length: 40, nextHeader: 'TCP', hopLimit: 64, srcIP: '::1', dstIP: '::2' });
    expect(Array.from(p.subarray(0, 8))).toStrictEqual([0x6a, 0xb4, 0x04, 0x51, 0, 40, 6, 64]);
    const t = tcp({ srcPort: 1, dstPort: 2, seq: 0xffffffff, ack: 3, dataOffset: 8, SYN: 1, ACK: 1, CWR: 1, NS: 1, window: 4, checksum: 5, urgent: 6 });
    expect(t.length).toBe(32);
    expect(Array.from(t.subarray(12, 20))).toStrictEqual([0x81, 0x92, 0, 4, 0, 5, 0, 6]);
    expect(Array.from(udp({ srcPort: 53, dstPort: 9, length: 10, checksum: 4633 }))).toStrictEqual([0, 53, 0, 9, 0, 10, 0x12, 0x19]);
  });

  it('encode every seed DNS message so that dns-packet decodes it back to the same values', () => {
    for (const c of loadSeedCases()) {
      if (c.seed.eventName !== 'net_packet_dns') continue;
      const proto = (c.seed.args as JsonObject[]).find((a) => a.name === 'proto_dns')!.value as JsonObject;
      const wire = dnsMessage(proto as never);
      const d = dnsPacket.decode(Buffer.from(wire));
      expect(dnsPacket.decode.bytes).toBe(wire.length);
      expect(d.id).toBe(proto.ID);
      const rr = (r: dnsPacket.Answer): unknown[] => [r.name === '.' ? '' : r.name, r.type, 'ttl' in r ? r.ttl : 0, 'data' in r ? r.data : null];
      const seedRR = (r: JsonObject): unknown[] => [
        r.name,
        r.type,
        r.type === 'OPT' ? 0 : r.TTL,
        r.type === 'A' || r.type === 'AAAA'
          ? r.IP
          : r.type === 'CNAME'
            ? r.CNAME
            : r.type === 'OPT'
              ? null
              : r.type === 'MX'
                ? { preference: (r.MX as JsonObject).preference, exchange: (r.MX as JsonObject).name }
                : r.type === 'SOA'
                  ? Object.fromEntries(Object.entries(r.SOA as JsonObject).map(([k, v]) => [k === 'MName' ? 'mname' : k === 'RName' ? 'rname' : k, v]))
                  : 'unchecked',
      ];
      expect(d.questions!.map((q) => [q.name, q.type, q.class])).toStrictEqual((proto.questions as JsonObject[]).map((q) => [q.name, q.type, q.class]));
      expect(d.answers!.map(rr)).toStrictEqual((proto.answers as JsonObject[]).map(seedRR));
      expect(d.authorities!.map(rr)).toStrictEqual((proto.authorities as JsonObject[]).map(seedRR));
      expect(d.additionals!.map(rr)).toStrictEqual((proto.additionals as JsonObject[]).map(seedRR));
    }
  });

  it("fill the seed's dns_request/dns_response packet_len exactly, without padding", () => {
    for (const c of loadSeedCases()) {
      if (c.seed.eventName !== 'net_packet_dns_request' && c.seed.eventName !== 'net_packet_dns_response') continue;
      const meta = (c.seed.args as JsonObject[])[0]!.value as JsonObject;
      expect(c.packet.length).toBe(meta.packet_len);
      expect((c.packet[2]! << 8) | c.packet[3]!).toBe(meta.packet_len);
      const dns = c.packet.subarray(28);
      dnsPacket.decode(Buffer.from(dns));
      expect(dnsPacket.decode.bytes).toBe(dns.length);
    }
  });
});

describe('pcap writer', () => {
  it('writes a little-endian nanosecond pcap with exact timestamps', () => {
    const f = pcapFile([{ timestampNs: 1671043215503932068n, data: Uint8Array.of(0x45, 0) }]);
    const v = new DataView(f.buffer);
    expect(v.getUint32(0, true)).toBe(0xa1b23c4d);
    expect([v.getUint16(4, true), v.getUint16(6, true), v.getUint32(20, true)]).toStrictEqual([2, 4, 101]);
    expect([v.getUint32(24, true), v.getUint32(28, true), v.getUint32(32, true), v.getUint32(36, true)]).toStrictEqual([1671043215, 503932068, 2, 2]);
    expect(Array.from(f.subarray(40))).toStrictEqual([0x45, 0]);
    expect(() => pcapFile([{ timestampNs: 1n, data: new Uint8Array(0) }], { resolution: 'us' })).toThrow();
  });
});
