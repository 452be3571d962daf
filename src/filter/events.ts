import { ALL_EVENTS, maskOf, type EventMask } from '../event/selection.ts';
import { EVENT_NAMES, type EventName } from '../event/types.ts';
import { invalid, type Expression } from './expression.ts';

/** `event=` / `set=` expressions; Tracee accepts any prefix of both names (`e=`, `s=`). */
export function isSelection(e: Expression): boolean {
  return e.name.length > 0 && ('event'.startsWith(e.name) || 'set'.startsWith(e.name));
}

const SETS: Readonly<Record<string, EventMask>> = { network_events: ALL_EVENTS };

/**
 * The events to build, from the selection expressions. With no `event=`/`set=`, all network
 * events: netrec has only network events, so its default set is all of them.
 */
export function selectEvents(selection: readonly Expression[]): EventMask {
  let selected = 0;
  let anySelection = false;
  let excluded = 0;
  for (const e of selection) {
    if ('set'.startsWith(e.name)) {
      if (e.operator === '!=') continue; // parsed but ignored, as in Tracee
      if (e.operator !== '=') throw invalid(e, 'set takes =');
      for (const v of e.values) {
        const set = SETS[v];
        if (set === undefined) throw invalid(e, `unknown set '${v}' (valid: ${Object.keys(SETS).join(', ')})`);
        selected |= set;
      }
      anySelection = true;
    } else {
      if (e.operator !== '=' && e.operator !== '!=') throw invalid(e, 'event takes = or !=');
      const mask = e.values.reduce((m, v) => m | eventPattern(e, v), 0);
      if (e.operator === '=') {
        selected |= mask;
        anySelection = true;
      } else excluded |= mask;
    }
  }
  return (anySelection ? selected : ALL_EVENTS) & ~excluded;
}

/** Events take a prefix wildcard only (`net_packet_dns*`), as in Tracee. */
function eventPattern(e: Expression, pattern: string): EventMask {
  const prefix = pattern.endsWith('*') ? pattern.slice(0, -1) : undefined;
  const matches = EVENT_NAMES.filter((n) => (prefix === undefined ? n === pattern : n.startsWith(prefix)));
  if (matches.length === 0 || prefix?.includes('*')) throw unknownEvent(e, pattern, '; a trailing * matches a prefix');
  return maskOf(matches);
}

/** `name` as an event name, or a UsageError that lists the valid ones. */
export function eventNamed(e: Expression, name: string): EventName {
  if (!(EVENT_NAMES as readonly string[]).includes(name)) throw unknownEvent(e, name, '');
  return name as EventName;
}

function unknownEvent(e: Expression, name: string, hint: string): Error {
  return invalid(e, `unknown event '${name}' (valid: ${EVENT_NAMES.join(', ')}${hint})`);
}
