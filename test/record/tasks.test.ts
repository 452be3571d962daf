import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeTask, type RawTask } from '../../src/record/abi.ts';
import { CgroupIndex } from '../../src/record/cgroup.ts';
import { TaskResolver } from '../../src/record/tasks.ts';

const root = mkdtempSync(join(tmpdir(), 'netrec-tasks-'));
const ID = 'b'.repeat(64);
mkdirSync(join(root, `system.slice/docker-${ID}.scope`), { recursive: true });
const containerCgroup = statSync(join(root, `system.slice/docker-${ID}.scope`), { bigint: true }).ino;
afterAll(() => rmSync(root, { recursive: true, force: true }));

const raw: RawTask = {
  startTime: 5n,
  cgroupId: containerCgroup,
  hostTid: 300,
  hostPid: 300,
  hostPpid: 1,
  tid: 7,
  pid: 7,
  ppid: 1,
  uid: 33,
  mntNs: 11,
  pidNs: 12,
  utsNs: 13,
  flags: 0,
  comm: 'nginx',
  leaderComm: 'nginx',
};

const view = (t: RawTask): DataView => {
  const b = encodeTask(t);
  return new DataView(b.buffer, b.byteOffset, b.length);
};

describe('TaskResolver', () => {
  it('adds the host name and the container id, and shares one context per task', () => {
    const lookups: number[] = [];
    const resolver = new TaskResolver(new CgroupIndex(root), (uts) => {
      lookups.push(uts);
      return 'web-1';
    });
    const a = resolver.fromView(view(raw), 0);
    expect(a).toMatchObject({
      processName: 'nginx',
      hostProcessId: 300,
      processId: 7,
      userId: 33,
      hostName: 'web-1',
      containerId: ID,
      cgroupId: containerCgroup,
    });
    expect(resolver.fromView(view(raw), 0)).toBe(a);
    const other = resolver.fromView(view({ ...raw, hostTid: 301, tid: 8 }), 0);
    expect(other.threadId).toBe(8);
    expect(resolver.fromView(view(raw), 0)).toBe(a); // from the cache, not the last-task shortcut
    expect(lookups).toEqual([13]);
  });

  it('does not keep a context whose host name is not known yet', () => {
    let known = false;
    const resolver = new TaskResolver(new CgroupIndex(root), () => (known ? 'late' : undefined));
    expect(resolver.fromView(view({ ...raw, utsNs: 99 }), 0).hostName).toBe('');
    known = true;
    expect(resolver.fromView(view({ ...raw, utsNs: 99 }), 0).hostName).toBe('late');
  });

  it('reads a host name again after an exec in its namespace', () => {
    let name = 'before';
    const resolver = new TaskResolver(new CgroupIndex(root), () => name);
    expect(resolver.fromView(view(raw), 0).hostName).toBe('before');
    name = 'after';
    expect(resolver.fromView(view(raw), 0).hostName).toBe('before');
    resolver.forgetHostName(raw.utsNs);
    expect(resolver.fromView(view(raw), 0).hostName).toBe('after');
  });
});
