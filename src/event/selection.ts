import { Depth } from '../decode/packet.ts';
import { EVENT_NAMES, type EventName } from './types.ts';

/** A set of network events as a bitmask over EVENT_NAMES, cheap to test per packet. */
export type EventMask = number;

export const ALL_EVENTS: EventMask = (1 << EVENT_NAMES.length) - 1;

export function eventBit(name: EventName): EventMask {
  return 1 << EVENT_NAMES.indexOf(name);
}

export function maskOf(names: Iterable<EventName>): EventMask {
  let mask = 0;
  for (const name of names) mask |= eventBit(name);
  return mask;
}

export function namesOf(mask: EventMask): EventName[] {
  return EVENT_NAMES.filter((name) => (mask & eventBit(name)) !== 0);
}

export const TRANSPORT_EVENTS = maskOf(['net_packet_tcp', 'net_packet_udp', 'net_packet_icmp', 'net_packet_icmpv6']);
export const DNS_EVENTS = maskOf(['net_packet_dns', 'net_packet_dns_request', 'net_packet_dns_response']);

/** The decode depth the selected events need; deeper layers are never decoded. */
export function depthFor(mask: EventMask): Depth {
  if (mask & DNS_EVENTS) return Depth.Application;
  if (mask & TRANSPORT_EVENTS) return Depth.Transport;
  return Depth.Network;
}
