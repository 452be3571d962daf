/**
 * `netrec record` against real traffic (needs root): a namespace with bind9 and netcat servers,
 * clients on the host, tcpdump on the host end of the veth at the same time. The recording must
 * hold every packet tcpdump saw, each attributed to the process the test started on its side.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CapturedPacket } from '../../src/core/packet.ts';
import { findCgroup2Root } from '../../src/record/cgroup.ts';
import { netrec as cli } from '../helpers/cli.ts';
import { tsharkDarwinProcesses } from '../helpers/tshark.ts';
import { attachedProgramIds, H4, H6, LiveNet, liveUnavailable, N4, N6, netrec, programExists, REPO, sh, type Child } from './live-net.ts';
import { l3, packetKey, readPackets, side, summarize } from './packets.ts';
import { replayEvents } from './replay-follow.ts';
import * as scenarios from './scenarios.ts';
import type { Flow, ProcessTree } from './scenarios.ts';

const unavailable = liveUnavailable();
if (unavailable !== undefined) {
  if (process.env.CI === 'true') throw new Error(`${unavailable} (required on CI)`);
  console.warn(`skipping live record tests: ${unavailable}`);
}

describe.skipIf(unavailable !== undefined)('netrec record (live, root)', () => {
  const net = new LiveNet(`t${process.pid % 100000}`);
  const recording = join(net.work, 'live.nev');
  const pcap = join(net.work, 'veth.pcap');
  const flows: Flow[] = [];
  let recorded: CapturedPacket[] = [];
  let wire: CapturedPacket[] = [];
  let programsDuring: number[] = [];
  let recorderExit: number | null = null;
  let recorderStderr = '';
  let forker: ProcessTree = { parent: 0, subshell: 0, nc: 0 };
  const cgroupRoot = findCgroup2Root()!;

  beforeAll(async () => {
    net.setup();
    // named runs before recording starts: its sockets are seeded from /proc.
    const named = await net.startNamed();

    const before = new Set(attachedProgramIds(cgroupRoot));
    // Neighbour discovery and MLD (behind a hop-by-hop header) aside, every IP packet on the
    // link is the test's own.
    const filter = 'ip or (ip6 and ip6[6] != 0 and not (icmp6 and ip6[40] >= 130 and ip6[40] <= 137))';
    const tcpdump = net.spawn('tcpdump', ['-i', net.hostIf, '-n', '-U', '--immediate-mode', '-s', '0', '-Z', 'root', '-w', pcap, filter]);
    await tcpdump.waitFor(/listening on/, 'stderr', 10_000);
    const recorder = netrec(net, ['record', '-o', recording]);
    await recorder.waitFor(/Ctrl-C stops/, 'stderr', 60_000);
    programsDuring = attachedProgramIds(cgroupRoot).filter((id) => !before.has(id));

    await traffic(named);

    await new Promise((r) => setTimeout(r, 500)); // the last replies reach both captures
    recorderExit = await recorder.stop('SIGINT');
    recorderStderr = recorder.stderr;
    await tcpdump.stop('SIGINT');
    recorded = await readPackets(recording);
    wire = await readPackets(pcap);
  });

  afterAll(() => net.teardown());

  async function traffic(named: Child): Promise<void> {
    flows.push(...(await scenarios.dns(net, named)));
    flows.push(...(await scenarios.tcp(net)));
    flows.push(...(await scenarios.udp(net)));
    flows.push(...(await scenarios.icmp(net)));
    flows.push(...(await scenarios.icmpv6(net)));
    const tree = await scenarios.processTree(net);
    flows.push(...tree.flows);
    forker = tree.tree;
  }

  function flowOf(bytes: Uint8Array): Flow | undefined {
    const s = summarize(bytes);
    if (s === undefined || ![H4, H6, N4, N6].includes(s.src)) return undefined;
    return flows.find((f) => f.match(s));
  }

  it('stops cleanly on SIGINT with a summary', () => {
    expect(recorderExit, recorderStderr).toBe(0);
    expect(recorderStderr).toMatch(/recorded \d+ packets .* 1 segment/);
    expect(recorderStderr).toMatch(/lost in the kernel: 0 packets, 0 process events/);
  });

  it('records every packet tcpdump saw on the veth, for every protocol, at the same time', () => {
    const times = new Map<string, bigint>(recorded.map((p) => [packetKey(p.data), p.timestamp]));
    const keys = new Set(times.keys());
    const perFlow = new Map<string, { seen: number; missing: number }>();
    for (const p of wire) {
      const bytes = l3(p);
      const flow = flowOf(bytes);
      expect(flow, `a packet on the veth that no test flow explains: ${Buffer.from(bytes).toString('hex')}`).toBeDefined();
      const tally = perFlow.get(flow!.name) ?? { seen: 0, missing: 0 };
      tally.seen++;
      if (!keys.has(packetKey(bytes))) tally.missing++;
      perFlow.set(flow!.name, tally);
      // Both clocks are the kernel's: epoch time from CLOCK_TAI minus the TAI offset in the
      // recording, skb time in tcpdump's (µs). A copy is stamped µs to ms from the wire.
      const at = times.get(packetKey(bytes));
      if (at !== undefined) expect(Number(at - p.timestamp) / 1e6, 'recorded minus tcpdump time, ms').toBeLessThan(50);
      if (at !== undefined) expect(Number(at - p.timestamp) / 1e6).toBeGreaterThan(-50);
    }
    for (const f of flows) expect(perFlow.get(f.name)?.seen ?? 0, `tcpdump saw no ${f.name} packets`).toBeGreaterThan(0);
    const missing = [...perFlow].filter(([, t]) => t.missing > 0);
    expect(missing, 'flows with packets tcpdump saw and the recording lacks').toEqual([]);
  });

  it('attributes every packet to the process the test started on its side', () => {
    const attributed = new Set<string>();
    for (const p of recorded) {
      const flow = flowOf(p.data);
      if (flow === undefined || p.task === undefined) continue;
      const s = summarize(p.data)!;
      const expected = side(p, s) === 'host' ? flow.host : flow.ns;
      expect(expected, `${flow.name}: ${p.direction} ${s.src} → ${s.dst} attributed to ${p.task.processName} (${p.task.hostProcessId})`).toContain(
        p.task.hostProcessId,
      );
      attributed.add(packetKey(p.data));
    }
    // And each packet on the wire has at least one attributed copy (sender's or receiver's).
    const unattributed = wire.map(l3).filter((b) => !attributed.has(packetKey(b)));
    expect(unattributed.map((b) => `${flowOf(b)?.name}: ${Buffer.from(b).toString('hex').slice(0, 80)}`)).toEqual([]);
  });

  it("carries the forked child's pid and name, and its parent's", () => {
    const sub = recorded.filter((p) => p.task?.hostProcessId === forker.subshell);
    expect(sub.length).toBeGreaterThan(0);
    for (const p of sub) {
      expect(p.task!.processName).toBe(scenarios.FORKER_COMM);
      expect(p.task!.hostParentProcessId).toBe(forker.parent);
    }
    const nc = recorded.filter((p) => p.task?.hostProcessId === forker.nc);
    expect(nc.length).toBeGreaterThan(0);
    for (const p of nc) {
      expect(p.task!.processName).toBe('nc');
      expect(p.task!.hostParentProcessId).toBe(forker.parent);
    }
  });

  it('replays --trace comm=<parent> --trace follow with the children', async () => {
    const processes = async (trace: string[]): Promise<Set<string>> =>
      new Set((await replayEvents(recording, trace)).map((e) => `${e.processName}/${e.hostProcessId}`));
    const followed = await processes([`comm=${scenarios.FORKER_COMM}`, 'follow']);
    expect(followed).toContain(`nc/${forker.nc}`);
    expect(followed).toContain(`${scenarios.FORKER_COMM}/${forker.subshell}`);
    const alone = await processes([`comm=${scenarios.FORKER_COMM}`]);
    expect(alone).not.toContain(`nc/${forker.nc}`);
    expect(alone).toContain(`${scenarios.FORKER_COMM}/${forker.subshell}`);
  });

  it("names dig's packets by its thread and by its process: comm=dig keeps them, the table and info show both", async () => {
    const digPids = flows.find((f) => f.name === 'dns')!.host;
    const fromDig = recorded.filter((p) => p.task !== undefined && digPids.includes(p.task.hostProcessId));
    expect(fromDig.length).toBeGreaterThan(0);
    for (const p of fromDig) expect(p.task!.leaderName).toBe('dig');
    // dig sends from its isc-net threads: the thread's name is not the process's.
    expect(fromDig.some((p) => p.task!.processName !== 'dig')).toBe(true);

    const events = await replayEvents(recording, ['comm=dig']);
    expect(new Set(events.map((e) => e.hostProcessId))).toEqual(new Set(digPids.filter((pid) => fromDig.some((p) => p.task!.hostProcessId === pid))));
    expect(events.some((e) => e.processName.startsWith('isc-net-'))).toBe(true);

    const table = sh(process.execPath, [
      join(REPO, 'bin/netrec.mjs'),
      'replay',
      recording,
      '--output',
      'table',
      '--trace',
      'comm=dig',
      '--trace',
      'event=net_packet_dns_request',
    ]);
    const rows = table.trim().split('\n').slice(1);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row).toMatch(/^\S+ +\d+ +(dig|\S+ \(dig\)) +\d+ /);
    expect(table).toMatch(/ isc-net-\d+ \(dig\) /);

    const info = sh(process.execPath, [join(REPO, 'bin/netrec.mjs'), 'info', recording]);
    expect(info).toMatch(/dig \(pid \d+, thread isc-net-\d+\) \d+/);
  });

  it('gives both ends of dig +tcp their DNS events, as over UDP', async () => {
    const dns = flows.find((f) => f.name === 'dns')!;
    const events = await replayEvents(recording, ['event=net_packet_dns_request,net_packet_dns_response']);
    for (const protocol of [6, 17]) {
      for (const event of ['net_packet_dns_request', 'net_packet_dns_response']) {
        const pids = new Set(
          events
            .filter((e) => e.eventName === event && (e.args.find((a) => a.name === 'metadata')!.value as { protocol: number }).protocol === protocol)
            .map((e) => e.hostProcessId),
        );
        expect(pids.has(dns.ns[0]!), `named has ${event} over ${protocol}`).toBe(true);
        expect(
          dns.host.some((pid) => pids.has(pid)),
          `dig has ${event} over ${protocol}`,
        ).toBe(true);
      }
    }
  });

  it('exports to pcapng that replays with the same events, also through convert, with each process in tshark', () => {
    const pcapng = join(net.work, 'live.pcapng');
    const exported = cli(['export', recording, '-w', pcapng]);
    expect(exported.status, exported.stderr).toBe(0);
    const original = cli(['replay', recording]);
    expect(original.status).toBe(0);
    expect(cli(['replay', pcapng]).stdout).toBe(original.stdout);
    const converted = join(net.work, 'live-converted.nev');
    expect(cli(['convert', pcapng, '-o', converted]).status).toBe(0);
    expect(cli(['replay', converted]).stdout).toBe(original.stdout);
    // Wireshark's pcapng dissector shows the Darwin process blocks: the forked subshell and the
    // exec'd nc with their pids and names.
    const { pids, names } = tsharkDarwinProcesses(pcapng);
    const processes = new Set(pids.map((pid, i) => `${pid} ${names[i]}`));
    expect(processes).toContain(`${forker.nc} nc`);
    expect(processes).toContain(`${forker.subshell} ${scenarios.FORKER_COMM}`);
  });

  it('leaves no program attached once stopped', () => {
    expect(programsDuring.length).toBe(12);
    const still = attachedProgramIds(cgroupRoot).filter((id) => programsDuring.includes(id));
    expect(still).toEqual([]);
    expect(programsDuring.filter(programExists)).toEqual([]);
  });

  it('records only the traced process and its children with --trace comm=… --trace follow', async () => {
    const traced = join(net.work, 'traced.nev');
    const recorder = netrec(net, ['record', '-o', traced, '--trace', `comm=${scenarios.FORKER_COMM}`, '--trace', 'follow']);
    await recorder.waitFor(/Ctrl-C stops/, 'stderr', 60_000);
    const { tree } = await scenarios.processTree(net);
    await scenarios.icmp(net); // not traced
    await new Promise((r) => setTimeout(r, 300));
    expect(await recorder.stop('SIGINT')).toBe(0);
    expect(recorder.stderr).toMatch(/left out by --trace: [1-9]\d* packets/);
    const packets = await readPackets(traced);
    const pids = new Set(packets.map((p) => p.task?.hostProcessId));
    expect(pids).toEqual(new Set([tree.subshell, tree.nc]));
  });

  it("records dig's packets with --trace comm=dig (its threads are named isc-net-…)", async () => {
    const traced = join(net.work, 'dig.nev');
    const recorder = netrec(net, ['record', '-o', traced, '--trace', 'comm=dig']);
    await recorder.waitFor(/Ctrl-C stops/, 'stderr', 60_000);
    const dig = sh('dig', [`@${N4}`, '+tries=1', '+time=3', 'netrec.test', 'A']);
    expect(dig).toContain('status: NOERROR');
    await scenarios.icmp(net); // not traced
    await new Promise((r) => setTimeout(r, 300));
    expect(await recorder.stop('SIGINT')).toBe(0);
    const packets = await readPackets(traced);
    expect(packets.length).toBeGreaterThanOrEqual(2); // the query, and the answer received
    for (const p of packets) expect(p.task?.leaderName).toBe('dig');
  });

  it('leaves no program attached after SIGKILL', async () => {
    const before = new Set(attachedProgramIds(cgroupRoot));
    const recorder = netrec(net, ['record', '-o', join(net.work, 'killed.nev')]);
    await recorder.waitFor(/Ctrl-C stops/, 'stderr', 60_000);
    const mine = attachedProgramIds(cgroupRoot).filter((id) => !before.has(id));
    expect(mine.length).toBe(12);
    await recorder.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 300)); // links are released as the process's files close
    expect(attachedProgramIds(cgroupRoot).filter((id) => mine.includes(id))).toEqual([]);
    expect(mine.filter(programExists)).toEqual([]);
  });
});
