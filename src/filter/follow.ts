/**
 * `follow`: the processes the scope filters match plus all their descendants, read from the
 * process lifecycle of a recording. As in Tracee, a process becomes followed when it matches at
 * an exec, or when the process that forks it matches or is followed at that moment; threads
 * share their process's verdict, and a process stays followed after it execs something else.
 */
import type { TaskContext } from '../core/packet.ts';
import type { TraceeEvent } from '../event/types.ts';

/** What a process looked like from `since` (epoch ns) on. */
export interface ProcessImage {
  readonly since: bigint;
  readonly task: TaskContext;
}

/** One process (host pid) from its fork, or from when the recording first saw it, to its exit. */
export interface ProcessLife {
  /**
   * Oldest first and never empty: the image at its fork (its `hostParentProcessId` is the
   * forking process), then one per exec.
   */
  readonly images: readonly ProcessImage[];
}

/** A recording's process lifecycle, as follow reads it. MemoryProcessTree is one implementation. */
export interface ProcessTree {
  /**
   * The life of host pid `hostPid` at time `at` (pids are reused), or undefined when none is
   * known. The same life must come back as the same object: verdicts are cached per life.
   */
  lifeAt(hostPid: number, at: bigint): ProcessLife | undefined;
}

/** Is the event's process followed: does it or an ancestor match `inScope` in time? */
export function followedBy(tree: ProcessTree, inScope: (task: TaskContext) => boolean): (e: TraceeEvent) => boolean {
  /** Whether each life was followed from its fork; fixed once known, since it depends on the past only. */
  const fromFork = new WeakMap<ProcessLife, boolean>();

  const matchedBy = (life: ProcessLife, at: bigint): boolean => {
    for (const image of life.images) {
      if (image.since > at) break;
      if (inScope(image.task)) return true;
    }
    return false;
  };

  const inherited = (life: ProcessLife): boolean => {
    const chain: ProcessLife[] = [];
    let verdict = false;
    for (let child: ProcessLife | undefined = life; child !== undefined; ) {
      const known = fromFork.get(child);
      if (known !== undefined) {
        verdict = known;
        break;
      }
      chain.push(child);
      fromFork.set(child, false); // corrupt records with a parent cycle end the walk here
      const birth = child.images[0];
      if (birth === undefined) break;
      const parent: ProcessLife | undefined = tree.lifeAt(birth.task.hostParentProcessId, birth.since);
      if (parent !== undefined && matchedBy(parent, birth.since)) {
        verdict = true;
        break;
      }
      child = parent;
    }
    for (const l of chain) fromFork.set(l, verdict);
    return verdict;
  };

  return (e) => {
    const life = tree.lifeAt(e.hostProcessId, e.timestamp);
    return life !== undefined && (matchedBy(life, e.timestamp) || inherited(life));
  };
}
