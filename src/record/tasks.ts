/**
 * Kernel task records (struct nr_task) to the TaskContext every source hands the decoders: adds
 * the host name (from the kernel's uts_names map) and the container id (from the cgroup path).
 *
 * Packets of one task repeat the same 96 bytes, so contexts are cached by those bytes: a busy
 * connection costs one string key and one map lookup per packet, and every packet of a task
 * shares one TaskContext object (which the writer's process table dedups cheaply).
 */
import { hostname } from 'node:os';
import { readlinkSync } from 'node:fs';
import type { TaskContext } from '../core/packet.ts';
import { cString, decodeTask, TASK, UTS_NAME, type RawTask } from './abi.ts';
import { containerIdFromPath, type CgroupIndex } from './cgroup.ts';

/** Looks up a uts namespace's host name; undefined when the kernel side has not seen it. */
export type UtsLookup = (utsInode: number) => string | undefined;

const CACHE_LIMIT = 4096;
const RECENT = 4;
const TASK_WORDS = TASK.size / 4;

export class TaskResolver {
  private readonly contexts = new Map<string, TaskContext>();
  private readonly hostNames = new Map<number, string>();
  private readonly containers = new Map<bigint, string>();
  private readonly ownUts: number;
  /**
   * The last complete contexts fromView() returned, and their bytes: a few, because a recording
   * of two local ends alternates between the sender's and the receiver's task.
   */
  private readonly recent: (TaskContext | undefined)[] = new Array<TaskContext | undefined>(RECENT).fill(undefined);
  private readonly recentBytes = new Uint8Array(RECENT * TASK.size);
  private readonly recentWords = new Int32Array(this.recentBytes.buffer);
  private nextSlot = 0;
  /** 32-bit words of the buffer fromView() reads (the ring buffer), made once per view. */
  private words: Int32Array<ArrayBufferLike> = new Int32Array(0);
  /** The view `words` was made for: compared by identity, as reading a typed array's buffer costs a runtime call. */
  private wordsOf: DataView | undefined;

  constructor(
    private readonly cgroups: CgroupIndex,
    private readonly lookupUts: UtsLookup,
  ) {
    this.ownUts = ownUtsInode();
  }

  /** The context of the struct nr_task at `offset`. */
  fromView(view: DataView, offset: number): TaskContext {
    // Consecutive packets are mostly one task's, or two's: compare with those before hashing.
    const recent = this.findRecent(view, offset);
    if (recent !== undefined) return recent;
    const key = Buffer.from(view.buffer, view.byteOffset + offset, TASK.size).toString('latin1');
    let ctx = this.contexts.get(key);
    if (ctx === undefined) {
      const resolved = this.resolve(decodeTask(view, offset));
      ctx = resolved.ctx;
      if (!resolved.complete) return ctx;
      if (this.contexts.size >= CACHE_LIMIT) this.contexts.clear();
      this.contexts.set(key, ctx);
    }
    const slot = this.nextSlot;
    this.nextSlot = (slot + 1) % RECENT;
    this.recentBytes.set(new Uint8Array(view.buffer, view.byteOffset + offset, TASK.size), slot * TASK.size);
    this.recent[slot] = ctx;
    return ctx;
  }

  /** A recent context whose bytes are those at `offset`, compared a word at a time. */
  private findRecent(view: DataView, offset: number): TaskContext | undefined {
    const at = view.byteOffset + offset;
    if (at % 4 !== 0) return undefined; // records are 8-byte aligned; others take the map
    if (this.wordsOf !== view) {
      this.words = new Int32Array(view.buffer, 0, view.buffer.byteLength >>> 2);
      this.wordsOf = view;
    }
    const words = this.words;
    const recent = this.recentWords;
    const first = at >>> 2;
    for (let slot = 0; slot < RECENT; slot++) {
      const ctx = this.recent[slot];
      if (ctx === undefined) continue;
      const base = slot * TASK_WORDS;
      let i = 0;
      while (i < TASK_WORDS && words[first + i] === recent[base + i]) i++;
      if (i === TASK_WORDS) return ctx;
    }
    return undefined;
  }

  fromRaw(t: RawTask): TaskContext {
    return this.resolve(t).ctx;
  }

  /** `complete`: host name and container are known (not waiting for the kernel or a rescan). */
  private resolve(t: RawTask): { ctx: TaskContext; complete: boolean } {
    const hostName = this.hostName(t.utsNs);
    const containerId = this.containerId(t.cgroupId);
    const ctx: TaskContext = {
      threadStartTime: t.startTime,
      processId: t.pid,
      threadId: t.tid,
      parentProcessId: t.ppid,
      hostProcessId: t.hostPid,
      hostThreadId: t.hostTid,
      hostParentProcessId: t.hostPpid,
      userId: t.uid,
      mountNamespace: t.mntNs,
      pidNamespace: t.pidNs,
      processName: t.comm,
      leaderName: t.leaderComm,
      hostName: hostName ?? '',
      cgroupId: t.cgroupId,
      containerId: containerId ?? '',
    };
    return { ctx, complete: hostName !== undefined && containerId !== undefined };
  }

  /** An exec may follow a sethostname(): read the namespace's name again next time. */
  forgetHostName(utsInode: number): void {
    if (this.hostNames.delete(utsInode)) {
      this.contexts.clear();
      this.recent.fill(undefined);
    }
  }

  /** undefined: not known yet (a task seeded from /proc in another namespace); asked again later. */
  private hostName(uts: number): string | undefined {
    let name = this.hostNames.get(uts);
    if (name === undefined) {
      name = this.lookupUts(uts) ?? (uts === this.ownUts ? hostname() : undefined);
      if (name !== undefined) this.hostNames.set(uts, name);
    }
    return name;
  }

  /** undefined: a cgroup made after the last scan of the tree; asked again later. */
  private containerId(cgroupId: bigint): string | undefined {
    let id = this.containers.get(cgroupId);
    if (id === undefined) {
      const path = this.cgroups.pathOf(cgroupId);
      if (path !== undefined) {
        id = containerIdFromPath(path);
        this.containers.set(cgroupId, id);
      }
    }
    return id;
  }
}

/** Decodes a struct nr_uts_name value. */
export function decodeUtsName(value: Buffer): string {
  return cString(new DataView(value.buffer, value.byteOffset, value.length), UTS_NAME.nodename, UTS_NAME.size);
}

function ownUtsInode(): number {
  try {
    return Number(/\[(\d+)\]$/.exec(readlinkSync('/proc/self/ns/uts'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}
