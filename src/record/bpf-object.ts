/**
 * bpf/netrec.bpf.o, live: open → configure → load (verifier) → attach → close, through libbpf.
 *
 * Every attachment is a BPF link held by a file descriptor of this process and never pinned, so
 * the kernel detaches the programs and frees the maps when the process ends, however it ends
 * (SIGKILL included). close() does the same sooner and is idempotent; a failure half-way
 * through load() or attach() releases everything made so far.
 */
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/package.ts';
import { COMM_LEN, CONFIG, NETREC_ABI_VERSION, TraceFlag, TracePid } from './abi.ts';
import { BPF_ANY, BPF_NOEXIST, errnoText, loadNative, NativeError, type Libbpf, type Pointer } from './libbpf.ts';
import type { KernelPrefilter } from './trace-filter.ts';

const EEXIST = 17;

export const DEFAULT_OBJECT_PATH = join(packageRoot(), 'bpf', 'netrec.bpf.o');

/** Programs attached to the cgroup, in attach order: owners are tracked before packets flow. */
const CGROUP_PROGRAMS = [
  'nr_sock_create',
  'nr_post_bind4',
  'nr_post_bind6',
  'nr_connect4',
  'nr_connect6',
  'nr_sendmsg4',
  'nr_sendmsg6',
  'nr_recvmsg4',
  'nr_recvmsg6',
  'nr_sock_release',
  'nr_ingress',
  'nr_egress',
] as const;

/**
 * The syscall-exit program: it names the task that accepted a connection or received a socket
 * over a unix socket (SCM_RIGHTS), and makes every syscall on the host pay for the kernel's
 * syscall tracepoint path (docs/record.md). `record --no-accept-attribution` leaves it out.
 */
export const SYS_EXIT_PROGRAM = 'nr_sys_exit';

/** Raw tracepoints: softirq bookkeeping first, so egress can trust it from the first packet. */
const TRACEPOINT_PROGRAMS = [
  ['nr_softirq_entry', 'softirq_entry'],
  ['nr_softirq_exit', 'softirq_exit'],
  ['nr_fork', 'sched_process_fork'],
  ['nr_exec', 'sched_process_exec'],
  ['nr_exit', 'sched_process_exit'],
  ['nr_rename', 'task_rename'],
  [SYS_EXIT_PROGRAM, 'sys_exit'],
] as const;

export const MAPS = {
  events: 'events',
  sockOwners: 'sock_owners',
  utsNames: 'uts_names',
  counters: 'counters',
  captureCgroup: 'capture_cgroup',
  tracePids: 'trace_pids',
  traceComms: 'trace_comms',
} as const;

export interface LoadOptions {
  objectPath?: string;
  snaplen: number;
  /** Ring buffer bytes: a power of two and a multiple of the page size. */
  ringBytes: number;
  /** Record the lifecycle of the attach cgroup's tasks only (capture of a --cgroup subtree). */
  cgroupOnly: boolean;
  /** The kernel-side part of a record-time --trace. */
  prefilter?: KernelPrefilter;
}

/** The verifier (or libbpf) refused the object. */
export class BpfLoadError extends Error {
  override readonly name = 'BpfLoadError';
  constructor(
    message: string,
    readonly errno: number,
    /** libbpf's messages and the verifier log of the failing program. */
    readonly log: string[],
  ) {
    super(message);
  }
}

/** Lines of libbpf output kept for an error message (the end of a verifier log says why). */
const LOG_TAIL = 12;

export class BpfObject {
  private readonly links: Pointer[] = [];
  private obj: Pointer | null;

  private constructor(
    private readonly libbpf: Libbpf,
    obj: Pointer,
    private readonly cgroupOnly: boolean,
  ) {
    this.obj = obj;
  }

  static load(opts: LoadOptions): BpfObject {
    const { libbpf } = loadNative();
    const log: string[] = [];
    libbpf.setPrint((level, line) => {
      if (level <= 1) log.push(line); // warnings and info; debug output is not useful here
    });
    const verifierLog = Buffer.alloc(4 << 20);
    const path = opts.objectPath ?? DEFAULT_OBJECT_PATH;
    try {
      const obj = libbpf.openObject(path, verifierLog);
      if (obj === null) {
        const errno = libbpf.errno();
        throw new BpfLoadError(`cannot open ${path}: ${errnoText(errno)}`, errno, log.slice(-LOG_TAIL));
      }
      const object = new BpfObject(libbpf, obj, opts.cgroupOnly);
      try {
        object.configure(opts);
        const err = libbpf.loadObject(obj);
        if (err < 0) {
          const verifier = verifierLog
            .toString('utf8', 0, Math.max(0, verifierLog.indexOf(0)))
            .split('\n')
            .filter(Boolean);
          // libbpf names the program the verifier refused ("prog 'nr_egress': BPF program load failed").
          const program = log.map((l) => /prog '([^']+)': BPF program load failed/.exec(l)?.[1]).find((p) => p !== undefined);
          const what = program === undefined ? '' : `the verifier refused ${program}: `;
          const lines = verifier.length > 0 ? verifier : log;
          throw new BpfLoadError(`loading ${path} failed: ${what}${errnoText(-err)}`, -err, lines.slice(-LOG_TAIL));
        }
        if (opts.prefilter !== undefined) {
          object.addTracePids(opts.prefilter.pids, TracePid.given);
          for (const comm of opts.prefilter.comms) {
            const key = Buffer.alloc(COMM_LEN);
            key.write(comm, 0, COMM_LEN - 1, 'utf8');
            object.update(MAPS.traceComms, key, Buffer.of(1));
          }
        }
        return object;
      } catch (err) {
        object.close();
        throw err;
      }
    } finally {
      libbpf.setPrint(null);
    }
  }

  /**
   * Attaches every program (but the syscall-exit one when `acceptAttribution` is false): the
   * cgroup ones to `cgroupPath` (a cgroup v2 directory).
   */
  attach(cgroupPath: string, acceptAttribution = true): void {
    const cgroupFd = openSync(cgroupPath, 'r');
    try {
      if (this.cgroupOnly) {
        const value = Buffer.alloc(4);
        value.writeUInt32LE(cgroupFd, 0);
        this.update(MAPS.captureCgroup, Buffer.alloc(4), value);
      }
      for (const [name, tracepoint] of TRACEPOINT_PROGRAMS) {
        if (name === SYS_EXIT_PROGRAM && !acceptAttribution) continue;
        this.keep(this.libbpf.attachRawTracepoint(this.program(name), tracepoint), `attach ${name} to raw tracepoint ${tracepoint}`);
      }
      for (const name of CGROUP_PROGRAMS) {
        this.keep(this.libbpf.attachCgroup(this.program(name), cgroupFd), `attach ${name} to ${cgroupPath}`);
      }
    } catch (err) {
      this.detach();
      throw err;
    } finally {
      closeSync(cgroupFd);
    }
  }

  /** Pids (or tids) the --trace prefilter keeps; `why`: given by the user or followed. */
  addTracePids(pids: readonly number[], why: number): void {
    const key = Buffer.alloc(4);
    for (const pid of pids) {
      key.writeUInt32LE(pid >>> 0, 0);
      this.update(MAPS.tracePids, key, Buffer.of(why), BPF_NOEXIST);
    }
  }

  private update(map: string, key: Buffer, value: Buffer, flags = BPF_ANY): void {
    const err = this.libbpf.mapUpdate(this.mapFd(map), key, value, flags);
    if (err < 0 && err !== -EEXIST) throw new NativeError(`update map ${map}`, -err);
  }

  mapFd(name: string): number {
    const map = this.libbpf.findMap(this.requireObj(), name);
    if (map === null) throw new Error(`map ${name} missing from the BPF object`);
    return this.libbpf.mapFd(map);
  }

  /** Detaches the programs (the maps stay readable until close()). */
  detach(): void {
    while (this.links.length > 0) this.libbpf.destroyLink(this.links.pop()!);
  }

  close(): void {
    this.detach();
    if (this.obj !== null) {
      this.libbpf.closeObject(this.obj);
      this.obj = null;
    }
  }

  private configure(opts: LoadOptions): void {
    const obj = this.requireObj();
    const rodata = this.libbpf.findMap(obj, '.rodata');
    const initial = rodata === null ? null : this.libbpf.initialValue(rodata);
    if (initial === null || initial.byteLength !== CONFIG.size) {
      throw new BpfLoadError('the BPF object has no netrec configuration (.rodata); rebuild it with bpf/build.sh', 0, []);
    }
    const config = new DataView(initial);
    const abi = config.getUint32(CONFIG.abi_version, true);
    if (abi !== NETREC_ABI_VERSION) {
      throw new BpfLoadError(`the BPF object speaks ABI ${abi}, this netrec ${NETREC_ABI_VERSION}; rebuild it with bpf/build.sh`, 0, []);
    }
    config.setUint32(CONFIG.snaplen, opts.snaplen, true);
    config.setUint32(CONFIG.cgroup_only, opts.cgroupOnly ? 1 : 0, true);
    const p = opts.prefilter;
    const trace =
      p === undefined ? 0 : (p.pids.length > 0 ? TraceFlag.pids : 0) | (p.comms.length > 0 ? TraceFlag.comms : 0) | (p.follow ? TraceFlag.follow : 0);
    config.setUint32(CONFIG.trace, trace, true);
    const events = this.libbpf.findMap(obj, MAPS.events);
    if (events === null) throw new BpfLoadError(`map ${MAPS.events} missing from the BPF object`, 0, []);
    const err = this.libbpf.setMaxEntries(events, opts.ringBytes);
    if (err < 0) throw new NativeError(`set ring buffer size ${opts.ringBytes}`, -err);
  }

  private program(name: string): Pointer {
    const prog = this.libbpf.findProgram(this.requireObj(), name);
    if (prog === null) throw new Error(`program ${name} missing from the BPF object`);
    return prog;
  }

  private keep(link: Pointer | null, step: string): void {
    if (link === null) throw new NativeError(step, this.libbpf.errno());
    this.links.push(link);
  }

  private requireObj(): Pointer {
    if (this.obj === null) throw new Error('BPF object used after close()');
    return this.obj;
  }
}
