import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import type { TaskContext } from '../../src/core/packet.ts';
import { RecordFilter } from '../../src/record/trace-filter.ts';

function task(pid: number, comm: string, ppid = 1, tid = pid): TaskContext {
  return {
    threadStartTime: 0n,
    processId: pid,
    threadId: tid,
    parentProcessId: ppid,
    hostProcessId: pid,
    hostThreadId: tid,
    hostParentProcessId: ppid,
    userId: 0,
    mountNamespace: 1,
    pidNamespace: 2,
    processName: comm,
    hostName: 'h',
    cgroupId: 1n,
    containerId: '',
  };
}

describe('RecordFilter', () => {
  it('keeps what the scope filters match', () => {
    const f = RecordFilter.compile(['comm=curl,wget', 'uid=0'])!;
    expect(f.keeps(task(10, 'curl'))).toBe(true);
    expect(f.keeps(task(11, 'nc'))).toBe(false);
    expect(f.keeps({ ...task(12, 'wget'), userId: 1000 })).toBe(false);
  });

  it('is undefined without expressions', () => {
    expect(RecordFilter.compile([])).toBeUndefined();
  });

  it('refuses event and header filters, and follow alone', () => {
    expect(() => RecordFilter.compile(['event=net_packet_dns'])).toThrow(UsageError);
    expect(() => RecordFilter.compile(['net_packet_tcp.args.dst_port=443'])).toThrow(/give it to replay/);
    expect(() => RecordFilter.compile(['follow'])).toThrow(/needs a process filter/);
    expect(() => RecordFilter.compile(['bogus=1'])).toThrow(UsageError);
  });

  it('follows children forked after a match, and their children', () => {
    const f = RecordFilter.compile(['comm=nrforker', 'follow'])!;
    expect(f.keeps(task(100, 'nrforker'))).toBe(true);
    // The child forks with its parent's image, then execs nc.
    expect(f.onFork(100, task(101, 'nrforker', 100))).toBe(true);
    expect(f.keeps(task(101, 'nc', 100))).toBe(true);
    expect(f.onFork(101, task(102, 'nc', 101))).toBe(true);
    expect(f.keeps(task(102, 'sh', 101))).toBe(true);
    // A thread of a followed process is kept with it; an unrelated process is not.
    expect(f.keeps(task(101, 'nc', 100, 105))).toBe(true);
    expect(f.onFork(50, task(103, 'bash', 50))).toBe(false);
    // After exit the pid may be reused by anything.
    f.onExit(102, 102);
    expect(f.keeps(task(102, 'other', 1))).toBe(false);
  });

  it('without follow, keeps only matching processes', () => {
    const f = RecordFilter.compile(['comm=nrforker'])!;
    expect(f.onFork(100, task(101, 'nrforker', 100))).toBe(true);
    expect(f.keeps(task(101, 'nc', 100))).toBe(false);
  });

  it('follows the descendants of processes running at start', () => {
    const f = RecordFilter.compile(['pid=200', 'follow'])!;
    f.seed([task(200, 'sshd'), task(201, 'bash', 200), task(202, 'vim', 201), task(300, 'cron')]);
    expect(f.keeps(task(202, 'vim', 201))).toBe(true);
    expect(f.keeps(task(300, 'cron'))).toBe(false);
    expect(f.onFork(200, task(203, 'sshd', 200))).toBe(true);
  });

  it('gives the kernel the exact pid and comm sets every match needs', () => {
    expect(RecordFilter.compile(['comm=curl,wget', 'uid=0'])!.prefilter).toEqual({ pids: [], comms: ['curl', 'wget'], follow: false });
    expect(RecordFilter.compile(['p=10', 'pid=11', 'follow'])!.prefilter).toEqual({ pids: [10, 11], comms: [], follow: true });
    expect(RecordFilter.compile(['pid=10', 'comm=nc'])!.prefilter).toEqual({ pids: [10], comms: ['nc'], follow: false });
    // Wildcards, negations and ranges are left to user space.
    expect(RecordFilter.compile(['comm=ng*'])!.prefilter).toBeUndefined();
    expect(RecordFilter.compile(['comm=nc', 'comm!=ncat'])!.prefilter).toBeUndefined();
    expect(RecordFilter.compile(['pid>100'])!.prefilter).toBeUndefined();
    expect(RecordFilter.compile(['uid=1000'])!.prefilter).toBeUndefined();
    expect(RecordFilter.compile(['comm=ng*', 'pid=7'])!.prefilter).toEqual({ pids: [7], comms: [], follow: false });
  });
});
