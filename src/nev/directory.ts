/**
 * The recording directory: its segment files, the writer's lock, and preparing a target for a new
 * recording. Only files named like segments are ever deleted (`--force`, ring mode, repair never
 * deletes), so pointing netrec at the wrong directory cannot cost unrelated files.
 */
import {
  chmodSync,
  closeSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  unlinkSync,
  writeSync,
  type Dirent,
  type Stats,
} from 'node:fs';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, systemMessage, UsageError } from '../core/errors.ts';
import { segmentNumberOf } from './layout.ts';

const DIR_MODE = 0o700;
/** Present while a writer has the recording open: holds its pid. */
export const LOCK_NAME = '.lock';

/**
 * How segment files are opened: never through a symbolic link (a segment pointing out of the
 * recording would be read, and repaired, where the user did not look), and without blocking, so
 * that a FIFO named like a segment is opened at once and then refused by its type.
 */
const NO_FOLLOW = constants.O_NOFOLLOW | constants.O_NONBLOCK;

export interface SegmentFile {
  number: number;
  name: string;
  path: string;
}

/** A directory entry named like a segment that is not read as one, and why. */
export interface SkippedEntry {
  name: string;
  problem: string;
}

/**
 * The segment files of a directory, in segment order, and the entries named like segments that
 * are none: only regular files with a segment's one name for their number are segments.
 */
export function scanDirectory(dir: string): { segments: SegmentFile[]; skipped: SkippedEntry[] } {
  const segments: SegmentFile[] = [];
  const skipped: SkippedEntry[] = [];
  // withFileTypes reports the entry itself (lstat when the file system does not say).
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const number = segmentNumberOf(entry.name);
    if (number === undefined) continue;
    if (typeof number === 'object') skipped.push({ name: entry.name, problem: `${number.invalid}; skipped` });
    else if (!entry.isFile()) skipped.push({ name: entry.name, problem: `is ${kindOf(entry)}, not a segment file; skipped` });
    else segments.push({ number, name: entry.name, path: join(dir, entry.name) });
  }
  segments.sort((a, b) => a.number - b.number);
  skipped.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { segments, skipped };
}

/** The segment files of a directory, in segment order. */
export function listSegments(dir: string): SegmentFile[] {
  return scanDirectory(dir).segments;
}

/** "a directory", "a symbolic link"...: what a file that is not a regular one is. */
export function kindOf(entry: Dirent | Stats): string {
  if (entry.isDirectory()) return 'a directory';
  if (entry.isSymbolicLink()) return 'a symbolic link';
  if (entry.isFIFO()) return 'a named pipe (FIFO)';
  if (entry.isSocket()) return 'a socket';
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Opens a segment file ('r' to read, 'r+' for repair): a handle on a regular file, or why not,
 * as a message ("is a symbolic link", "permission denied"). See NO_FOLLOW.
 */
export async function openSegmentFile(path: string, mode: 'r' | 'r+' = 'r'): Promise<FileHandle | string> {
  let fh: FileHandle;
  try {
    fh = await open(path, (mode === 'r' ? constants.O_RDONLY : constants.O_RDWR) | NO_FOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // O_NOFOLLOW refuses a link with ELOOP; say what it is.
    if (code === 'ELOOP') return 'is a symbolic link, not a segment file';
    return systemMessage(err);
  }
  try {
    const st = await fh.stat();
    if (st.isFile()) return fh;
    await fh.close();
    return `is ${kindOf(st)}, not a segment file`;
  } catch (err) {
    await fh.close();
    return systemMessage(err);
  }
}

/** The pid of a live writer holding the directory, if any (a lock left by a killed writer is stale). */
export function lockHolder(dir: string): number | undefined {
  const text = readLock(join(dir, LOCK_NAME));
  if (text === undefined) return undefined;
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

/** The first bytes of a lock that is a regular file (a FIFO there must not hang a reader). */
function readLock(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | NO_FOLLOW);
  } catch {
    return undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    const buf = Buffer.alloc(32); // a pid and a newline
    return buf.toString('latin1', 0, readSync(fd, buf, 0, buf.length, 0));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
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
 * empty, or with `force` its segment files (and a stale lock) are removed. A symbolic link is
 * refused, dangling or not: the recording would land (and the mode change) wherever it points.
 * What the file system refuses is an InputError (exit 1); what the flags must change, a UsageError.
 */
export function prepareTarget(dir: string, force: boolean): void {
  // 'x.nev/' must be judged as 'x.nev': with the slash, lstat follows a link.
  const path = dir.length > 1 ? dir.replace(/\/+$/, '') || '/' : dir;
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new InputError(`cannot use ${dir}: ${systemMessage(err)}`);
    try {
      mkdirSync(path, { recursive: true, mode: DIR_MODE });
      chmodSync(path, DIR_MODE);
    } catch (mkdirErr) {
      throw new InputError(`cannot create ${dir}: ${systemMessage(mkdirErr)}`);
    }
    return;
  }
  if (st.isSymbolicLink()) throw new InputError(`${dir} is a symbolic link; name the recording directory itself`);
  if (!st.isDirectory()) throw new UsageError(`${dir} exists and is not a directory`);
  const holder = lockHolder(path);
  if (holder !== undefined) throw new UsageError(`${dir} is being written by process ${holder}`);
  const fs = <T>(what: string, op: () => T): T => {
    try {
      return op();
    } catch (err) {
      throw new InputError(`cannot ${what} ${dir}: ${systemMessage(err)}`);
    }
  };
  const entries = fs('list', () => readdirSync(path));
  if (entries.length > 0) {
    if (!force) throw new UsageError(`${dir} is not empty; use --force to replace the recording in it`);
    fs('clear', () => listSegments(path).forEach((seg) => unlinkSync(seg.path)));
    releaseLock(path);
  }
  fs('use', () => chmodSync(path, DIR_MODE));
}
