/**
 * `<event>.context.<field>` and `<event>.retval`: Tracee's per-event filters on the envelope,
 * under Tracee's field names and aliases (pkg/filters/context.go).
 */
import type { EventName, TraceeEvent } from '../event/types.ts';
import { invalid, type Expression } from './expression.ts';
import { propertyField, valueTerm, type LeafKind, type Term } from './field.ts';
import { containerFlag } from './scope.ts';

interface ContextName {
  names: readonly string[];
  key: keyof TraceeEvent;
  kind: LeafKind;
  /** False for the fields a pcap has too. */
  process: boolean;
}

const numberField = (names: string[], key: keyof TraceeEvent, process = true): ContextName => ({ names, key, kind: 'number', process });
const stringField = (names: string[], key: keyof TraceeEvent): ContextName => ({ names, key, kind: 'string', process: true });

// Tracee maps hostParentProcessId to its host-pid filter and podName to the container image
// (both slips in context.go); netrec filters the field each name says.
const NAMES: readonly ContextName[] = [
  { names: ['timestamp'], key: 'timestamp', kind: 'bigint', process: false },
  numberField(['processorId'], 'processorId', false),
  numberField(['p', 'pid', 'processId'], 'processId'),
  numberField(['tid', 'threadId'], 'threadId'),
  numberField(['ppid', 'parentProcessId'], 'parentProcessId'),
  numberField(['hostTid', 'hostThreadId'], 'hostThreadId'),
  numberField(['hostPid', 'hostProcessId'], 'hostProcessId'),
  numberField(['hostPpid', 'hostParentProcessId'], 'hostParentProcessId'),
  numberField(['uid', 'userId'], 'userId'),
  numberField(['mntns', 'mountNamespace'], 'mountNamespace'),
  numberField(['pidns', 'pidNamespace'], 'pidNamespace'),
  stringField(['processName', 'comm'], 'processName'),
  stringField(['hostName'], 'hostName'),
  { names: ['cgroupId'], key: 'cgroupId', kind: 'bigint', process: true },
  stringField(['containerId'], 'containerId'),
  stringField(['containerImage'], 'containerImage'),
  stringField(['containerName'], 'containerName'),
  stringField(['podName'], 'podName'),
  stringField(['podNamespace'], 'podNamespace'),
  stringField(['podUid'], 'podUID'),
];

const FLAGS = ['container', 'host'];
const VALID = [...NAMES.flatMap((n) => n.names), ...FLAGS].join(', ');

export function contextTerm(e: Expression, event: EventName, path: readonly string[]): Term<TraceeEvent> {
  const [name] = path;
  const prefix = `${event}.context`;
  if (path.length !== 1 || name === undefined) throw invalid(e, `expected ${prefix}.<field> (fields: ${VALID})`);
  if (FLAGS.includes(name)) return containerFlag(e, `${prefix}.container`, (name === 'container') !== e.negated);
  const found = NAMES.find((n) => n.names.includes(name));
  if (found === undefined) throw invalid(e, `unknown context field '${name}' (valid: ${VALID})`);
  const { key, kind, process } = found;
  return valueTerm(propertyField(`${prefix}.${key}`, kind, process, (ev: TraceeEvent) => ev[key], `${prefix}.${name}`), e);
}

/** Network events always return 0, but Tracee accepts the filter, so netrec does too. */
export function retvalTerm(e: Expression, event: EventName): Term<TraceeEvent> {
  return valueTerm(propertyField(`${event}.retval`, 'number', false, (ev: TraceeEvent) => ev.returnValue), e);
}
