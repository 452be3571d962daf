/**
 * TCP SYN scan: one scanner sends SYNs to many ports of one host within a window, and few of
 * them complete a handshake (a SYN-ACK comes back for open ports only). The scanner is the
 * process that sent the SYNs, or for captures without process context its address. Fires once
 * per scanner and target per window.
 */
import type { Signature, SignatureContext } from '../api.ts';
import { actorData, actorOf, BoundedMap, numberSetting, received, reportForgotten, round2, sent, STATE_LIMIT, windowSetting } from './util.ts';

interface Probe {
  since: bigint;
  ports: Set<number>;
  /** Ports that answered SYN-ACK. */
  open: Set<number>;
  reported: boolean;
}

export function synScan(): Signature {
  let ctx: SignatureContext;
  let minPorts = 20;
  let maxOpenRatio = 0.5;
  let window = 60_000_000_000n;
  let probes = new BoundedMap<string, Probe>(STATE_LIMIT);
  return {
    metadata: {
      id: 'NETREC-SYN-SCAN',
      version: '1.0.0',
      name: 'TCP SYN port scan',
      description: 'One process (or address) sends SYNs to many ports of one host within a minute, and few handshakes complete.',
      tags: ['network', 'tcp', 'discovery'],
      properties: { Severity: 2, Category: 'discovery', Technique: 'Network Service Discovery', external_id: 'T1046' },
    },
    selectedEvents: ['net_packet_tcp'],
    init(c) {
      ctx = c;
      minPorts = numberSetting(c, 'minPorts', 20);
      maxOpenRatio = numberSetting(c, 'maxOpenRatio', 0.5);
      window = windowSetting(c, 'windowSeconds', 60);
      probes = new BoundedMap(STATE_LIMIT);
    },
    onEvent(event, packet) {
      if (event.eventName !== 'net_packet_tcp') return;
      const tcp = event.args[4].value;
      if (tcp.SYN !== 1) return;
      const [src, dst] = [event.args[0].value, event.args[1].value];
      const actor = actorOf(event);
      if (tcp.ACK === 1) {
        // The target's answer: it reaches the scanner's socket (or, in a capture, its address).
        if (!received(packet)) return;
        const probe = probes.get(`${actor === 'host' ? dst : actor} ${src}`);
        if (probe?.ports.has(tcp.srcPort)) probe.open.add(tcp.srcPort);
        return;
      }
      if (!sent(packet)) return;
      const key = `${actor === 'host' ? src : actor} ${dst}`;
      let probe = probes.get(key);
      if (probe === undefined || event.timestamp - probe.since > window) {
        probe = { since: event.timestamp, ports: new Set(), open: new Set(), reported: false };
        probes.set(key, probe);
      }
      probe.ports.add(tcp.dstPort);
      if (probe.reported || probe.ports.size < minPorts) return;
      // Open ports answer at once: judge by the ports probed before this one.
      const ratio = probe.open.size / (probe.ports.size - 1);
      if (ratio > maxOpenRatio) return;
      probe.reported = true;
      ctx.emit({
        data: {
          ...actorData(event, src),
          target: dst,
          ports: probe.ports.size,
          open: [...probe.open].sort((a, b) => a - b),
          openRatio: round2(ratio),
          seconds: round2(Number(event.timestamp - probe.since) / 1e9),
        },
      });
    },
    close() {
      reportForgotten(ctx, probes);
    },
  };
}
