/** Runs netrec as a user does: bin/netrec.mjs (the build) in a child process. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { NETREC } from './cli.ts';

const ENTRY = [NETREC];

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function netrec(args: readonly string[], input?: string | Uint8Array): Run {
  const run = spawnSync(process.execPath, [...ENTRY, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, ...(input !== undefined ? { input } : {}) });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** netrec running in the background (for signals). */
export function netrecChild(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [...ENTRY, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
}
