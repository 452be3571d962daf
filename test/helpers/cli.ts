/** `netrec ...` as a user runs it: bin/netrec.mjs (the build) in a child process. */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const NETREC = fileURLToPath(new URL('../../bin/netrec.mjs', import.meta.url));

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function netrec(args: readonly string[], options: SpawnSyncOptions = {}): CliRun {
  const run = spawnSync(process.execPath, [NETREC, ...args], { cwd: REPO, encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 28, ...options });
  return { status: run.status, stdout: String(run.stdout), stderr: String(run.stderr) };
}

/** The events of JSON output, one per line. */
export function events(stdout: string): { timestamp: number | bigint; eventName: string; [k: string]: unknown }[] {
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l.replace(/"timestamp":(\d+)/, '"timestamp":"$1"')) as { timestamp: string; eventName: string })
    .map((e) => ({ ...e, timestamp: BigInt(e.timestamp) }));
}
