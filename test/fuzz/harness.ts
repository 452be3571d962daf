/**
 * The fuzz harness: a case is a seed, a few mutations (each with its own random seed), for
 * recordings a layout (directory or lone segment file) and directory oddities, and a command.
 * runCase() writes the mutated input into a fresh directory, runs the command in process
 * (in-process.ts), and checks what every run must satisfy:
 *
 * - exit code 0, 1 or 2, and no exception out of main(), no unhandled rejection;
 * - JSON mode: every stdout line is a JSON object;
 * - human-readable output (table, info, verify, every stderr line): no control, DEL, C1 or
 *   bidi/invisible format character, and stderr lines are netrec's own ("netrec: ...");
 * - bounded time per run and bounded RSS;
 * - nothing outside the case's recording changed (a symlinked "victim" segment stays as it was).
 *
 * A case prints as JSON and runs again from that alone (run.ts --case), which is how a failure
 * becomes a regression case (regressions.json).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Seed } from './corpus.ts';
import { runInProcess, type InProcessRun } from './in-process.ts';
import { mutateBytes, mutationsFor, Rng, type Mutation } from './mutate.ts';

export const COMMANDS = ['replay-json', 'replay-table', 'info', 'verify', 'verify-repair', 'convert'] as const;
export type Command = (typeof COMMANDS)[number];

export const ODDITIES = [
  'dir',
  'symlink-out',
  'symlink-loop',
  'dangling',
  'fifo',
  'duplicate',
  'renumber',
  'empty',
  'lock-live',
  'lock-fifo',
  'unreadable',
] as const;
export type Oddity = (typeof ODDITIES)[number];

export interface FuzzCase {
  /** Seed name (corpus.ts). */
  seed: string;
  mutations: { kind: Mutation; rng: number; file: number }[];
  command: Command;
  /** Recordings: read as a directory or through one segment file named directly. */
  layout: 'dir' | 'file';
  oddities: Oddity[];
}

export interface Limits {
  /** Wall time per command run. */
  ms: number;
  /** Resident set size of the harness process after a run. */
  rssMiB: number;
}

export const DEFAULT_LIMITS: Limits = { ms: 20_000, rssMiB: 1024 };

/** Cases over `seeds`: mostly one or two mutations, sometimes none (oddities or the command alone). */
export function caseArbitrary(seeds: readonly Pick<Seed, 'name' | 'kind'>[]): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      seed: fc.constantFrom(...seeds.map((s) => s.name)),
      mutations: fc.array(fc.record({ pick: fc.nat(), rng: fc.integer({ min: 1, max: 0x7fffffff }), file: fc.nat({ max: 15 }) }), {
        minLength: 0,
        maxLength: 3,
      }),
      command: fc.constantFrom(...COMMANDS),
      layout: fc.constantFrom('dir' as const, 'dir' as const, 'file' as const),
      oddities: fc.uniqueArray(fc.constantFrom(...ODDITIES), { maxLength: 2 }),
    })
    .map(({ seed, mutations, command, layout, oddities }) => {
      const s = seeds.find((x) => x.name === seed)!;
      const kinds = mutationsFor(s.kind);
      const nev = s.kind === 'nev';
      return {
        seed,
        mutations: mutations.map((m) => ({ kind: kinds[m.pick % kinds.length]!, rng: m.rng, file: m.file })),
        command,
        layout: nev ? layout : 'file',
        oddities: nev && layout === 'dir' ? oddities : [],
      };
    });
}

export interface Verdict {
  ok: boolean;
  /** A run hung: it may still hold a thread of the pool, so later runs are not to be trusted. */
  hung: boolean;
  /** What failed, one line each. */
  failures: string[];
  runs: { args: string[]; code?: number; ms: number }[];
}

/** Writes the case's input under `dir`; returns the path to name on the command line. */
function materialize(c: FuzzCase, seed: Seed, dir: string, victim: string): string {
  const files = new Map(seed.files);
  const names = [...files.keys()];
  for (const m of c.mutations) {
    const name = names[m.file % names.length]!;
    files.set(name, mutateBytes(m.kind, files.get(name)!, new Rng(m.rng)));
  }
  if (seed.kind !== 'nev') {
    const path = join(dir, 'input');
    writeFileSync(path, files.get('capture')!);
    return path;
  }
  const rec = join(dir, 'input.nev');
  mkdirSync(rec);
  for (const [name, bytes] of files) writeFileSync(join(rec, name), bytes);
  if (c.layout === 'file') return join(rec, names[0]!);
  const rng = new Rng(c.mutations[0]?.rng ?? 7);
  for (const o of c.oddities) addOddity(o, rec, victim, rng);
  return rec;
}

function addOddity(o: Oddity, rec: string, victim: string, rng: Rng): void {
  const free = join(rec, `${String(900_000 + rng.int(99_999))}.nevseg`);
  // The segments as they stand (an earlier oddity may have renamed one).
  const names = readdirSync(rec).filter((n) => /^\d+\.nevseg$/.test(n) && lstatSync(join(rec, n)).isFile());
  if (names.length === 0) return;
  switch (o) {
    case 'dir':
      mkdirSync(free);
      break;
    case 'symlink-out':
      symlinkSync(victim, free);
      break;
    case 'symlink-loop':
      symlinkSync(free, free);
      break;
    case 'dangling':
      symlinkSync(join(rec, 'gone.nevseg'), free);
      break;
    case 'fifo':
      execFileSync('mkfifo', [free]);
      break;
    case 'duplicate':
      writeFileSync(join(rec, `0${names[0]}`), readFileSync(join(rec, names[0]!)));
      break;
    case 'renumber': {
      const from = rng.pick(names);
      renameSync(join(rec, from), free);
      break;
    }
    case 'empty':
      writeFileSync(free, '');
      break;
    case 'lock-live':
      // Written to a FIFO an earlier oddity left there, this would wait for a reader forever.
      rmSync(join(rec, '.lock'), { force: true });
      writeFileSync(join(rec, '.lock'), `${process.pid}\n`);
      break;
    case 'lock-fifo':
      rmSync(join(rec, '.lock'), { force: true });
      execFileSync('mkfifo', [join(rec, '.lock')]);
      break;
    case 'unreadable':
      chmodSync(join(rec, rng.pick(names)), 0o000); // still readable as root: then a no-op
      break;
  }
}

/** The argument lists a case runs, in order (a repair is followed by a verify and a replay). */
function commandLines(c: FuzzCase, input: string, dir: string): { args: string[]; json: boolean }[] {
  switch (c.command) {
    case 'replay-json':
      return [{ args: ['replay', input], json: true }];
    case 'replay-table':
      return [{ args: ['replay', input, '--output', 'table'], json: false }];
    case 'info':
      return [{ args: ['info', input], json: false }];
    case 'verify':
      return [{ args: ['verify', input], json: false }];
    case 'verify-repair':
      return [
        { args: ['verify', '--repair', input], json: false },
        { args: ['verify', input], json: false },
        { args: ['replay', input], json: true },
      ];
    case 'convert':
      return [
        { args: ['convert', input, '-o', join(dir, 'out.nev'), '--compress', '--rotate-size', '16KiB'], json: false },
        { args: ['replay', join(dir, 'out.nev'), '--output', 'table'], json: false },
      ];
  }
}

/** Characters no human-readable output may hold (written out independently of the code under test). */
const UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

function check(run: InProcessRun, json: boolean, limits: Limits, label: string): string[] {
  const failures: string[] = [];
  const fail = (what: string): number => failures.push(`${label}: ${what}`);
  if (run.hung) fail(`hung: no result after ${limits.ms * 3} ms`);
  if (run.thrown !== undefined) fail(`threw: ${run.thrown.split('\n').slice(0, 6).join(' | ')}`);
  for (const u of run.unhandled) fail(`unhandled rejection: ${u.split('\n')[0]}`);
  if (run.code !== undefined && ![0, 1, 2].includes(run.code)) fail(`exit code ${run.code}`);
  if (run.ms > limits.ms) fail(`took ${Math.round(run.ms)} ms (limit ${limits.ms})`);
  const rss = process.memoryUsage().rss / 2 ** 20;
  if (rss > limits.rssMiB) fail(`RSS ${Math.round(rss)} MiB (limit ${limits.rssMiB})`);
  const outLines = run.out.split('\n').filter((l) => l !== '');
  if (json) {
    // A line cut by the capture limit is the harness's, not netrec's.
    const lines = run.outTruncated ? outLines.slice(0, -1) : outLines;
    const bad = lines.find((l) => {
      try {
        const v: unknown = JSON.parse(l);
        return typeof v !== 'object' || v === null || Array.isArray(v);
      } catch {
        return true;
      }
    });
    if (bad !== undefined) fail(`stdout line is not a JSON object: ${JSON.stringify(bad.slice(0, 120))}`);
  } else {
    const bad = outLines.find((l) => UNSAFE.test(l));
    if (bad !== undefined) fail(`raw control or format character on stdout: ${JSON.stringify(bad.slice(0, 160))}`);
  }
  const errLines = run.err.split('\n').filter((l) => l !== '');
  const unsafe = errLines.find((l) => UNSAFE.test(l));
  if (unsafe !== undefined) fail(`raw control or format character on stderr: ${JSON.stringify(unsafe.slice(0, 160))}`);
  const foreign = errLines.find((l) => !l.startsWith('netrec: ') && l !== "Try 'netrec --help'.");
  if (foreign !== undefined) fail(`stderr line not netrec's: ${JSON.stringify(foreign.slice(0, 160))}`);
  return failures;
}

/** Gives a chmod-000 segment its permissions back so the directory can go (links left alone). */
function restorePermissions(rec: string): void {
  let entries: string[];
  try {
    entries = readdirSync(rec);
  } catch {
    return; // not a recording case
  }
  for (const entry of entries) {
    const path = join(rec, entry);
    if (lstatSync(path).isFile()) chmodSync(path, 0o600);
  }
}

/** Runs one case in a fresh directory (removed after), checking every run against `limits`. */
export async function runCase(c: FuzzCase, seeds: readonly Seed[], limits: Limits = DEFAULT_LIMITS): Promise<Verdict> {
  const seed = seeds.find((s) => s.name === c.seed);
  if (!seed) return { ok: false, hung: false, failures: [`no seed named ${c.seed} in this corpus`], runs: [] };
  const dir = mkdtempSync(join(tmpdir(), 'netrec-fuzz-'));
  const failures: string[] = [];
  const runs: Verdict['runs'] = [];
  let hung = false;
  try {
    // Outside the recording: an unsealed segment a symlink oddity points at; it must not change.
    const victimDir = join(dir, 'outside');
    mkdirSync(victimDir);
    const victim = join(victimDir, 'victim.nevseg');
    const victimBytes =
      (
        seeds
          .find((s) => s.kind === 'nev')
          ?.files.values()
          .next().value as Buffer | undefined
      )?.subarray(0, -16) ?? Buffer.alloc(0);
    writeFileSync(victim, victimBytes);
    const input = materialize(c, seed, dir, victim);
    for (const { args, json } of commandLines(c, input, dir)) {
      const run = await runInProcess(args, limits.ms * 3);
      const entry: Verdict['runs'][number] = { args, ms: Math.round(run.ms) };
      if (run.code !== undefined) entry.code = run.code;
      runs.push(entry);
      hung ||= run.hung === true;
      failures.push(...check(run, json, limits, args.slice(0, args[1] === '--repair' ? 2 : 1).join(' ')));
      if (run.thrown !== undefined || run.hung) break;
    }
    if (!readFileSync(victim).equals(victimBytes)) failures.push('a file outside the recording changed');
    if (readdirSync(victimDir).length !== 1) failures.push('a file appeared outside the recording');
  } finally {
    restorePermissions(join(dir, 'input.nev'));
    // A hung run may still have files open there: leave the directory for the post-mortem.
    if (!hung) rmSync(dir, { recursive: true, force: true });
  }
  return { ok: failures.length === 0, hung, failures, runs };
}
