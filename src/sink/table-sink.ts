import type { Writable } from 'node:stream';
import type { TraceeEvent } from '../event/types.ts';
import type { EventSink } from './sink.ts';
import { needsTerminalEscape, terminalText } from '../core/terminal-text.ts';
import { findingArgs, findingRow } from './finding-output.ts';
import { TextStream } from './text-stream.ts';

/**
 * Tracee's `--output table`: fixed columns, then the args as `name: value` pairs. COMM is the
 * thread's name as in Tracee, followed by the process's in parentheses where they differ
 * (`isc-net-0000 (dig)`).
 * Times are UTC with nanoseconds (exact, from the bigint timestamp). Inside struct args, empty
 * members ("" / 0-filled sub-structs / null / []) are left out so a row stays readable; the
 * JSON output keeps every field. Comms, names and TXT strings come from the input: each row goes
 * through terminalText(), so control and bidi characters the quoting leaves are escaped too.
 */
export function tableSink(out: Writable): EventSink {
  const text = new TextStream(out);
  text.line(row('TIME', 'UID', 'COMM', 'PID', 'TID', 'RET', 'EVENT', 'ARGS'));
  return {
    get closed() {
      return text.closed;
    },
    write: (e) =>
      text.line(
        terminalText(row(
          clockTime(e.timestamp),
          String(e.userId),
          // escaped before padding, so the columns stay aligned
          terminalText(e.leaderName === undefined ? e.processName : `${e.processName} (${e.leaderName})`),
          String(e.processId),
          String(e.threadId),
          String(e.returnValue),
          e.eventName,
          e.args.map((a) => `${a.name}: ${readable(a.value) ?? '{}'}`).join(', '),
        )),
      ),
    writeFinding: (f) => {
      const r = findingRow(f);
      const cell = (v: string): string => terminalText(v);
      text.line(row(clockTime(r.timestamp), cell(r.userId), cell(r.processName), cell(r.processId), cell(r.threadId), '', cell(`finding:${r.signatureId}`), findingArgs(r, readable)));
    },
    flush: () => text.flush(),
    end: () => text.drain(),
  };
}

function row(time: string, uid: string, comm: string, pid: string, tid: string, ret: string, event: string, args: string): string {
  return `${time.padEnd(18)} ${uid.padEnd(6)} ${comm.padEnd(16)} ${pid.padEnd(7)} ${tid.padEnd(7)} ${ret.padEnd(4)} ${event.padEnd(25)} ${args}`;
}

const NS_PER_DAY = 86_400_000_000_000n;

/** HH:MM:SS.nnnnnnnnn (UTC) of an epoch-ns timestamp. */
export function clockTime(ns: bigint): string {
  const inDay = ((ns % NS_PER_DAY) + NS_PER_DAY) % NS_PER_DAY;
  const secs = Number(inDay / 1_000_000_000n);
  const frac = (inDay % 1_000_000_000n).toString().padStart(9, '0');
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(secs / 3600))}:${two(Math.floor(secs / 60) % 60)}:${two(secs % 60)}.${frac}`;
}

const NS_PER_S = 1_000_000_000n;
/** Date's range: ±8.64e15 ms around the epoch. */
const DATE_LIMIT_MS = 8_640_000_000_000_000n;

/**
 * Epoch ns as ISO 8601 UTC with all nine fraction digits; a time Date cannot hold (a malformed
 * capture's) as its exact count of nanoseconds instead.
 */
export function isoTime(ns: bigint): string {
  const secs = ns >= 0n ? ns / NS_PER_S : -((-ns + NS_PER_S - 1n) / NS_PER_S); // floor, also before 1970
  const ms = secs * 1000n;
  if (ms > DATE_LIMIT_MS || ms < -DATE_LIMIT_MS) return `${ns} ns since the epoch`;
  const base = new Date(Number(ms)).toISOString(); // '...T12:00:00.000Z', years past 9999 as '+010000-...'
  const frac = (ns - secs * NS_PER_S).toString().padStart(9, '0');
  return `${base.slice(0, -5)}.${frac}Z`;
}

/** Compact human rendering; undefined for an empty value so the caller can leave it out. */
export function readable(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v === '' ? undefined : /[\s,{}[\]"\\]/.test(v) || needsTerminalEscape(v) ? quoted(v) : v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    return `[${v.map((x) => readable(x) ?? '{}').join(', ')}]`;
  }
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const r = readable(x);
    if (r !== undefined && !isZeroStruct(x)) parts.push(`${k}: ${r}`);
  }
  return parts.length === 0 ? undefined : `{${parts.join(', ')}}`;
}

/**
 * A string in double quotes, its quotes and backslashes escaped; its control characters are
 * escaped with the rest of the row (terminalText). Inside the quotes "\\x1b" is the text, "\x1b"
 * the control character.
 */
function quoted(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

function isZeroStruct(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  return Object.values(v as Record<string, unknown>).every((x) => x === 0 || x === '' || x === null);
}
