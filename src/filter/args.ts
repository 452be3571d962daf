/**
 * `<event>.args.<arg>`: Tracee's argument filter, comparing the value as Tracee prints it;
 * `<event>.args.<arg>.<field>[.<field>...]`: netrec's typed filters on header fields inside the
 * struct args, walking through arrays.
 */
import type { EventName, TraceeEvent } from '../event/types.ts';
import { invalid, type Expression } from './expression.ts';
import { valueTerm, verdict, type Field, type LeafKind, type Some, type Term } from './field.ts';
import { EVENT_ARGS, type FieldType, type LeafType } from './schema.ts';

type Step = { each: true } | { each: false; name: string };

export function argTerm(e: Expression, event: EventName, path: readonly string[]): Term<TraceeEvent> {
  const args = EVENT_ARGS[event];
  const [name = '', ...fields] = path;
  const index = args.findIndex((a) => a.name === name);
  const arg = args[index];
  if (arg === undefined) throw invalid(e, `${event} has no argument '${name}' (valid: ${args.map((a) => a.name).join(', ')})`);

  const steps: Step[] = [];
  let type = arg.value;
  let at = `${event}.args.${name}`;
  for (const field of fields) {
    type = throughArrays(type, steps);
    if (type.kind !== 'struct') throw invalid(e, `${at} is ${article(type.kind)} and has no field '${field}'`);
    const next = Object.hasOwn(type.fields, field) ? type.fields[field] : undefined;
    if (next === undefined) throw invalid(e, `${at} has no field '${field}' (valid: ${Object.keys(type.fields).join(', ')})`);
    steps.push({ each: false, name: field });
    type = next;
    at += `.${field}`;
  }
  type = throughArrays(type, steps);
  if (type.kind === 'struct') {
    const what = steps.at(-1)?.each ? 'holds structs: filter one of their fields' : 'is a struct: filter one of its fields';
    throw invalid(e, `${at} ${what}, ${at}.<field> (fields: ${Object.keys(type.fields).join(', ')})`);
  }
  // A simple arg compares as Tracee prints it; a header field compares by its type.
  const kind: LeafKind = fields.length === 0 && type.kind === 'number' ? 'printed' : type.kind;
  const some = walk(steps);
  const field: Field<TraceeEvent> = {
    key: at,
    label: at,
    kind,
    process: false,
    predicate: (tests) => {
      const holds = verdict(tests, some);
      // Tracee drops an event that lacks the argument.
      return (ev) => {
        const a = ev.args[index];
        return a !== undefined && a.name === name && holds(a.value);
      };
    },
  };
  return valueTerm(field, e);
}

/** Arrays are transparent in paths: the next name applies to each element. */
function throughArrays(type: FieldType, steps: Step[]): Exclude<FieldType, { kind: 'array' }> {
  while (type.kind === 'array') {
    steps.push({ each: true });
    type = type.of;
  }
  return type;
}

function article(kind: LeafType['kind']): string {
  return kind === 'ip' ? 'an IP address' : `a ${kind}`;
}

/** Composes the path into one closure, innermost step first; null arrays (TXTs, dns_answer) are empty. */
function walk(steps: readonly Step[]): Some<unknown> {
  let some: Some<unknown> = (value, test) => test(value);
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    const inner = some;
    some = step.each
      ? (value, test) => {
          if (value == null) return false;
          for (const element of value as readonly unknown[]) if (inner(element, test)) return true;
          return false;
        }
      : (value, test) => inner((value as Record<string, unknown>)[step.name], test);
  }
  return some;
}
