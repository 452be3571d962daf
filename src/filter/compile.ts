/**
 * The `--trace` filter engine's entry point: expressions in, the events to build and one
 * predicate out. Everything is resolved, type-checked and compiled here, once; the predicate
 * only runs closures over precomputed sets and ranges.
 */
import type { TaskContext } from '../core/packet.ts';
import { eventBit, type EventMask } from '../event/selection.ts';
import type { EventName, TraceeEvent } from '../event/types.ts';
import { argTerm } from './args.ts';
import { contextTerm, retvalTerm } from './context.ts';
import { eventNamed, isSelection, selectEvents } from './events.ts';
import { invalid, parseExpression, type Expression } from './expression.ts';
import { allOf, type Field, type Term, type ValueClause } from './field.ts';
import { followedBy, type ProcessTree } from './follow.ts';
import { scopeTerm } from './scope.ts';
import { buildTests } from './values.ts';

export interface FilterContext {
  /** Does any input carry process context (recordings do, plain pcaps do not)? */
  hasProcessContext: boolean;
  /** The inputs' process lifecycle, for `follow`. */
  processTree?: ProcessTree;
}

export interface CompiledFilter {
  /** The events to build; an event no filter lets through is left out. */
  events: EventMask;
  /** Keeps or drops a built event; undefined when only event selection was given. */
  accept: ((e: TraceeEvent) => boolean) | undefined;
  /** One line each, to print once. */
  warnings: string[];
  /** `follow` has scope filters to extend: the input's ProcessTree is wanted. */
  needsProcessTree: boolean;
}

/** Throws UsageError, naming the valid choices, for any expression that does not fit. */
export function compileFilters(texts: readonly string[], ctx: FilterContext): CompiledFilter {
  const exprs = texts.map(parseExpression);
  const warnings: string[] = [];
  let events = selectEvents(exprs.filter(isSelection));
  const { scope, perEvent, follow } = resolve(exprs, events, warnings);

  const scoped = scope.compile();
  const eventFilters = [...perEvent].map(([event, filters]) => ({
    event,
    bit: eventBit(event),
    predicate: filters.compile(),
    processTexts: filters.processTexts(),
  }));

  // Without process context a process filter passes nothing, so what it guards is not even built.
  if (!ctx.hasProcessContext) {
    const texts = [...scope.processTexts(), ...eventFilters.flatMap((f) => f.processTexts)];
    if (texts.length > 0) {
      if (follow !== undefined && scoped !== undefined) texts.push(follow.text);
      warnings.push(`process filters (${texts.join(', ')}) match nothing: the input has no process context (a plain pcap carries none)`);
    }
    if (scoped !== undefined) events = 0;
    for (const f of eventFilters) if (f.processTexts.length > 0) events &= ~f.bit;
  }

  let inScope: ((e: TraceeEvent) => boolean) | undefined = scoped;
  let needsProcessTree = false;
  if (follow !== undefined && scoped !== undefined && ctx.hasProcessContext) {
    needsProcessTree = true;
    inScope = withFollow(scoped, follow, ctx.processTree, warnings);
  }
  const table = new Map<string, (e: TraceeEvent) => boolean>();
  for (const { event, bit, predicate } of eventFilters) {
    if (predicate !== undefined && (events & bit) !== 0) table.set(event, predicate);
  }
  const byEvent =
    table.size === 0
      ? undefined
      : (e: TraceeEvent): boolean => {
          const predicate = table.get(e.eventName);
          return predicate === undefined || predicate(e);
        };
  const accept = events === 0 ? undefined : both(inScope, byEvent);
  return { events, accept, warnings, needsProcessTree };
}

/** Sorts the non-selection expressions into scope terms, per-event terms and `follow`. */
function resolve(exprs: readonly Expression[], selected: EventMask, warnings: string[]) {
  const scope = new FieldFilters<TaskContext>();
  const perEvent = new Map<EventName, FieldFilters<TraceeEvent>>();
  let follow: Expression | undefined;
  for (const e of exprs) {
    if (isSelection(e)) continue;
    const dot = e.name.indexOf('.');
    if (dot < 0) {
      const term = scopeTerm(e);
      if (term === 'follow') follow = e;
      else scope.add(term);
      continue;
    }
    const event = eventNamed(e, e.name.slice(0, dot));
    const filters = perEvent.get(event) ?? new FieldFilters<TraceeEvent>();
    perEvent.set(event, filters);
    filters.add(eventTerm(e, event, e.name.slice(dot + 1).split('.')));
    if ((selected & eventBit(event)) === 0) warnings.push(`filter '${e.text}' has no effect: ${event} is not selected`);
  }
  return { scope, perEvent, follow };
}

/** The scope widened by `follow` to the descendants of what it matches. */
function withFollow(
  matches: (task: TaskContext) => boolean,
  follow: Expression,
  tree: ProcessTree | undefined,
  warnings: string[],
): (e: TraceeEvent) => boolean {
  if (tree === undefined) {
    warnings.push(`'${follow.text}' adds nothing: the input has no process lifecycle records to find descendants in`);
    return matches;
  }
  const followed = followedBy(tree, matches);
  return (e) => matches(e) || followed(e);
}

function both(a: ((e: TraceeEvent) => boolean) | undefined, b: ((e: TraceeEvent) => boolean) | undefined): ((e: TraceeEvent) => boolean) | undefined {
  return a !== undefined && b !== undefined ? (e) => a(e) && b(e) : (a ?? b);
}

function eventTerm(e: Expression, event: EventName, path: readonly string[]): Term<TraceeEvent> {
  const [part, ...rest] = path;
  if (part === 'args') return argTerm(e, event, rest);
  if (part === 'context') return contextTerm(e, event, rest);
  if (part === 'retval' && rest.length === 0) return retvalTerm(e, event);
  throw invalid(e, `expected ${event}.args.<arg>[.<field>...], ${event}.context.<field> or ${event}.retval`);
}

/** The terms on one subject, grouped by field: Tracee accumulates repeated flags per field, and ANDs fields. */
class FieldFilters<S> {
  readonly #fields = new Map<string, { field: Field<S>; clauses: ValueClause[] }>();

  add({ field, clause }: Term<S>): void {
    const group = this.#fields.get(field.key) ?? { field, clauses: [] };
    group.clauses.push(clause);
    this.#fields.set(field.key, group);
  }

  processTexts(): string[] {
    return [...this.#fields.values()].filter((g) => g.field.process).flatMap((g) => g.clauses.map((c) => c.text));
  }

  compile(): ((s: S) => boolean) | undefined {
    return allOf([...this.#fields.values()].map(({ field, clauses }) => field.predicate(buildTests(field.kind, field.label, clauses))));
  }
}
