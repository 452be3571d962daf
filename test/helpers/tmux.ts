/**
 * A real terminal for the TUI tests: a tmux server on its own socket runs a command as a user
 * would, keys go in through send-keys and capture-pane shows what a person would see. The exit
 * code lands in a file: the session, and with the last one the server, ends with the command.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

export class Terminal {
  readonly dir = mkdtempSync(join(tmpdir(), 'netrec-tmux-'));
  private readonly socket = `netrec-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Runs `command` (a shell command line) in a detached session of `size` columns × rows. */
  start(session: string, command: string, size: [number, number] = [100, 30], cwd?: string): { rcFile: string; errFile: string } {
    const rcFile = join(this.dir, `${session}.rc`);
    const errFile = join(this.dir, `${session}.err`);
    const line = `${command} 2>${errFile}; echo $? > ${rcFile}.part; mv ${rcFile}.part ${rcFile}`;
    this.tmux('new-session', '-d', '-s', session, '-x', String(size[0]), '-y', String(size[1]), ...(cwd ? ['-c', cwd] : []), line);
    return { rcFile, errFile };
  }

  screen(session: string): string {
    return this.tmux('capture-pane', '-p', '-t', session);
  }

  /** Waits until the screen shows `text`; starting node under a loaded CI machine takes a while. */
  async sees(session: string, text: string | RegExp, ms = 30_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const shown = this.screen(session);
      if (typeof text === 'string' ? shown.includes(text) : text.test(shown)) return shown;
      if (Date.now() > deadline) throw new Error(`the screen never showed ${String(text)}; it shows:\n${shown}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** One key (or string) at a time, as typed: Esc followed at once by a key would read as Alt+key. */
  async keys(session: string, ...sequence: string[]): Promise<void> {
    for (const k of sequence) {
      this.tmux('send-keys', '-t', session, k);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  async exitCode(rcFile: string, ms = 20_000): Promise<number> {
    const deadline = Date.now() + ms;
    while (!existsSync(rcFile)) {
      if (Date.now() > deadline) throw new Error('the command did not exit');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return Number(readFileSync(rcFile, 'utf8').trim());
  }

  close(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server']);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
