/**
 * Queries to a resolver outside an allowlist: a process that talks DNS to a server of its own
 * choosing (a hard-coded public resolver, an attacker's name server) instead of the host's.
 * The allowlist is the config entry `allow` (addresses or CIDRs); by default loopback, private,
 * link-local and unique-local networks, so a direct query to a public resolver fires. Once per
 * process and resolver.
 */
import type { Signature, SignatureContext } from '../api.ts';
import { inAnyCidr } from '../../filter/ip.ts';
import { actorData, actorOf, BoundedMap, cidrSetting, LOCAL_NETWORKS, reportForgotten, sent, STATE_LIMIT } from './util.ts';

export function dnsResolver(): Signature {
  let ctx: SignatureContext;
  let allowed: (address: unknown) => boolean = () => true;
  let reported = new BoundedMap<string, true>(STATE_LIMIT);
  return {
    metadata: {
      id: 'NETREC-DNS-RESOLVER',
      version: '1.0.0',
      name: 'DNS query to a resolver outside the allowlist',
      description: 'A process sends DNS queries to a server that is not one of the allowed resolvers (config "allow"; default: loopback and private networks).',
      tags: ['network', 'dns', 'command-and-control'],
      properties: { Severity: 2, Category: 'command-and-control', Technique: 'Application Layer Protocol: DNS', external_id: 'T1071.004' },
    },
    selectedEvents: ['net_packet_dns'],
    init(c) {
      ctx = c;
      // Few distinct resolvers, many queries: each address is matched against the list once.
      const inList = inAnyCidr(cidrSetting(c, 'allow', LOCAL_NETWORKS));
      const verdicts = new BoundedMap<unknown, boolean>(1024);
      allowed = (address) => {
        let verdict = verdicts.get(address);
        if (verdict === undefined) {
          verdict = inList(address);
          verdicts.set(address, verdict);
        }
        return verdict;
      };
      reported = new BoundedMap(STATE_LIMIT);
    },
    onEvent(event, packet) {
      if (event.eventName !== 'net_packet_dns' || !sent(packet)) return;
      const dns = event.args[4].value;
      const resolver = event.args[1].value;
      if (dns.QR !== 0 || allowed(resolver)) return;
      const key = `${actorOf(event)} ${resolver}`;
      if (reported.has(key)) return;
      reported.set(key, true);
      ctx.emit({
        data: {
          ...actorData(event, event.args[0].value),
          resolver,
          port: event.args[3].value,
          question: dns.questions[0]?.name ?? '',
        },
      });
    },
    close() {
      reportForgotten(ctx, reported);
    },
  };
}
