/**
 * `netrec ship DIR --follow` (what record --ship runs) without root: this test process is the
 * writer (RecordingWriter holds the recording's lock with its pid) and a real ClickHouse the
 * server. Segments sealed while the writer runs are shipped before it ends; the segment being
 * written is not read until sealed; once the writer closes, the rest is shipped and the follower
 * exits 0, with every event `replay` gives for the finished recording in ClickHouse exactly once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkType } from '../../src/core/packet.ts';
import { RecordingWriter } from '../../src/nev/recording-writer.ts';
import { netrecChild } from '../helpers/cli.ts';
import { startCluster, type Cluster } from '../helpers/clickhouse.ts';
import { ipv4, udp, utf8 } from '../helpers/packet-builder.ts';
import { T0, task } from '../helpers/task.ts';
import { requireTool } from '../helpers/tools.ts';
import { scratch } from '../nev/helpers.ts';
import { count, packetsWhenAny, replayedKeys, shippedKeys } from './event-keys.ts';

const available = requireTool('clickhouse-server');
const path = scratch('ship-follow');

function write(w: RecordingWriter, from: number, to: number): void {
  for (let i = from; i <= to; i++) {
    const data = ipv4({
      protocol: 'UDP',
      srcIP: '10.0.0.1',
      dstIP: '10.0.0.2',
      payload: udp({ srcPort: 1000 + (i % 50), dstPort: 9, payload: utf8(`packet ${i}`) }),
    });
    w.writePacket({
      timestamp: T0 + BigInt(i) * 1_000_000n,
      linkType: LinkType.RAW,
      originalLength: data.length,
      data,
      direction: 'egress',
      task: task(100 + (i % 3)),
    });
  }
  w.flush();
}

describe.skipIf(!available)('ship --follow: a recording being written', () => {
  let server: Cluster;
  let url = '';

  beforeAll(async () => {
    server = await startCluster(1);
    url = server.servers[0]!.url;
  }, 120_000);
  afterAll(() => server?.stop());

  it('ships sealed segments while the writer runs, the rest once it ends, every event once', { timeout: 60_000 }, async () => {
    const dir = path('follow.nev');
    // About 40 packets a segment.
    const w = new RecordingWriter({ dir, snaplen: 65535, origin: 'netrec record', hostName: 'writer-host', rotateSize: 4096 });
    write(w, 1, 200);
    const child = netrecChild(['ship', dir, '--follow', '--to', `${url}/netrec`, '--host-name', 'follow-a']);
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const during = await packetsWhenAny(url, 'follow-a', 30);
      // Sealed segments are in; the one being written (the last packets) is not.
      expect(during, stderr).toBeGreaterThan(0);
      expect(during).toBeLessThan(200);
      expect(child.exitCode).toBeNull();
      // The marker follows the batch's rows (written once the insert returned): wait for it.
      for (let waited = 0; !existsSync(`${dir}/shipped.json`) && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      const marker = JSON.parse(readFileSync(`${dir}/shipped.json`, 'utf8')) as { complete: boolean; packets: number };
      expect(marker.complete).toBe(false);
      write(w, 201, 330);
    } finally {
      w.close();
    }
    expect(await exited, stderr).toBe(0);
    expect(stderr).toMatch(/^netrec: shipped .*follow\.nev: 330 packets in \d+ batch\(es\) to http:\S+\/netrec\n$/);
    expect(await count(url, "SELECT count() FROM netrec.packets WHERE hostName = 'follow-a'")).toBe(330);
    const replayed = replayedKeys(dir);
    expect(replayed.length).toBeGreaterThan(330);
    expect(await shippedKeys(url, 'follow-a')).toEqual(replayed);
    const marker = JSON.parse(readFileSync(`${dir}/shipped.json`, 'utf8')) as { complete: boolean; packets: number };
    expect(marker).toMatchObject({ complete: true, packets: 330 });
  });
});
