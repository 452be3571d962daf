import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { netrec } from '../helpers/cli.ts';

/**
 * `--trace follow` from the command line, on a real recording whose parent process never touched
 * the network itself: only following its forked subshell and exec'd nc finds their packets.
 */
const recording = 'fixtures/recordings/process-tree.nev';
const pids = JSON.parse(readFileSync('fixtures/recordings/process-tree.json', 'utf8')) as { parent: number; subshell: number; nc: number };

function replay(...trace: string[]): { status: number | null; pids: Set<number>; stderr: string } {
  const out = netrec(['replay', recording, ...trace.flatMap((t) => ['--trace', t])]);
  const seen = new Set<number>();
  for (const line of out.stdout.split('\n')) if (line) seen.add((JSON.parse(line) as { hostProcessId: number }).hostProcessId);
  return { status: out.status, pids: seen, stderr: out.stderr };
}

describe('netrec replay --trace follow (CLI, recorded process tree)', () => {
  it('the parent alone has no packets', () => {
    const r = replay(`pid=${pids.parent}`);
    expect(r.status).toBe(0);
    expect([...r.pids]).toEqual([]);
  });

  it('with follow, keeps exactly the packets of its forked and exec’d descendants', () => {
    const r = replay(`pid=${pids.parent}`, 'follow');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect([...r.pids].sort()).toEqual([pids.subshell, pids.nc].sort());
  });

  it('follow from the subshell does not reach its sibling nc or the unrelated processes', () => {
    const all = replay();
    const r = replay(`pid=${pids.subshell}`, 'follow');
    expect([...r.pids]).toEqual([pids.subshell]);
    expect(all.pids.size).toBeGreaterThan(2);
  });
});
