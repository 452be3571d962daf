/** `node bin/netrec.mjs <args>` as a child process: the CLI exactly as a user runs it. */
import { spawn, spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NETREC = fileURLToPath(new URL('../../bin/netrec.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PEAK_RSS_PRELOAD = fileURLToPath(new URL('./peak-rss-preload.mjs', import.meta.url));

export interface NetrecRun {
  /** null when the run was killed (the timeout). */
  code: number | null;
  out: string;
  err: string;
  /** Set when it did not end in time: a hang. */
  timedOut: boolean;
  /** Peak resident set size in MiB (VmHWM at exit), when asked for with `peakRss`. */
  peakRssMiB?: number;
}

export interface RunOptions {
  /** Default 60 s: far beyond any run these tests make, short of a hang. */
  timeoutMs?: number;
  /** Run as this user and group (root tests take permissions away by becoming nobody). */
  uid?: number;
  gid?: number;
  input?: string | Buffer;
  /** Measure the child's peak RSS. */
  peakRss?: boolean;
}

export function runNetrec(args: string[], opts: RunOptions = {}): NetrecRun {
  const rss = peakRssProbe(opts);
  try {
    const r = spawnSync(process.execPath, [...rss.args, NETREC, ...args], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: opts.timeoutMs ?? 60_000,
      killSignal: 'SIGKILL',
      maxBuffer: 256 * 1024 * 1024,
      env: rss.env,
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
      ...(opts.input !== undefined ? { input: opts.input } : {}),
    });
    const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
    return rss.read({ code: r.status, out: r.stdout ?? '', err: r.stderr ?? '', timedOut });
  } finally {
    rss.done();
  }
}

/**
 * The same with standard input streamed from `input` (generated as it is read, so a test can
 * pipe gigabytes without holding them); stdout is drained and dropped beyond its last 1 MiB.
 */
export async function runNetrecStreaming(args: string[], input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: RunOptions = {}): Promise<NetrecRun> {
  const rss = peakRssProbe(opts);
  try {
    const child = spawn(process.execPath, [...rss.args, NETREC, ...args], { cwd: REPO, env: rss.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out = (out + t).slice(-(1 << 20))));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 120_000);
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // The child may stop reading early (an error ends the input): that is not the test's failure.
    await pipeline(Readable.from(input), child.stdin).catch(() => {});
    const code = await exited;
    clearTimeout(timer);
    return rss.read({ code, out, err, timedOut });
  } finally {
    rss.done();
  }
}

function peakRssProbe(opts: RunOptions): { args: string[]; env: NodeJS.ProcessEnv; read(run: NetrecRun): NetrecRun; done(): void } {
  if (!opts.peakRss) return { args: [], env: process.env, read: (run) => run, done: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'netrec-rss-'));
  const file = join(dir, 'peak');
  return {
    args: ['--import', PEAK_RSS_PRELOAD],
    env: { ...process.env, NETREC_TEST_PEAK_RSS_FILE: file },
    read: (run) => ({ ...run, peakRssMiB: Number(readFileSync(file, 'utf8')) / 1024 }),
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Every stderr line is one of netrec's own ("netrec: ..."): a stack trace or a Node warning would
 * not be. Returns the first line that is not.
 */
export function foreignStderrLine(err: string): string | undefined {
  return err.split('\n').find((line) => line !== '' && !line.startsWith('netrec: ') && !line.startsWith("Try 'netrec --help'."));
}
