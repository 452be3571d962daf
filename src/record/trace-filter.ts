/**
 * Record-time `--trace`: process scope filters (comm=, pid=, uid=, container, ... and `follow`)
 * decide which packets are stored. They are compiled by the replay filter engine, so a filter
 * means the same when recording and when replaying; `follow` is evaluated here, live, from the
 * fork and exec records as they arrive (replay's follow needs a finished process tree).
 *
 * Event and header filters are refused: they need decoded packets, which recording does not
 * decode. Filter those at replay.
 */
import { UsageError } from '../core/errors.ts';
import type { TaskContext } from '../core/packet.ts';
import type { TraceeEvent } from '../event/types.ts';
import { compileFilters } from '../filter/compile.ts';
import { isSelection } from '../filter/events.ts';
import { parseExpression } from '../filter/expression.ts';
import { scopeTerm } from '../filter/scope.ts';

/**
 * What the kernel can check before a packet enters the ring buffer: a superset of what the
 * filter keeps (the filter itself decides afterwards). Empty lists disable that check.
 */
export interface KernelPrefilter {
  /** Host pids or tids, from `pid=` with exact values only. */
  pids: number[];
  /** Comms, from `comm=` with exact values only. */
  comms: string[];
  follow: boolean;
}

export class RecordFilter {
  /** Host pids of processes kept because an ancestor matched (follow). */
  private readonly followed = new Set<number>();

  private constructor(
    private readonly matches: (task: TaskContext) => boolean,
    private readonly follow: boolean,
    /** undefined when no field the kernel can test is required by every match. */
    readonly prefilter: KernelPrefilter | undefined,
  ) {}

  /** undefined when there is nothing to filter on. Throws UsageError for a bad expression. */
  static compile(texts: readonly string[]): RecordFilter | undefined {
    if (texts.length === 0) return undefined;
    let follow = false;
    const scope: string[] = [];
    // Per field: every clause's operator and values, to see what the kernel can test.
    const clauses = new Map<string, { operator: string | undefined; values: readonly string[] }[]>();
    for (const text of texts) {
      const e = parseExpression(text);
      if (isSelection(e) || e.name.includes('.')) {
        throw new UsageError(
          `record --trace takes process filters (comm=, pid=, uid=, container, follow, ...): '${text}' needs decoded packets; give it to replay`,
        );
      }
      const term = scopeTerm(e);
      if (term === 'follow') {
        follow = true;
        continue;
      }
      scope.push(text);
      const list = clauses.get(term.field.key) ?? [];
      list.push({ operator: term.clause.operator, values: term.clause.values });
      clauses.set(term.field.key, list);
    }
    if (scope.length === 0) throw new UsageError(`record --trace follow needs a process filter to follow (e.g. comm=curl)`);
    const { accept } = compileFilters(scope, { hasProcessContext: true });
    if (accept === undefined) return undefined;
    // A field whose clauses are all `=` with exact values holds one of them in every match
    // (fields are ANDed): such a field is a safe kernel-side test.
    const exact = (key: string): string[] => {
      const list = clauses.get(key) ?? [];
      return list.length > 0 && list.every((c) => c.operator === '=' && c.values.every((v) => !v.includes('*'))) ? list.flatMap((c) => c.values) : [];
    };
    const pids = exact('pid').map(Number);
    const comms = exact('comm');
    const prefilter = pids.length > 0 || comms.length > 0 ? { pids, comms, follow } : undefined;
    // Scope filters read only the task-context fields, which a TraceeEvent shares by name.
    return new RecordFilter((task) => accept(task as unknown as TraceeEvent), follow, prefilter);
  }

  /** Processes followed so far (for the kernel prefilter's set after seed()). */
  get followedPids(): readonly number[] {
    return [...this.followed];
  }

  /** Whether to store this task's packets; with follow, a match makes its future children kept. */
  keeps(task: TaskContext): boolean {
    if (this.matches(task)) {
      if (this.follow) this.followed.add(task.hostProcessId);
      return true;
    }
    return this.followed.has(task.hostProcessId);
  }

  /** Processes running at start: follow the descendants of those that match. */
  seed(processes: readonly TaskContext[]): void {
    if (!this.follow) return;
    const children = new Map<number, number[]>();
    for (const p of processes) {
      const list = children.get(p.hostParentProcessId) ?? [];
      list.push(p.hostProcessId);
      children.set(p.hostParentProcessId, list);
    }
    const visit = (pid: number): void => {
      for (const child of children.get(pid) ?? []) {
        if (this.followed.has(child)) continue;
        this.followed.add(child);
        visit(child);
      }
    };
    for (const p of processes) {
      if (!this.matches(p)) continue;
      this.followed.add(p.hostProcessId);
      visit(p.hostProcessId);
    }
  }

  /**
   * A new process (`child` as forked: the parent's image under the child's ids) is followed when
   * its parent is kept at that moment. Returns whether the child is kept.
   */
  onFork(parentPid: number, child: TaskContext): boolean {
    if (this.follow && child.hostThreadId === child.hostProcessId && this.followed.has(parentPid)) {
      this.followed.add(child.hostProcessId);
    }
    return this.keeps(child);
  }

  onExit(hostPid: number, hostTid: number): void {
    if (hostPid === hostTid) this.followed.delete(hostPid);
  }
}
