/**
 * `follow` on a synthetic process tree built from fork/exec/exit events. Times are small
 * epoch-nanosecond values; pid 1 is systemd.
 */
import { describe, expect, it } from 'vitest';
import type { TaskContext } from '../../src/core/packet.ts';
import { compileFilters } from '../../src/filter/compile.ts';
import type { ProcessLife, ProcessTree } from '../../src/filter/follow.ts';
import { MemoryProcessTree, type ProcessEvent } from '../../src/filter/process-tree.ts';
import { NC, passes, tcpEvent } from './fixtures.ts';

function task(pid: number, ppid: number, comm: string, tid = pid): TaskContext {
  return { ...NC, processId: pid, threadId: tid, parentProcessId: ppid, hostProcessId: pid, hostThreadId: tid, hostParentProcessId: ppid, processName: comm };
}

const fork = (at: number, pid: number, ppid: number, comm: string, tid = pid): ProcessEvent => ({
  kind: 'fork',
  at: BigInt(at),
  task: task(pid, ppid, comm, tid),
});
const exec = (at: number, pid: number, ppid: number, comm: string): ProcessEvent => ({ kind: 'exec', at: BigInt(at), task: task(pid, ppid, comm) });
const exit = (at: number, pid: number, tid = pid): ProcessEvent => ({ kind: 'exit', at: BigInt(at), hostProcessId: pid, hostThreadId: tid });

/** A packet of process `pid` (thread `tid`) at `at`, as its task looked then. */
const packet = (at: number, pid: number, ppid: number, comm: string, tid = pid) =>
  tcpEvent({}, undefined, undefined, { ...task(pid, ppid, comm, tid), timestamp: BigInt(at) });

function tree(records: ProcessEvent[]): MemoryProcessTree {
  const t = new MemoryProcessTree();
  for (const r of records) t.add(r);
  return t;
}

// systemd(1) ── bash(100) ── bash(101) →exec curl ── curl(102) →exec nslookup, + thread 103
//           ├── cron(200) →exec bash →exec cron2 ── bash(201) →exec wget
//           ├── sh(300) ── sh(301)   (forked before 300 execs bash)
//           └── sshd(101), the pid reused after curl exits
const RECORDS = [
  fork(0, 1, 0, 'systemd'),
  fork(100, 100, 1, 'bash'),
  fork(150, 300, 1, 'sh'),
  fork(160, 301, 300, 'sh'),
  fork(200, 101, 100, 'bash'),
  exec(210, 101, 100, 'curl'),
  exec(250, 300, 1, 'bash'),
  fork(300, 102, 101, 'curl'),
  exec(310, 102, 101, 'nslookup'),
  fork(400, 102, 101, 'nslookup', 103),
  fork(500, 200, 1, 'cron'),
  exec(510, 200, 1, 'bash'),
  fork(520, 201, 200, 'bash'),
  exec(530, 201, 200, 'wget'),
  exec(550, 200, 1, 'cron2'),
  exit(600, 101),
  fork(700, 101, 1, 'sshd'),
];

describe('follow', () => {
  const events = {
    bash: packet(150, 100, 1, 'bash'),
    curlChild: packet(250, 101, 100, 'curl'),
    grandchild: packet(350, 102, 101, 'nslookup'),
    grandchildThread: packet(450, 102, 101, 'nslookup', 103),
    cronBeforeExec: packet(505, 200, 1, 'cron'),
    cronAsBash: packet(515, 200, 1, 'bash'),
    cronAfterNextExec: packet(560, 200, 1, 'cron2'),
    wget: packet(540, 201, 200, 'wget'),
    shForkedBeforeMatch: packet(270, 301, 300, 'sh'),
    reusedPid: packet(750, 101, 1, 'sshd'),
    afterExit: packet(650, 101, 100, 'curl'),
    unknown: packet(100, 999, 1, 'nc'),
    systemd: packet(100, 1, 0, 'systemd'),
  };
  const names = Object.keys(events);
  const kept = (exprs: string[], processTree: ProcessTree | undefined): string[] => {
    const flags = passes(exprs, Object.values(events), { hasProcessContext: true, processTree });
    return names.filter((_, i) => flags[i]);
  };

  it('without follow, only the matching tasks', () => {
    expect(kept(['comm=bash'], tree(RECORDS))).toEqual(['bash', 'cronAsBash']);
  });

  it('adds every descendant forked after the match, through execs and threads', () => {
    expect(kept(['comm=bash', 'follow'], tree(RECORDS))).toEqual([
      'bash',
      'curlChild',
      'grandchild',
      'grandchildThread',
      'cronAsBash',
      'cronAfterNextExec',
      'wget',
    ]);
  });

  it('follows from a pid, and ANDs scope fields before following', () => {
    expect(kept(['pid=101', 'f'], tree(RECORDS))).toEqual(['curlChild', 'grandchild', 'grandchildThread', 'reusedPid', 'afterExit']);
    expect(kept(['comm=curl', 'uid=1000', 'follow'], tree(RECORDS))).toEqual(['curlChild', 'grandchild', 'grandchildThread', 'afterExit']);
    expect(kept(['comm=curl', 'uid=0', 'follow'], tree(RECORDS))).toEqual([]);
  });

  it('still applies the per-event filters to followed processes', () => {
    const synOnly = ['comm=bash', 'follow', 'net_packet_tcp.args.proto_tcp.SYN=1'];
    expect(kept(synOnly, tree(RECORDS))).toEqual([]);
  });

  it('asks for the process tree, and says so when the input has none', () => {
    const withTree = compileFilters(['comm=bash', 'follow'], { hasProcessContext: true, processTree: tree(RECORDS) });
    expect(withTree.needsProcessTree).toBe(true);
    expect(withTree.warnings).toEqual([]);
    const without = compileFilters(['comm=bash', 'follow'], { hasProcessContext: true });
    expect(without.needsProcessTree).toBe(true);
    expect(without.warnings).toEqual(["'follow' adds nothing: the input has no process lifecycle records to find descendants in"]);
    expect(kept(['comm=bash', 'follow'], undefined)).toEqual(['bash', 'cronAsBash']);
  });

  it('needs no tree without scope filters', () => {
    const f = compileFilters(['follow'], { hasProcessContext: true });
    expect(f.needsProcessTree).toBe(false);
    expect(f.accept).toBeUndefined();
  });

  it('caches the verdict of each process life', () => {
    const memory = tree(RECORDS);
    let lookups = 0;
    const counting: ProcessTree = {
      lifeAt: (pid, at) => {
        lookups++;
        return memory.lifeAt(pid, at);
      },
    };
    const accept = compileFilters(['comm=bash', 'follow'], { hasProcessContext: true, processTree: counting }).accept!;
    expect(accept(events.grandchild)).toBe(true);
    const first = lookups;
    expect(accept(events.grandchildThread)).toBe(true);
    expect(lookups - first).toBe(1);
  });

  it('ends on records whose parents form a cycle', () => {
    const a: ProcessLife = { images: [{ since: 10n, task: task(10, 11, 'a') }] };
    const b: ProcessLife = { images: [{ since: 10n, task: task(11, 10, 'b') }] };
    const cyclic: ProcessTree = { lifeAt: (pid) => (pid === 10 ? a : pid === 11 ? b : undefined) };
    expect(passes(['comm=zzz', 'follow'], [packet(20, 10, 11, 'a')], { hasProcessContext: true, processTree: cyclic })).toEqual([false]);
  });
});

describe('MemoryProcessTree', () => {
  const t = tree(RECORDS);

  it('finds the life of a pid at a time, and none before its fork or after its exit', () => {
    expect(t.lifeAt(101, 199n)).toBeUndefined();
    expect(t.lifeAt(101, 200n)?.images.map((i) => i.task.processName)).toEqual(['bash', 'curl']);
    expect(t.lifeAt(101, 600n)).toBe(t.lifeAt(101, 200n));
    expect(t.lifeAt(101, 601n)).toBeUndefined();
  });

  it('tells apart the lives of a reused pid', () => {
    expect(t.lifeAt(101, 700n)?.images.map((i) => i.task.processName)).toEqual(['sshd']);
    expect(t.lifeAt(101, 700n)).not.toBe(t.lifeAt(101, 300n));
  });

  it('keeps threads in their process life', () => {
    expect(t.lifeAt(102, 450n)?.images.map((i) => i.since)).toEqual([300n, 310n]);
    const threadExit = tree([fork(0, 5, 1, 'a'), fork(1, 5, 1, 'a', 6), exit(2, 5)]);
    expect(threadExit.lifeAt(5, 3n)).toBeUndefined();
    const onlyThreadExit = tree([fork(0, 5, 1, 'a'), exit(2, 5, 6)]);
    expect(onlyThreadExit.lifeAt(5, 3n)).toBeDefined();
  });

  it('ends a life whose exit was not recorded when its pid starts another', () => {
    const lost = tree([fork(0, 5, 1, 'a'), fork(10, 5, 1, 'b')]);
    expect(lost.lifeAt(5, 9n)?.images[0]?.task.processName).toBe('a');
    expect(lost.lifeAt(5, 10n)?.images[0]?.task.processName).toBe('b');
  });

  it('starts what it knows of a process from an exec it never saw forked', () => {
    const early = tree([exec(50, 9, 1, 'vim')]);
    expect(early.lifeAt(9, 49n)).toBeUndefined();
    expect(early.lifeAt(9, 50n)?.images.map((i) => i.task.processName)).toEqual(['vim']);
  });
});
