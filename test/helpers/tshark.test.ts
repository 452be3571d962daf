import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tsharkAvailable, tsharkFrameMap, tsharkFrames, type TsharkDnsMessage } from './tshark.ts';

const pcap = (name: string): string => fileURLToPath(new URL(`../../fixtures/pcap/${name}`, import.meta.url));

// CI installs tshark (.ci/run); elsewhere the test is skipped without it.
const skip = !(await tsharkAvailable()) && !process.env.CI;

const NS4 = '172.16.17.2';
const HOST4 = '172.16.17.1';
const NS6 = 'fd6e:a63d:71f:2f4::2';

/** The one response to a question of `qtype` about `qname` in `file`. */
async function response(file: string, qname: string, qtype: number): Promise<TsharkDnsMessage> {
  const frames = await tsharkFrames(pcap(file), {
    filter: `dns.flags.response == 1 && dns.qry.name == "${qname}" && dns.qry.type == ${qtype} && ip.src == ${NS4}`,
  });
  expect(frames).toHaveLength(1);
  const msg = frames[0]!.dns;
  expect(msg).toHaveLength(1);
  return msg[0]!;
}

describe.skipIf(skip)('tshark helper on the fixture captures', () => {
  it('reads every frame of dns-udp.pcap with its addresses, ports and DNS id', async () => {
    const frames = await tsharkFrames(pcap('dns-udp.pcap'));
    expect(frames).toHaveLength(44);
    expect(frames.map((f) => f.frame)).toEqual(Array.from({ length: 44 }, (_, i) => i + 1));
    const [q, r] = frames;
    expect(q).toMatchObject({ ipSrc: HOST4, ipDst: NS4, ipProto: 17, udpDstPort: 53 });
    expect(r).toMatchObject({ ipSrc: NS4, ipDst: HOST4, udpSrcPort: 53, udpDstPort: q!.udpSrcPort });
    expect(r!.dnsFields.id).toEqual(q!.dnsFields.id);
    expect(q!.dnsFields.response).toEqual([false]);
    expect(r!.dnsFields.response).toEqual([true]);
    expect(q!.timeEpoch).toMatch(/^\d+\.\d{9}$/);
    expect(frames.every((f) => f.dns.length === 1 && f.protocols.at(-1) === 'dns')).toBe(true);
    const v6 = frames.filter((f) => f.ipv6Src !== undefined);
    expect(v6.length).toBeGreaterThan(0);
    expect(v6.every((f) => f.ipv6Src === NS6 || f.ipv6Dst === NS6)).toBe(true);
  });

  it('gives the MX answers of netrec.test from the zone', async () => {
    const msg = await response('dns-udp.pcap', 'netrec.test', 15);
    expect(msg).toMatchObject({ response: true, authoritative: true, rcode: 0, truncated: false });
    expect(msg.questions).toEqual([{ name: 'netrec.test', type: 15, class: 1 }]);
    // named rotates RRsets: compare in preference order.
    const mx = msg.answers.map((rr) => rr.mx).sort((a, b) => a!.preference - b!.preference);
    expect(mx).toEqual([
      { preference: 10, exchange: 'mail.netrec.test' },
      { preference: 20, exchange: 'mail2.netrec.test' },
    ]);
    expect(msg.answers.every((rr) => rr.name === 'netrec.test' && rr.ttl === 300 && rr.class === 1)).toBe(true);
    expect(msg.authorities.map((rr) => rr.ns).sort()).toEqual(['ns1.netrec.test', 'ns2.netrec.test']);
    // Glue for the MX targets and name servers, then OPT.
    expect(
      msg.additionals
        .filter((rr) => rr.type === 1)
        .map((rr) => `${rr.name} ${rr.a}`)
        .sort(),
    ).toEqual(['mail.netrec.test 172.16.17.11', 'mail2.netrec.test 172.16.17.12', 'ns1.netrec.test 172.16.17.2', 'ns2.netrec.test 172.16.17.3']);
    expect(msg.additionals.at(-1)).toMatchObject({ name: '<Root>', type: 41 });
  });

  it('keeps the strings of one TXT record apart, and flat fields span all sections', async () => {
    const msg = await response('dns-udp.pcap', 'netrec.test', 16);
    expect(msg.answers).toHaveLength(1);
    expect(msg.answers[0]!.txt).toEqual(['v=spf1 include:spf.netrec.test ~all', 'second string']);
    const [frame] = await tsharkFrames(pcap('dns-udp.pcap'), {
      filter: `dns.flags.response == 1 && dns.qry.type == 16 && dns.qry.name == "netrec.test"`,
    });
    expect(frame!.dnsFields.txt).toEqual(['v=spf1 include:spf.netrec.test ~all', 'second string']);
    expect(frame!.dnsFields.respType[0]).toBe(16);
    expect(frame!.dnsFields.respType.at(-1)).toBe(41); // the OPT pseudo-RR
  });

  it('decodes SOA, SRV, CNAME, PTR and NXDOMAIN answers', async () => {
    const soa = await response('dns-udp.pcap', 'netrec.test', 6);
    expect(soa.answers[0]!.soa).toEqual({
      mname: 'ns1.netrec.test',
      rname: 'hostmaster.netrec.test',
      serial: 2024060101,
      refresh: 3600,
      retry: 600,
      expire: 86400,
      minimum: 300,
    });
    const srv = await response('dns-udp.pcap', '_sip._tcp.netrec.test', 33);
    expect(srv.answers.map((rr) => rr.srv).sort((a, b) => a!.priority - b!.priority)).toEqual([
      { priority: 10, weight: 60, port: 5060, target: 'sip.netrec.test' },
      { priority: 20, weight: 40, port: 5061, target: 'sip.netrec.test' },
    ]);
    const cname = await response('dns-udp.pcap', 'www.netrec.test', 1);
    expect(cname.answers.map((rr) => rr.cname ?? rr.a)).toEqual(['web.netrec.test', '172.16.17.10']);
    const ptr = await response('dns-udp.pcap', '10.17.16.172.in-addr.arpa', 12);
    expect(ptr.answers.map((rr) => rr.ptr)).toEqual(['web.netrec.test']);
    const nx = await response('dns-udp.pcap', 'nope.netrec.test', 1);
    expect(nx).toMatchObject({ rcode: 3, answers: [] });
    expect(nx.authorities.map((rr) => rr.type)).toEqual([6]);
  });

  it('reports the TCP length prefix and reassembles a message spread over segments', async () => {
    const frames = await tsharkFrames(pcap('dns-tcp.pcap'), {
      filter: 'dns.flags.response == 1 && dns.qry.name == "big.netrec.test"',
    });
    expect(frames).toHaveLength(1);
    const msg = frames[0]!.dns[0]!;
    expect(msg.tcpLength).toBe(2312);
    expect(msg.answers).toHaveLength(8);
    expect(msg.answers.every((rr) => rr.txt?.length === 1 && rr.txt[0]!.length === 255)).toBe(true);
    // Without reassembly the last segment alone holds no complete message.
    const raw = await tsharkFrameMap(pcap('dns-tcp.pcap'), { reassemble: false });
    expect(raw.get(frames[0]!.frame)!.dns.every((m) => m.answers.length < 8)).toBe(true);
  });

  it('reads TCP flags, raw sequence numbers and ICMP types', async () => {
    const tcp = await tsharkFrameMap(pcap('tcp.pcap'));
    const syn = tcp.get(1)!;
    const synAck = tcp.get(2)!;
    expect(syn).toMatchObject({ tcpFlags: 0x002, tcpFlagsHex: '0x0002', tcpDstPort: 5000, tcpAckRaw: 0 });
    expect(synAck).toMatchObject({ tcpFlags: 0x012, tcpAckRaw: (syn.tcpSeqRaw! + 1) >>> 0 });
    const icmp = await tsharkFrames(pcap('icmp.pcap'));
    expect(icmp.map((f) => f.icmpType ?? f.icmpv6Type)).toEqual([8, 0, 8, 0, 135, 136, 128, 129, 128, 129]);
    expect(icmp.every((f) => (f.icmpCode ?? f.icmpv6Code) === 0)).toBe(true);
  });

  it('returns no frames when the filter matches none', async () => {
    expect(await tsharkFrames(pcap('icmp.pcap'), { filter: 'dns' })).toEqual([]);
  });

  it('reads the nanosecond pcap and the pcapng capture', async () => {
    const nano = await tsharkFrames(pcap('mixed-nano.pcap'));
    expect(nano).toHaveLength(8);
    expect(nano.some((f) => !f.timeEpoch!.endsWith('000'))).toBe(true);
    const ng = await tsharkFrames(pcap('mixed.pcapng'), { filter: 'dns.flags.response == 1' });
    expect(ng.map((f) => f.dns[0]!.questions[0]!.type)).toEqual([15, 6]);
  });
});
