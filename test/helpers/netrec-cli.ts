/**
 * The export and stats tests' spelling of test/helpers/cli.ts: `netrec(args, input)` and a
 * background child for signal tests, both running bin/netrec.mjs (the build).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { netrec as run, NETREC, REPO, type CliRun } from './cli.ts';

export type Run = CliRun;

export function netrec(args: readonly string[], input?: string | Uint8Array): Run {
  return run(args, input !== undefined ? { input } : {});
}

/** netrec running in the background (for signals). */
export function netrecChild(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [NETREC, ...args], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
}
