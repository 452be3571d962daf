/**
 * What Wireshark's tools read in an exported pcapng, checked against the recording itself (read
 * by netrec's .nev reader): tshark's frame fields (exact time, lengths, direction, interface
 * name, drop count, the comment), tshark's pcapng file dissector (`-X read_format:MIME Files
 * Format`: section header options, interface options, the Darwin process blocks each packet
 * names, statistics blocks with the losses) and capinfos.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { CapturedPacket, TaskContext } from '../../src/core/packet.ts';
import { parsePacketComment } from '../../src/core/packet-comment.ts';
import { netrec } from '../helpers/cli.ts';
import { tsharkAvailable, tsharkDarwinProcesses } from '../helpers/tshark.ts';
import { readAll, scratch } from '../nev/helpers.ts';
import { RecordingWriter } from '../../src/nev/recording-writer.ts';
import { BASE_TIME, HOSTILE_COMM, syntheticTask, writeSyntheticRecording } from './synthetic-recording.ts';

const noTshark = !(await tsharkAvailable());
if (noTshark && process.env.CI === 'true') throw new Error('tshark is required on CI');
if (noTshark) console.warn('skipping the exported pcapng checks: tshark not found');

const path = scratch('export-content');

function tshark(args: string[]): string {
  return execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] });
}

const FIELDS = ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'frame.packet_flags_direction', 'frame.interface_name', 'frame.drop_count', 'frame.comment'];

interface Frame {
  time: string;
  length: number;
  captured: number;
  direction: string;
  interfaceName: string;
  dropCount: string;
  comment: string;
}

function frames(file: string): Frame[] {
  const out = tshark(['-n', '-r', file, '-T', 'fields', '-E', 'separator=/t', ...FIELDS.flatMap((f) => ['-e', f])]);
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const [time, length, captured, direction, interfaceName, dropCount, comment] = line.split('\t') as string[];
      return {
        time: time!,
        length: Number(length),
        captured: Number(captured),
        direction: direction!,
        interfaceName: interfaceName!,
        dropCount: dropCount!,
        comment: comment ?? '',
      };
    });
}

function epochText(ns: bigint): string {
  return `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
}

const DIRECTION_TEXT = { ingress: '0x00000001', egress: '0x00000002', unknown: '0x00000000' } as const;

type Json = string | Json[] | { [key: string]: Json };

/** The blocks of a pcapng file as tshark's file dissector shows them. */
function blocks(file: string): { [key: string]: Json }[] {
  const out = tshark(['-r', file, '-X', 'read_format:MIME Files Format', '-T', 'json', '-J', 'file-pcapng', '--no-duplicate-keys']);
  const layers = (JSON.parse(out) as { _source: { layers: { 'file-pcapng': { 'pcapng.block': { [key: string]: Json }[] } } } }[])[0]!._source.layers;
  return layers['file-pcapng']['pcapng.block'];
}

/** The values of `field` anywhere under `node`. */
function values(node: Json, field: string): string[] {
  if (typeof node === 'string') return [];
  if (Array.isArray(node)) return node.flatMap((n) => values(n, field));
  return Object.entries(node).flatMap(([k, v]) => (k === field ? (Array.isArray(v) ? (v as string[]) : [v as string]) : values(v, field)));
}

function blockType(b: { [key: string]: Json }): string {
  return b['pcapng.block.type'] as string;
}

/** The task a comment tshark printed stands for (tshark shows the comment's text as written). */
function commentTask(comment: string): TaskContext | undefined {
  const parsed = parsePacketComment(comment);
  if (parsed === undefined || 'problem' in parsed) throw new Error(`not a netrec comment: ${comment}`);
  return parsed.task;
}

describe.skipIf(noTshark)('an exported recording, read by tshark and capinfos', () => {
  const lossesBefore = new Map<number, [bigint, bigint]>([
    [3, [5n, 0n]],
    [7, [2n, 1n]],
  ]);
  const recording = path('synthetic.nev');
  const pcapng = path('synthetic.pcapng');
  let packets: CapturedPacket[] = [];

  it('exports', async () => {
    writeSyntheticRecording({ dir: recording, lossesBefore });
    const run = netrec(['export', recording, '-w', pcapng]);
    expect(run.status).toBe(0);
    packets = (await readAll(recording)).packets;
    expect(packets).toHaveLength(12);
  });

  it('every packet keeps its exact time, lengths, direction, interface and context', () => {
    const read = frames(pcapng);
    expect(read).toHaveLength(packets.length);
    for (const [i, f] of read.entries()) {
      const p = packets[i]!;
      expect(f.time).toBe(epochText(p.timestamp));
      expect([f.length, f.captured]).toEqual([p.originalLength, p.data.length]);
      expect(f.direction).toBe(DIRECTION_TEXT[p.direction!]);
      expect(f.interfaceName).toBe(p.ifindex === 1 ? 'lo' : 'eth0');
      const context = parsePacketComment(f.comment);
      expect(context).toEqual({ ...(p.task ? { task: p.task } : {}), cpu: p.cpu, socketCookie: p.socketCookie });
    }
    // The times are not whole microseconds: the sub-microsecond digits survive.
    expect(read.some((f) => !f.time.endsWith('000'))).toBe(true);
    expect(read[0]!.time).toBe(epochText(BASE_TIME));
  });

  it('shows the process first and readably in the comment, hostile names escaped', () => {
    const read = frames(pcapng);
    expect(read[0]!.comment.startsWith('pid=3001 tid=3001 ppid=1 comm=curl uid=1000 ')).toBe(true);
    const hostile = read[2]!.comment;
    // No raw newline or bidi override reaches the viewer; the name comes back exactly.
    expect(hostile).not.toMatch(/[\n\u202e]/);
    expect(hostile).toContain('comm="a b\\"c=d\\\\e\\n\\u{202e}fdp.exe../../x"');
    expect(commentTask(hostile)?.processName).toBe(HOSTILE_COMM);
    // A packet without a task still carries its CPU and socket cookie.
    expect(read[3]!.comment).toBe(`cpu=1 cookie=1003`);
  });

  it('puts each loss on the next packet (epb_dropcount) and all of them on the interface statistics', () => {
    const read = frames(pcapng);
    expect(read.map((f) => f.dropCount)).toEqual(read.map((_, i) => (i === 3 ? '5' : i === 7 ? '3' : '')));
    const statistics = blocks(pcapng).filter((b) => blockType(b) === '0x00000005');
    expect(statistics).toHaveLength(2);
    expect(statistics.flatMap((s) => values(s, 'pcapng.options.option.data.interface.dropped'))).toEqual(['8']);
    expect(
      statistics
        .flatMap((s) => values(s, 'pcapng.options.option.data.interface.delivered_to_user'))
        .map(Number)
        .reduce((a, b) => a + b),
    ).toBe(12);
  });

  it('writes the section header and interfaces to the spec', () => {
    const all = blocks(pcapng);
    const [shb] = all;
    expect(blockType(shb!)).toBe('0x0a0d0d0a');
    expect(values(shb!, 'pcapng.options.option.data.os')).toEqual(['Linux 6.1.0-test']);
    expect(values(shb!, 'pcapng.options.option.data.user_application')[0]).toMatch(/^netrec \d+\.\d+\.\d+$/);
    expect(values(shb!, 'pcapng.options.option.data.hardware')).toHaveLength(1);
    const interfaces = all.filter((b) => blockType(b) === '0x00000001');
    expect(interfaces.map((b) => values(b, 'pcapng.interface_description.link_type'))).toEqual([['101'], ['101']]);
    expect(interfaces.map((b) => values(b, 'pcapng.options.option.data.interface.timestamp_resolution'))).toEqual([['0x09'], ['0x09']]);
    expect(interfaces.map((b) => values(b, 'pcapng.options.option.data.interface.name'))).toEqual([['lo'], ['eth0']]);
    // capinfos agrees.
    const info = execFileSync('capinfos', [pcapng], { encoding: 'utf8' });
    expect(info).toMatch(/Capture oper-sys:\s+Linux 6\.1\.0-test/);
    expect(info).toMatch(/Capture application:\s+netrec /);
    expect(info).toMatch(/File encapsulation:\s+Raw IP/);
    expect(info).toMatch(/Number of packets:\s+12\n/);
    expect(info.match(/Time precision = nanoseconds \(9\)/g)).toHaveLength(2);
  });

  it('names each attributed packet’s Darwin process: tshark shows its pid and name', () => {
    const all = blocks(pcapng);
    const processes = all
      .filter((b) => blockType(b) === '0x80000001')
      .map((b) => ({ pid: Number(values(b, 'pcapng.darwin.process_id')[0]), name: values(b, 'pcapng.darwin.process_name')[0] }));
    expect(processes).toEqual([
      { pid: 3001, name: 'curl' },
      { pid: 3002, name: 'nginx' },
      { pid: 3004, name: HOSTILE_COMM },
    ]);
    const named = all.filter((b) => blockType(b) === '0x00000006').map((b) => values(b, 'pcapng.options.option.data.packet.darwin.dpeb_id')[0]);
    expect(named).toEqual(packets.map((p) => (p.task === undefined ? undefined : String(processes.findIndex((d) => d.pid === p.task!.hostProcessId)))));
  });
});

describe.skipIf(noTshark)('a context too long for a pcapng comment', () => {
  it('is left out with a warning naming the packet; the packet and the file stay valid', async () => {
    const recording = path('long-name.nev');
    const writer = new RecordingWriter({ dir: recording, snaplen: 65535, origin: 'netrec record', hostName: 'box', kernelRelease: '6.1.0-test' });
    const data = Buffer.from('450000140000000040ff0000' + '0a000001' + '0a000002', 'hex');
    writer.writePacket({ timestamp: BASE_TIME, linkType: 101, originalLength: 20, data, task: syntheticTask(5, 'x'.repeat(70_000)) });
    writer.writePacket({ timestamp: BASE_TIME + 1n, linkType: 101, originalLength: 20, data, task: syntheticTask(6, 'short') });
    writer.close();
    const pcapng = path('long-name.pcapng');
    const run = netrec(['export', recording, '-w', pcapng]);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`netrec: warning: ${recording}: packet 1: its context takes 70`);
    expect(run.stderr).toContain('more than a pcapng comment holds (65535); written without it');
    const read = frames(pcapng);
    expect(read.map((f) => f.comment.slice(0, 15))).toEqual(['', 'pid=6 tid=6 ppi']);
    expect(read.map((f) => f.length)).toEqual([20, 20]);
  });
});

describe.skipIf(noTshark)('a fixture recording in tshark', () => {
  it('shows the recorded pid and process name of every attributed packet (Darwin blocks)', async () => {
    const pcapng = path('dns.pcapng');
    expect(netrec(['export', 'fixtures/recordings/dns.nev', '-w', pcapng]).status).toBe(0);
    const { packets } = await readAll('fixtures/recordings/dns.nev');
    const { pids, names, packetProcessIds: ids } = tsharkDarwinProcesses(pcapng);
    const processOf = (id: string): string => `${pids[Number(id)]} ${names[Number(id)]}`;
    const attributed = packets.filter((p) => p.task !== undefined);
    expect(attributed.length).toBeGreaterThan(40);
    expect(ids.map(processOf)).toEqual(attributed.map((p) => `${p.task!.hostProcessId} ${p.task!.processName}`));
    // Wireshark's packet list shows the same in the comment.
    const comments = frames(pcapng).map((f) => commentTask(f.comment));
    expect(comments.map((t) => t && `${t.hostProcessId} ${t.processName}`)).toEqual(
      packets.map((p) => p.task && `${p.task.hostProcessId} ${p.task.processName}`),
    );
  });
});
