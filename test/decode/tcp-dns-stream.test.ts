import { describe, expect, it } from 'vitest';
import { LinkType } from '../../src/core/packet.ts';
import { decodePacket, Depth } from '../../src/decode/packet.ts';
import { TcpDnsReassembler } from '../../src/decode/tcp-dns-stream.ts';
import type { TCPHeader } from '../../src/decode/types.ts';
import { concat, dnsMessage, ipv4, tcp } from '../helpers/packet-builder.ts';

function seg(seq: number, flags = 0x18): TCPHeader {
  return { srcPort: 40000, dstPort: 53, seq, ack: 1, dataOffset: 5, flags, ns: false, window: 512, checksum: 0, urgent: 0, payloadOffset: 20 };
}

/** A length-prefixed "message" of n bytes, each byte = fill. */
function framed(n: number, fill: number): Uint8Array {
  const out = new Uint8Array(n + 2);
  out[0] = n >> 8;
  out[1] = n & 0xff;
  out.fill(fill, 2);
  return out;
}

const bytes = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

describe('TcpDnsReassembler', () => {
  it('completes a message split over two segments at the second one', () => {
    const r = new TcpDnsReassembler();
    const whole = framed(30, 7);
    const first = r.push('f', seg(1000), whole.subarray(0, 10));
    expect(first.messages).toEqual([]);
    expect(first.notice).toBeUndefined();
    const second = r.push('f', seg(1010), whole.subarray(10));
    expect(second.messages.map((m) => [...m])).toEqual([Array(30).fill(7)]);
    expect(r.incompleteFlows()).toBe(0);
  });

  it('returns every message of a segment that carries two and the start of a third', () => {
    const r = new TcpDnsReassembler();
    const third = framed(5, 3);
    const out = r.push('f', seg(1), bytes(framed(4, 1), framed(6, 2), third.subarray(0, 3)));
    expect(out.messages.map((m) => m.length)).toEqual([4, 6]);
    expect(r.incompleteFlows()).toBe(1);
    expect(r.push('f', seg(1 + 6 + 8 + 3), third.subarray(3)).messages.map((m) => [...m])).toEqual([[3, 3, 3, 3, 3]]);
  });

  it('ignores the bytes of a retransmitted segment it already has', () => {
    const r = new TcpDnsReassembler();
    const whole = framed(20, 9);
    r.push('f', seg(500), whole.subarray(0, 12));
    const again = r.push('f', seg(500), whole.subarray(0, 12));
    expect(again.messages).toEqual([]);
    expect(again.notice).toBeUndefined();
    expect(r.push('f', seg(512), whole.subarray(12)).messages).toHaveLength(1);
  });

  it('counts the data of a SYN segment from seq + 1', () => {
    const r = new TcpDnsReassembler();
    const whole = framed(8, 4);
    r.push('f', seg(99, 0x02), whole.subarray(0, 4));
    expect(r.push('f', seg(104), whole.subarray(4)).messages).toHaveLength(1);
  });

  it('reports a gap as a benign notice and drops the partial message', () => {
    const r = new TcpDnsReassembler();
    r.push('f', seg(1), framed(40, 1).subarray(0, 10));
    const after = r.push('f', seg(31), framed(3, 5));
    expect(after.notice?.kind).toBe('benign');
    expect(after.notice?.message).toBe('20 bytes of the TCP stream are missing from the capture; 10 buffered bytes of a DNS message dropped');
    expect(after.messages.map((m) => [...m])).toEqual([[5, 5, 5]]);
  });

  it('reports a flow that ends with FIN in the middle of a message', () => {
    const r = new TcpDnsReassembler();
    const out = r.push('f', seg(1, 0x19), framed(10, 1).subarray(0, 6));
    expect(out.notice?.message).toBe('flow ended with 6 bytes of an incomplete DNS message');
    expect(r.incompleteFlows()).toBe(0);
  });

  it('keeps flows apart', () => {
    const r = new TcpDnsReassembler();
    const a = framed(4, 1);
    const b = framed(4, 2);
    r.push('a', seg(1), a.subarray(0, 3));
    r.push('b', seg(1), b.subarray(0, 3));
    expect([...r.push('b', seg(4), b.subarray(3)).messages[0]!]).toEqual([2, 2, 2, 2]);
    expect([...r.push('a', seg(4), a.subarray(3)).messages[0]!]).toEqual([1, 1, 1, 1]);
  });
});

describe('DNS over TCP recorded at both ends', () => {
  const query = dnsMessage({ ID: 0x4242, QR: 0, RD: 1, questions: [{ name: 'netrec.test', type: 'MX', class: 'IN' }] });
  const framedQuery = concat(Uint8Array.of(query.length >> 8, query.length & 0xff), query);
  const segment = (seq: number, payload: Uint8Array): Uint8Array =>
    ipv4({ protocol: 'TCP', srcIP: '172.16.17.1', dstIP: '172.16.17.2', payload: tcp({ srcPort: 40000, dstPort: 53, seq, ACK: 1, PSH: 1, payload }) });
  // The client's egress copy and the server's ingress copy of each segment, as a recording holds them.
  const first = segment(1000, framedQuery.subarray(0, 9));
  const second = segment(1009, framedQuery.subarray(9));

  it('gives each copy its own stream, so both ends see the query', () => {
    const streams = new TcpDnsReassembler();
    const out = [
      decodePacket(first, LinkType.RAW, Depth.Application, streams, 'egress'),
      decodePacket(first, LinkType.RAW, Depth.Application, streams, 'ingress'),
      decodePacket(second, LinkType.RAW, Depth.Application, streams, 'egress'),
      decodePacket(second, LinkType.RAW, Depth.Application, streams, 'ingress'),
    ];
    expect(out.map((d) => d.dns.map((m) => m.id))).toEqual([[], [], [0x4242], [0x4242]]);
    expect(out.map((d) => d.error)).toEqual([undefined, undefined, undefined, undefined]);
    expect(streams.incompleteFlows()).toBe(0);
  });

  it('without a direction (a pcap), a second copy is a retransmission and adds nothing', () => {
    const streams = new TcpDnsReassembler();
    const out = [first, first, second, second].map((p) => decodePacket(p, LinkType.RAW, Depth.Application, streams));
    expect(out.map((d) => d.dns.length)).toEqual([0, 0, 1, 0]);
  });
});
