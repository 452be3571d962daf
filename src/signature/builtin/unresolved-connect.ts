/**
 * A connection to an address the process never resolved: the process opens a TCP connection
 * (a SYN it sent) to an address that no DNS answer it received held. Malware reaching a
 * hard-coded address, or a shell connecting back, does that; a browser or curl resolves first.
 *
 * Limits (docs/signatures.md): hosts that resolve through a local service over a Unix socket
 * (systemd-resolved's nss-resolve, nscd) show no DNS packets in the process; config
 * `anyProcess: true` then accepts an address resolved by any process. Loopback and the DNS
 * port are never reported; config `ignore` adds addresses or CIDRs. Once per process and address.
 */
import type { Signature, SignatureContext } from '../api.ts';
import { inAnyCidr } from '../../filter/ip.ts';
import { actorData, actorOf, BoundedMap, cidrSetting, received, reportForgotten, sent, STATE_LIMIT } from './util.ts';

/** Addresses one process resolved; bounded per process too. */
const PER_PROCESS = 4096;
const ANY = '*';

export function unresolvedConnect(): Signature {
  let ctx: SignatureContext;
  let ignored: (address: unknown) => boolean = () => false;
  let anyProcess = false;
  let resolved = new BoundedMap<string, BoundedMap<string, true>>(STATE_LIMIT);
  let reported = new BoundedMap<string, true>(STATE_LIMIT);
  const resolvedBy = (actor: string, address: string): boolean =>
    resolved.get(actor)?.has(address) === true || (anyProcess && resolved.get(ANY)?.has(address) === true);
  return {
    metadata: {
      id: 'NETREC-UNRESOLVED-CONNECT',
      version: '1.0.0',
      name: 'Connection to an address the process never resolved',
      description: 'A process opens a TCP connection to an address that no DNS answer it received contained (a hard-coded address).',
      tags: ['network', 'dns', 'command-and-control'],
      properties: { Severity: 1, Category: 'command-and-control', Technique: 'Non-Application Layer Protocol', external_id: 'T1095' },
    },
    selectedEvents: ['net_packet_dns', 'net_packet_tcp'],
    init(c) {
      ctx = c;
      ignored = inAnyCidr(cidrSetting(c, 'ignore', ['127.0.0.0/8', '::1/128']));
      const any = c.config.anyProcess ?? false;
      if (typeof any !== 'boolean') throw new Error('config anyProcess must be true or false');
      anyProcess = any;
      resolved = new BoundedMap(STATE_LIMIT);
      reported = new BoundedMap(STATE_LIMIT);
    },
    onEvent(event, packet) {
      const actor = actorOf(event);
      if (event.eventName === 'net_packet_dns') {
        const dns = event.args[4].value;
        if (dns.QR !== 1 || !received(packet)) return;
        for (const a of dns.answers) {
          if (a.IP === '' || (a.type !== 'A' && a.type !== 'AAAA')) continue;
          resolved.upsert(actor, () => new BoundedMap(PER_PROCESS)).add(a.IP, true);
          if (anyProcess) resolved.upsert(ANY, () => new BoundedMap(STATE_LIMIT)).add(a.IP, true);
        }
        return;
      }
      if (event.eventName !== 'net_packet_tcp' || !sent(packet)) return;
      const tcp = event.args[4].value;
      const address = event.args[1].value;
      if (tcp.SYN !== 1 || tcp.ACK !== 0 || tcp.dstPort === 53 || ignored(address) || resolvedBy(actor, address)) return;
      const key = `${actor} ${address}`;
      if (reported.has(key)) return;
      reported.set(key, true);
      ctx.emit({ data: { ...actorData(event, event.args[0].value), address, port: tcp.dstPort } });
    },
    close() {
      reportForgotten(ctx, resolved, reported);
    },
  };
}
