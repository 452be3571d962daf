/**
 * A ProcessTree built in memory from process lifecycle events, fed in time order. A process
 * already running when a recording began is a `fork` at the recording's start; a comm change is
 * an `exec` to the task's new image.
 */
import type { TaskContext } from '../core/packet.ts';
import type { ProcessImage, ProcessLife, ProcessTree } from './follow.ts';

export type ProcessEvent =
  /** `task` is the new task: a process, or a thread joining its process. */
  | { kind: 'fork'; at: bigint; task: TaskContext }
  /** `task` is the task after the exec. */
  | { kind: 'exec'; at: bigint; task: TaskContext }
  | { kind: 'exit'; at: bigint; hostProcessId: number; hostThreadId: number };

interface Life extends ProcessLife {
  readonly images: ProcessImage[];
  end: bigint | undefined;
}

export class MemoryProcessTree implements ProcessTree {
  /** Every life of each host pid, oldest first. */
  readonly #lives = new Map<number, Life[]>();

  /** Events must come in time order (epoch ns in `at`). */
  add(event: ProcessEvent): void {
    if (event.kind === 'exec') {
      // An exec in a process the recording never saw forked starts what is known of it.
      const life = this.lifeAt(event.task.hostProcessId, event.at);
      if (life === undefined) this.#begin(event.at, event.task);
      else life.images.push({ since: event.at, task: event.task });
      return;
    }
    // A thread's fork or exit leaves its process's life unchanged.
    const { hostProcessId, hostThreadId } = event.kind === 'fork' ? event.task : event;
    if (hostThreadId !== hostProcessId) return;
    if (event.kind === 'fork') this.#begin(event.at, event.task);
    else {
      const life = this.lifeAt(hostProcessId, event.at);
      if (life !== undefined) life.end = event.at;
    }
  }

  lifeAt(hostPid: number, at: bigint): Life | undefined {
    const lives = this.#lives.get(hostPid) ?? [];
    for (let i = lives.length - 1; i >= 0; i--) {
      const life = lives[i]!;
      if (life.images[0]!.since <= at) return life.end === undefined || at <= life.end ? life : undefined;
    }
    return undefined;
  }

  #begin(at: bigint, task: TaskContext): void {
    const lives = this.#lives.get(task.hostProcessId) ?? [];
    // A reused pid whose exit was not recorded: the old life ended no later than this one began.
    const last = lives.at(-1);
    if (last !== undefined && last.end === undefined) last.end = at;
    lives.push({ images: [{ since: at, task }], end: undefined });
    this.#lives.set(task.hostProcessId, lives);
  }
}
