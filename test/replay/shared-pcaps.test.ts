/**
 * Every capture in ../shared/pcaps, read by netrec and by tshark (the oracle): the same packets,
 * with the same timestamps, lengths, link types, bytes (MD5) and directions. Where tshark refuses
 * a file, netrec must report an error issue, after the packets tshark read before refusing.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CapturedPacket, Direction } from '../../src/core/packet.ts';
import { openCapture } from '../../src/replay/open.ts';
import { requireShared } from '../helpers/shared.ts';
import { issuesOf, packetsOf, readAll } from './capture-bytes.ts';

const pcapDir = requireShared('pcaps');

interface ManifestRow {
  file: string;
  /** "pcap little-endian microsecond", "pcapng big-endian, ts ...". */
  format: string;
}

function readManifest(dir: string): ManifestRow[] {
  const [header, ...rows] = readFileSync(join(dir, 'MANIFEST.tsv'), 'utf8')
    .split('\n')
    .filter((line) => line !== '');
  const columns = header!.split('\t');
  const fileColumn = columns.indexOf('file');
  const formatColumn = columns.indexOf('format');
  return rows.map((row) => {
    const cells = row.split('\t');
    return { file: cells[fileColumn]!, format: cells[formatColumn]! };
  });
}

/** What tshark says about one frame. */
interface TsharkFrame {
  timestamp: bigint;
  capturedLength: number;
  originalLength: number;
  linkType: number;
  md5: string;
  direction: Direction | undefined;
}

interface TsharkRun {
  frames: TsharkFrame[];
  /** tshark refused the file, after printing `frames`. */
  refusal: string | undefined;
}

/**
 * Wiretap encapsulation (frame.encap_type, wiretap/wtap.h) to LINKTYPE_*, for the encapsulations
 * of these files; the MANIFEST's linktype column lists the same pairs.
 */
const LINKTYPE_OF_ENCAP: Record<string, number> = {
  '1': 1, // ETHERNET
  '7': 101, // RAW_IP
  '15': 0, // NULL
  '25': 113, // SLL
  '129': 228, // RAW_IP4
  '130': 229, // RAW_IP6
  '210': 276, // SLL2
};

const FIELDS = ['frame.time_epoch', 'frame.cap_len', 'frame.len', 'frame.encap_type', 'frame.md5_hash', 'frame.packet_flags_direction'];

/**
 * tshark prints frame.time_epoch as seconds, '.', then the nanoseconds field with %09d: nine
 * digits, ten when a file holds an out-of-range fraction (1418145370.1000000000).
 */
function nanosOfEpoch(text: string): bigint {
  if (text === '') return 0n; // no timestamp (simple packet block)
  const [seconds, nanos] = text.split('.');
  if (nanos === undefined || nanos.length < 9) throw new Error(`unexpected time_epoch ${text}`);
  return BigInt(seconds!) * 1_000_000_000n + BigInt(nanos!);
}

function directionOfFlags(text: string): Direction | undefined {
  if (text === '') return undefined;
  return (['unknown', 'ingress', 'egress', 'unknown'] as const)[Number(text) & 3];
}

function runTshark(path: string, configDir: string): Promise<TsharkRun> {
  const args = ['-n', '-r', path, '-o', 'frame.generate_md5_hash:TRUE', '-T', 'fields', '-E', 'separator=/t'];
  for (const field of FIELDS) args.push('-e', field);
  return new Promise((resolve, reject) => {
    execFile('tshark', args, { env: { ...process.env, WIRESHARK_CONFIG_DIR: configDir } }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      const frames: TsharkFrame[] = [];
      for (const line of stdout.split('\n')) {
        if (line === '') continue;
        const [epoch, capLen, len, encap, md5, flags] = line.split('\t') as [string, string, string, string, string, string];
        // Records that are not packets (pcapng custom and decryption-secrets blocks) are frames
        // without encapsulation for tshark; netrec does not yield them.
        if (encap === '') continue;
        const linkType = LINKTYPE_OF_ENCAP[encap];
        if (linkType === undefined) throw new Error(`${path}: encapsulation ${encap} missing from the table`);
        frames.push({
          timestamp: nanosOfEpoch(epoch),
          capturedLength: Number(capLen),
          originalLength: Number(len),
          linkType,
          md5,
          direction: directionOfFlags(flags),
        });
      }
      const refusal =
        error === null
          ? undefined
          : stderr
              .split('\n')
              .filter((l) => l !== '' && !l.startsWith('Running as user'))
              .join(' ');
      resolve({ frames, refusal });
    });
  });
}

/**
 * Where tshark is not the oracle, hand-computed from the file's bytes:
 * tcpdump__timestamp_invalid_micro.pcap has seconds 0x54872e5a (1418145370) with microseconds
 * 1000000 in packet 2 and 0x80000000 (2147483648) in packet 3. tshark multiplies the latter by
 * 1000 in 32 bits (wrapping to 0); netrec keeps 1418145370 s + 2147.483648 s and warns about both.
 */
const handChecked: Record<string, { timestamps: Record<number, bigint>; warnings: string[] }> = {
  'tcpdump__timestamp_invalid_micro.pcap': {
    timestamps: { 3: 1_418_147_517_483_648_000n },
    warnings: ['offset 116 (packet 2)', 'offset 208 (packet 3)'],
  },
};

function expectedOffsets(frames: TsharkFrame[]): number[] {
  const offsets: number[] = [];
  let offset = 24;
  for (const frame of frames) {
    offsets.push(offset);
    offset += 16 + frame.capturedLength;
  }
  return offsets;
}

function summary(packet: CapturedPacket): TsharkFrame {
  return {
    timestamp: packet.timestamp,
    capturedLength: packet.data.length,
    originalLength: packet.originalLength,
    linkType: packet.linkType,
    md5: createHash('md5').update(packet.data).digest('hex'),
    direction: packet.direction,
  };
}

describe.skipIf(pcapDir === undefined)('shared captures, compared with tshark', () => {
  const dir = pcapDir!;
  const manifest = pcapDir === undefined ? [] : readManifest(dir);
  const configDir = mkdtempSync(join(tmpdir(), 'netrec-wireshark-config-'));
  afterAll(() => rmSync(configDir, { recursive: true, force: true }));

  it('lists every capture of the directory in the manifest', () => {
    const captures = readdirSync(dir).filter((name) => /\.pcap(ng)?$/.test(name));
    expect(manifest.map((row) => row.file).sort()).toEqual(captures.sort());
    expect(manifest.length).toBeGreaterThan(0);
  });

  // Concurrent: tshark's start-up dominates, and the files are independent.
  it.concurrent.for(manifest.map((row) => [row.file, row] as const))('%s', async ([file, row], { expect }) => {
    const [oracle, items] = await Promise.all([runTshark(join(dir, file), configDir), openCapture(join(dir, file)).then(readAll)]);
    const packets = packetsOf(items);
    const issues = issuesOf(items);
    const hand = handChecked[file];

    const expected = oracle.frames.map((frame, index) => ({
      ...frame,
      timestamp: hand?.timestamps[index + 1] ?? frame.timestamp,
    }));
    expect(packets.map(summary)).toEqual(expected);
    expect(packets.map((p) => p.number)).toEqual(expected.map((_, index) => index + 1));
    if (row.format.startsWith('pcap ')) {
      expect(packets.map((p) => p.offset)).toEqual(expectedOffsets(oracle.frames));
    }

    if (oracle.refusal !== undefined) {
      expect(
        issues.filter((issue) => issue.severity === 'error'),
        `tshark: ${oracle.refusal}`,
      ).toHaveLength(1);
      expect(items.at(-1)).toMatchObject({ kind: 'issue', severity: 'error', file: join(dir, file) });
    } else {
      expect(issues.map((issue) => `${issue.severity} ${issue.where}`)).toEqual((hand?.warnings ?? []).map((where) => `warning ${where}`));
    }
  });
});
