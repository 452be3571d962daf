/**
 * The processes of a recording, by host pid: what each one is (its latest task), its parent,
 * and how many packets and bytes its sockets carried. Fed by the index scan from the recording's
 * process table records and from the task on every packet; empty for a plain pcap.
 *
 * Host pids are reused over a long recording; a reused pid shows as one process with the
 * latest name, which is what a person reading a tree of live processes expects.
 */
import type { TaskContext } from '../../core/packet.ts';

export interface ProcessInfo {
  task: TaskContext;
  /** Executable path, '' when the recording does not know it. */
  exePath: string;
  packets: number;
  bytes: number;
  /** Names of the threads that owned its packets, where they differ from the process's (at most THREADS_KEPT). */
  threads?: Set<string>;
}

/** Thread names kept per process: named has dozens of isc-net threads, one name each. */
const THREADS_KEPT = 4;

/** One line of the process tree, in display order. */
export interface ProcessRow {
  info: ProcessInfo;
  depth: number;
  /** Packets and bytes of the process and all its descendants. */
  totalPackets: number;
  totalBytes: number;
}

/** Parent links followed at most this far: a corrupt table with a cycle must not hang a render. */
const MAX_CHAIN = 64;

export class ProcessTable {
  readonly #byPid = new Map<number, ProcessInfo>();

  get size(): number {
    return this.#byPid.size;
  }

  get(hostPid: number): ProcessInfo | undefined {
    return this.#byPid.get(hostPid);
  }

  /** A task from the recording's process table. A process is named after its main thread. */
  learn(task: TaskContext, exePath = ''): ProcessInfo {
    const known = this.#byPid.get(task.hostProcessId);
    if (known === undefined) {
      const info = { task, exePath, packets: 0, bytes: 0 };
      this.#byPid.set(task.hostProcessId, info);
      return info;
    }
    if (task.hostThreadId === task.hostProcessId || known.task.hostThreadId !== known.task.hostProcessId) {
      known.task = task;
      if (exePath !== '') known.exePath = exePath;
    }
    return known;
  }

  /** A packet owned by `task`, `bytes` long on the wire. */
  count(task: TaskContext, bytes: number): void {
    const info = this.#byPid.get(task.hostProcessId) ?? this.learn(task);
    info.packets++;
    info.bytes += bytes;
    if (task.processName !== (info.task.leaderName ?? info.task.processName) && (info.threads?.size ?? 0) < THREADS_KEPT) {
      info.threads ??= new Set();
      info.threads.add(task.processName);
    }
  }

  /** The ancestors of `task`, parent first, as far as the table knows them. */
  ancestors(task: TaskContext): ProcessInfo[] {
    const chain: ProcessInfo[] = [];
    const seen = new Set<number>([task.hostProcessId]);
    let parentPid = task.hostParentProcessId;
    while (chain.length < MAX_CHAIN && !seen.has(parentPid)) {
      const parent = this.#byPid.get(parentPid);
      if (parent === undefined) break;
      chain.push(parent);
      seen.add(parentPid);
      parentPid = parent.task.hostParentProcessId;
    }
    return chain;
  }

  /** Host pids of every descendant of `hostPid`. */
  descendants(hostPid: number): number[] {
    const children = this.#children();
    const out: number[] = [];
    const stack = [...(children.get(hostPid) ?? [])];
    const seen = new Set<number>([hostPid]);
    while (stack.length > 0) {
      const pid = stack.pop()!;
      if (seen.has(pid)) continue;
      seen.add(pid);
      out.push(pid);
      stack.push(...(children.get(pid) ?? []));
    }
    return out.sort((a, b) => a - b);
  }

  /**
   * The tree in depth-first order, children by pid. With `onlyTraffic`, only processes whose
   * subtree carried packets: the table of a whole host is mostly idle processes.
   */
  rows(onlyTraffic: boolean): ProcessRow[] {
    const children = this.#children();
    const totals = new Map<number, { packets: number; bytes: number }>();
    const total = (pid: number, depth: number): { packets: number; bytes: number } => {
      const cached = totals.get(pid);
      if (cached !== undefined) return cached;
      const info = this.#byPid.get(pid)!;
      const sum = { packets: info.packets, bytes: info.bytes };
      totals.set(pid, sum); // set before recursing: a parent cycle stops here
      if (depth < MAX_CHAIN) {
        for (const child of children.get(pid) ?? []) {
          const t = total(child, depth + 1);
          sum.packets += t.packets;
          sum.bytes += t.bytes;
        }
      }
      return sum;
    };
    const rows: ProcessRow[] = [];
    const placed = new Set<number>();
    const visit = (pid: number, depth: number): void => {
      if (placed.has(pid)) return;
      placed.add(pid);
      const t = total(pid, 0);
      if (onlyTraffic && t.packets === 0) return;
      rows.push({ info: this.#byPid.get(pid)!, depth, totalPackets: t.packets, totalBytes: t.bytes });
      for (const child of children.get(pid) ?? []) visit(child, depth + 1);
    };
    for (const pid of [...this.#byPid.keys()].sort((a, b) => a - b)) {
      const parent = this.#byPid.get(pid)!.task.hostParentProcessId;
      if (parent === pid || !this.#byPid.has(parent)) visit(pid, 0);
    }
    // Processes only reachable through a parent cycle have no root: list them at the top level.
    for (const pid of this.#byPid.keys()) visit(pid, 0);
    return rows;
  }

  #children(): Map<number, number[]> {
    const children = new Map<number, number[]>();
    for (const [pid, info] of [...this.#byPid].sort((a, b) => a[0] - b[0])) {
      const parent = info.task.hostParentProcessId;
      if (parent === pid) continue;
      const list = children.get(parent) ?? [];
      list.push(pid);
      children.set(parent, list);
    }
    return children;
  }
}
