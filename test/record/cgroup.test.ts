import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CgroupIndex, containerIdFromPath, findCgroup2Root } from '../../src/record/cgroup.ts';

const HYBRID = [
  '25 30 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755',
  '26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate',
  '27 25 0:25 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,xattr,name=systemd',
].join('\n');
const UNIFIED = '35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate';
const ID = 'a'.repeat(64);

describe('findCgroup2Root', () => {
  it('finds the hierarchy in hybrid and unified mode', () => {
    expect(findCgroup2Root(HYBRID)).toBe('/sys/fs/cgroup/unified');
    expect(findCgroup2Root(UNIFIED)).toBe('/sys/fs/cgroup');
  });

  it('ignores a mount of a subtree (a container sees only its own cgroup)', () => {
    expect(findCgroup2Root('40 30 0:30 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw')).toBeUndefined();
    expect(findCgroup2Root('41 30 0:30 / /mnt/cg\\040two rw - cgroup2 cgroup2 rw')).toBe('/mnt/cg two');
  });

  it('says undefined without cgroup2', () => {
    expect(findCgroup2Root(HYBRID.split('\n')[2]!)).toBeUndefined();
  });
});

describe('containerIdFromPath', () => {
  it.each([
    [`/system.slice/docker-${ID}.scope`, ID],
    [`/docker/${ID}`, ID],
    [`/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-${ID}.scope`, ID],
    [`/machine.slice/libpod-${ID}.scope/container`, ID],
    [`/crio-${ID}.scope`, ID],
    ['/user.slice/user-1000.slice/session-2.scope', ''],
    ['/', ''],
  ])('%s', (path, id) => expect(containerIdFromPath(path)).toBe(id));
});

describe('CgroupIndex', () => {
  it('maps directory inode numbers back to paths, rescanning for new ones', () => {
    const root = mkdtempSync(join(tmpdir(), 'netrec-cg-'));
    try {
      mkdirSync(join(root, 'system.slice/a.service'), { recursive: true });
      let now = 0;
      const index = new CgroupIndex(root, 1000, () => now);
      const id = (rel: string): bigint => statSync(join(root, rel), { bigint: true }).ino;
      expect(index.pathOf(id('system.slice/a.service'))).toBe('/system.slice/a.service');
      expect(index.pathOf(id(''))).toBe('/');
      expect(index.idOf('/system.slice')).toBe(id('system.slice'));
      mkdirSync(join(root, 'new'));
      expect(index.pathOf(id('new'))).toBeUndefined(); // scanned less than a second ago
      now = 1500;
      expect(index.pathOf(id('new'))).toBe('/new');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
