/**
 * The engine, the helpers and the finding JSON, over real events: those netrec builds from the
 * committed captures (fixtures/pcap, made from real traffic), never hand-made ones.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_EVENTS } from '../../src/event/selection.ts';
import type { NetworkEvent, TraceeEvent } from '../../src/event/types.ts';
import { replay } from '../../src/pipeline/replay.ts';
import { SignatureObserver } from '../../src/pipeline/signatures.ts';
import { openCapture } from '../../src/replay/open.ts';
import type { PacketInfo, Signal, Signature, SignatureContext } from '../../src/signature/api.ts';
import { SignatureEngine, SignatureFailure, SignatureInitError, type LoadedSignature } from '../../src/signature/engine.ts';
import type { Finding } from '../../src/signature/finding.ts';
import { helpers, SignatureArgumentError } from '../../src/signature/helpers.ts';
import { findingToJSON } from '../../src/sink/finding-json.ts';
import { REPO } from '../record/live-net.ts';
import { memorySink } from '../helpers/memory-sink.ts';

const PCAP = (name: string): string => join(REPO, 'fixtures/pcap', name);

/** Runs `signatures` over a capture through the pipeline; returns findings and warnings. */
async function run(file: string, signatures: Signature[], opts: { strict?: boolean; config?: Record<string, unknown> } = {}) {
  const findings: Finding[] = [];
  const warnings: string[] = [];
  const loaded: LoadedSignature[] = signatures.map((signature) => ({ signature, origin: 'test' }));
  const engine = new SignatureEngine(loaded, { ...opts, onFinding: (f) => findings.push(f), warn: (l) => warnings.push(l) });
  engine.init();
  const sink = memorySink(() => undefined);
  await replay({ sources: [await openCapture(file)], events: 0, sink, observer: new SignatureObserver(engine) });
  return { findings, warnings, engine };
}

async function eventsOf(file: string): Promise<TraceeEvent[]> {
  const events: TraceeEvent[] = [];
  const sink = memorySink(events);
  await replay({ sources: [await openCapture(file)], events: ALL_EVENTS, sink });
  return events;
}

/** A signature that records what it is given and emits on the events `when` picks. */
function probe(id: string, selected: Signature['selectedEvents'], when: (e: NetworkEvent) => boolean = () => false) {
  const seen: { name: string; packet: number }[] = [];
  const signals: Signal[] = [];
  let ctx: SignatureContext;
  const sig: Signature = {
    metadata: { id, version: '1', name: id, description: '', tags: [] },
    selectedEvents: selected,
    init: (c) => {
      ctx = c;
    },
    onEvent: (e, p) => {
      seen.push({ name: e.eventName, packet: p.number });
      if (when(e)) ctx.emit({ data: { n: seen.length } });
    },
    onSignal: (s) => void signals.push(s),
  };
  return { sig, seen, signals };
}

describe('signature engine', () => {
  it('gives each signature exactly the events it selects, in packet order', async () => {
    const dns = probe('A', ['net_packet_dns_response']);
    const all = probe('B', ['*']);
    await run(PCAP('dns-udp.pcap'), [dns.sig, all.sig]);
    const events = await eventsOf(PCAP('dns-udp.pcap'));
    expect(all.seen.map((s) => s.name)).toEqual(events.map((e) => e.eventName));
    expect(dns.seen).toHaveLength(events.filter((e) => e.eventName === 'net_packet_dns_response').length);
    expect(dns.seen.length).toBe(22); // the capture's 22 responses (fixtures/README.md)
    const packets = all.seen.map((s) => s.packet);
    expect(packets).toEqual([...packets].sort((a, b) => a - b));
    expect(all.signals).toEqual([{ kind: 'end-of-input', source: PCAP('dns-udp.pcap') }]);
  });

  it('calls signatures in id order, whatever the load order', async () => {
    const order: string[] = [];
    const mk = (id: string): Signature => ({
      metadata: { id, version: '1', name: id, description: '', tags: [] },
      selectedEvents: ['net_packet_icmp'],
      onEvent: () => void order.push(id),
    });
    await run(PCAP('icmp.pcap'), [mk('b'), mk('C'), mk('a')]);
    expect(order.slice(0, 3)).toEqual(['C', 'a', 'b']);
  });

  it('reports a throwing signature once with the event, counts every throw, and keeps the others running', async () => {
    const bad: Signature = {
      metadata: { id: 'BAD', version: '1', name: 'bad', description: '', tags: [] },
      selectedEvents: ['net_packet_dns'],
      onEvent: (e) => void helpers.getProtoTCPByName(e, 'proto_tcp'),
    };
    const good = probe('GOOD', ['net_packet_dns'], () => true);
    const { findings, warnings, engine } = await run(PCAP('dns-udp.pcap'), [bad, good.sig]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^signature BAD \(test\): onEvent threw on .*dns-udp\.pcap packet 1 \(net_packet_dns, timestamp \d+\): SignatureArgumentError: net_packet_dns has no argument 'proto_tcp' \(it has: src, dst, src_port, dst_port, proto_dns\); further errors/,
    );
    expect(engine.stats.find((s) => s.id === 'BAD')!.errors).toBe(44);
    expect(findings).toHaveLength(44);
  });

  it('stops at the first throw in strict mode', async () => {
    const bad: Signature = {
      metadata: { id: 'BAD', version: '1', name: 'bad', description: '', tags: [] },
      selectedEvents: ['net_packet_icmp'],
      onEvent: () => {
        throw new Error('boom\u202e');
      },
    };
    await expect(run(PCAP('icmp.pcap'), [bad], { strict: true })).rejects.toThrow(SignatureFailure);
    await expect(run(PCAP('icmp.pcap'), [bad], { strict: true })).rejects.toThrow(/onEvent threw on .* packet 1 .*: boom\\u202e$/);
  });

  it('refuses finding data JSON cannot hold, as a failure of the signature', async () => {
    const emitter = (data: unknown): Signature => {
      let ctx: SignatureContext;
      return {
        metadata: { id: 'E', version: '1', name: 'e', description: '', tags: [] },
        selectedEvents: ['net_packet_icmp'],
        init: (c) => {
          ctx = c;
        },
        onEvent: () => ctx.emit({ data: data as Record<string, never> }),
      };
    };
    for (const [data, problem] of [
      [{ x: NaN }, /data\.x is NaN/],
      [{ f: () => 1 }, /data\.f is a function/],
      [{ d: new Date(0) }, /data\.d is a Date/],
      [[1], /data must be an object/],
    ] as const) {
      const { findings, warnings } = await run(PCAP('icmp.pcap'), [emitter(data)]);
      expect(findings).toEqual([]);
      expect(warnings[0]).toMatch(problem);
    }
  });

  it('refuses emit() from outside its calls (a timer), even in strict mode, and counts it', async () => {
    let ctx: SignatureContext;
    const late: Signature = {
      metadata: { id: 'LATE', version: '1', name: 'late', description: '', tags: [] },
      selectedEvents: ['net_packet_icmp'],
      init: (c) => {
        ctx = c;
      },
      onEvent: () => void setTimeout(() => ctx.emit({ data: {} }), 0),
    };
    const { findings, warnings, engine } = await run(PCAP('icmp.pcap'), [late], { strict: true });
    await new Promise((r) => setTimeout(r, 20));
    expect(findings).toEqual([]);
    expect(warnings).toEqual(['signature LATE (test): emit() called outside init/onEvent/onSignal/close (signatures are synchronous); finding dropped']);
    expect(engine.stats[0]!.errors).toBe(4);
  });

  it('turns an init() failure into an error naming the signature', () => {
    const sig: Signature = {
      metadata: { id: 'I', version: '1', name: 'i', description: '', tags: [] },
      selectedEvents: ['*'],
      init: () => {
        throw new Error('no config');
      },
      onEvent: () => undefined,
    };
    const engine = new SignatureEngine([{ signature: sig, origin: 'x.ts' }], { onFinding: () => undefined, warn: () => undefined });
    expect(() => engine.init()).toThrow(SignatureInitError);
    expect(() => engine.init()).toThrow('x.ts: signature I: init failed: no config');
  });

  it('gives the packet: direction unknown for pcap, the ICMP payload after the 8-byte header', async () => {
    const payloads: PacketInfo[] = [];
    const sig: Signature = {
      metadata: { id: 'P', version: '1', name: 'p', description: '', tags: [] },
      selectedEvents: ['net_packet_icmp'],
      onEvent: (_, p) =>
        void payloads.push({ ...p, source: p.source, number: p.number, direction: p.direction, payload: Uint8Array.from(p.payload), fragment: p.fragment }),
    };
    await run(PCAP('icmp.pcap'), [sig]);
    expect(payloads).toHaveLength(4);
    for (const p of payloads) {
      expect(p.direction).toBe('unknown');
      expect(p.fragment).toBe(false);
      // ping -c2: 56 data bytes, a 16-byte timestamp then bytes 0x10, 0x11, ... (tcpdump shows the same)
      expect(p.payload.length).toBe(56);
      expect([...p.payload.subarray(16)]).toEqual(Array.from({ length: 40 }, (_, i) => 16 + i));
    }
  });
});

describe('signature helpers', () => {
  let events: TraceeEvent[];
  beforeAll(async () => {
    events = await eventsOf(PCAP('dns-udp.pcap'));
  });

  it('return the typed argument values', () => {
    const dns = events.find((e) => e.eventName === 'net_packet_dns')! as NetworkEvent;
    expect(helpers.getProtoDNSByName(dns, 'proto_dns')).toBe(dns.args[4]!.value);
    expect(helpers.getStringArgumentByName(dns, 'src')).toBe('172.16.17.1');
    const ipv4 = events.find((e) => e.eventName === 'net_packet_ipv4')! as NetworkEvent;
    expect(helpers.getProtoIPv4ByName(ipv4, 'proto_ipv4').protocol).toBe('UDP');
    const resp = events.find((e) => e.eventName === 'net_packet_dns_response')! as NetworkEvent;
    expect(helpers.getPktMetaByName(resp, 'metadata').dst_port).toBeGreaterThan(0);
    expect(helpers.getDnsResponseDataByName(resp, 'dns_response')[0]!.query_data.query).toBe('netrec.test');
  });

  it('throw a SignatureArgumentError naming the event and what it holds', () => {
    const udp = events.find((e) => e.eventName === 'net_packet_udp')! as NetworkEvent;
    expect(() => helpers.getProtoDNSByName(udp, 'proto_dns')).toThrow(SignatureArgumentError);
    expect(() => helpers.getProtoDNSByName(udp, 'proto_dns')).toThrow(
      "net_packet_udp has no argument 'proto_dns' (it has: src, dst, src_port, dst_port, proto_udp)",
    );
    expect(() => helpers.getProtoTCPByName(udp, 'proto_udp')).toThrow("net_packet_udp argument 'proto_udp' is trace.ProtoUDP, not trace.ProtoTCP");
  });
});

describe('finding JSON', () => {
  it("is Tracee's detect.Finding as json.Marshal prints it, the event as replay prints it", async () => {
    const events = await eventsOf(PCAP('dns-udp.pcap'));
    const event = events.find((e) => e.eventName === 'net_packet_dns')!;
    const json = findingToJSON({
      metadata: { id: 'X-1', version: '2', name: 'n', description: 'd', tags: ['t'], properties: { Severity: 3, Category: 'c', external_id: 'T1' } },
      event: { ...event, timestamp: 18446744073709551615n },
      data: { z: 1, a: { y: [1n << 70n, 'é\n'], b: true }, skipped: undefined },
      source: 'f',
      packetNumber: 1,
    });
    expect(Object.keys(JSON.parse(json))).toEqual(['Data', 'Event', 'SigMetadata']);
    expect(json).toMatch(
      /^\{"Data":\{"a":\{"b":true,"y":\[1180591620717411303424,"é\\n"\]\},"z":1\},"Event":\{"Headers":\{"Selector":\{"Name":"net_packet_dns","Origin":"host","Source":"tracee"\}\},"Payload":\{"timestamp":18446744073709551615,/,
    );
    expect(json).toMatch(
      /\},"SigMetadata":\{"ID":"X-1","Version":"2","Name":"n","EventName":"","Description":"d","Tags":\["t"\],"Properties":\{"Category":"c","Severity":3,"external_id":"T1"\}\}\}$/,
    );
    const parsed = JSON.parse(json) as { Event: { Payload: Record<string, unknown> } };
    expect(parsed.Event.Payload.eventName).toBe('net_packet_dns');
    expect(parsed.Event.Payload.args).toEqual(JSON.parse(JSON.stringify(event.args)));
  });
});
