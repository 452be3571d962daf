/**
 * What `netrec record` needs from the machine, checked before touching the kernel, so a missing
 * piece is one line saying what and how to fix it rather than a failure deep in a libbpf call.
 */
import { existsSync, readFileSync, realpathSync, statfsSync } from 'node:fs';
import { findCgroup2Root } from './cgroup.ts';
import { LibraryMissingError, loadNative } from './libbpf.ts';

/** A requirement of live capture is not met: the message says what and how to fix it. */
export class RecordSetupError extends Error {
  override readonly name = 'RecordSetupError';
}

const CAP_NET_ADMIN = 12;
const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;
const CGROUP2_SUPER_MAGIC = 0x63677270;

export interface Preflight {
  /** The cgroup v2 directory to attach to. */
  cgroupPath: string;
}

/** What preflight looks at; tests pass a fake machine. */
export interface Machine {
  /** CapEff of this process. */
  capabilities(): bigint;
  exists(path: string): boolean;
  /** Throws LibraryMissingError when libbpf.so.1 cannot be loaded. */
  loadLibbpf(): void;
  /** The cgroup v2 mount to use, or undefined. */
  cgroup2Root(): string | undefined;
}

const THIS_MACHINE: Machine = {
  capabilities: effectiveCapabilities,
  exists: existsSync,
  loadLibbpf: () => void loadNative(),
  cgroup2Root: () => findCgroup2Root(),
};

export function preflight(opts: { cgroup?: string; objectPath: string }, machine = THIS_MACHINE): Preflight {
  const caps = machine.capabilities();
  const has = (cap: number): boolean => !!((caps >> BigInt(cap)) & 1n);
  // Since 5.8 CAP_BPF + CAP_PERFMON (tracing helpers) + CAP_NET_ADMIN (cgroup attach) suffice;
  // CAP_SYS_ADMIN stands in for the first two.
  const missing = [
    ...(has(CAP_BPF) || has(CAP_SYS_ADMIN) ? [] : ['CAP_BPF']),
    ...(has(CAP_PERFMON) || has(CAP_SYS_ADMIN) ? [] : ['CAP_PERFMON']),
    ...(has(CAP_NET_ADMIN) ? [] : ['CAP_NET_ADMIN']),
  ];
  if (missing.length > 0) {
    throw new RecordSetupError(`recording needs root (missing ${missing.join(', ')}): run it with sudo`);
  }
  if (!machine.exists('/sys/kernel/btf/vmlinux')) {
    throw new RecordSetupError('this kernel has no BTF (/sys/kernel/btf/vmlinux is missing): netrec needs a kernel built with CONFIG_DEBUG_INFO_BTF=y');
  }
  try {
    machine.loadLibbpf();
  } catch (err) {
    if (err instanceof LibraryMissingError) {
      throw new RecordSetupError(`libbpf is missing (${err.message}): install it, e.g. apt-get install libbpf1`);
    }
    throw err;
  }
  if (!machine.exists(opts.objectPath)) {
    throw new RecordSetupError(`the BPF object ${opts.objectPath} is missing: build it with bpf/build.sh (needs clang)`);
  }
  return { cgroupPath: cgroupPath(opts.cgroup, machine) };
}

function cgroupPath(given: string | undefined, machine: Machine): string {
  if (given !== undefined) {
    let magic: number;
    try {
      magic = Number(statfsSync(given).type);
    } catch (err) {
      throw new RecordSetupError(`--cgroup ${given}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (magic !== CGROUP2_SUPER_MAGIC) throw new RecordSetupError(`--cgroup ${given} is not a cgroup v2 directory`);
    return realpathSync(given);
  }
  const root = machine.cgroup2Root();
  if (root === undefined) {
    throw new RecordSetupError(
      'no cgroup v2 hierarchy is mounted: mount one (mount -t cgroup2 none /sys/fs/cgroup/unified) or boot with systemd.unified_cgroup_hierarchy=1',
    );
  }
  return root;
}

function effectiveCapabilities(): bigint {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? BigInt(`0x${m[1]}`) : 0n;
  } catch {
    return 0n;
  }
}
