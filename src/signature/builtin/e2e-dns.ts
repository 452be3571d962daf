/**
 * Tracee v0.10's e2e DNS test signature (tests/e2e-net-rules/e2e-dns.go), ported as it is:
 * metadata, selection and logic unchanged. It fires once all four answers have been seen
 * (in any DNS messages, in any order), then starts over. Its HOWTO:
 *
 *   nslookup -type=mx uol.com.br; nslookup -type=ns uol.com.br;
 *   nslookup -type=soa uol.com.br; nslookup -type=txt uol.com.br
 */
import type { Signature, SignatureContext } from '../api.ts';

export function e2eDns(): Signature {
  let ctx: SignatureContext;
  let foundMX = false;
  let foundNS = false;
  let foundSOA = false;
  let foundTXTs = false;
  return {
    metadata: {
      id: 'DNS',
      version: '0.1.0',
      name: 'Network DNS Test',
      description: 'Network E2E Tests: DNS',
      tags: ['e2e', 'network'],
    },
    selectedEvents: ['net_packet_dns'],
    init(c) {
      ctx = c;
      foundMX = false;
      foundNS = false;
      foundSOA = false;
      foundTXTs = false;
    },
    onEvent(event) {
      if (event.eventName !== 'net_packet_dns') return;
      const dns = ctx.helpers.getProtoDNSByName(event, 'proto_dns');
      for (const answer of dns.answers) {
        if (answer.MX.name === 'mx.uol.com.br' && answer.MX.preference === 10) foundMX = true;
        if (answer.NS === 'eliot.uol.com.br') foundNS = true;
        if (answer.SOA.RName === 'root.uol.com.br') foundSOA = true;
        if (answer.TXTs?.some((txt) => txt.includes('spf.uol.com.br'))) foundTXTs = true;
      }
      if (!foundMX || !foundNS || !foundSOA || !foundTXTs) return;
      foundMX = false;
      foundNS = false;
      foundSOA = false;
      foundTXTs = false;
      ctx.emit({ data: {} });
    },
  };
}
