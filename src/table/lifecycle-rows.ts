/**
 * The process_events table: a recording's lifecycle records (fork, exec, exit, comm), one row
 * each, with the task after the event resolved from the recording's process table (the child of
 * a fork, the new image of an exec). With the processes table (which tasks owned packets) it
 * answers when a process started, what it executed, who its parent was and when it exited, at
 * the recorder's exact nanoseconds. Captures (pcap, pcapng) have no such records.
 */
import type { TaskContext } from '../core/packet.ts';
import type { LifecycleRecord, TaskRecord } from '../nev/records.ts';
import { dayOf, fitsTables, hostOf, hostPartition, setTask, type Row, type RowOrigin } from './rows.ts';

export class LifecycleRows {
  private readonly tasks = new Map<number, { task: TaskContext; exePath: string }>();
  /** The last task known per host thread id: an exit record names no task, only its ids. */
  private readonly byThread = new Map<number, { task: TaskContext; exePath: string }>();
  private readonly rows: Row[] = [];
  /** Records whose timestamp no table can hold (outside int64 ns): counted, not rows. */
  outOfRange = 0;

  constructor(private readonly origin: RowOrigin) {}

  add(record: TaskRecord | LifecycleRecord): void {
    if (record.kind === 'task') {
      const entry = { task: record.task, exePath: record.exePath };
      this.tasks.set(record.ref, entry);
      this.byThread.set(record.task.hostThreadId, entry);
      return;
    }
    if (!fitsTables(record.timestamp)) {
      this.outOfRange++;
      return;
    }
    const known = record.taskRef !== undefined ? this.tasks.get(record.taskRef) : record.event === 'exit' ? this.byThread.get(record.hostThreadId) : undefined;
    if (known !== undefined) this.byThread.set(known.task.hostThreadId, known);
    const hostName = hostOf(this.origin, known?.task);
    const row: Row = { host: hostPartition(hostName), date: dayOf(record.timestamp), recordingId: this.origin.recordingId, timestamp: record.timestamp };
    row.event = record.event;
    row.hasTask = known !== undefined;
    setTask(row, known?.task, hostName);
    if (known === undefined) {
      // Only the record's own ids: the child's for a fork, the acting task's otherwise.
      row.hostProcessId = record.event === 'fork' ? record.childHostProcessId : record.hostProcessId;
      row.hostThreadId = record.event === 'fork' ? record.childHostThreadId : record.hostThreadId;
      if (record.event === 'fork') row.hostParentProcessId = record.hostProcessId;
      if (record.event === 'comm') row.processName = record.comm;
    }
    row.executable = record.event === 'exec' ? record.path : (known?.exePath ?? '');
    row.exitCode = record.event === 'exit' ? record.exitCode : null;
    this.rows.push(row);
  }

  take(): Row[] {
    return this.rows.splice(0, this.rows.length);
  }
}
