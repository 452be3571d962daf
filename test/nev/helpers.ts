import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { TaskContext } from '../../src/core/packet.ts';
import { T0 } from '../helpers/task.ts';
import { LinkType } from '../../src/core/packet.ts';
import type { PacketInput } from '../../src/nev/recording-writer.ts';
import { FORMAT_MAJOR, FORMAT_MINOR } from '../../src/nev/layout.ts';
import type { SegmentHeader } from '../../src/nev/records.ts';
import { isPacketItem, type NevItem } from '../../src/nev/recording.ts';
import { NevSource } from '../../src/replay/nev-source.ts';
import { main } from '../../src/cli/main.ts';
import type { InputIssue } from '../../src/core/errors.ts';
import type { CapturedPacket } from '../../src/core/packet.ts';

/** A temporary directory removed after the file's tests. */
export function scratch(prefix: string): (name: string) => string {
  const dir = mkdtempSync(join(tmpdir(), `netrec-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (name) => join(dir, name);
}

export { T0, task } from '../helpers/task.ts';

/** Packet i: its bytes encode i, so a reader's copy can be checked against its number. */
export function packet(i: number, size = 64, t?: TaskContext): PacketInput {
  // Noise seeded by i (xorshift32): incompressible, so compressed tests get many blocks.
  const data = new Uint8Array(size);
  let x = i * 2654435761 || 1;
  for (let k = 0; k < size; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[k] = x & 0xff;
  }
  new DataView(data.buffer).setUint32(0, i);
  return {
    timestamp: T0 + BigInt(i) * 1_000_000n,
    linkType: LinkType.RAW,
    originalLength: size + 10,
    data,
    cpu: i % 4,
    direction: i % 2 ? 'ingress' : 'egress',
    ifindex: 2,
    socketCookie: BigInt(i) << 32n,
    ...(t ? { task: t } : {}),
  };
}

/** The i a packet's bytes were made from. */
export function idOf(p: CapturedPacket): number {
  return new DataView(p.data.buffer, p.data.byteOffset, 4).getUint32(0);
}

export async function readAll(path: string, opts = {}): Promise<{ packets: CapturedPacket[]; issues: InputIssue[]; items: NevItem[] }> {
  const source = await NevSource.open(path, opts);
  const items: NevItem[] = [];
  for await (const batch of source.records()) items.push(...batch);
  return {
    items,
    packets: items.filter(isPacketItem),
    issues: items.filter((i): i is InputIssue => !isPacketItem(i) && i.kind === 'issue'),
  };
}

/** A segment header for tests that write segments by hand (SegmentWriter). */
export function header(over: Partial<SegmentHeader> = {}): SegmentHeader {
  return {
    formatMajor: FORMAT_MAJOR,
    formatMinor: FORMAT_MINOR,
    netrecVersion: 'test',
    recordingId: 'rec',
    segmentNumber: 1,
    firstPacketNumber: 1,
    createdAt: T0,
    hostName: 'host',
    kernelRelease: '6.1.0',
    bootTimeOffset: 0n,
    snaplen: 65535,
    interfaces: [],
    processes: [],
    origin: 'test',
    ...over,
  };
}

/** Runs the CLI in-process, capturing what it writes to stdout and stderr. */
export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const captured = { out: '', err: '' };
  const streams = [
    [process.stdout, 'out'],
    [process.stderr, 'err'],
  ] as const;
  const originals = streams.map(([stream]) => stream.write);
  for (const [stream, key] of streams) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured[key] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof stream.write;
  }
  try {
    const code = await main(args);
    return { code, ...captured };
  } finally {
    streams.forEach(([stream], i) => (stream.write = originals[i]!));
  }
}
