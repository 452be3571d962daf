import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_EVENTS } from '../../src/event/selection.ts';
import type { TraceeEvent } from '../../src/event/types.ts';
import { replay } from '../../src/pipeline/replay.ts';
import { openCapture } from '../../src/replay/open.ts';
import { eventToJSON } from '../../src/sink/json.ts';
import { requireShared } from '../helpers/shared.ts';
import { memorySink } from '../helpers/memory-sink.ts';

/** JSON.stringify of the event, with bigints spliced in as exact integers: the reference text. */
function reference(e: TraceeEvent): string {
  return JSON.stringify(e, (_k, v: unknown) => (typeof v === 'bigint' ? `@@${v}@@` : v)).replace(/"@@(\d+)@@"/g, '$1');
}

async function eventsOf(path: string): Promise<TraceeEvent[]> {
  const events: TraceeEvent[] = [];
  await replay({
    sources: [await openCapture(path)],
    events: ALL_EVENTS,
    sink: memorySink(events),
  });
  return events;
}

describe('eventToJSON', () => {
  const fixtures = readdirSync('fixtures/pcap').map((f) => join('fixtures/pcap', f));
  const shared = requireShared('pcaps');
  const dnsHeavy = shared
    ? [
        'zeek__dnssec__nsec3.pcap',
        'zeek__dns__sshfp-trunc.pcap',
        'tcpdump__dns-badcookie.pcap',
        'zeek__dns__hinfo.pcap',
        'tcpdump__dns-uri.pcap',
        'zeek__dns__mdns.pcap',
        'suricata-verify__dns-eve-type-filtering.pcap',
      ].map((f) => join(shared, f))
    : [];

  it.each([...fixtures, ...dnsHeavy])('writes exactly the text JSON.stringify gives, bigints exact: %s', async (path) => {
    const events = await eventsOf(path);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(eventToJSON(e)).toBe(reference(e));
  });

  it("keeps Tracee's envelope: the process's name (netrec's extension) stays out of the JSON", async () => {
    const [first] = await eventsOf(fixtures[0]!);
    const e: TraceeEvent = { ...first!, processName: 'isc-net-0000', leaderName: 'dig' };
    const text = eventToJSON(e);
    expect(text).toContain('"processName":"isc-net-0000","hostName":');
    expect(text).not.toContain('dig');
    expect(text).toBe(reference({ ...e, leaderName: undefined }));
  });

  it('prints envelopes other than the common one (the pre-encoded name part and tail do not apply), and the common one again', async () => {
    const [first] = await eventsOf(fixtures[0]!);
    const e = first!;
    const variants: TraceeEvent[] = [
      { ...e, returnValue: -1 },
      { ...e, stackAddresses: [1, 2] },
      { ...e, stackAddresses: [] },
      { ...e, contextFlags: { containerStarted: true } },
      { ...e, eventId: '9999' },
      { ...e, eventName: 'not_an_event' as TraceeEvent['eventName'] },
      e,
      { ...e, eventId: '9998' },
      e,
    ];
    for (const v of variants) expect(eventToJSON(v)).toBe(reference(v));
  });

  it('prints 64-bit values digit for digit', async () => {
    const [first] = await eventsOf(fixtures[0]!);
    const e = { ...first!, timestamp: 18446744073709551615n, threadStartTime: 9007199254740993n, cgroupId: 18446744073709551614n };
    const text = eventToJSON(e);
    expect(text.startsWith('{"timestamp":18446744073709551615,"threadStartTime":9007199254740993,')).toBe(true);
    expect(text).toContain('"cgroupId":18446744073709551614,');
  });

  it("prints args that are not the schema's as they are (the compiled path only takes conforming ones)", async () => {
    const [first] = await eventsOf(fixtures[0]!);
    const variants: TraceeEvent[] = [
      { ...first!, args: [...first!.args, { name: 'extra', type: 'int', value: -1.5 }] },
      { ...first!, args: first!.args.map((a, i) => (i === 0 ? { ...a, value: 7 } : a)) },
      { ...first!, args: first!.args.map((a, i) => (i === 0 ? { ...a, type: 'string' } : a)) },
      { ...first!, args: [] },
    ];
    for (const e of variants) {
      expect(eventToJSON(e)).toBe(reference(e));
      expect(JSON.parse(eventToJSON(e)).args).toEqual(JSON.parse(reference(e)).args);
    }
  });
});
