/**
 * Argument filters (Tracee's, on simple args) and header-field filters (netrec's, into struct
 * args): every operator on every type, arrays, wildcards, CIDRs, and how repeated flags combine.
 */
import { describe, expect, it } from 'vitest';
import type { TraceeEvent } from '../../src/event/types.ts';
import { dnsEvent, dnsRequestEvent, dnsResponseEvent, icmpEvent, ipv4Event, ipv6Event, passes, rr, tcpEvent, udpEvent } from './fixtures.ts';

const TTL = 'net_packet_ipv4.args.proto_ipv4.TTL';
const ttls = (...values: number[]): TraceeEvent[] => values.map((TTL) => ipv4Event({ TTL }));

describe('numeric header fields', () => {
  it.each([
    [[`${TTL}=64`], [63, 64, 65], [false, true, false]],
    [[`${TTL}!=64`], [63, 64, 65], [true, false, true]],
    [[`${TTL}<64`], [63, 64, 65], [true, false, false]],
    [[`${TTL}>64`], [63, 64, 65], [false, false, true]],
    [[`${TTL}<=64`], [63, 64, 65], [true, true, false]],
    [[`${TTL}>=64`], [63, 64, 65], [false, true, true]],
    [[`${TTL}=1,64`], [1, 2, 64], [true, false, true]],
  ])('%j', (exprs, values, expected) => {
    expect(passes(exprs, ttls(...values))).toEqual(expected);
  });

  it('> and < on one field form a range, bounds excluded', () => {
    expect(passes([`${TTL}>10`, `${TTL}<100`], ttls(5, 10, 11, 50, 99, 100, 150))).toEqual([false, false, true, true, true, false, false]);
  });

  it('repeated bounds widen the range: the lowest > and the highest < win, as in Tracee', () => {
    expect(passes([`${TTL}<50`, `${TTL}<100`], ttls(70, 100))).toEqual([true, false]);
    expect(passes([`${TTL}>50`, `${TTL}>10`], ttls(20, 10))).toEqual([true, false]);
  });

  it('= values across flags are ORed, with each other and with the range', () => {
    expect(passes([`${TTL}=1`, `${TTL}=2`], ttls(1, 2, 3))).toEqual([true, true, false]);
    expect(passes([`${TTL}=200`, `${TTL}<64`], ttls(200, 10, 100))).toEqual([true, true, false]);
  });

  it('!= vetoes inside a range', () => {
    expect(passes([`${TTL}!=32`, `${TTL}<64`], ttls(32, 31, 70))).toEqual([false, true, false]);
  });

  it('once a != is given, what it does not exclude passes, and a value given both ways passes (Tracee)', () => {
    expect(passes([`${TTL}=1`, `${TTL}!=2`], ttls(1, 2, 3))).toEqual([true, false, true]);
    expect(passes([`${TTL}=5`, `${TTL}!=5`], ttls(5))).toEqual([true]);
  });

  it('different fields are ANDed', () => {
    const syn = tcpEvent({ SYN: 1 });
    const synAck = tcpEvent({ SYN: 1, ACK: 1 });
    const ack = tcpEvent({ ACK: 1 });
    expect(passes(['net_packet_tcp.args.proto_tcp.SYN=1', 'net_packet_tcp.args.proto_tcp.ACK=1'], [syn, synAck, ack])).toEqual([false, true, false]);
  });

  it('compares numbers as numbers, not text', () => {
    expect(passes(['net_packet_tcp.args.proto_tcp.dstPort<1024'], [tcpEvent({ dstPort: 443 }), tcpEvent({ dstPort: 8090 })])).toEqual([true, false]);
    expect(passes(['net_packet_ipv6.args.proto_ipv6.flowLabel>=100000'], [ipv6Event({ flowLabel: 0x6a7e1 }), ipv6Event({ flowLabel: 99999 })])).toEqual([
      true,
      false,
    ]);
  });
});

describe('string header fields', () => {
  const codes = ['EchoRequest', 'EchoReply', 'DestinationUnreachable(Port)', 'Echo*Reply'].map((typeCode) => icmpEvent({ typeCode }));
  const TC = 'net_packet_icmp.args.proto_icmp.typeCode';
  it.each([
    [`${TC}=EchoReply`, [false, true, false, false]],
    [`${TC}=Echo*`, [true, true, false, true]],
    [`${TC}=*Reply`, [false, true, false, true]],
    [`${TC}=*Unreachable*`, [false, false, true, false]],
    [`${TC}=Echo*Reply`, [false, false, false, true]],
    [`${TC}!=EchoRequest`, [false, true, true, true]],
    [`${TC}!=Echo*`, [false, false, true, false]],
    [`${TC}!=*Reply`, [true, false, true, false]],
    [`${TC}!=*Request*`, [false, true, true, true]],
    [`${TC}=EchoRequest,*(Port)`, [true, false, true, false]],
  ])('%s', (expr, expected) => {
    expect(passes([expr], codes)).toEqual(expected);
  });

  it('a positive match wins over a negative one, as in Tracee', () => {
    expect(passes([`${TC}=Echo*`, `${TC}!=EchoReply`], codes)).toEqual([true, true, true, true]);
  });

  it('compares the exact text, trailing space included', () => {
    const rcode = 'net_packet_dns.args.proto_dns.responseCode';
    const events = [dnsEvent({ responseCode: 'server failure ' }), dnsEvent({ responseCode: 'no error' })];
    expect(passes([`${rcode}=server failure `], events)).toEqual([true, false]);
    expect(passes([`${rcode}=server failure`], events)).toEqual([false, false]);
  });
});

describe('IP-valued args and fields', () => {
  const v4 = ['10.157.254.1', '192.168.100.2', '8.8.8.8'].map((src) => tcpEvent({}, src));
  it.each([
    ['net_packet_tcp.args.src=8.8.8.8', [false, false, true]],
    ['net_packet_tcp.args.src!=8.8.8.8', [true, true, false]],
    ['net_packet_tcp.args.src=10.0.0.0/8', [true, false, false]],
    ['net_packet_tcp.args.src=10.0.0.0/8,192.168.100.0/24', [true, true, false]],
    ['net_packet_tcp.args.src!=10.0.0.0/8', [false, true, true]],
    ['net_packet_tcp.args.src=10.157.*', [true, false, false]],
    ['net_packet_tcp.args.src=::ffff:8.8.8.8', [false, false, true]],
    ['net_packet_tcp.args.src=::ffff:10.0.0.0/104', [true, false, false]],
    ['net_packet_tcp.args.dst=10.157.254.193', [true, true, true]],
    ['net_packet_tcp.args.src=fd00::/8', [false, false, false]],
  ])('%s', (expr, expected) => {
    expect(passes([expr], v4)).toEqual(expected);
  });

  const v6 = ['fd6e:a63d:71f:2000::1', 'fe80::1', '2001:db8::5'].map((srcIP) => ipv6Event({ srcIP }));
  it.each([
    ['net_packet_ipv6.args.proto_ipv6.srcIP=fd6e::/16', [true, false, false]],
    ['net_packet_ipv6.args.src=fd6e:a63d:71f:2000:0:0:0:1', [true, false, false]],
    ['net_packet_ipv6.args.src=FD6E:A63D:71F:2000::1', [true, false, false]],
    ['net_packet_ipv6.args.proto_ipv6.srcIP!=fe80::/10', [true, false, true]],
    ['net_packet_ipv6.args.proto_ipv6.srcIP=0.0.0.0/0', [false, false, false]],
    ['net_packet_ipv6.args.proto_ipv6.srcIP=::/0', [true, true, true]],
    ['net_packet_ipv6.args.proto_ipv6.srcIP=*::5', [false, false, true]],
  ])('%s', (expr, expected) => {
    expect(passes([expr], v6)).toEqual(expected);
  });

  it('CIDRs reach into struct fields and arrays of records', () => {
    const request = dnsRequestEvent(['uol.com.br'], { src_ip: '127.0.0.1' });
    expect(passes(['net_packet_dns_request.args.metadata.src_ip=127.0.0.0/8'], [request])).toEqual([true]);
    const answers = (...ips: string[]) => dnsEvent({ answers: ips.map((IP) => rr({ type: 'A', IP })) });
    const ANS = 'net_packet_dns.args.proto_dns.answers.IP';
    expect(passes([`${ANS}=65.8.0.0/16`], [answers('65.8.158.2'), answers('13.107.42.14', '65.8.1.1'), answers('140.82.112.4'), answers()])).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('Tracee argument filters on numeric args compare the printed value', () => {
  const ports = [8090, 443, 80].map((dstPort) => tcpEvent({ dstPort }));
  it.each([
    ['net_packet_tcp.args.dst_port=8090', [true, false, false]],
    ['net_packet_tcp.args.dst_port=443,80', [false, true, true]],
    ['net_packet_tcp.args.dst_port!=8090', [false, true, true]],
    ['net_packet_tcp.args.dst_port=80*', [true, false, true]],
    ['net_packet_tcp.args.dst_port=*3', [false, true, false]],
    ['net_packet_tcp.args.dst_port=*09*', [true, false, false]],
    ['net_packet_tcp.args.dst_port=08090', [false, false, false]],
  ])('%s', (expr, expected) => {
    expect(passes([expr], ports)).toEqual(expected);
  });
});

describe('paths through arrays: = and ranges hold when any element matches, != when none does', () => {
  const questions = (...names: string[]) => dnsEvent({ questions: names.map((name) => ({ name, type: 'A', class: 'IN' })) });
  const Q = 'net_packet_dns.args.proto_dns.questions.name';
  const events = [questions('www.uol.com.br'), questions('uol.com.br'), questions('github.com'), questions('github.com', 'mx.uol.com.br'), questions()];

  it('= on any element', () => {
    expect(passes([`${Q}=*.uol.com.br`], events)).toEqual([true, false, false, true, false]);
  });

  it('!= on no element; an empty array has none', () => {
    expect(passes([`${Q}!=github.com`], events)).toEqual([true, true, false, false, true]);
  });

  it('ranges per element, through nested structs', () => {
    const mx = (...prefs: number[]) => dnsEvent({ answers: prefs.map((preference) => rr({ type: 'MX', MX: { preference, name: 'mx.uol.com.br' } })) });
    const MX = 'net_packet_dns.args.proto_dns.answers.MX.preference';
    expect(passes([`${MX}<=10`], [mx(10), mx(20), mx(20, 5), mx()])).toEqual([true, false, true, false]);
    const ttl = (...TTLs: number[]) => dnsEvent({ answers: TTLs.map((TTL) => rr({ TTL })) });
    const T = 'net_packet_dns.args.proto_dns.answers.TTL';
    // One element must lie inside the range: 5 and 500 each satisfy only one bound.
    expect(passes([`${T}>10`, `${T}<100`], [ttl(5, 500), ttl(5, 50, 500)])).toEqual([false, true]);
  });

  it('arrays inside arrays (answers[].TXTs[]), and null ones as empty', () => {
    const txt = dnsEvent({ answers: [rr({ type: 'A', IP: '200.147.3.157' }), rr({ type: 'TXT', TXTs: ['v=spf1 include:spf.uol.com.br ~all'] })] });
    const none = dnsEvent({ answers: [rr({ type: 'A', IP: '200.147.3.157' })] });
    const TXTS = 'net_packet_dns.args.proto_dns.answers.TXTs';
    expect(passes([`${TXTS}=*spf.uol.com.br*`], [txt, none])).toEqual([true, false]);
    expect(passes([`${TXTS}!=*spf*`], [txt, none])).toEqual([false, true]);
  });

  it('walks other record sections and arrays of structs inside records', () => {
    const soa = dnsEvent({
      authorities: [rr({ type: 'SOA', SOA: { MName: 'a.dns.br', RName: 'root.uol.com.br', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 } })],
    });
    const opt = dnsEvent({ additionals: [rr({ type: 'OPT', OPT: [{ code: 'Cookie', data: 'x' }] })] });
    expect(passes(['net_packet_dns.args.proto_dns.authorities.SOA.RName=root.uol.com.br'], [soa, opt])).toEqual([true, false]);
    expect(passes(['net_packet_dns.args.proto_dns.additionals.OPT.code=Cookie'], [soa, opt])).toEqual([false, true]);
  });

  it('dns_response: an array of responses holding an array (or null) of answers', () => {
    const D = 'net_packet_dns_response.args.dns_response.dns_answer.answer';
    const answered = dnsResponseEvent([
      { answer_type: 'CNAME', ttl: 60, answer: 'star.l-msedge.net' },
      { answer_type: 'A', ttl: 60, answer: '65.8.158.2' },
    ]);
    const empty = dnsResponseEvent(null);
    expect(passes([`${D}=65.8.*`], [answered, empty])).toEqual([true, false]);
    expect(passes([`${D}!=65.8.*`], [answered, empty])).toEqual([false, true]);
    expect(passes(['net_packet_dns_response.args.dns_response.dns_answer.ttl>=60'], [answered, empty])).toEqual([true, false]);
    expect(passes(['net_packet_dns_response.args.dns_response.query_data.query=www.uol.com.br'], [answered])).toEqual([true]);
  });

  it('dns_questions of a request', () => {
    const Q2 = 'net_packet_dns_request.args.dns_questions.query';
    expect(passes([`${Q2}=*uol*`], [dnsRequestEvent(['www.uol.com.br']), dnsRequestEvent(['github.com'])])).toEqual([true, false]);
  });
});

describe('per-event filters', () => {
  it('restrict only their own event', () => {
    const exprs = ['net_packet_tcp.args.proto_tcp.SYN=1'];
    expect(passes(exprs, [tcpEvent({ SYN: 0 }), udpEvent(), ipv4Event()])).toEqual([false, true, true]);
  });

  it('on several events, each event pays for its own only', () => {
    const exprs = ['net_packet_tcp.args.proto_tcp.SYN=1', 'net_packet_udp.args.proto_udp.dstPort=53'];
    expect(passes(exprs, [tcpEvent({ SYN: 1 }), tcpEvent(), udpEvent({ dstPort: 53 }), udpEvent()])).toEqual([true, false, true, false]);
  });

  it('drop an event that lacks the argument, whatever the operator (Tracee)', () => {
    const full = tcpEvent();
    const lacking: TraceeEvent = { ...full, args: full.args.slice(0, 4), argsNum: 4 };
    expect(passes(['net_packet_tcp.args.proto_tcp.SYN!=1'], [full, lacking])).toEqual([true, false]);
  });
});
