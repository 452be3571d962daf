/**
 * `netrec ...` as a user runs it: bin/netrec.mjs (the build) in a child process. The one way
 * tests start the CLI: synchronously, with input streamed from a generator, or in the
 * background (for signals).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const NETREC = fileURLToPath(new URL('../../bin/netrec.mjs', import.meta.url));
const PEAK_RSS_PRELOAD = fileURLToPath(new URL('./peak-rss-preload.mjs', import.meta.url));

export interface CliRun {
  /** null when the run was killed (the timeout). */
  status: number | null;
  stdout: string;
  stderr: string;
  /** Set when it did not end in time: a hang. */
  timedOut: boolean;
  /** Peak resident set size in MiB (VmHWM at exit), when asked for with `peakRss`. */
  peakRssMiB?: number;
}

export interface CliOptions {
  input?: string | Uint8Array;
  /** Default 120 s: far beyond any run these tests make, short of a hang. */
  timeoutMs?: number;
  /** Run as this user and group (root tests take permissions away by becoming nobody). */
  uid?: number;
  gid?: number;
  /** Measure the child's peak RSS. */
  peakRss?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export function netrec(args: readonly string[], opts: CliOptions = {}): CliRun {
  const rss = peakRssProbe(opts);
  try {
    const r = spawnSync(process.execPath, [...rss.args, NETREC, ...args], {
      cwd: opts.cwd ?? REPO,
      encoding: 'utf8',
      timeout: opts.timeoutMs ?? 120_000,
      killSignal: 'SIGKILL',
      maxBuffer: 1 << 28,
      env: rss.env,
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
      ...(opts.input !== undefined ? { input: opts.input } : {}),
    });
    const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
    return rss.read({ status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut });
  } finally {
    rss.done();
  }
}

/**
 * The same with standard input streamed from `input` (generated as it is read, so a test can
 * pipe gigabytes without holding them); stdout is drained and kept only for its last 1 MiB.
 */
export async function netrecStreaming(
  args: readonly string[],
  input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  opts: CliOptions = {},
): Promise<CliRun> {
  const rss = peakRssProbe(opts);
  try {
    const child = spawn(process.execPath, [...rss.args, NETREC, ...args], { cwd: opts.cwd ?? REPO, env: rss.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => {
      stdout = (stdout + t).slice(-(1 << 20));
    });
    child.stderr.setEncoding('utf8').on('data', (t: string) => {
      stderr += t;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 120_000);
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // The child may stop reading early (an error ends the input): that is not the test's failure.
    await pipeline(Readable.from(input), child.stdin).catch(() => {});
    const status = await exited;
    clearTimeout(timer);
    return rss.read({ status, stdout, stderr, timedOut });
  } finally {
    rss.done();
  }
}

/** netrec running in the background (for signals). */
export function netrecChild(args: readonly string[], opts: Pick<CliOptions, 'cwd' | 'env'> = {}): ChildProcess {
  return spawn(process.execPath, [NETREC, ...args], { cwd: opts.cwd ?? REPO, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
}

function peakRssProbe(opts: CliOptions): { args: string[]; env: NodeJS.ProcessEnv; read(run: CliRun): CliRun; done(): void } {
  const env = opts.env ?? process.env;
  if (!opts.peakRss) return { args: [], env, read: (run) => run, done: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'netrec-rss-'));
  const file = join(dir, 'peak');
  return {
    args: ['--import', PEAK_RSS_PRELOAD],
    env: { ...env, NETREC_TEST_PEAK_RSS_FILE: file },
    read: (run) => ({ ...run, peakRssMiB: Number(readFileSync(file, 'utf8')) / 1024 }),
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Every stderr line is one of netrec's own ("netrec: ..."): a stack trace or a Node warning would
 * not be. Returns the first line that is not.
 */
export function foreignStderrLine(stderr: string): string | undefined {
  return stderr.split('\n').find((line) => line !== '' && !line.startsWith('netrec: ') && !line.startsWith("Try 'netrec --help'."));
}

/** The events of JSON output, one per line, timestamps exact. */
export function events(stdout: string): { timestamp: number | bigint; eventName: string; [k: string]: unknown }[] {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l.replace(/"timestamp":(\d+)/, '"timestamp":"$1"')) as { timestamp: string; eventName: string })
    .map((e) => ({ ...e, timestamp: BigInt(e.timestamp) }));
}
