/**
 * The recording directory: its segment files, the writer's lock, and preparing a target for a new
 * recording. Only files named like segments are ever deleted (`--force`, ring mode, repair never
 * deletes), so pointing netrec at the wrong directory cannot cost unrelated files.
 */
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { segmentNumberOf } from './layout.ts';

const DIR_MODE = 0o700;
/** Present while a writer has the recording open: holds its pid. */
export const LOCK_NAME = '.lock';

export interface SegmentFile {
  number: number;
  name: string;
  path: string;
}

/** The segment files of a directory, in segment order. */
export function listSegments(dir: string): SegmentFile[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const number = segmentNumberOf(name);
      return number === undefined ? [] : [{ number, name, path: join(dir, name) }];
    })
    .sort((a, b) => a.number - b.number);
}

/** The pid of a live writer holding the directory, if any (a lock left by a killed writer is stale). */
export function lockHolder(dir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, LOCK_NAME), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text, 10);
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else; it still holds the lock.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

export function acquireLock(dir: string): void {
  const path = join(dir, LOCK_NAME);
  const holder = lockHolder(dir);
  if (holder !== undefined) throw new UsageError(`${dir} is being written by process ${holder}`);
  try {
    unlinkSync(path); // stale
  } catch {
    // none
  }
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  writeSync(fd, `${process.pid}\n`);
  closeSync(fd);
}

export function releaseLock(dir: string): void {
  try {
    unlinkSync(join(dir, LOCK_NAME));
  } catch {
    // already gone
  }
}

/**
 * Makes `dir` ready for a new recording: created 0700 if missing; an existing directory must be
 * empty, or with `force` its segment files (and a stale lock) are removed.
 */
export function prepareTarget(dir: string, force: boolean): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    chmodSync(dir, DIR_MODE);
    return;
  }
  if (!isDir) throw new UsageError(`${dir} exists and is not a directory`);
  const holder = lockHolder(dir);
  if (holder !== undefined) throw new UsageError(`${dir} is being written by process ${holder}`);
  const entries = readdirSync(dir);
  if (entries.length > 0) {
    if (!force) throw new UsageError(`${dir} is not empty; use --force to replace the recording in it`);
    for (const seg of listSegments(dir)) unlinkSync(seg.path);
    releaseLock(dir);
  }
  chmodSync(dir, DIR_MODE);
}
