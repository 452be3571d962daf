import { describe, expect, it } from 'vitest';
import { ALL_EVENTS, maskOf, namesOf } from '../../src/event/selection.ts';
import { EVENT_NAMES } from '../../src/event/types.ts';
import { compileFilters } from '../../src/filter/compile.ts';
import { errorOf } from './fixtures.ts';

const selected = (...exprs: string[]) => namesOf(compileFilters(exprs, { hasProcessContext: false }).events);

describe('event selection', () => {
  it('defaults to every network event, with nothing to run per event', () => {
    const f = compileFilters([], { hasProcessContext: false });
    expect(f.events).toBe(ALL_EVENTS);
    expect(f.accept).toBeUndefined();
    expect(f.warnings).toEqual([]);
  });

  it('event= selects, with values ORed within and across flags', () => {
    expect(selected('event=net_packet_tcp,net_packet_udp')).toEqual(['net_packet_tcp', 'net_packet_udp']);
    expect(selected('event=net_packet_tcp', 'event=net_packet_dns')).toEqual(['net_packet_tcp', 'net_packet_dns']);
  });

  it('accepts any prefix of "event" as the name', () => {
    expect(selected('e=net_packet_icmp')).toEqual(['net_packet_icmp']);
    expect(selected('ev=net_packet_icmp')).toEqual(['net_packet_icmp']);
  });

  it('takes a prefix wildcard', () => {
    expect(selected('event=net_packet_dns*')).toEqual(['net_packet_dns', 'net_packet_dns_request', 'net_packet_dns_response']);
    expect(selected('event=net_packet_icmp*')).toEqual(['net_packet_icmp', 'net_packet_icmpv6']);
  });

  it('event!= excludes, from the selection or from all events', () => {
    expect(selected('event=net_packet_dns*', 'event!=net_packet_dns')).toEqual(['net_packet_dns_request', 'net_packet_dns_response']);
    expect(selected('event!=net_packet_ipv4,net_packet_ipv6')).toEqual(EVENT_NAMES.slice(2));
  });

  it('set=network_events selects all; set!= is ignored, as in Tracee', () => {
    expect(compileFilters(['s=network_events'], { hasProcessContext: false }).events).toBe(ALL_EVENTS);
    expect(selected('event=net_packet_tcp', 'set!=network_events')).toEqual(['net_packet_tcp']);
  });

  it('an arg, header or context filter does not select its event', () => {
    expect(selected('net_packet_tcp.args.proto_tcp.SYN=1')).toEqual(EVENT_NAMES);
    expect(compileFilters(['event=net_packet_udp', 'net_packet_udp.args.dst_port=53'], { hasProcessContext: false }).events).toBe(maskOf(['net_packet_udp']));
  });

  it('warns about a filter on an event that is not selected', () => {
    const f = compileFilters(['event=net_packet_udp', 'net_packet_tcp.args.proto_tcp.SYN=1'], { hasProcessContext: false });
    expect(f.warnings).toEqual(["filter 'net_packet_tcp.args.proto_tcp.SYN=1' has no effect: net_packet_tcp is not selected"]);
    expect(f.accept).toBeUndefined();
  });

  const valid = EVENT_NAMES.join(', ');
  it.each([
    ['event=net_packet_http', `invalid filter 'event=net_packet_http': unknown event 'net_packet_http' (valid: ${valid}; a trailing * matches a prefix)`],
    ['event=http*', `invalid filter 'event=http*': unknown event 'http*' (valid: ${valid}; a trailing * matches a prefix)`],
    ['event=net_*_dns*', `invalid filter 'event=net_*_dns*': unknown event 'net_*_dns*' (valid: ${valid}; a trailing * matches a prefix)`],
    ['event<net_packet_tcp', "invalid filter 'event<net_packet_tcp': event takes = or !="],
    ['event', "invalid filter 'event': event takes = or !="],
    ['set=default', "invalid filter 'set=default': unknown set 'default' (valid: network_events)"],
    ['set>network_events', "invalid filter 'set>network_events': set takes ="],
  ])('%s is a usage error naming the valid choices', (expr, message) => {
    expect(errorOf([expr])).toBe(message);
  });
});
