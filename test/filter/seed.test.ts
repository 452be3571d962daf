/**
 * The two checks against the seed examples: the seed's packets (rebuilt by
 * test/golden/seed-cases.ts) are replayed through the filter engine, from the library and from
 * the CLI with each flag spelling. Expected events are read off the seed lines.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProtoTCP, TraceeEvent } from '../../src/event/types.ts';
import { compileFilters } from '../../src/filter/compile.ts';
import { replay } from '../../src/pipeline/replay.ts';
import { openCapture } from '../../src/replay/open.ts';
import { loadSeedCases, type JsonObject, type SeedCase } from '../golden/seed-cases.ts';
import { pcapFile } from '../helpers/pcap-writer.ts';
import { memorySink } from '../helpers/memory-sink.ts';
import { netrec } from '../helpers/cli.ts';

const cases = loadSeedCases();
const tcpCases = cases.filter((c) => c.seed.eventName === 'net_packet_tcp');
let dir: string;
const pcapOf = (name: string, of: readonly SeedCase[]): string => {
  const path = join(dir, name);
  writeFileSync(path, pcapFile(of.map((c) => ({ timestampNs: BigInt(c.timestamp), data: c.packet }))));
  return path;
};
let allPcap: string;
let tcpPcap: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'netrec-filter-seed-'));
  allPcap = pcapOf('seed.pcap', cases);
  tcpPcap = pcapOf('seed-tcp.pcap', tcpCases);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function replayFiltered(path: string, exprs: string[]): Promise<TraceeEvent[]> {
  const source = await openCapture(path);
  const filter = compileFilters(exprs, { hasProcessContext: source.hasProcessContext });
  expect(filter.warnings).toEqual([]);
  const out: TraceeEvent[] = [];
  const sink = memorySink(out);
  await replay({ sources: [source], events: filter.events, accept: filter.accept, sink });
  return out;
}

const argOf = (seed: JsonObject, name: string) => (seed.args as JsonObject[]).find((a) => a.name === name)?.value as JsonObject | string | undefined;

/** The source address a seed event shows, for any DNS event's arg layout. */
function seedSource(seed: JsonObject): string | undefined {
  return (argOf(seed, 'src') as string | undefined) ?? ((argOf(seed, 'metadata') as JsonObject | undefined)?.src_ip as string | undefined);
}

describe('seed: --trace event=net_packet_dns --trace net_packet_dns.args.src=8.8.8.8', () => {
  const exprs = ['event=net_packet_dns', 'net_packet_dns.args.src=8.8.8.8'];
  const expected = cases.filter((c) => String(c.seed.eventName).includes('dns') && seedSource(c.seed) === '8.8.8.8').map((c) => c.timestamp);

  it('keeps exactly the responses from 8.8.8.8', async () => {
    expect(expected).toHaveLength(10);
    const kept = await replayFiltered(allPcap, exprs);
    expect(kept.map((e) => String(e.timestamp))).toEqual(expected);
    for (const e of kept) {
      expect(e.eventName).toBe('net_packet_dns');
      expect(e.args[0]).toEqual({ name: 'src', type: 'const char*', value: '8.8.8.8' });
      expect((e.args[4]!.value as { QR: number }).QR).toBe(1);
    }
  });
});

describe('seed: --trace event=net_packet_tcp --trace net_packet_tcp.args.proto_tcp.SYN=1', () => {
  const exprs = ['event=net_packet_tcp', 'net_packet_tcp.args.proto_tcp.SYN=1'];
  const syn = tcpCases.filter((c) => (argOf(c.seed, 'proto_tcp') as unknown as ProtoTCP).SYN === 1);

  it('keeps exactly the SYN and the SYN-ACK', async () => {
    expect(syn.map((c) => (argOf(c.seed, 'proto_tcp') as unknown as ProtoTCP).ACK)).toEqual([0, 1]);
    const kept = await replayFiltered(tcpPcap, exprs);
    expect(kept.map((e) => String(e.timestamp))).toEqual(syn.map((c) => c.timestamp));
    expect(kept.map((e) => e.eventName)).toEqual(['net_packet_tcp', 'net_packet_tcp']);
  });

  it('does the same from the CLI, in every flag spelling', () => {
    for (const flags of [
      ['--trace', exprs[0]!, '--trace', exprs[1]!],
      ['-t', exprs[0]!, '-f', exprs[1]!],
      ['--filter', exprs[0]!, '--filter', exprs[1]!],
    ]) {
      const r = netrec(['replay', tcpPcap, ...flags]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const timestamps = r.stdout
        .trim()
        .split('\n')
        .map((l) => /^\{"timestamp":(\d+),/.exec(l)?.[1]);
      expect(timestamps).toEqual(syn.map((c) => c.timestamp));
    }
  });
});

describe('CLI', () => {
  const run = (...args: string[]) => netrec(['replay', ...args]);

  it('a bad filter is one line on stderr and exit 2, before any input is reported', () => {
    const r = run(tcpPcap, join(dir, 'missing.pcap'), '-t', 'net_packet_tcp.args.proto_tcp.SYN=yes');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "netrec: invalid filter 'net_packet_tcp.args.proto_tcp.SYN=yes': 'yes' is not a number: " +
        "net_packet_tcp.args.proto_tcp.SYN is a number (decimal integers only); see 'netrec replay --help'\n",
    );
  });

  it('process filters on a pcap: one warning, no events, success', () => {
    const r = run(tcpPcap, '-t', 'comm=nc', '-t', 'follow', '--trace', 'net_packet_tcp.context.uid=1000');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'netrec: warning: process filters (comm=nc, net_packet_tcp.context.uid=1000, follow) match nothing: ' +
        'the input has no process context (a plain pcap carries none)\n',
    );
  });
});
