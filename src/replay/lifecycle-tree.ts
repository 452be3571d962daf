/**
 * A recording's lifecycle records (fork, exec, comm, exit) as the ProcessTree the filter's
 * `follow` reads. Records name tasks by process-table ref; the refs are resolved here.
 */
import type { TaskContext } from '../core/packet.ts';
import { MemoryProcessTree } from '../filter/process-tree.ts';
import type { LifecycleRecord, ProcessEntry } from '../nev/records.ts';

export class LifecycleTree {
  readonly tree = new MemoryProcessTree();
  readonly #tasks = new Map<number, TaskContext>();
  #records = 0;

  /** Lifecycle records seen: without any, `follow` has nothing to find descendants in. */
  get records(): number {
    return this.#records;
  }

  /** Processes running when the recording began: a fork at its start, as follow expects. */
  running(processes: readonly ProcessEntry[], at: bigint): void {
    for (const p of processes) {
      this.define(p);
      this.tree.add({ kind: 'fork', at, task: p.task });
    }
  }

  define(entry: ProcessEntry): void {
    this.#tasks.set(entry.ref, entry.task);
  }

  add(record: LifecycleRecord): void {
    this.#records++;
    const at = record.timestamp;
    if (record.event === 'exit') {
      this.tree.add({ kind: 'exit', at, hostProcessId: record.hostProcessId, hostThreadId: record.hostThreadId });
      return;
    }
    const task = record.taskRef === undefined ? undefined : this.#tasks.get(record.taskRef);
    // A record whose task the table never defined cannot say who the process became.
    if (task === undefined) return;
    // A comm change is an exec to the task's new image (see MemoryProcessTree).
    this.tree.add({ kind: record.event === 'fork' ? 'fork' : 'exec', at, task });
  }
}
