/**
 * `export --format parquet` against `replay`, through the built CLI, on every fixture and on a
 * synthetic recording with 64-bit values past 2^53: every event replay prints is a row of the
 * events table with equal values (64-bit integers exact), read back by DuckDB and by hyparquet
 * (an independent JavaScript reader); every file of every table reads in both; the TIMESTAMP_NS
 * column equals the int64 one; the partition directories name the host and the UTC day.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { describe, expect, it } from 'vitest';
import { TABLE_NAMES } from '../../src/table/schema.ts';
import { netrec } from '../helpers/cli.ts';
import { fixtureInputs } from '../helpers/fixtures.ts';
import { duckRows, tableScan, type JsonRow } from '../helpers/duckdb.ts';
import { writeSyntheticRecording } from '../export/synthetic-recording.ts';
import { scratch } from '../nev/helpers.ts';

const path = scratch('parquet');
const fixtures = fixtureInputs();

/** Each event's arguments, names and Tracee types, in order (Tracee v0.10; docs/tables.md). */
const ARGS: Record<string, [string, string][]> = {
  net_packet_ipv4: [
    ['src', 'const char*'],
    ['dst', 'const char*'],
    ['proto_ipv4', 'trace.ProtoIPv4'],
  ],
  net_packet_ipv6: [
    ['src', 'const char*'],
    ['dst', 'const char*'],
    ['proto_ipv6', 'trace.ProtoIPv6'],
  ],
  net_packet_tcp: [
    ['src', 'const char*'],
    ['dst', 'const char*'],
    ['src_port', 'u16'],
    ['dst_port', 'u16'],
    ['proto_tcp', 'trace.ProtoTCP'],
  ],
  net_packet_udp: [
    ['src', 'const char*'],
    ['dst', 'const char*'],
    ['src_port', 'u16'],
    ['dst_port', 'u16'],
    ['proto_udp', 'trace.ProtoUDP'],
  ],
  net_packet_icmp: [
    ['src', 'const char*'],
    ['dst', 'const char*'],
    ['proto_icmp', 'trace.ProtoICMP'],
  ],
  net_packet_icmpv6: [
    ['src', 'const char*'],
    ['dst', 'const char*'],
    ['proto_icmpv6', 'trace.ProtoICMPv6'],
  ],
  net_packet_dns: [
    ['src', 'const char*'],
    ['dst', 'const char*'],
    ['src_port', 'u16'],
    ['dst_port', 'u16'],
    ['proto_dns', 'trace.ProtoDNS'],
  ],
  net_packet_dns_request: [
    ['metadata', 'trace.PktMeta'],
    ['dns_questions', '[]trace.DnsQueryData'],
  ],
  net_packet_dns_response: [
    ['metadata', 'trace.PktMeta'],
    ['dns_response', '[]trace.DnsResponseData'],
  ],
};
const ALL_ARGS = [...new Set(Object.values(ARGS).flatMap((a) => a.map(([n]) => n)))];
const WIDE = ['timestamp', 'threadStartTime', 'cgroupId'];

/** replay's JSON, the 64-bit fields kept as their decimal text. */
function replayed(input: string, ...options: string[]): Record<string, unknown>[] {
  const run = netrec(['replay', input, ...options]);
  expect(run.status, run.stderr).toBe(0);
  return run.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l.replace(new RegExp(`"(${WIDE.join('|')})":(-?\\d+)`, 'g'), '"$1":"$2"')) as Record<string, unknown>);
}

function exported(input: string, output: string, ...options: string[]): void {
  const run = netrec(['export', input, '--format', 'parquet', '-w', output, ...options]);
  expect(run.status, run.stderr).toBe(0);
  expect(run.stderr).toMatch(
    options.includes('-t') ? /^netrec: exported \d+ of \d+ packets to .* \(parquet: / : /^netrec: exported (\d+) of \1 packets to .* \(parquet: /,
  );
}

/** A row of the events table as the Tracee event it stores (what replay would print). */
function asEvent(row: JsonRow, keys: readonly string[]): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  for (const key of keys) if (key !== 'args') event[key] = row[key];
  event.stackAddresses = (row.stackAddresses as string[]).map(Number);
  if (row.leaderName !== null) event.leaderName = row.leaderName;
  event.args = (ARGS[row.eventName as string] ?? []).map(([name, type]) => {
    let value: unknown = row[name];
    if (name === 'proto_tcp') {
      const { ackNumber, ...rest } = value as Record<string, unknown>;
      value = { ...rest, ack: ackNumber };
    }
    return { name, type, value };
  });
  return event;
}

async function checkRoundTrip(input: string, dir: string): Promise<number> {
  const expected = replayed(input);
  const rows = await duckRows(`SELECT * FROM ${tableScan(dir, 'events')} ORDER BY seq`);
  expect(rows).toHaveLength(expected.length);
  rows.forEach((row, i) => {
    const e = expected[i]!;
    // Exactly the event's own arguments are set.
    expect(ALL_ARGS.filter((n) => row[n] !== null)).toHaveLength(e.argsNum as number);
    expect(asEvent(row, Object.keys(e)), `${input}: event ${i}`).toEqual(e);
    expect(row.seq).toBe(String(i));
  });
  const [check] = await duckRows(`SELECT count(*) FILTER (WHERE epoch_ns(time) <> timestamp) AS bad, count(*) AS n FROM ${tableScan(dir, 'events')}`);
  expect(check).toEqual({ bad: '0', n: String(expected.length) });

  // hyparquet, a second reader: every file of every table, and the events' exact timestamps.
  const fromHyparquet: { seq: bigint; timestamp: bigint }[] = [];
  for (const table of TABLE_NAMES) {
    const files = readdirSync(join(dir, table), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.parquet'));
    let count = 0;
    for (const file of files) {
      expect(relative(join(dir, table), join(dir, table, file))).toMatch(/^host=[^/]+\/date=\d{4}-\d{2}-\d{2}\/[^/]+\.parquet$/);
      const objects = (await parquetReadObjects({ file: await asyncBufferFromFile(join(dir, table, file)), compressors })) as Record<string, unknown>[];
      count += objects.length;
      if (table === 'events') for (const o of objects) fromHyparquet.push({ seq: o.seq as bigint, timestamp: o.timestamp as bigint });
    }
    const [{ n }] = (await duckRows(`SELECT count(*) AS n FROM ${tableScan(dir, table)}`).catch(() => [{ n: '0' }])) as [{ n: string }];
    expect(String(count), `${table} rows in hyparquet and DuckDB`).toBe(n);
  }
  fromHyparquet.sort((a, b) => (a.seq < b.seq ? -1 : 1));
  expect(fromHyparquet.map((r) => String(r.timestamp))).toEqual(expected.map((e) => e.timestamp));
  return expected.length;
}

describe('export --format parquet round trip against replay', () => {
  it('every fixture: the events table holds replay’s events, read by DuckDB and hyparquet', { timeout: 240_000 }, async () => {
    let events = 0;
    for (const [i, input] of fixtures.entries()) {
      const dir = path(`fixture-${i}`);
      exported(input, dir);
      events += await checkRoundTrip(input, dir);
    }
    // Not vacuous: the fixtures give hundreds of events.
    expect(events).toBeGreaterThan(500);
  });

  it('64-bit values past 2^53 and hostile names stay exact', { timeout: 120_000 }, async () => {
    const recording = path('synthetic.nev');
    writeSyntheticRecording({ dir: recording });
    const dir = path('synthetic');
    exported(recording, dir);
    await checkRoundTrip(recording, dir);
    const [wide] = await duckRows(`SELECT max(cgroupId) AS cgroup, max(threadStartTime) AS start FROM ${tableScan(dir, 'events')}`);
    expect(BigInt(wide!.cgroup as string)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(BigInt(wide!.start as string)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
  });

  it('--trace keeps in every table what replay keeps; --host-name names the partition', { timeout: 60_000 }, async () => {
    const input = 'fixtures/recordings/dns.nev';
    const dir = path('dns-only');
    exported(input, dir, '-t', 'event=net_packet_dns_request', '--host-name', 'web/01');
    const expected = replayed(input, '-t', 'event=net_packet_dns_request');
    expect(expected.length).toBeGreaterThan(0);
    const rows = await duckRows(`SELECT DISTINCT host, hostName, eventName FROM ${tableScan(dir, 'events')}`);
    expect(rows).toEqual([{ host: 'web/01', hostName: 'web/01', eventName: 'net_packet_dns_request' }]);
    const [{ n }] = (await duckRows(`SELECT count(*) AS n FROM ${tableScan(dir, 'events')}`)) as [{ n: string }];
    expect(Number(n)).toBe(expected.length);
    // Only packets with a kept event: each is a DNS request.
    const packets = await duckRows(`SELECT count(*) AS n, count(*) FILTER (WHERE dnsMessages > 0) AS dns FROM ${tableScan(dir, 'packets')}`);
    expect(packets[0]!.n).toBe(packets[0]!.dns);
    expect(readdirSync(join(dir, 'events'))).toEqual(['host=web%2F01']);
  });

  it('refuses to replace what it did not write; --force replaces its own', () => {
    const dir = path('refuse');
    exported('fixtures/pcap/udp.pcap', dir);
    const again = netrec(['export', 'fixtures/pcap/udp.pcap', '--format', 'parquet', '-w', dir]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/exists; use --force/);
    exported('fixtures/pcap/udp.pcap', dir, '--force');
    const other = netrec(['export', 'fixtures/pcap/udp.pcap', '--format', 'parquet', '-w', 'fixtures/pcap', '--force']);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/refusing to replace it/);
  });
});
