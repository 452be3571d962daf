/**
 * `netrec ship` and `netrec query --clickhouse` against real ClickHouse (Debian's 18.16 on CI):
 * two servers on loopback as the two shards of one cluster (test/helpers/clickhouse.ts), fixture
 * recordings and a capture shipped as several simulated hosts (--host-name), through the CLI.
 * Checks: every replayed event arrives once; rows are on both shards; a cluster-wide query from
 * either shard sees every host; shipping again adds nothing, also after a run that inserted a
 * batch but died before recording it; each ready-made query gives the same rows in ClickHouse
 * and in DuckDB over the Parquet export of the same inputs; a refused password and a server that
 * is gone are one-line errors with exit 1.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READY_QUERIES } from '../../src/table/queries.ts';
import { TABLES, type ColumnType } from '../../src/table/schema.ts';
import { duckRows, tableScan } from '../helpers/duckdb.ts';
import { netrec } from '../helpers/cli.ts';
import { chQuery, CLUSTER, PASSWORD_USER, startCluster, type Cluster } from '../helpers/clickhouse.ts';
import { requireTool } from '../helpers/tools.ts';
import { scratch } from '../nev/helpers.ts';

const available = requireTool('clickhouse-server');
const path = scratch('ship');

/** Each input shipped as the host beside it. */
const HOSTS: [string, string][] = [
  ['fixtures/recordings/dns.nev', 'web-1'],
  ['fixtures/recordings/tcp.nev', 'web-2'],
  ['fixtures/recordings/udp.nev', 'db-1'],
  ['fixtures/recordings/icmp.nev', 'db-2'],
  ['fixtures/recordings/process-tree.nev', 'build-7'],
  ['fixtures/recordings/icmpv6.nev', 'cache-3'],
  ['fixtures/pcap/mixed.pcapng', 'edge-4'],
];

function replayedEvents(input: string): number {
  const run = netrec(['replay', input]);
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split('\n').filter((l) => l !== '').length;
}

function ship(url: string, input: string, host: string, ...extra: string[]) {
  return netrec(['ship', input, '--to', `${url}/netrec`, '--cluster', CLUSTER, '--host-name', host, ...extra]);
}

/** TabSeparated rows of a query as arrays of fields. */
async function rows(url: string, sql: string): Promise<string[][]> {
  return (await chQuery(url, sql))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

let dirs: string[] | undefined;
/** Every input exported to Parquet as the host it is shipped as (once per run). */
function exportedDirs(): string[] {
  dirs ??= HOSTS.map(([input, host], i) => {
    const dir = path(`tables-${i}`);
    const run = netrec(['export', input, '--format', 'parquet', '--host-name', host, '-w', dir]);
    expect(run.status, run.stderr).toBe(0);
    return dir;
  });
  return dirs;
}

/**
 * A value as both engines can be compared: integers as decimal text (ClickHouse quotes 64-bit
 * ones, DuckDB gives them as text), booleans as 0/1 (ClickHouse's UInt8), nested values as
 * objects (ClickHouse stores them as JSON text).
 */
function comparable(type: ColumnType, v: unknown, clickhouse = false): unknown {
  if (v === null || v === undefined) return null;
  if (typeof type !== 'string') return clickhouse && typeof v === 'string' && (type as { list: unknown }).list !== 'string' ? JSON.parse(v) : v;
  if (type === 'bool') return v === true || v === 1 || v === '1' ? 1 : 0;
  return String(v);
}

describe.skipIf(!available)('ship to a two-shard ClickHouse cluster', () => {
  let cluster: Cluster;
  let urls: string[];
  const expected = new Map<string, number>();

  beforeAll(async () => {
    cluster = await startCluster(2);
    urls = cluster.servers.map((s) => s.url);
  }, 120_000);
  afterAll(() => cluster?.stop());

  it('every event arrives once, rows on both shards, either shard answers for all hosts', { timeout: 240_000 }, async () => {
    for (const [input, host] of HOSTS) {
      expected.set(host, replayedEvents(input));
      const run = ship(urls[0]!, input, host);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(new RegExp(`^netrec: shipped ${input}: \\d+ packets in 1 batch\\(es\\) to .*\\(cluster ${CLUSTER}, 2 shards\\)\\n$`));
    }
    const want = [...expected].map(([h, n]) => [h, String(n)]).sort();
    for (const url of urls) {
      // Through the Distributed table of this shard: every host, every event.
      expect(await rows(url, 'SELECT hostName, count() FROM netrec.events GROUP BY hostName ORDER BY hostName')).toEqual(want);
      // Once: no (host, recording, seq) twice.
      expect(await rows(url, 'SELECT count() = uniqExact(hostName, recordingId, seq) FROM netrec.events')).toEqual([['1']]);
    }
    const local = await Promise.all(urls.map(async (u) => (await rows(u, 'SELECT count(), uniqExact(hostName) FROM netrec.events_local'))[0]!.map(Number)));
    for (const [count, hosts] of local) {
      expect(count).toBeGreaterThan(0);
      expect(hosts).toBeGreaterThan(0);
    }
    expect(local.reduce((sum, [count]) => sum + count!, 0)).toBe([...expected.values()].reduce((a, b) => a + b, 0));
    // The other tables are there too, with exact 64-bit timestamps.
    const packets = await rows(urls[1]!, 'SELECT count() FROM netrec.packets');
    expect(Number(packets[0]![0])).toBeGreaterThan(0);
    const first = (await rows(urls[1]!, "SELECT min(timestamp) FROM netrec.events WHERE hostName = 'web-1'"))[0]![0];
    const replay = netrec(['replay', 'fixtures/recordings/dns.nev', '-c', '1']);
    expect(first).toBe(/"timestamp":(\d+)/.exec(replay.stdout)![1]);
  });

  it('shipping again adds nothing', { timeout: 240_000 }, async () => {
    const before = await rows(urls[0]!, 'SELECT hostName, count() FROM netrec.packets GROUP BY hostName ORDER BY hostName');
    for (const [input, host] of HOSTS) {
      const run = ship(urls[1]!, input, host);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/: 0 packets in 0 batch\(es\), \d+ shipped before to /);
    }
    expect(await rows(urls[0]!, 'SELECT hostName, count() FROM netrec.packets GROUP BY hostName ORDER BY hostName')).toEqual(before);
  });

  it('a batch inserted but not recorded (a run that died in between) is not inserted twice', { timeout: 120_000 }, async () => {
    const before = await rows(urls[0]!, 'SELECT count() FROM netrec.events');
    await chQuery(urls[0]!, 'TRUNCATE TABLE netrec.netrec_batches');
    const run = ship(urls[0]!, 'fixtures/recordings/dns.nev', 'web-1');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/in 1 batch\(es\)/);
    expect(await rows(urls[0]!, 'SELECT count() FROM netrec.events')).toEqual(before);
  });

  it('each ready-made query gives the same rows in ClickHouse and in DuckDB', { timeout: 240_000 }, () => {
    const dirs = exportedDirs();
    let nonEmpty = 0;
    for (const q of READY_QUERIES) {
      const duck = netrec(['query', '--run', q.name, ...dirs, '-o', 'json']);
      expect(duck.status, duck.stderr).toBe(0);
      for (const url of urls) {
        const ch = netrec(['query', '--clickhouse', `${url}/netrec`, '--run', q.name, '-o', 'json']);
        expect(ch.status, ch.stderr).toBe(0);
        expect(ch.stdout, `${q.name} on ${url}`).toBe(duck.stdout);
      }
      if (duck.stdout !== '') nonEmpty++;
    }
    // Not vacuous: the queries find rows in the fixtures.
    expect(nonEmpty).toBe(READY_QUERIES.length);
  });

  it('flows, dns_transactions and process_events: the same rows in ClickHouse (either shard) as in DuckDB over the Parquet export', {
    timeout: 240_000,
  }, async () => {
    const dirs = exportedDirs();
    const ORDER = { flows: 'flowNumber', dns_transactions: 'transactionNumber', process_events: 'timestamp, event, hostThreadId' };
    for (const name of ['flows', 'dns_transactions', 'process_events'] as const) {
      const table = TABLES[name];
      const columns = table.columns.filter((c) => c.derivedFrom === undefined && c.name !== 'host' && c.name !== 'date');
      const order = `hostName, recordingId, ${ORDER[name]}`;
      const list = columns.map((c) => `"${c.name}"`).join(', ');
      // An input without flows (ICMP only) has no files for the table.
      const scans = dirs
        .filter((d) => readdirSync(join(d, name)).length > 0)
        .map((d) => `SELECT ${list} FROM ${tableScan(d, name)}`)
        .join(' UNION ALL ');
      const duck = (await duckRows(`SELECT * FROM (${scans}) ORDER BY ${order}`)).map((r) => columns.map((c) => comparable(c.type, r[c.name])));
      expect(duck.length, `${name} rows`).toBeGreaterThan(5);
      for (const url of urls) {
        const text = await chQuery(url, `SELECT ${columns.map((c) => `\`${c.name}\``).join(', ')} FROM netrec.${name} ORDER BY ${order} FORMAT JSONEachRow`);
        const ch = text
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .map((r) => columns.map((c) => comparable(c.type, r[c.name], true)));
        expect(ch, `${name} on ${url}`).toEqual(duck);
      }
    }
  });

  it('a user with a password file; a refused password is one line, exit 1', { timeout: 60_000 }, async () => {
    const good = path('password');
    writeFileSync(good, `${PASSWORD_USER.password}\n`);
    const run = ship(urls[0]!, 'fixtures/pcap/udp.pcap', 'udp-host', '--user', PASSWORD_USER.name, '--password-file', good);
    expect(run.status, run.stderr).toBe(0);
    expect(await rows(urls[1]!, "SELECT count() > 0 FROM netrec.packets WHERE hostName = 'udp-host'")).toEqual([['1']]);
    const bad = path('wrong');
    writeFileSync(bad, 'wrong\n');
    const refused = ship(urls[0]!, 'fixtures/pcap/udp.pcap', 'udp-host', '--user', PASSWORD_USER.name, '--password-file', bad);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^netrec: error: http:\/\/127\.0\.0\.1:\d+: cannot prepare the tables: .*; nothing was shipped\n$/);
  });

  it('a server that is gone: one line, exit 1, saying how far it got', { timeout: 60_000 }, () => {
    cluster.stop();
    const run = ship(urls[0]!, 'fixtures/recordings/dns.nev', 'web-9');
    expect(run.status).toBe(1);
    expect(run.stderr.split('\n')).toHaveLength(2);
    expect(run.stderr).toMatch(/^netrec: error: http:\/\/127\.0\.0\.1:\d+: .*nothing was shipped/);
    const query = netrec(['query', '--clickhouse', `${urls[0]}/netrec`, '--run', 'top-talkers']);
    expect(query.status).toBe(1);
    expect(query.stderr.split('\n')).toHaveLength(2);
  });
});
