/**
 * The seeds the fuzzer mutates: the project's fixtures (pcap, pcapng, recordings), recordings
 * made for it (several segments, plain and lz4-compressed; hostile comms and DNS names) and,
 * when present, the shared captures in ../shared/pcaps (never copied into the project).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeHostilePcap, writeHostileRecording } from '../hostile/hostile-inputs.ts';
import { runInProcess } from './in-process.ts';

export type SeedKind = 'pcap' | 'pcapng' | 'nev';

export interface Seed {
  name: string;
  kind: SeedKind;
  /** A capture: one file, named 'capture'. A recording: its segment files by name. */
  files: Map<string, Buffer>;
}

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function kindOf(bytes: Buffer): SeedKind | undefined {
  if (bytes.length < 4) return undefined;
  if (bytes.readUInt32LE(0) === 0x0a0d0d0a) return 'pcapng';
  const magic = bytes.readUInt32LE(0);
  if ([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(magic)) return 'pcap';
  return undefined;
}

function captureSeeds(dir: string, prefix: string): Seed[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      if (!statSync(join(dir, name)).isFile()) return [];
      const bytes = readFileSync(join(dir, name));
      const kind = kindOf(bytes);
      return kind ? [{ name: `${prefix}${name}`, kind, files: new Map([['capture', bytes]]) }] : [];
    });
}

function recordingSeed(name: string, dir: string): Seed {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir).sort()) if (entry.endsWith('.nevseg')) files.set(entry, readFileSync(join(dir, entry)));
  return { name, kind: 'nev', files };
}

/** Builds the corpus; `shared` is ../shared/pcaps or undefined to leave it out. */
export async function loadCorpus(shared: string | undefined): Promise<Seed[]> {
  const seeds = [...captureSeeds(join(REPO, 'fixtures/pcap'), 'fixtures/')];
  const recordings = join(REPO, 'fixtures/recordings');
  for (const name of readdirSync(recordings).sort()) {
    if (name.endsWith('.nev')) seeds.push(recordingSeed(`fixtures/${name}`, join(recordings, name)));
  }
  const work = mkdtempSync(join(tmpdir(), 'netrec-fuzz-corpus-'));
  try {
    const made: [string, string[]][] = [
      ['dns-udp-4KiB.nev', ['convert', join(REPO, 'fixtures/pcap/dns-udp.pcap'), '--rotate-size', '4KiB']],
      ['dns-tcp-lz4.nev', ['convert', join(REPO, 'fixtures/pcap/dns-tcp.pcap'), '--compress', '--rotate-size', '8KiB']],
      ['mixed-lz4.nev', ['convert', join(REPO, 'fixtures/pcap/mixed.pcapng'), '--compress']],
    ];
    for (const [name, args] of made) {
      const run = await runInProcess([...args, '-o', join(work, name)]);
      if (run.code !== 0) throw new Error(`corpus: ${args.join(' ')} failed: ${run.err}`);
      seeds.push(recordingSeed(`made/${name}`, join(work, name)));
    }
    writeHostileRecording(join(work, 'hostile.nev'));
    seeds.push(recordingSeed('made/hostile.nev', join(work, 'hostile.nev')));
    writeHostilePcap(join(work, 'hostile.pcap'));
    seeds.push(...captureSeeds(work, 'made/'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (shared) seeds.push(...captureSeeds(shared, 'shared/'));
  return seeds;
}
