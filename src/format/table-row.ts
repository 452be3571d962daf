/**
 * Tracee's `--output table` row: fixed columns, then the args as `name: value` pairs. COMM is
 * the thread's name as in Tracee, followed by the process's in parentheses where they differ
 * (`isc-net-0000 (dig)`). Times are UTC with nanoseconds (exact, from the bigint timestamp).
 * Comms, names and TXT strings come from the input: each row goes through terminalText(), so
 * control and bidi characters are escaped.
 */
import { terminalText } from '../core/terminal-text.ts';
import type { TraceeEvent } from '../event/types.ts';
import { readable } from './readable.ts';
import { clockTime } from './time.ts';

/** The columns of a row, already escaped and padded. */
export function tableRow(time: string, uid: string, comm: string, pid: string, tid: string, ret: string, event: string, args: string): string {
  return `${time.padEnd(18)} ${uid.padEnd(6)} ${comm.padEnd(16)} ${pid.padEnd(7)} ${tid.padEnd(7)} ${ret.padEnd(4)} ${event.padEnd(25)} ${args}`;
}

export const TABLE_HEADER = tableRow('TIME', 'UID', 'COMM', 'PID', 'TID', 'RET', 'EVENT', 'ARGS');

/** The COMM column: the thread's name, and the process's where it differs. */
export function commText(e: TraceeEvent): string {
  return e.leaderName === undefined ? e.processName : `${e.processName} (${e.leaderName})`;
}

/** An event's args as `name: value` pairs; an empty value shows as `{}`. */
export function argsText(e: TraceeEvent): string {
  return e.args.map((a) => `${a.name}: ${readable(a.value) ?? '{}'}`).join(', ');
}

/** One event as a table row, escaped for a terminal. */
export function eventRow(e: TraceeEvent): string {
  return terminalText(
    tableRow(
      clockTime(e.timestamp),
      String(e.userId),
      // escaped before padding, so the columns stay aligned
      terminalText(commText(e)),
      String(e.processId),
      String(e.threadId),
      String(e.returnValue),
      e.eventName,
      argsText(e),
    ),
  );
}
