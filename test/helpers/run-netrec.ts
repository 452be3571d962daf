/** `node bin/netrec.mjs <args>` as a child process: the CLI exactly as a user runs it. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const NETREC = fileURLToPath(new URL('../../bin/netrec.mjs', import.meta.url));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface NetrecRun {
  /** null when the run was killed (the timeout). */
  code: number | null;
  out: string;
  err: string;
  /** Set when it did not end in time: a hang. */
  timedOut: boolean;
}

export interface RunOptions {
  /** Default 60 s: far beyond any run these tests make, short of a hang. */
  timeoutMs?: number;
  /** Run as this user and group (root tests take permissions away by becoming nobody). */
  uid?: number;
  gid?: number;
  input?: string | Buffer;
}

export function runNetrec(args: string[], opts: RunOptions = {}): NetrecRun {
  const r = spawnSync(process.execPath, [NETREC, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    killSignal: 'SIGKILL',
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
  return { code: r.status, out: r.stdout ?? '', err: r.stderr ?? '', timedOut };
}

/**
 * Every stderr line is one of netrec's own ("netrec: ..."): a stack trace or a Node warning would
 * not be. Returns the first line that is not.
 */
export function foreignStderrLine(err: string): string | undefined {
  return err.split('\n').find((line) => line !== '' && !line.startsWith('netrec: ') && !line.startsWith("Try 'netrec --help'."));
}
