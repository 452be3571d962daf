/**
 * Where an export writes: under a temporary name beside the target, renamed over it only when
 * everything was written. A Ctrl-C, a full disk or a crash therefore never leaves a half file
 * under the name the user asked for, and `abort()` removes what was started.
 *
 * A split export is a directory of capture files plus its index; the same holds for it, and
 * `--force` replaces only a directory that an earlier split export made (it holds index.tsv and
 * nothing but capture files), never an arbitrary one.
 */
import { closeSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../core/errors.ts';
import type { Descriptor } from './byte-output.ts';

export const INDEX_FILE = 'index.tsv';
const EXPORT_FILE = /^(index\.tsv|.+\.pcapng|.+\.pcap)$/;

/** Kind of what is at `path`: undefined when nothing is. */
function existing(path: string): 'file' | 'directory' | 'other' | undefined {
  try {
    const s = lstatSync(path);
    return s.isDirectory() ? 'directory' : s.isFile() ? 'file' : 'other';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function temporaryName(path: string, tag: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.${tag}`);
}

/** One capture file. */
export class FileTarget implements Descriptor {
  readonly temporary: string;
  private descriptor: number | undefined;

  constructor(
    readonly path: string,
    force: boolean,
  ) {
    const kind = existing(path);
    if (kind === 'directory') throw new UsageError(`${path} is a directory; name the capture file to write`);
    if (kind !== undefined && !force) throw new UsageError(`${path} exists; use --force to replace it`);
    if (kind === 'other') throw new UsageError(`${path} exists and is not a regular file`);
    this.temporary = temporaryName(path, 'part');
    this.descriptor = openSync(this.temporary, 'wx');
  }

  fd(): number {
    if (this.descriptor === undefined) throw new Error(`${this.path}: written after it was closed`);
    return this.descriptor;
  }

  /** Puts the finished file in place (replacing the old one with --force). */
  commit(): void {
    closeSync(this.fd());
    this.descriptor = undefined;
    renameSync(this.temporary, this.path);
  }

  /** Removes the temporary file; safe to call at any time, also from a signal handler. */
  abort(): void {
    if (this.descriptor !== undefined) closeSync(this.descriptor);
    this.descriptor = undefined;
    rmSync(this.temporary, { force: true });
  }
}

/** Descriptors of a split export's files, at most `limit` open at once (flows can be many). */
export class DirectoryTarget {
  readonly temporary: string;
  private readonly open = new Map<string, number>();
  private readonly created = new Set<string>();
  private committed = false;

  constructor(
    readonly path: string,
    force: boolean,
    private readonly limit = 64,
  ) {
    const kind = existing(path);
    if (kind !== undefined && !force) throw new UsageError(`${path} exists; use --force to replace it`);
    if (kind === 'directory' && !isExportDirectory(path)) {
      throw new UsageError(`${path} is a directory that an export did not make (no ${INDEX_FILE}, or other files in it); refusing to replace it`);
    }
    if (kind === 'other') throw new UsageError(`${path} exists and is neither a file nor a directory`);
    this.temporary = temporaryName(path, 'part');
    mkdirSync(this.temporary);
  }

  /** A descriptor for the file `name` in the directory, opened when it is written to. */
  file(name: string): Descriptor {
    return { fd: () => this.descriptorOf(name) };
  }

  commit(): void {
    this.closeAll();
    const kind = existing(this.path);
    const old = kind === undefined ? undefined : temporaryName(this.path, 'old');
    if (old !== undefined) renameSync(this.path, old);
    renameSync(this.temporary, this.path);
    this.committed = true;
    if (old !== undefined) rmSync(old, { recursive: true, force: true });
  }

  abort(): void {
    this.closeAll();
    if (!this.committed) rmSync(this.temporary, { recursive: true, force: true });
  }

  private descriptorOf(name: string): number {
    const fd = this.open.get(name);
    if (fd !== undefined) {
      // Most recently used last: the map's order is the eviction order.
      this.open.delete(name);
      this.open.set(name, fd);
      return fd;
    }
    if (this.open.size >= this.limit) {
      const [oldest, oldestFd] = this.open.entries().next().value as [string, number];
      closeSync(oldestFd);
      this.open.delete(oldest);
    }
    const path = join(this.temporary, name);
    // Writes are positional (ByteOutput keeps the offset), so a reopened file is not appended to.
    const opened = openSync(path, this.created.has(name) ? 'r+' : 'wx');
    this.created.add(name);
    this.open.set(name, opened);
    return opened;
  }

  private closeAll(): void {
    for (const fd of this.open.values()) closeSync(fd);
    this.open.clear();
  }
}

/** A directory an earlier split export made: index.tsv and capture files only. */
function isExportDirectory(path: string): boolean {
  const names = readdirSync(path);
  return names.includes(INDEX_FILE) && names.every((n) => EXPORT_FILE.test(n) && existing(join(path, n)) === 'file');
}
