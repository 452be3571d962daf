/**
 * ICMP tunnelling: data carried in echo requests and replies (icmptunnel, ptunnel, ping -p used
 * for exfiltration). Ping programs fill the echo data with a fixed pattern after an optional
 * timestamp of 8 or 16 bytes (iputils and the BSDs: bytes counting up by one; Windows: the
 * alphabet a..w repeated; some fill with one byte). Fires when the data is not such a pattern, or is larger than any single
 * frame carries (more than 1472 bytes, or an IP fragment). Once per process, peer and reason.
 */
import type { PacketInfo, Signature, SignatureContext } from '../api.ts';
import { actorData, actorOf, BoundedMap, entropy, numberSetting, reportForgotten, round2, STATE_LIMIT } from './util.ts';

const ECHO = new Set(['EchoRequest', 'EchoReply']);
/** The timestamp ping puts before the pattern: none, 8 or 16 bytes. */
const TIMESTAMP_LENGTHS = [0, 8, 16];
const HEX_SHOWN = 32;

/** Is `data` (the echo data, after identifier and sequence) a pattern some ping program writes? */
export function isPingPattern(data: Uint8Array): boolean {
  for (const start of TIMESTAMP_LENGTHS) {
    if (data.length <= start) return true;
    const first = data[start]!;
    if (matches(data, start, (i) => (first + i - start) & 0xff) || matches(data, start, (i) => 0x61 + ((i - start) % 23)) || matches(data, start, () => first))
      return true;
  }
  return false;
}

function matches(data: Uint8Array, start: number, expected: (i: number) => number): boolean {
  for (let i = start; i < data.length; i++) if (data[i] !== expected(i)) return false;
  return true;
}

export function icmpTunnel(): Signature {
  let ctx: SignatureContext;
  let maxData = 1472;
  let reported = new BoundedMap<string, true>(STATE_LIMIT);
  return {
    metadata: {
      id: 'NETREC-ICMP-TUNNEL',
      version: '1.0.0',
      name: 'ICMP tunnelling',
      description: 'Echo requests or replies carry data that is not a ping pattern, or more data than one frame holds (large or fragmented echoes).',
      tags: ['network', 'icmp', 'exfiltration', 'command-and-control'],
      properties: { Severity: 3, Category: 'command-and-control', Technique: 'Protocol Tunneling', external_id: 'T1572' },
    },
    selectedEvents: ['net_packet_icmp', 'net_packet_icmpv6'],
    init(c) {
      ctx = c;
      maxData = numberSetting(c, 'maxData', 1472);
      reported = new BoundedMap(STATE_LIMIT);
    },
    onEvent(event, packet: PacketInfo) {
      if (event.eventName !== 'net_packet_icmp' && event.eventName !== 'net_packet_icmpv6') return;
      const typeCode = event.args[2].value.typeCode;
      if (!ECHO.has(typeCode)) return;
      // ICMPv4's 8-byte header holds identifier and sequence; ICMPv6's 4-byte one does not.
      const data = event.eventName === 'net_packet_icmp' ? packet.payload : packet.payload.subarray(4);
      const reason = packet.fragment || data.length > maxData ? 'large echo' : isPingPattern(data) ? undefined : 'echo data is not a ping pattern';
      if (reason === undefined) return;
      const [src, dst] = [event.args[0].value, event.args[1].value];
      const request = typeCode === 'EchoRequest';
      const peer = request ? dst : src;
      const actor = actorOf(event);
      const key = `${actor === 'host' ? (request ? src : dst) : actor} ${peer} ${reason}`;
      if (reported.has(key)) return;
      reported.set(key, true);
      ctx.emit({
        data: {
          ...actorData(event, request ? src : dst),
          peer,
          type: typeCode,
          reason,
          dataBytes: data.length,
          fragment: packet.fragment,
          entropy: round2(entropy(data)),
          dataHex: Buffer.from(data.subarray(0, HEX_SHOWN)).toString('hex'),
        },
      });
    },
    close() {
      reportForgotten(ctx, reported);
    },
  };
}
