/**
 * `record --ship URL`: shipping beside the recorder, off its path. A child process runs
 * `netrec ship DIR --follow` (ship-command.ts) with the same server options: it reads each
 * segment once the writer has sealed it and ships it with the shipper and ledger of `netrec
 * ship`, at a lower priority, in memory of its own. The recorder never waits for it; a slow,
 * refusing or absent server costs the recording nothing (the child reports it on one line and
 * tries again). When the recording is sealed, the child ships what is left; record waits for that
 * at most --ship-wait (default 30 s), then stops it, and says how far it got. What is not in
 * ClickHouse then, `netrec ship DIR --to URL` ships later, without duplicates (the ledger).
 *
 * The child has a process group of its own (a Ctrl-C in the terminal is the recorder's to
 * handle) and an IPC channel to the recorder: should the recorder die, the channel closes and
 * the child stops too, between batches.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { packageRoot } from '../core/package.ts';
import { terminalText } from '../core/terminal-text.ts';
import { serverAddress } from './clickhouse-options.ts';
import type { ParsedArgs } from './spec.ts';
import { parseDuration } from './values.ts';
import type { WriterTarget } from './writer-options.ts';

export const DEFAULT_SHIP_WAIT_MS = 30_000;
/** With --ship and no rotation asked for: segments are shipped once sealed, so they are sealed this often. */
export const SHIP_ROTATE_SECONDS = 60;
/** After the wait: how long the child has to stop between batches before it is killed. */
const STOP_GRACE_MS = 5_000;

const SHIP_ONLY = ['cluster', 'host-name', 'user', 'password-file', 'ship-wait'] as const;

const say = (line: string): void => void process.stderr.write(`${terminalText(`netrec: ${line}`)}\n`);

/** A word as a POSIX shell reads it back (the command printed for the user to run). */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

export class RecordShipping {
  private child: ChildProcess | undefined;
  /** The shipper's pid once started: the recorder leaves its packets out (they would loop). */
  readonly pids = new Set<number>();
  private exited: Promise<number | null> | undefined;

  private constructor(
    private readonly url: string,
    private readonly options: string[],
    private readonly waitMs: number,
  ) {}

  /** The --ship options, checked before recording starts (a usage error is exit 2); undefined without --ship. */
  static from(args: ParsedArgs, target: WriterTarget): RecordShipping | undefined {
    const url = args.string('ship');
    if (url === undefined) {
      const stray = SHIP_ONLY.find((name) => args.string(name) !== undefined);
      if (stray !== undefined) throw new UsageError(`--${stray} is an option of --ship`);
      return undefined;
    }
    serverAddress(args, 'ship'); // the URL and the password file, now rather than in the child
    const options: string[] = [];
    for (const name of ['cluster', 'host-name', 'user'] as const) {
      const value = args.string(name);
      if (value !== undefined) options.push(`--${name}`, value);
    }
    const passwordFile = args.string('password-file');
    if (passwordFile !== undefined) options.push('--password-file', resolve(passwordFile));
    const wait = args.string('ship-wait');
    // Segments are shipped once sealed: without a rotation asked for, seal one a minute (the 64 MiB
    // default alone could hold a quiet host's packets back for days).
    if (args.string('rotate-size') === undefined && target.rotateSeconds === undefined) target.rotateSeconds = SHIP_ROTATE_SECONDS;
    return new RecordShipping(url, options, wait === undefined ? DEFAULT_SHIP_WAIT_MS : parseDuration(wait, '--ship-wait'));
  }

  /** Starts the shipper once the writer holds the recording (its lock tells the child it is being written). */
  start(dir: string): void {
    const args = [join(packageRoot(), 'bin/netrec.mjs'), 'ship', resolve(dir), '--follow', '--to', this.url, ...this.options];
    // NO_COLOR: no progress line of the child over the recorder's terminal.
    const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, NO_COLOR: '1' } });
    this.child = child;
    if (child.pid !== undefined) this.pids.add(child.pid);
    this.exited = new Promise((done) => {
      child.on('exit', (code) => done(code));
      child.on('error', (err) => {
        say(`warning: --ship: cannot start the shipper: ${err.message}`);
        done(null);
      });
    });
  }

  /**
   * After the recording is sealed: waits at most the --ship wait for the child to ship the rest,
   * then stops it. Returns the exit code shipping adds: 0 when everything is in, else 1.
   */
  async finish(dir: string): Promise<number> {
    const child = this.child;
    if (child === undefined || this.exited === undefined) return 0;
    this.child = undefined;
    const within = (ms: number): Promise<number | null | 'late'> =>
      Promise.race([this.exited!, new Promise<'late'>((done) => setTimeout(() => done('late'), ms).unref())]);
    let code = await within(this.waitMs);
    if (code === 'late') {
      say(`warning: --ship: shipping did not catch up within ${this.waitMs / 1000} s of the recording's end; stopping it`);
      child.kill('SIGTERM');
      code = await within(STOP_GRACE_MS);
      if (code === 'late') {
        child.kill('SIGKILL');
        code = await this.exited;
      }
    }
    if (code === 0) return 0;
    const command = ['netrec', 'ship', dir, '--to', this.url, ...this.options].map(shellWord).join(' ');
    say(`the recording ${dir} is complete; '${command}' ships what ClickHouse does not have yet`);
    return 1;
  }
}
