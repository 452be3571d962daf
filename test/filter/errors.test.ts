/**
 * Usage errors of argument and header-field filters: each is one line quoting the expression
 * and naming what would have been valid. (Selection, scope and context errors are tested with
 * those filters.)
 */
import { describe, expect, it } from 'vitest';
import { EVENT_NAMES } from '../../src/event/types.ts';
import { errorOf } from './fixtures.ts';

const TCP_FIELDS = 'srcPort, dstPort, seq, ack, dataOffset, FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, NS, window, checksum, urgent';
const TCP_ARGS = 'src, dst, src_port, dst_port, proto_tcp';

describe('names that do not resolve', () => {
  it.each([
    ['net_packet_http.args.src=1', `unknown event 'net_packet_http' (valid: ${EVENT_NAMES.join(', ')})`],
    ['net_packet_dns*.args.src=1', `unknown event 'net_packet_dns*' (valid: ${EVENT_NAMES.join(', ')})`],
    ['net_packet_tcp.args.sport=1', `net_packet_tcp has no argument 'sport' (valid: ${TCP_ARGS})`],
    ['net_packet_tcp.args=1', `net_packet_tcp has no argument '' (valid: ${TCP_ARGS})`],
    ['net_packet_dns_request.args.src=1', "net_packet_dns_request has no argument 'src' (valid: metadata, dns_questions)"],
    ['net_packet_tcp.args.proto_tcp.syn=1', `net_packet_tcp.args.proto_tcp has no field 'syn' (valid: ${TCP_FIELDS})`],
    ['net_packet_tcp.args.proto_tcp.constructor=1', `net_packet_tcp.args.proto_tcp has no field 'constructor' (valid: ${TCP_FIELDS})`],
    ['net_packet_tcp.args.proto_udp.dstPort=53', `net_packet_tcp has no argument 'proto_udp' (valid: ${TCP_ARGS})`],
    [
      'net_packet_dns.args.proto_dns.answers.mx.preference=10',
      "net_packet_dns.args.proto_dns.answers has no field 'mx' (valid: name, type, class, TTL, IP, NS, CNAME, PTR, TXTs, SOA, SRV, MX, OPT, URI, TXT)",
    ],
    ['net_packet_tcp.args.proto_tcp.SYN.bit=1', "net_packet_tcp.args.proto_tcp.SYN is a number and has no field 'bit'"],
    ['net_packet_tcp.args.src.len=1', "net_packet_tcp.args.src is an IP address and has no field 'len'"],
    ['net_packet_dns.args.proto_dns.answers.TXTs.x=1', "net_packet_dns.args.proto_dns.answers.TXTs is a string and has no field 'x'"],
  ])('%s', (expr, reason) => {
    expect(errorOf([expr])).toBe(`invalid filter '${expr}': ${reason}`);
  });
});

describe('structs must be filtered through their fields', () => {
  it.each([
    [
      'net_packet_tcp.args.proto_tcp=1',
      `net_packet_tcp.args.proto_tcp is a struct: filter one of its fields, net_packet_tcp.args.proto_tcp.<field> (fields: ${TCP_FIELDS})`,
    ],
    [
      'net_packet_dns_request.args.dns_questions=uol.com.br',
      'net_packet_dns_request.args.dns_questions holds structs: filter one of their fields, net_packet_dns_request.args.dns_questions.<field> (fields: query, query_type, query_class)',
    ],
    [
      'net_packet_dns.args.proto_dns.answers.MX=10',
      'net_packet_dns.args.proto_dns.answers.MX is a struct: filter one of its fields, net_packet_dns.args.proto_dns.answers.MX.<field> (fields: preference, name)',
    ],
    [
      'net_packet_dns_response.args.dns_response.dns_answer=x',
      'net_packet_dns_response.args.dns_response.dns_answer holds structs: filter one of their fields, net_packet_dns_response.args.dns_response.dns_answer.<field> (fields: answer_type, ttl, answer)',
    ],
  ])('%s', (expr, reason) => {
    expect(errorOf([expr])).toBe(`invalid filter '${expr}': ${reason}`);
  });
});

describe('operators and values that do not fit the type', () => {
  const SYN = 'net_packet_tcp.args.proto_tcp.SYN';
  const ANSWER = 'net_packet_dns_response.args.dns_response.dns_answer.answer';
  it.each([
    [`${SYN}=yes`, `'yes' is not a number: ${SYN} is a number (decimal integers only)`],
    [`${SYN}=1.5`, `'1.5' is not a number: ${SYN} is a number (decimal integers only)`],
    [`${SYN}=-1`, `'-1' is not a number: ${SYN} is a number (decimal integers only)`],
    [`${SYN}<0x10`, `'0x10' is not a number: ${SYN} is a number (decimal integers only)`],
    [`${SYN}=1*`, `'1*' is not a number: ${SYN} is a number (* wildcards apply to strings only)`],
    [`${SYN}=10.0.0.0/8`, `'10.0.0.0/8' is not a number: ${SYN} is a number (CIDR values apply to IP fields only)`],
    [`${SYN}>9007199254740992`, `9007199254740992 is out of range for ${SYN} (at most 9007199254740991)`],
    ['net_packet_dns.args.proto_dns.questions.name>a', "'>' does not apply to net_packet_dns.args.proto_dns.questions.name, a string (valid: = !=)"],
    ['net_packet_tcp.args.src<10.0.0.1', "'<' does not apply to net_packet_tcp.args.src, an IP address (valid: = !=)"],
    ['net_packet_ipv4.args.proto_ipv4.srcIP>=10.0.0.0/8', "'>=' does not apply to net_packet_ipv4.args.proto_ipv4.srcIP, an IP address (valid: = !=)"],
    [
      'net_packet_tcp.args.dst_port<1024',
      "'<' does not apply to net_packet_tcp.args.dst_port, an argument compared as the text Tracee prints for it (valid: = !=); " +
        'to compare numerically use a header field, e.g. net_packet_tcp.args.proto_tcp.dstPort<1024',
    ],
    ['net_packet_tcp.args.src=foo', "'foo' is not an IP address (net_packet_tcp.args.src takes addresses, CIDRs such as 10.0.0.0/8, and * wildcards)"],
    ['net_packet_tcp.args.src=10.0.0', "'10.0.0' is not an IP address (net_packet_tcp.args.src takes addresses, CIDRs such as 10.0.0.0/8, and * wildcards)"],
    ['net_packet_tcp.args.src=10.0.0.0/33', "bad CIDR '10.0.0.0/33' (expected address/prefix length, e.g. 10.0.0.0/8 or fd00::/8)"],
    ['net_packet_ipv6.args.proto_ipv6.dstIP=fd6e::/', "bad CIDR 'fd6e::/' (expected address/prefix length, e.g. 10.0.0.0/8 or fd00::/8)"],
    ['net_packet_ipv6.args.proto_ipv6.dstIP=fd6e::/129', "bad CIDR 'fd6e::/129' (expected address/prefix length, e.g. 10.0.0.0/8 or fd00::/8)"],
    [`${ANSWER}=65.8.0.0/16`, `'65.8.0.0/16' is a CIDR, but ${ANSWER} is not an IP field`],
    ['net_packet_tcp.args.dst_port=10.0.0.0/8', "'10.0.0.0/8' is a CIDR, but net_packet_tcp.args.dst_port is not an IP field"],
    ['net_packet_tcp.args.src=*', "'*' is not a valid value (a wildcard needs text: abc*, *abc, *abc*)"],
    ['net_packet_tcp.args.src', 'net_packet_tcp.args.src needs an operator and values, e.g. net_packet_tcp.args.src=...'],
  ])('%s', (expr, reason) => {
    expect(errorOf([expr])).toBe(`invalid filter '${expr}': ${reason}`);
  });

  it('reports a bad value in a later flag of the same field', () => {
    expect(errorOf([`${SYN}=1`, `${SYN}=x`])).toBe(`invalid filter '${SYN}=x': 'x' is not a number: ${SYN} is a number (decimal integers only)`);
  });

  it('checks filters on events that are not selected too', () => {
    expect(errorOf(['event=net_packet_udp', `${SYN}=x`])).toBe(`invalid filter '${SYN}=x': 'x' is not a number: ${SYN} is a number (decimal integers only)`);
  });
});
