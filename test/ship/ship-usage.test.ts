/**
 * `netrec ship`, `record --ship` and `query --clickhouse` usage errors, found before any
 * connection or capture (no server, no root needed): one line each, exit 2.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { netrec } from '../helpers/cli.ts';
import { scratch } from '../nev/helpers.ts';

const cases: [string[], RegExp][] = [
  [['ship', 'fixtures/pcap/udp.pcap'], /ship needs a server: --to/],
  [['ship', 'fixtures/pcap/udp.pcap', '--to', 'ftp://x/db'], /--to: "ftp:\/\/x\/db" is not http:\/\/HOST:PORT\/\[DB\]/],
  [['ship', 'fixtures/pcap/udp.pcap', '--to', 'http://127.0.0.1:1/bad-name;drop'], /is not http:\/\/HOST:PORT\/\[DB\]/],
  [['ship', '-', '--to', 'http://127.0.0.1:1/'], /not standard input/],
  [['ship', 'fixtures/pcap/udp.pcap', '--to', 'http://127.0.0.1:1/', '--password-file', '/nonexistent/pass'], /--password-file: \/nonexistent\/pass: /],
  [['ship', 'fixtures/pcap/udp.pcap', '--to', 'http://127.0.0.1:1/', '--follow'], /--follow follows one recording directory/],
  [
    ['ship', 'fixtures/recordings/dns.nev', 'fixtures/recordings/udp.nev', '--to', 'http://127.0.0.1:1/', '--follow'],
    /--follow follows one recording directory/,
  ],
  [['record', '-o', 'x.nev', '--cluster', 'fleet'], /--cluster is an option of --ship/],
  [['record', '-o', 'x.nev', '--ship-wait', '5s'], /--ship-wait is an option of --ship/],
  [['record', '-o', 'x.nev', '--ship', 'ftp://x/db'], /--ship: "ftp:\/\/x\/db" is not http:\/\/HOST:PORT\/\[DB\]/],
  [['record', '-o', 'x.nev', '--ship', 'http://127.0.0.1:1/', '--ship-wait', 'soon'], /invalid --ship-wait 'soon'/],
  [['record', '-o', 'x.nev', '--ship', 'http://127.0.0.1:1/', '--password-file', '/nonexistent/pass'], /--password-file: \/nonexistent\/pass: /],
  [['query', '--clickhouse', 'http://127.0.0.1:1/netrec', 'SELECT 1'], /--clickhouse runs a ready-made query: add --run NAME/],
  [['query', '--clickhouse', 'http://127.0.0.1:1/netrec', '--run', 'top-talkers', 'x.nev'], /--clickhouse takes no inputs/],
];

describe('ship and query --clickhouse: usage errors', () => {
  const path = scratch('ship-usage');

  it.each(cases)('%j', (args, message) => {
    const r = netrec(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });

  it('a recording still being written is refused without --follow', () => {
    // The test process holds the lock, as a live writer would.
    const dir = path('live.nev');
    cpSync('fixtures/recordings/dns.nev', dir, { recursive: true });
    writeFileSync(join(dir, '.lock'), `${process.pid}\n`);
    const r = netrec(['ship', dir, '--to', 'http://127.0.0.1:1/netrec']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`live\\.nev is being written by process ${process.pid}: ship it once it is finished, or follow it with --follow`));
    expect(r.stderr.split('\n')).toHaveLength(2);
  });

  it('a server that does not answer: one line, exit 1, nothing shipped', () => {
    // Port 1 on loopback: nothing listens there.
    const r = netrec(['ship', 'fixtures/pcap/udp.pcap', '--to', 'http://127.0.0.1:1/netrec']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^netrec: error: http:\/\/127\.0\.0\.1:1: cannot prepare the tables: .*; nothing was shipped\n$/);
  });
});
