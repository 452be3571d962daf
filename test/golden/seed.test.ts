/**
 * Golden tests: every one of the 44 seed events (real Tracee v0.10 output) is turned back into
 * the packet it describes; all packets go into one nanosecond pcap with the seed's timestamps;
 * netrec replays it; each packet must yield the seed event adjusted per the compatibility stance
 * (see seed-cases.ts). Values, key order at every level and the exact timestamp digits are checked.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InputIssue } from '../../src/core/errors.ts';
import { replay } from '../../src/pipeline/replay.ts';
import { openCapture } from '../../src/replay/open.ts';
import { ALL_EVENTS, maskOf, type EventMask } from '../../src/event/selection.ts';
import { EVENT_NAMES, type EventName, type TraceeEvent } from '../../src/event/types.ts';
import { eventToJSON } from '../../src/sink/json.ts';
import { pcapFile } from '../helpers/pcap-writer.ts';
import { loadSeedCases, parseEventLine, type JsonObject, type JsonValue, type SeedCase } from './seed-cases.ts';
import { memorySink } from '../helpers/memory-sink.ts';
import { netrec } from '../helpers/cli.ts';

const cases = loadSeedCases();

interface Run {
  /** netrec's JSON lines, grouped by the packet timestamp (exact digits). */
  byTimestamp: Map<string, string[]>;
  issues: InputIssue[];
  packets: number;
}

async function replayFile(path: string, events: EventMask): Promise<Run> {
  const out: TraceeEvent[] = [];
  const issues: InputIssue[] = [];
  const stats = await replay({
    sources: [await openCapture(path)],
    events,
    sink: memorySink(out),
    report: (i) => void issues.push(i),
  });
  const byTimestamp = new Map<string, string[]>();
  for (const e of out) {
    const line = eventToJSON(e);
    const ts = String(e.timestamp);
    byTimestamp.set(ts, [...(byTimestamp.get(ts) ?? []), line]);
  }
  return { byTimestamp, issues, packets: stats.packets };
}

/** Every object's key list, in order, by path: key order is part of the contract. */
function keyOrder(v: JsonValue, path = '$', out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x, i) => keyOrder(x, `${path}[${i}]`, out));
  else if (v !== null && typeof v === 'object') {
    out.push(`${path}: ${Object.keys(v).join(',')}`);
    for (const [k, x] of Object.entries(v)) keyOrder(x, `${path}.${k}`, out);
  }
  return out;
}

/** The one line of `name` for the packet at `ts`, parsed with the timestamp as exact digits. */
function pick(run: Run, c: SeedCase, name: EventName): { parsed: JsonObject; line: string } {
  const lines = (run.byTimestamp.get(c.timestamp) ?? []).filter((l) => JSON.parse(l).eventName === name);
  expect(lines, `seed line ${c.line}: number of ${name} events for packet ${c.timestamp}`).toHaveLength(1);
  const line = lines[0]!;
  return { parsed: parseEventLine(line), line };
}

function expectGolden(run: Run, c: SeedCase): void {
  const { parsed, line } = pick(run, c, c.expectedName);
  // The exact 19 digits, straight from netrec's line (no float on the way).
  expect(/^\{"timestamp":(\d+),/.exec(line)?.[1]).toBe(c.timestamp);
  expect(parsed).toStrictEqual(c.expected);
  expect(keyOrder(parsed)).toStrictEqual(keyOrder(c.expected));
  for (const name of c.mustNotEmit) {
    const unwanted = (run.byTimestamp.get(c.timestamp) ?? []).filter((l) => JSON.parse(l).eventName === name);
    expect(unwanted, `seed line ${c.line}: ${name} must not be emitted`).toStrictEqual([]);
  }
}

let dir = '';
let pcapPath = '';
let all: Run | undefined;
const only = new Map<EventName, Run>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'netrec-golden-'));
  pcapPath = join(dir, 'seed.pcap');
  writeFileSync(pcapPath, pcapFile(cases.map((c) => ({ timestampNs: BigInt(c.timestamp), data: c.packet }))));
  all = await replayFile(pcapPath, ALL_EVENTS);
  for (const name of new Set(cases.map((c) => c.expectedName))) only.set(name, await replayFile(pcapPath, maskOf([name])));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('seed file', () => {
  it('has the 44 published examples, one packet each, with distinct timestamps', () => {
    expect(cases).toHaveLength(44);
    expect(new Set(cases.map((c) => c.timestamp)).size).toBe(44);
    const counts: Record<string, number> = {};
    for (const c of cases) counts[c.seed.eventName as string] = (counts[c.seed.eventName as string] ?? 0) + 1;
    expect(counts).toStrictEqual({
      net_packet_ipv4: 7,
      net_packet_ipv6: 7,
      net_packet_tcp: 7,
      net_packet_udp: 2,
      net_packet_icmp: 2,
      net_packet_icmpv6: 2,
      net_packet_dns: 14,
      net_packet_dns_request: 2,
      net_packet_dns_response: 1,
    });
  });

  it('replays every packet without an input issue', () => {
    expect(all!.packets).toBe(44);
    expect(all!.issues).toStrictEqual([]);
    for (const run of only.values()) expect(run.issues).toStrictEqual([]);
  });
});

describe('golden: every seed event, replaying all events', () => {
  it.each(cases.map((c) => [c.line, c.expectedName, c.note ?? '', c] as const))('seed line %i: %s %s', (_line, _name, _note, c) => expectGolden(all!, c));
});

describe('golden: every seed event, selecting only its event', () => {
  it.each(cases.map((c) => [c.line, c.expectedName, c.note ?? '', c] as const))('seed line %i: %s %s', (_line, name, _note, c) => {
    const run = only.get(name)!;
    expectGolden(run, c);
    // Nothing but the selected event is built.
    for (const lines of run.byTimestamp.values()) {
      for (const l of lines) expect(JSON.parse(l).eventName).toBe(name);
    }
  });
});

describe('golden: the mislabelled v0.10 request', () => {
  it('is a response packet: net_packet_dns_response and no net_packet_dns_request', () => {
    const c = cases.find((x) => x.timestamp === '1671043215503932068');
    expect(c?.seed.eventName).toBe('net_packet_dns_request');
    expect(c?.expectedName).toBe('net_packet_dns_response');
    const names = (all!.byTimestamp.get('1671043215503932068') ?? []).map((l) => JSON.parse(l).eventName as string);
    expect(names).toContain('net_packet_dns_response');
    expect(names).not.toContain('net_packet_dns_request');
    expect(only.get('net_packet_dns_request')!.byTimestamp.get('1671043215503932068')).toBeUndefined();
  });
});

describe('golden: CLI end to end', () => {
  it('netrec replay <pcap> --trace event=net_packet_dns prints one parseable line per DNS packet', () => {
    const r = netrec(['replay', pcapPath, '--trace', 'event=net_packet_dns']);
    expect(r.timedOut).toBe(false);
    expect(r.status, `stderr: ${r.stderr}`).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    const parsed = lines.map((l) => parseEventLine(l));
    for (const p of parsed) expect(p.eventName).toBe('net_packet_dns');
    // Every packet of the seed's DNS examples (dns, dns_request, dns_response) is a DNS packet.
    const dnsCases = cases.filter((c) => (c.seed.eventName as string).startsWith('net_packet_dns'));
    expect(parsed.map((p) => p.timestamp)).toStrictEqual(dnsCases.map((c) => c.timestamp));
    // And the net_packet_dns examples themselves come out as golden.
    for (const c of dnsCases.filter((x) => x.expectedName === 'net_packet_dns')) {
      const p = parsed.find((x) => x.timestamp === c.timestamp)!;
      expect(p).toStrictEqual(c.expected);
      expect(keyOrder(p)).toStrictEqual(keyOrder(c.expected));
    }
  });
});

// EVENT_NAMES is the source of truth for the selection masks; the seed covers all nine events.
it('the seed covers every netrec event', () => {
  expect(new Set(cases.map((c) => c.expectedName))).toStrictEqual(new Set(EVENT_NAMES));
});
