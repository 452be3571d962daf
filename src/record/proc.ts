/**
 * The tasks running when recording starts, read from /proc, in the kernel's struct nr_task form
 * (so the same value can seed socket storage) plus each process's executable path.
 *
 * What /proc cannot give exactly is flagged NR_TASK_F_SEEDED: the start time has clock-tick
 * (10 ms) resolution and counts from boot including suspend, where the kernel side reports
 * CLOCK_MONOTONIC nanoseconds. The host name of another uts namespace is not readable here.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { TASK_F_SEEDED, type RawTask } from './abi.ts';
import type { CgroupIndex } from './cgroup.ts';

/** USER_HZ: the unit of /proc/<pid>/stat times on every Linux architecture netrec runs on. */
const CLOCK_TICKS_PER_SECOND = 100n;

export interface ProcTask {
  task: RawTask;
  /** Executable of the process ('' when unreadable: kernel threads, exited). */
  exePath: string;
}

function numericEntries(dir: string): number[] {
  try {
    return readdirSync(dir)
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/** "uts:[4026531838]" → 4026531838; 0 when unreadable. */
function nsInode(pid: number, ns: string): number {
  try {
    const m = /\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/${ns}`));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function statusField(status: string, name: string): string[] {
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status);
  return m ? m[1]!.trim().split(/\s+/) : [];
}

interface ProcessInfo {
  pid: number;
  nsTgid: number[];
  pidNs: number;
}

/** Every thread of every process (or only main threads), oldest pid first. Vanished ones are skipped. */
export function readProcTasks(cgroups: CgroupIndex, opts: { threads: boolean; skipPid?: number }): ProcTask[] {
  const processes = new Map<number, ProcessInfo>();
  const out: ProcTask[] = [];
  const pending: { task: RawTask; exePath: string; nsPpidFrom: number }[] = [];

  for (const pid of numericEntries('/proc')) {
    if (pid === opts.skipPid) continue;
    let exePath = '';
    try {
      exePath = readlinkSync(`/proc/${pid}/exe`);
    } catch {
      // kernel thread, or no permission: keep the task without a path
    }
    const common = readCommon(pid, cgroups);
    if (common === undefined) continue;
    const tids = opts.threads ? numericEntries(`/proc/${pid}/task`) : [pid];
    for (const tid of tids) {
      const t = readThread(pid, tid, common);
      if (t === undefined) continue;
      if (tid === pid) processes.set(pid, { pid, nsTgid: t.nsTgid, pidNs: common.pidNs });
      pending.push({ task: t.task, exePath, nsPpidFrom: t.task.hostPpid });
    }
  }
  // The parent's pid as the child's namespace sees it: known once every process is read.
  for (const p of pending) {
    const parent = processes.get(p.nsPpidFrom);
    if (parent !== undefined && parent.pidNs === p.task.pidNs) p.task.ppid = parent.nsTgid.at(-1) ?? 0;
    out.push({ task: p.task, exePath: p.exePath });
  }
  return out;
}

interface Common {
  mntNs: number;
  pidNs: number;
  utsNs: number;
  cgroupId: bigint;
  /** The main thread's name: the process's. */
  leaderComm: string;
}

function readCommon(pid: number, cgroups: CgroupIndex): Common | undefined {
  let cgroupFile: string;
  let leaderComm: string;
  try {
    cgroupFile = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    leaderComm = readFileSync(`/proc/${pid}/comm`, 'latin1').replace(/\n$/, '');
  } catch {
    return undefined;
  }
  const unified = /^0::(.*)$/m.exec(cgroupFile);
  return {
    mntNs: nsInode(pid, 'mnt'),
    pidNs: nsInode(pid, 'pid'),
    utsNs: nsInode(pid, 'uts'),
    cgroupId: (unified && cgroups.idOf(unified[1]!)) || 0n,
    leaderComm: utf8(leaderComm),
  };
}

function readThread(pid: number, tid: number, common: Common): { task: RawTask; nsTgid: number[] } | undefined {
  let stat: string;
  let status: string;
  try {
    stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
    status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'latin1');
  } catch {
    return undefined;
  }
  // "tid (comm) state ppid ..." — comm may hold spaces and parentheses: split at the last ')'.
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const rest = stat.slice(close + 2).split(' ');
  const ppid = Number(rest[1]);
  const startTicks = BigInt(rest[19] ?? '0');
  const nsPid = statusField(status, 'NSpid').map(Number);
  const nsTgid = statusField(status, 'NStgid').map(Number);
  return {
    nsTgid,
    task: {
      startTime: (startTicks * 1_000_000_000n) / CLOCK_TICKS_PER_SECOND,
      cgroupId: common.cgroupId,
      hostTid: tid,
      hostPid: pid,
      hostPpid: ppid,
      tid: nsPid.at(-1) ?? tid,
      pid: nsTgid.at(-1) ?? pid,
      ppid: 0,
      uid: Number(statusField(status, 'Uid')[0] ?? 0),
      mntNs: common.mntNs,
      pidNs: common.pidNs,
      utsNs: common.utsNs,
      flags: TASK_F_SEEDED,
      comm: utf8(comm),
      leaderComm: common.leaderComm,
    },
  };
}

/** /proc shows comm as UTF-8-ish text; read as latin1 to keep the bytes, then as UTF-8. */
function utf8(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}
