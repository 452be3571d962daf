/**
 * NXDOMAIN storm / DGA-like names: a process that keeps asking for names that do not exist, as
 * malware walking a domain-generation algorithm's list does. Fires when a process receives
 * NXDOMAIN for many distinct names within a window, or for fewer names that look generated
 * (long random-looking labels: high entropy or long consonant runs). Then it starts counting
 * again. Only responses the process received count.
 */
import type { Signature, SignatureContext } from '../api.ts';
import { actorData, actorOf, BoundedMap, entropy, numberSetting, received, reportForgotten, round2, STATE_LIMIT, windowSetting } from './util.ts';

const NXDOMAIN = 'non-existent domain';
const SAMPLES = 5;

interface Storm {
  since: bigint;
  names: Set<string>;
  generated: number;
}

/** The leftmost label under the registered domain looks machine-made. */
export function looksGenerated(name: string): boolean {
  const label = name.toLowerCase().split('.')[0] ?? '';
  if (label.length < 10) return false;
  const consonantRun = Math.max(0, ...(label.match(/[bcdfghjklmnpqrstvwxz]+/g) ?? []).map((r) => r.length));
  return consonantRun >= 5 || entropy(label) >= 3.5;
}

export function dnsNxdomain(): Signature {
  let ctx: SignatureContext;
  let names = 20;
  let generatedNames = 8;
  let window = 60_000_000_000n;
  let storms = new BoundedMap<string, Storm>(STATE_LIMIT);
  return {
    metadata: {
      id: 'NETREC-DNS-NXDOMAIN',
      version: '1.0.0',
      name: 'NXDOMAIN storm or DGA-like names',
      description:
        'A process receives "non-existent domain" for many distinct names within a minute, or for several names that look machine-generated (domain-generation algorithms).',
      tags: ['network', 'dns', 'dga', 'command-and-control'],
      properties: { Severity: 2, Category: 'command-and-control', Technique: 'Dynamic Resolution: Domain Generation Algorithms', external_id: 'T1568.002' },
    },
    selectedEvents: ['net_packet_dns'],
    init(c) {
      ctx = c;
      names = numberSetting(c, 'names', 20);
      generatedNames = numberSetting(c, 'generatedNames', 8);
      window = windowSetting(c, 'windowSeconds', 60);
      storms = new BoundedMap(STATE_LIMIT);
    },
    onEvent(event, packet) {
      if (event.eventName !== 'net_packet_dns' || !received(packet)) return;
      const dns = event.args[4].value;
      if (dns.QR !== 1 || dns.responseCode !== NXDOMAIN) return;
      const actor = actorOf(event);
      let s = storms.get(actor);
      if (s === undefined || event.timestamp - s.since > window) {
        s = { since: event.timestamp, names: new Set(), generated: 0 };
        storms.set(actor, s);
      }
      for (const q of dns.questions) {
        const name = q.name.toLowerCase();
        if (s.names.has(name)) continue;
        s.names.add(name);
        if (looksGenerated(name)) s.generated++;
      }
      if (s.names.size < names && s.generated < generatedNames) return;
      storms.delete(actor);
      ctx.emit({
        data: {
          ...actorData(event, event.args[1].value),
          reason: s.names.size >= names ? 'many non-existent names' : 'generated-looking names',
          distinctNames: s.names.size,
          generatedLooking: s.generated,
          seconds: round2(Number(event.timestamp - s.since) / 1e9),
          examples: [...s.names].slice(0, SAMPLES),
        },
      });
    },
    close() {
      reportForgotten(ctx, storms);
    },
  };
}
