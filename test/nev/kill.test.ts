import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listSegments } from '../../src/nev/directory.ts';
import { cli, idOf, packet, readAll, scratch } from './helpers.ts';

const path = scratch('kill');
const child = fileURLToPath(new URL('./writer-child.ts', import.meta.url));

/** Runs the writer child until it has flushed `atLeast` packets, kills it with SIGKILL, returns the last count it reported. */
function recordThenKill(dir: string, mode: string, atLeast: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let flushed = 0;
    let buffered = '';
    proc.stdout.setEncoding('utf8').on('data', (text: string) => {
      buffered += text;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) flushed = Number(line.split(' ')[1]);
      if (flushed >= atLeast && proc.exitCode === null) proc.kill('SIGKILL');
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(flushed) : reject(new Error(`child exited: ${code} ${signal}`))));
  });
}

describe.each(['plain', 'compress', 'thread', 'thread-compress'])('a writer killed with SIGKILL (%s)', (mode) => {
  it('leaves every flushed record readable; verify --repair then seals the tail', async () => {
    const dir = path(`${mode}.nev`);
    const flushed = await recordThenKill(dir, mode, 20_000);
    expect(listSegments(dir).length).toBeGreaterThan(1);

    const before = await readAll(dir);
    const ids = before.packets.map(idOf);
    // Every packet reported flushed is there, in order, intact; nothing else is.
    expect(ids.length).toBeGreaterThanOrEqual(flushed);
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    const corrupt = before.packets.filter((p) => Buffer.compare(p.data, packet(idOf(p), p.data.length).data) !== 0);
    expect(corrupt).toEqual([]);
    expect(before.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(before.issues[0]?.message).toMatch(/^not sealed \(the writer stopped before closing it\)/);

    const check = await cli(['verify', dir]);
    expect(check.code).toBe(1);
    expect(check.out).toMatch(/ not sealed /);

    const repair = await cli(['verify', dir, '--repair']);
    expect(repair.out).toMatch(/ repaired .*sealed by repair/);
    expect(repair.code).toBe(0);

    const again = await cli(['verify', dir]);
    expect(again.code).toBe(0);
    expect(
      again.out
        .trim()
        .split('\n')
        .every((line) => / ok /.test(line)),
    ).toBe(true);

    const after = await readAll(dir);
    expect(after.issues).toEqual([]);
    expect(after.packets.map(idOf)).toEqual(ids);
  });
});
