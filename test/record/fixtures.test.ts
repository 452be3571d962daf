/**
 * The recordings in fixtures/recordings/ were made by `netrec record` from real traffic
 * (test/record/make-recordings.ts). Replayed here without root: every packet carries the
 * process that sent or received it, as named in the recording's own process table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceeEvent } from '../../src/event/types.ts';
import { isPacketItem } from '../../src/nev/recording.ts';
import { NevSource } from '../../src/replay/nev-source.ts';
import { REPO } from './live-net.ts';
import { replayEvents } from './replay-follow.ts';
import { FORKER_COMM, type ProcessTree } from './scenarios.ts';

const FIXTURES = join(REPO, 'fixtures/recordings');
const fixture = (name: string): string => join(FIXTURES, `${name}.nev`);

/**
 * Host pid → the last comm of the process's main thread in the process table (a process forked
 * by the test driver is first defined as a copy of it, then again after its exec).
 */
async function mainThreadNames(path: string): Promise<Map<number, string>> {
  const source = await NevSource.open(path);
  const names = new Map<number, string>();
  const note = (pid: number, tid: number, comm: string): void => {
    if (pid === tid) names.set(pid, comm);
  };
  for (const s of source.recording.segments)
    for (const p of s.info?.header?.processes ?? []) note(p.task.hostProcessId, p.task.hostThreadId, p.task.processName);
  for await (const items of source.records()) {
    for (const item of items) {
      if (!isPacketItem(item) && item.kind === 'task') note(item.task.hostProcessId, item.task.hostThreadId, item.task.processName);
    }
  }
  return names;
}

/** What the recording says about itself: packets, issues (losses, damage). */
async function inventory(path: string): Promise<{ packets: number; withTask: number; issues: string[] }> {
  const source = await NevSource.open(path);
  const out = { packets: 0, withTask: 0, issues: [] as string[] };
  for await (const batch of source.batches()) {
    for (const item of batch) {
      if ('kind' in item && item.kind === 'issue') out.issues.push(item.message);
      else if (isPacketItem(item)) {
        out.packets++;
        if (item.task !== undefined) out.withTask++;
      }
    }
  }
  return out;
}

const processesOf = (events: TraceeEvent[]): Set<number> => new Set(events.map((e) => e.hostProcessId));

describe('recorded fixtures', () => {
  it.each(['dns', 'tcp', 'udp', 'icmp', 'icmpv6', 'process-tree'])('%s: sealed, no losses, every packet attributed', async (name) => {
    const { packets, withTask, issues } = await inventory(fixture(name));
    expect(issues).toEqual([]);
    expect(packets).toBeGreaterThan(0);
    expect(withTask).toBe(packets);
  });

  it("dns: the queries are dig's and the answers named's, with their records", async () => {
    const events = await replayEvents(fixture('dns'), []);
    const names = await mainThreadNames(fixture('dns'));
    const owners = new Set([...processesOf(events)].map((pid) => names.get(pid)));
    expect(owners).toEqual(new Set(['dig', 'named']));
    // The full messages (net_packet_dns) carry every record type, SRV and SOA included.
    const answers = JSON.stringify(events.filter((e) => e.eventName === 'net_packet_dns').map((e) => e.args));
    for (const expected of ['mail.netrec.test', 'ns1.netrec.test', 'sip.netrec.test', 'hostmaster.netrec.test', 'web.netrec.test', 'fd6e:a63d:71f:2f4::2']) {
      expect(answers).toContain(expected);
    }
    // Over TCP too: dig +tcp's connection, accepted by named.
    const tcp = events.filter((e) => e.eventName === 'net_packet_tcp');
    expect(new Set(tcp.map((e) => names.get(e.hostProcessId)))).toEqual(new Set(['dig', 'named']));
  });

  it('dns: over TCP as over UDP, both ends get the DNS events of the packets recorded at both ends', async () => {
    const events = await replayEvents(fixture('dns'), ['event=net_packet_dns_request,net_packet_dns_response']);
    const names = await mainThreadNames(fixture('dns'));
    for (const protocol of [6, 17]) {
      for (const event of ['net_packet_dns_request', 'net_packet_dns_response']) {
        const these = events.filter(
          (e) => e.eventName === event && (e.args.find((a) => a.name === 'metadata')!.value as { protocol: number }).protocol === protocol,
        );
        expect(these.length, `${event} over ${protocol}`).toBeGreaterThan(0);
        // One event per copy: the sender's and the receiver's, dig's and named's.
        expect(new Set(these.map((e) => names.get(e.hostProcessId))), `${event} over ${protocol}`).toEqual(new Set(['dig', 'named']));
        expect(these.filter((e) => names.get(e.hostProcessId) === 'dig').length).toBe(these.length / 2);
      }
    }
  });

  it("tcp: both ends are nc, the SYN-ACK the server's", async () => {
    const events = await replayEvents(fixture('tcp'), ['event=net_packet_tcp']);
    expect(new Set(events.map((e) => e.processName))).toEqual(new Set(['nc']));
    const synAcks = events.filter((e) => {
      const tcp = e.args.find((a) => a.name === 'proto_tcp')!.value as { SYN: number; ACK: number; srcPort: number };
      return tcp.SYN === 1 && tcp.ACK === 1;
    });
    // Each SYN-ACK is seen leaving the server and arriving at the client: two processes.
    expect(synAcks).toHaveLength(4);
    for (const port of [5000, 5001]) {
      const pair = synAcks.filter((e) => (e.args.find((a) => a.name === 'src_port')!.value as number) === port);
      expect(processesOf(pair).size).toBe(2);
    }
  });

  it('udp: sender and receiver are nc, over IPv4 and IPv6', async () => {
    const events = await replayEvents(fixture('udp'), ['event=net_packet_udp']);
    expect(events).toHaveLength(4);
    expect(new Set(events.map((e) => e.processName))).toEqual(new Set(['nc']));
    expect(processesOf(events).size).toBe(4);
  });

  it.each([
    ['icmp', 'net_packet_icmp', 'proto_icmp'],
    ['icmpv6', 'net_packet_icmpv6', 'proto_icmpv6'],
  ])("%s: echo requests and replies are ping's", async (name, event, arg) => {
    const events = await replayEvents(fixture(name), [`event=${event}`]);
    expect(new Set(events.map((e) => e.processName))).toEqual(new Set(['ping']));
    const types = events.map((e) => (e.args.find((a) => a.name === arg)!.value as { typeCode: string }).typeCode);
    expect(new Set(types)).toEqual(new Set(['EchoRequest', 'EchoReply']));
  });

  describe('process-tree', () => {
    const tree = JSON.parse(readFileSync(join(FIXTURES, 'process-tree.json'), 'utf8')) as ProcessTree;

    it("carries the children's own pids, under their parent", async () => {
      const events = await replayEvents(fixture('process-tree'), ['event=net_packet_ipv4']);
      const sub = events.filter((e) => e.hostProcessId === tree.subshell);
      const nc = events.filter((e) => e.hostProcessId === tree.nc);
      expect(sub.length).toBeGreaterThan(0);
      expect(nc.length).toBeGreaterThan(0);
      for (const e of sub) expect([e.processName, e.hostParentProcessId]).toEqual([FORKER_COMM, tree.parent]);
      for (const e of nc) expect([e.processName, e.hostParentProcessId]).toEqual(['nc', tree.parent]);
    });

    it('--trace comm=<parent> --trace follow keeps the children, without follow only the same comm', async () => {
      const followed = processesOf(await replayEvents(fixture('process-tree'), [`comm=${FORKER_COMM}`, 'follow']));
      expect(followed).toContain(tree.subshell);
      expect(followed).toContain(tree.nc);
      const alone = processesOf(await replayEvents(fixture('process-tree'), [`comm=${FORKER_COMM}`]));
      expect(alone).toContain(tree.subshell);
      expect(alone).not.toContain(tree.nc);
    });
  });
});
