import { describe, expect, it } from 'vitest';
import { LibraryMissingError } from '../../src/record/libbpf.ts';
import { preflight, RecordSetupError, type Machine } from '../../src/record/preflight.ts';

const ROOT_CAPS = (1n << 41n) - 1n;
const OBJECT = '/opt/netrec/bpf/netrec.bpf.o';

function machine(over: Partial<Machine> = {}): Machine {
  return {
    capabilities: () => ROOT_CAPS,
    exists: () => true,
    loadLibbpf: () => undefined,
    cgroup2Root: () => '/sys/fs/cgroup/unified',
    ...over,
  };
}

function message(m: Machine): string {
  try {
    preflight({ objectPath: OBJECT }, m);
  } catch (err) {
    expect(err).toBeInstanceOf(RecordSetupError);
    return (err as Error).message;
  }
  throw new Error('preflight passed');
}

describe('preflight', () => {
  it('finds the cgroup v2 root on a complete machine', () => {
    expect(preflight({ objectPath: OBJECT }, machine())).toEqual({ cgroupPath: '/sys/fs/cgroup/unified' });
  });

  it('names the missing capabilities', () => {
    expect(message(machine({ capabilities: () => 0n }))).toBe('recording needs root (missing CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN): run it with sudo');
    // CAP_SYS_ADMIN (21) stands in for CAP_BPF and CAP_PERFMON on its own.
    expect(message(machine({ capabilities: () => 1n << 21n }))).toBe('recording needs root (missing CAP_NET_ADMIN): run it with sudo');
    const noBpf = ROOT_CAPS & ~(1n << 39n) & ~(1n << 21n);
    expect(message(machine({ capabilities: () => noBpf }))).toMatch(/missing CAP_BPF\)/);
  });

  it('says what is missing, one line each', () => {
    const cases: [Partial<Machine>, RegExp][] = [
      [{ exists: (p) => p !== '/sys/kernel/btf/vmlinux' }, /^this kernel has no BTF .*CONFIG_DEBUG_INFO_BTF=y$/],
      [
        {
          loadLibbpf: () => {
            throw new LibraryMissingError('cannot load libbpf.so.1: not found');
          },
        },
        /^libbpf is missing .*apt-get install libbpf1$/,
      ],
      [{ exists: (p) => p !== OBJECT }, /is missing: build it with bpf\/build.sh/],
      [{ cgroup2Root: () => undefined }, /^no cgroup v2 hierarchy is mounted: /],
    ];
    for (const [over, expected] of cases) {
      const text = message(machine(over));
      expect(text).toMatch(expected);
      expect(text).not.toContain('\n');
    }
  });

  it('refuses a --cgroup that is not a cgroup v2 directory', () => {
    expect(() => preflight({ objectPath: OBJECT, cgroup: '/tmp' }, machine())).toThrow(/--cgroup \/tmp is not a cgroup v2 directory/);
    expect(() => preflight({ objectPath: OBJECT, cgroup: '/nonexistent' }, machine())).toThrow(/--cgroup \/nonexistent: ENOENT/);
  });
});
