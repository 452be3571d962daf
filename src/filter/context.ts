/**
 * `<event>.context.<field>` and `<event>.retval`: Tracee's per-event filters on the envelope,
 * under Tracee's field names and aliases (pkg/filters/context.go).
 */
import { CONTEXT_FIELDS, type ContextFieldName } from '../event/schema.ts';
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

/** A context field under Tracee's filter names; its kind is the event schema's. */
function field(names: string[], key: ContextFieldName, process = true): ContextName {
  const kind = CONTEXT_FIELDS[key].kind;
  return { names, key, kind: kind === 'u64' ? 'bigint' : kind, process };
}

// Tracee maps hostParentProcessId to its host-pid filter and podName to the container image
// (both slips in context.go); netrec filters the field each name says.
const NAMES: readonly ContextName[] = [
  { names: ['timestamp'], key: 'timestamp', kind: 'bigint', process: false },
  field(['processorId'], 'processorId', false),
  field(['p', 'pid', 'processId'], 'processId'),
  field(['tid', 'threadId'], 'threadId'),
  field(['ppid', 'parentProcessId'], 'parentProcessId'),
  field(['hostTid', 'hostThreadId'], 'hostThreadId'),
  field(['hostPid', 'hostProcessId'], 'hostProcessId'),
  field(['hostPpid', 'hostParentProcessId'], 'hostParentProcessId'),
  field(['uid', 'userId'], 'userId'),
  field(['mntns', 'mountNamespace'], 'mountNamespace'),
  field(['pidns', 'pidNamespace'], 'pidNamespace'),
  field(['processName', 'comm'], 'processName'),
  field(['hostName'], 'hostName'),
  field(['cgroupId'], 'cgroupId'),
  field(['containerId'], 'containerId'),
  field(['containerImage'], 'containerImage'),
  field(['containerName'], 'containerName'),
  field(['podName'], 'podName'),
  field(['podNamespace'], 'podNamespace'),
  field(['podUid'], 'podUID'),
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
  return valueTerm(
    propertyField(`${prefix}.${key}`, kind, process, (ev: TraceeEvent) => ev[key], `${prefix}.${name}`),
    e,
  );
}

/** Network events always return 0, but Tracee accepts the filter, so netrec does too. */
export function retvalTerm(e: Expression, event: EventName): Term<TraceeEvent> {
  return valueTerm(
    propertyField(`${event}.retval`, 'number', false, (ev: TraceeEvent) => ev.returnValue),
    e,
  );
}
