/**
 * `netrec query` through the built CLI: SQL over recordings (exported into the cache on the fly,
 * reused while unchanged) and over Parquet exports; table, CSV and JSON output; ready-made
 * queries and their parameters; bad SQL and a missing table are DuckDB's message on one line
 * with exit 2. Expected values come from `replay` (an independent path) where they can.
 */
import { copyFileSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { netrec } from '../helpers/cli.ts';
import { scratch } from '../nev/helpers.ts';

const path = scratch('query');
const cache = path('cache');
const env = { ...process.env, XDG_CACHE_HOME: cache };
const run = (...args: string[]) => netrec(['query', ...args], { env });

function replayedCounts(input: string): Record<string, number> {
  const r = netrec(['replay', input]);
  const counts: Record<string, number> = {};
  for (const line of r.stdout.split('\n').filter((l) => l !== '')) {
    const name = (JSON.parse(line) as { eventName: string }).eventName;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

describe('netrec query', () => {
  it('SQL over a recording: the events replay prints, as JSON lines', () => {
    const r = run('SELECT eventName, count(*) AS n FROM events GROUP BY eventName ORDER BY eventName', 'fixtures/recordings/dns.nev', '-o', 'json');
    expect(r.status, r.stderr).toBe(0);
    const got = Object.fromEntries(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { eventName: string; n: number })
        .map((o) => [o.eventName, o.n]),
    );
    expect(got).toEqual(replayedCounts('fixtures/recordings/dns.nev'));
  });

  it('exports a capture into the cache once, and again when it changes', () => {
    const own = path('cache-2');
    const capture = path('udp.pcap');
    copyFileSync('fixtures/pcap/udp.pcap', capture);
    const query = () => netrec(['query', 'SELECT count(*) AS n FROM packets', capture, '-o', 'csv'], { env: { ...process.env, XDG_CACHE_HOME: own } });
    const first = query();
    expect(first.status, first.stderr).toBe(0);
    const entries = readdirSync(`${own}/netrec/tables`);
    expect(entries).toHaveLength(1);
    const made = statSync(`${own}/netrec/tables/${entries[0]}`).mtimeMs;
    const second = query();
    expect(second.stdout).toBe(first.stdout);
    expect(readdirSync(`${own}/netrec/tables`)).toEqual(entries);
    expect(statSync(`${own}/netrec/tables/${entries[0]}`).mtimeMs).toBe(made);
    // CSV: a header, then the row, CRLF-terminated; the count is the capture's packets.
    const packets = netrec(['replay', capture, '-t', 'event=net_packet_ipv4,net_packet_ipv6']).stdout.trim().split('\n').length;
    expect(first.stdout).toBe(`n\r\n${packets}\r\n`);
    // A changed input is exported again.
    utimesSync(capture, new Date(), new Date(Date.now() + 5000));
    expect(query().status).toBe(0);
    expect(readdirSync(`${own}/netrec/tables`)).toHaveLength(2);
  });

  it('a Parquet export as input, several at once, 64-bit values exact', () => {
    const dir = path('tcp');
    expect(netrec(['export', 'fixtures/recordings/tcp.nev', '--format', 'parquet', '-w', dir]).status).toBe(0);
    const r = run('SELECT max(timestamp) AS t FROM events', dir, 'fixtures/recordings/udp.nev', '-o', 'json');
    expect(r.status, r.stderr).toBe(0);
    const replayed = [netrec(['replay', 'fixtures/recordings/tcp.nev']).stdout, netrec(['replay', 'fixtures/recordings/udp.nev']).stdout]
      .join('')
      .match(/"timestamp":(\d+)/g)!
      .map((m) => BigInt(m.slice(12)));
    const max = replayed.reduce((a, b) => (b > a ? b : a));
    expect(r.stdout).toBe(`{"t":${max}}\n`);
  });

  it('bad SQL and a missing table: the engine’s message on one line, exit 2', () => {
    for (const sql of ['SELEC 1', 'SELECT * FROM connections']) {
      const r = run(sql, 'fixtures/pcap/udp.pcap');
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.stderr).toMatch(/^netrec: query: (Parser|Catalog) Error: /);
    }
  });

  it('an input that is not there: one line naming it, exit 1, as replay says it', () => {
    const r = run('SELECT 1', 'fixtures/pcap/no-such.pcap');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('netrec: error: fixtures/pcap/no-such.pcap: cannot open: no such file or directory\n');
    expect(netrec(['replay', 'fixtures/pcap/no-such.pcap']).stderr).toBe(r.stderr);
  });

  it('--list, --run with parameters, and their usage errors', () => {
    const list = run('--list');
    expect(list.status).toBe(0);
    for (const name of ['dns-names-by-process', 'first-contact', 'processes-to-cidr', 'dns-answers-unused', 'top-talkers']) expect(list.stdout).toContain(name);
    const cidr = run('--run', 'processes-to-cidr', '--param', 'cidr=172.16.17.0/24', 'fixtures/recordings/dns.nev', '-o', 'json');
    expect(cidr.status, cidr.stderr).toBe(0);
    const lines = cidr.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { processName: string; packets: number });
    expect(lines.length).toBeGreaterThan(0);
    const none = run('--run', 'processes-to-cidr', '--param', 'cidr=10.99.0.0/16', 'fixtures/recordings/dns.nev', '-o', 'json');
    expect(none.stdout).toBe('');
    for (const bad of [
      ['--run', 'nope'],
      ['--run', 'processes-to-cidr', '--param', 'cidr=banana'],
      ['--run', 'top-talkers', '--param', 'x=1'],
      ['--param', 'a=b', 'SELECT 1'],
    ]) {
      const r = run(...bad, 'fixtures/pcap/udp.pcap');
      expect(r.status, bad.join(' ')).toBe(2);
      expect(r.stderr.split('\n')).toHaveLength(2);
    }
  });

  it('the table output escapes what the input chose (control and bidi characters)', () => {
    const r = run(`SELECT 'a' || chr(27) || '[2J' || chr(8238) AS name`, 'fixtures/pcap/udp.pcap');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/[\x1b\u202e]/);
    expect(r.stdout).toContain('\\x1b[2J');
  });
});
