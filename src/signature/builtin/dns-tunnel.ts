/**
 * DNS tunnelling / exfiltration: data smuggled out in query names. Two tells, per process and
 * registered domain: a label that looks encoded (long, high entropy, with digits: hex, base32,
 * base64 chunks), or many distinct names under one domain in a short time (each query carries a
 * new chunk). Only queries the process sent count, not the copies its DNS server received.
 */
import type { Signature, SignatureContext } from '../api.ts';
import { actorData, actorOf, baseDomain, BoundedMap, entropy, numberSetting, reportForgotten, round2, sent, STATE_LIMIT, windowSetting } from './util.ts';

interface Seen {
  since: bigint;
  names: Set<string>;
}

export function dnsTunnel(): Signature {
  let ctx: SignatureContext;
  let longLabel = 30;
  let minEntropy = 3.5;
  let uniqueNames = 40;
  let window = 60_000_000_000n;
  let seen = new BoundedMap<string, Seen>(STATE_LIMIT);
  let reported = new BoundedMap<string, true>(STATE_LIMIT);
  return {
    metadata: {
      id: 'NETREC-DNS-TUNNEL',
      version: '1.0.0',
      name: 'DNS tunnelling or exfiltration',
      description: 'A process sends DNS queries whose names carry data: a long high-entropy label, or many distinct names under one domain within a minute.',
      tags: ['network', 'dns', 'exfiltration'],
      properties: { Severity: 3, Category: 'exfiltration', Technique: 'Exfiltration Over Alternative Protocol', external_id: 'T1048' },
    },
    selectedEvents: ['net_packet_dns'],
    init(c) {
      ctx = c;
      longLabel = numberSetting(c, 'longLabel', 30);
      minEntropy = numberSetting(c, 'minEntropy', 3.5);
      uniqueNames = numberSetting(c, 'uniqueNames', 40);
      window = windowSetting(c, 'windowSeconds', 60);
      seen = new BoundedMap(STATE_LIMIT);
      reported = new BoundedMap(STATE_LIMIT);
    },
    onEvent(event, packet) {
      if (event.eventName !== 'net_packet_dns' || !sent(packet)) return;
      const dns = event.args[4].value;
      if (dns.QR !== 0) return;
      const actor = actorOf(event);
      for (const q of dns.questions) {
        const name = q.name.toLowerCase();
        const domain = baseDomain(name);
        if (domain.length >= name.length - 1 || domain === '') continue;
        const key = `${actor} ${domain}`;
        if (reported.has(key)) continue;
        const fire = (data: Record<string, string | number>): void => {
          reported.set(key, true);
          seen.delete(key);
          ctx.emit({ data: { ...actorData(event, event.args[0].value), domain, name: q.name, ...data } });
        };
        const sub = name.slice(0, name.length - domain.length - 1);
        const encoded = sub.length < longLabel ? undefined : sub.split('.').find((l) => l.length >= longLabel && /\d/.test(l) && entropy(l) >= minEntropy);
        if (encoded !== undefined) {
          fire({ reason: 'long encoded label', labelLength: encoded.length, entropy: round2(entropy(encoded)) });
          continue;
        }
        let s = seen.get(key);
        if (s === undefined || event.timestamp - s.since > window) {
          s = { since: event.timestamp, names: new Set() };
          seen.set(key, s);
        }
        s.names.add(name);
        if (s.names.size >= uniqueNames)
          fire({ reason: 'many distinct names', distinctNames: s.names.size, seconds: round2(Number(event.timestamp - s.since) / 1e9) });
      }
    },
    close() {
      reportForgotten(ctx, seen, reported);
    },
  };
}
