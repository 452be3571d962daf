/**
 * The filter schema against the events netrec really builds: arg names, Tracee types, order,
 * and every struct's keys, in order, with leaf types. Checked on hand-built events and on the
 * events the pipeline builds from real captures; then every leaf path must compile as a filter.
 */
import { describe, expect, it } from 'vitest';
import { replay } from '../../src/pipeline/replay.ts';
import { ALL_EVENTS } from '../../src/event/selection.ts';
import { EVENT_NAMES, type EventName, type TraceeEvent } from '../../src/event/types.ts';
import { compileFilters } from '../../src/filter/compile.ts';
import { EVENT_ARGS, type FieldType } from '../../src/filter/schema.ts';
import { openCapture } from '../../src/replay/open.ts';
import { dnsEvent, dnsRequestEvent, dnsResponseEvent, icmpEvent, icmpv6Event, ipv4Event, ipv6Event, rr, tcpEvent, udpEvent } from './fixtures.ts';
import { memorySink } from '../helpers/memory-sink.ts';

/** Where `value` differs from `type`, as "path: problem" lines. */
function mismatches(value: unknown, type: FieldType, path: string): string[] {
  switch (type.kind) {
    case 'string':
    case 'ip':
      return typeof value === 'string' ? [] : [`${path}: ${JSON.stringify(value)} is not a string`];
    case 'number':
      return typeof value === 'number' ? [] : [`${path}: ${JSON.stringify(value)} is not a number`];
    case 'array':
      if (value === null) return [];
      if (!Array.isArray(value)) return [`${path}: not an array`];
      return value.flatMap((v, i) => mismatches(v, type.of, `${path}[${i}]`));
    case 'struct': {
      if (value === null || typeof value !== 'object') return [`${path}: not an object`];
      const keys = Object.keys(value);
      const want = Object.keys(type.fields);
      if (keys.join() !== want.join()) return [`${path}: keys ${keys.join(',')} instead of ${want.join(',')}`];
      return want.flatMap((k) => mismatches((value as Record<string, unknown>)[k], type.fields[k]!, `${path}.${k}`));
    }
  }
}

function eventMismatches(e: TraceeEvent): string[] {
  const schema = EVENT_ARGS[e.eventName];
  const shape = e.args.map((a) => `${a.name}:${a.type}`).join(' ');
  const want = schema.map((a) => `${a.name}:${a.type}`).join(' ');
  if (shape !== want) return [`${e.eventName}: args ${shape} instead of ${want}`];
  return e.args.flatMap((a, i) => mismatches(a.value, schema[i]!.value, `${e.eventName}.args.${a.name}`));
}

describe('schema', () => {
  it('matches hand-built events of every kind', () => {
    const events = [
      ipv4Event(),
      ipv6Event(),
      tcpEvent(),
      udpEvent(),
      icmpEvent(),
      icmpv6Event(),
      dnsEvent({
        answers: [rr({ type: 'TXT', TXTs: ['a', 'b'] }), rr({ type: 'OPT', OPT: [{ code: 'Cookie', data: '' }] })],
        authorities: [rr({ type: 'SOA' })],
      }),
      dnsRequestEvent(['uol.com.br']),
      dnsResponseEvent([{ answer_type: 'A', ttl: 5, answer: '1.2.3.4' }]),
      dnsResponseEvent(null),
    ];
    expect(new Set(events.map((e) => e.eventName))).toEqual(new Set(EVENT_NAMES));
    expect(events.flatMap(eventMismatches)).toEqual([]);
  });

  it('matches the events the pipeline builds from real captures', async () => {
    const files = [
      'pcapplusplus__IcmpPackets.pcapng',
      'tcpdump__icmpv6.pcap',
      'zeek__dns__hinfo.pcap',
      'tcpdump__dns-uri.pcap',
      'suricata-verify__dns-udp-eve-log-srv.pcap',
      'pcapplusplus__dns_over_tcp.pcapng',
      'zeek__dnssec__nsec3.pcap',
      'tcpdump__dns-badcookie.pcap',
    ];
    const events: TraceeEvent[] = [];
    const sink = memorySink(events);
    const sources = await Promise.all(files.map((f) => openCapture(`/work/shared/pcaps/${f}`)));
    await replay({ sources, events: ALL_EVENTS, sink });
    expect(new Set(events.map((e) => e.eventName))).toEqual(new Set(EVENT_NAMES));
    expect(events.flatMap(eventMismatches)).toEqual([]);
  });

  it('every leaf path compiles as a filter', () => {
    const sample: Record<'string' | 'ip' | 'number', string> = { string: 'x', ip: '10.0.0.0/8', number: '1' };
    const leaves = (type: FieldType, path: string): string[] => {
      if (type.kind === 'array') return leaves(type.of, path);
      if (type.kind === 'struct') return Object.entries(type.fields).flatMap(([k, t]) => leaves(t, `${path}.${k}`));
      return [`${path}=${sample[type.kind]}`];
    };
    const exprs = (Object.keys(EVENT_ARGS) as EventName[]).flatMap((event) => EVENT_ARGS[event].flatMap((a) => leaves(a.value, `${event}.args.${a.name}`)));
    expect(exprs).toHaveLength(190);
    expect(() => compileFilters(exprs, { hasProcessContext: false })).not.toThrow();
  });
});
