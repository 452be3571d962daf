/**
 * Process scope filters: which tasks' events to keep, whatever the event. They read the task
 * context, so they apply equally to events and to the processes of a recording's process tree.
 */
import type { TaskContext } from '../core/packet.ts';
import { EVENT_NAMES } from '../event/types.ts';
import { invalid, type Expression } from './expression.ts';
import { propertyField, valueTerm, verdict, type Field, type Term } from './field.ts';

export type ScopeTerm = Term<TaskContext> | 'follow';

interface ScopeName {
  name: string;
  /** Tracee accepts any prefix of these names (`p=`, `u=`, `c`, `f`). */
  prefix: boolean;
  resolve(e: Expression): ScopeTerm;
}

const field = (name: string, kind: 'number' | 'bigint' | 'string', read: (t: TaskContext) => unknown, prefix = false): ScopeName => {
  const f = propertyField(name, kind, true, read);
  return { name, prefix, resolve: (e) => valueTerm(f, e) };
};

/** A pid filter also matches a thread id, as Tracee's kernel filter does ("the user might have given us a tid"). */
const PID: Field<TaskContext> = {
  key: 'pid',
  label: 'pid',
  kind: 'number',
  process: true,
  predicate: (tests) => verdict(tests, (t: TaskContext, test) => test(t.hostProcessId) || test(t.hostThreadId)),
};

/**
 * `comm` is the thread's name (Tracee's processName) or its process's (the thread-group
 * leader's): `comm=dig` keeps dig's packets, which its thread `isc-net-0000` sends, and
 * `comm!=dig` leaves them all out.
 */
const COMM: Field<TaskContext> = {
  key: 'comm',
  label: 'comm',
  kind: 'string',
  process: true,
  predicate: (tests) =>
    verdict(tests, (t: TaskContext, test) => test(t.processName) || (t.leaderName !== undefined && t.leaderName !== t.processName && test(t.leaderName))),
};

/** `container=<id>` takes the full id or any prefix of it, such as Docker's 12-character short id. */
const CONTAINER_ID = propertyField('containerId', 'string', true, (t: TaskContext) => t.containerId, 'container');

const NAMES: readonly ScopeName[] = [
  { name: 'comm', prefix: false, resolve: (e) => valueTerm(COMM, e) },
  { name: 'pid', prefix: true, resolve: (e) => valueTerm(PID, e) },
  field('tid', 'number', (t) => t.hostThreadId),
  field('ppid', 'number', (t) => t.hostParentProcessId),
  field('uid', 'number', (t) => t.userId, true),
  field('mntns', 'number', (t) => t.mountNamespace),
  field('pidns', 'number', (t) => t.pidNamespace),
  field('uts', 'string', (t) => t.hostName),
  field('cgroupId', 'bigint', (t) => t.cgroupId),
  {
    name: 'container',
    prefix: true,
    resolve: (e) =>
      e.operator === undefined
        ? containerFlag(e, 'container', !e.negated)
        : valueTerm(CONTAINER_ID, { ...e, values: e.values.map((v) => (v.includes('*') ? v : `${v}*`)) }),
  },
  { name: 'host', prefix: false, resolve: (e) => containerFlag(e, 'container', e.negated) },
  {
    name: 'follow',
    prefix: true,
    resolve: (e) => {
      if (e.operator !== undefined || e.negated) throw invalid(e, 'follow takes no value');
      return 'follow';
    },
  },
];

const VALID = ['event', 'set', ...NAMES.map((n) => n.name), '!container', '<event>.args.<arg>[.<field>...]', '<event>.context.<field>', '<event>.retval'].join(
  ', ',
);

/** Resolves a name without a dot: exact names first, then Tracee's prefixes. */
export function scopeTerm(e: Expression): ScopeTerm {
  const named = NAMES.find((n) => n.name === e.name) ?? NAMES.find((n) => n.prefix && n.name.startsWith(e.name));
  if (named === undefined) {
    // `--trace net_packet_dns` is an easy slip for `--trace event=net_packet_dns`.
    const pattern = e.name.replace(/\*$/, '');
    const event = (EVENT_NAMES as readonly string[]).some((n) => (pattern === e.name ? n === pattern : n.startsWith(pattern)));
    if (event && !e.negated && e.operator === undefined) throw invalid(e, `unknown field '${e.name}'; to select that event, write event=${e.name}`);
    throw invalid(e, `unknown field '${e.name}' (valid: ${VALID})`);
  }
  return named.resolve(e);
}

/**
 * `container`, `!container`, `host`: flags on "runs in a container". Given both ways, Tracee
 * ORs them, so they share one key.
 */
export function containerFlag<S extends { containerId: string }>(e: Expression, key: string, inContainer: boolean): Term<S> {
  if (e.operator !== undefined) throw invalid(e, `${e.name} takes no value`);
  return {
    field: propertyField<S>(key, 'bool', true, (s) => s.containerId !== ''),
    clause: { text: e.text, operator: '=', values: [String(inContainer)] },
  };
}
