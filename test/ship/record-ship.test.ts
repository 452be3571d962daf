/**
 * `netrec record --ship` against real traffic (root: a network namespace and eBPF) and a real
 * ClickHouse (test/helpers/clickhouse.ts). Checks, through the CLI:
 * - rows reach ClickHouse while the recorder still runs, and once it ends every event `replay`
 *   gives for the finished recording is in ClickHouse exactly once;
 * - a server that hangs mid-run (SIGSTOP) or is not there at all costs the recording nothing
 *   (sealed, every ping in it), record says how far shipping got (exit 1), and a later
 *   `netrec ship` completes it without a duplicate; a third run adds nothing;
 * - a recorder killed mid-run takes its shipper with it, and `netrec ship` completes the
 *   unsealed recording, with nothing more to add once `verify --repair` sealed it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netrec as cli } from '../helpers/cli.ts';
import { startCluster, type Cluster } from '../helpers/clickhouse.ts';
import { requireTool } from '../helpers/tools.ts';
import { type Child, LiveNet, liveUnavailable, N4, netrec, sh } from '../record/live-net.ts';
import { batchesWhenAny, count, packetsWhenAny, replayedKeys, shippedKeys } from './event-keys.ts';

const unavailable = liveUnavailable();
if (unavailable !== undefined) {
  if (process.env.CI === 'true') throw new Error(`${unavailable} (required on CI)`);
  console.warn(`skipping record --ship tests: ${unavailable}`);
}
const clickhouse = requireTool('clickhouse-server');

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Pings from the host into the namespace; the recording must hold each request and reply. */
function ping(net: LiveNet, n: number): void {
  net.run('ping', ['-n', '-q', '-c', String(n), '-i', '0.2', '-W', '2', N4]);
}

function echoes(dir: string): number {
  const run = cli(['replay', dir, '-t', 'event=net_packet_icmp', '-t', `net_packet_icmp.args.dst=${N4}`]);
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split('\n').filter((l) => l.includes('"EchoRequest"') || l.includes('ECHO')).length;
}

describe.skipIf(unavailable !== undefined || !clickhouse)('record --ship (live, root, ClickHouse)', () => {
  const net = new LiveNet(`s${process.pid % 100000}`);
  let server: Cluster;
  let url = '';

  beforeAll(async () => {
    net.setup();
    server = await startCluster(1);
    url = server.servers[0]!.url;
  }, 120_000);
  afterAll(() => {
    server?.stop();
    net.teardown();
  });

  /** `record -o <name>.nev --ship ... --host-name <host>`, once it records. */
  async function recording(name: string, host: string, shipTo: string, ...extra: string[]): Promise<{ dir: string; rec: Child }> {
    const dir = join(net.work, `${name}.nev`);
    const rec = netrec(net, ['record', '-o', dir, '--ship', shipTo, '--host-name', host, ...extra]);
    await rec.waitFor(/Ctrl-C stops/, 'stderr', 30_000);
    return { dir, rec };
  }

  it('ships while recording; every replayed event is in ClickHouse exactly once', { timeout: 60_000 }, async () => {
    const { dir, rec } = await recording('a', 'rec-a', `${url}/netrec`, '--rotate-seconds', '1');
    ping(net, 10);
    // Rows arrive while the recorder still runs.
    expect(await packetsWhenAny(url, 'rec-a'), rec.stderr).toBeGreaterThan(0);
    expect(rec.proc.exitCode).toBeNull();
    ping(net, 5);
    expect(await rec.stop('SIGINT'), rec.stderr).toBe(0);
    expect(rec.stderr).toMatch(/^netrec: shipped .*a\.nev: \d+ packets in \d+ batch\(es\) to /m);
    // (Kernel-side losses on this shared machine are warnings of the recording, not of shipping.)
    expect(rec.stderr).not.toMatch(/^netrec: (error|warning: ship|warning: --ship)/m);

    // The recorder captures the whole host here, its shipper too: the shipper's own requests are
    // left out (recorded, they would be shipped, recorded again...), and said so.
    const own = /^netrec: left out as its own shipping traffic \(pid (\d+)\): (\d+) packets$/m.exec(rec.stderr);
    expect(own, rec.stderr).not.toBeNull();
    expect(Number(own![2])).toBeGreaterThan(0);
    const all = cli(['replay', dir]);
    expect(all.stdout).toContain('"hostProcessId":');
    expect(all.stdout).not.toContain(`"hostProcessId":${own![1]},`);

    const replayed = replayedKeys(dir);
    expect(replayed.length).toBeGreaterThan(30);
    expect(await shippedKeys(url, 'rec-a')).toEqual(replayed);
    expect(await count(url, "SELECT count() = uniqExact(recordingId, seq) FROM netrec.events WHERE hostName = 'rec-a'")).toBe(1);
    const marker = JSON.parse(readFileSync(join(dir, 'shipped.json'), 'utf8')) as { complete: boolean };
    expect(marker.complete).toBe(true);

    // netrec ship afterwards finds everything in.
    const again = cli(['ship', dir, '--to', `${url}/netrec`, '--host-name', 'rec-a']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/: 0 packets in 0 batch\(es\), \d+ shipped before to /);
  });

  it('a server that hangs mid-run: the recording is complete, a later ship completes it once', { timeout: 60_000 }, async () => {
    const dir = join(net.work, 'b.nev');
    const chServer = server.servers[0]!.process;
    const rec = netrec(net, ['record', '-o', dir, '--ship', `${url}/netrec`, '--host-name', 'rec-b', '--rotate-seconds', '1', '--ship-wait', '2s']);
    try {
      await rec.waitFor(/Ctrl-C stops/, 'stderr', 30_000);
      ping(net, 5);
      // At least one batch in and recorded in the ledger (its input key names the host).
      expect(await batchesWhenAny(url, 'rec-b'), rec.stderr).toBeGreaterThan(0);
      // The server stops answering (a hung or overloaded server) while packets keep coming.
      chServer.kill('SIGSTOP');
      ping(net, 10);
      await pause(1500);
      expect(await rec.stop('SIGINT'), rec.stderr).toBe(1);
    } finally {
      chServer.kill('SIGCONT');
    }
    expect(rec.stderr).toMatch(/^netrec: recorded \d+ packets/m);
    expect(rec.stderr).toMatch(/^netrec: warning: --ship: shipping did not catch up within 2 s/m);
    expect(rec.stderr).toMatch(
      /^netrec: the recording .*b\.nev is complete; 'netrec ship \S*b\.nev --to http:\S+ --host-name rec-b' ships what ClickHouse does not have yet$/m,
    );
    // The recording: sealed, and every ping of both rounds in it.
    const verify = cli(['verify', dir]);
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    expect(echoes(dir)).toBe(15);

    const ship = cli(['ship', dir, '--to', `${url}/netrec`, '--host-name', 'rec-b']);
    expect(ship.status, ship.stderr).toBe(0);
    expect(ship.stderr).toMatch(/: \d+ packets in \d+ batch\(es\), \d+ shipped before to /);
    expect(await shippedKeys(url, 'rec-b')).toEqual(replayedKeys(dir));
    const third = cli(['ship', dir, '--to', `${url}/netrec`, '--host-name', 'rec-b']);
    expect(third.status, third.stderr).toBe(0);
    expect(third.stderr).toMatch(/: 0 packets in 0 batch\(es\), /);
    expect(await shippedKeys(url, 'rec-b')).toEqual(replayedKeys(dir));
  });

  it('no server at the start: one warning, the recording is complete, a later ship sends it all', { timeout: 60_000 }, async () => {
    const dir = join(net.work, 'c.nev');
    // Port 1 on loopback: nothing listens there.
    const rec = netrec(net, ['record', '-o', dir, '--ship', 'http://127.0.0.1:1/netrec', '--host-name', 'rec-c', '--ship-wait', '1s']);
    await rec.waitFor(/Ctrl-C stops/, 'stderr', 30_000);
    ping(net, 5);
    await pause(1000);
    expect(await rec.stop('SIGTERM'), rec.stderr).toBe(1);
    // Tried again and again, said once.
    expect(rec.stderr.match(/^netrec: warning: ship: http:\/\/127\.0\.0\.1:1: .*; trying again every \d+ s \(the recording is not affected\)$/gm)).toHaveLength(
      1,
    );
    expect(rec.stderr).toMatch(/^netrec: error: http:\/\/127\.0\.0\.1:1: stopped before the server answered; nothing was shipped$/m);
    expect(cli(['verify', dir]).status).toBe(0);
    expect(echoes(dir)).toBe(5);

    const ship = cli(['ship', dir, '--to', `${url}/netrec`, '--host-name', 'rec-c']);
    expect(ship.status, ship.stderr).toBe(0);
    expect(await shippedKeys(url, 'rec-c')).toEqual(replayedKeys(dir));
  });

  it('a recorder killed mid-run: its shipper stops too, and ship completes the recording once', { timeout: 60_000 }, async () => {
    const { dir, rec } = await recording('d', 'rec-d', `${url}/netrec`, '--rotate-seconds', '1');
    ping(net, 5);
    expect(await batchesWhenAny(url, 'rec-d'), rec.stderr).toBeGreaterThan(0);
    const shipper = Number(
      sh('pgrep', ['-P', String(rec.pid)])
        .trim()
        .split('\n')[0],
    );
    expect(shipper).toBeGreaterThan(0);
    rec.proc.kill('SIGKILL');
    await rec.exited;
    // The shipper notices (its channel to the recorder closed) and stops between batches.
    let alive = true;
    for (let i = 0; i < 60 && alive; i++) {
      await pause(250);
      try {
        process.kill(shipper, 0);
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
    // The killed writer left its last segment unsealed: ship reads it as replay does.
    const ship = cli(['ship', dir, '--to', `${url}/netrec`, '--host-name', 'rec-d']);
    expect(ship.status, ship.stderr).toBe(0);
    // The last batch (whose range only the end of the recording closes) was left to it.
    expect(ship.stderr).toMatch(/: [1-9]\d* packets in [1-9]\d* batch\(es\), [1-9]\d* shipped before to /);
    expect(await shippedKeys(url, 'rec-d')).toEqual(replayedKeys(dir));
    // Sealing it changes no record: nothing more to ship.
    expect(cli(['verify', dir, '--repair']).status).toBe(0);
    const again = cli(['ship', dir, '--to', `${url}/netrec`, '--host-name', 'rec-d']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/: 0 packets in 0 batch\(es\), /);
    expect(await shippedKeys(url, 'rec-d')).toEqual(replayedKeys(dir));
  });
});
