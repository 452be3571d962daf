/**
 * A filterable field: where its values live in an event (or a process) and how they compare.
 * Every field type follows one verdict rule, Tracee's, extended to fields holding several values.
 */
import { invalid, type Expression, type Operator } from './expression.ts';

/**
 * How a field's values compare:
 * - `number`, `bigint`: numerically, all six operators (`bigint` for 64-bit envelope fields);
 * - `string`: exact or `*` wildcards, `=` and `!=`;
 * - `ip`: like `string`, plus CIDRs, and exact addresses compared in canonical form;
 * - `printed`: a non-string simple arg compared as the text Tracee prints for it (`"443"`);
 * - `bool`: the `container` / `host` flags.
 */
export type LeafKind = 'number' | 'bigint' | 'string' | 'ip' | 'printed' | 'bool';

export type Test = (value: unknown) => boolean;

/** The compiled values of one field, from every expression that names it. */
export interface Tests {
  /** `=` values (with wildcards, CIDRs): one matching passes the field, whatever else was given. */
  pos: Test | undefined;
  /** `!=` values: one matching fails the field unless `pos` passed it. */
  neg: Test | undefined;
  /** `<`, `>` (and the range half of `<=`, `>=`): when given, it decides what pos/neg left open. */
  range: Test | undefined;
  /** Otherwise: pass iff some `!=` value was given (Tracee lets through what is not excluded). */
  otherwise: boolean;
}

/** Calls `test` on each value the field holds in `subject` until one passes. */
export type Some<S> = (subject: S, test: Test) => boolean;

export interface Field<S> {
  /** Expressions on fields with the same key accumulate into one filter, like Tracee's repeated flags. */
  key: string;
  /** The field as messages name it. */
  label: string;
  kind: LeafKind;
  /** Reads process context, which a plain pcap does not have. */
  process: boolean;
  predicate(tests: Tests): (subject: S) => boolean;
}

/**
 * Tracee's verdict, read over every value a field holds (array elements, pid and tid):
 * `=` and ranges hold when any value matches; `!=` holds when no value matches.
 */
export function verdict<S>(tests: Tests, some: Some<S>): (subject: S) => boolean {
  const { pos, neg, range, otherwise } = tests;
  return (subject) => {
    if (pos !== undefined && some(subject, pos)) return true;
    if (neg !== undefined && some(subject, neg)) return false;
    if (range !== undefined) return some(subject, range);
    return otherwise;
  };
}

/** A field that is one property of the subject. */
export function propertyField<S>(key: string, kind: LeafKind, process: boolean, read: (subject: S) => unknown, label = key): Field<S> {
  return { key, label, kind, process, predicate: (tests) => verdict(tests, (s: S, test) => test(read(s))) };
}

/** True when every predicate is; the loop is skipped for the common single filter. */
export function allOf<S>(predicates: readonly ((s: S) => boolean)[]): ((s: S) => boolean) | undefined {
  if (predicates.length <= 1) return predicates[0];
  return (s) => {
    for (const p of predicates) if (!p(s)) return false;
    return true;
  };
}

/** One expression's contribution to a field. */
export interface ValueClause {
  readonly text: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

/** What an expression resolved to: the field it names and the values it gives it. */
export interface Term<S> {
  field: Field<S>;
  clause: ValueClause;
}

/** The term of an `<field><op><values>` expression; only flags go without an operator. */
export function valueTerm<S>(field: Field<S>, e: Expression): Term<S> {
  if (e.operator === undefined) throw invalid(e, `${field.label} needs an operator and values, e.g. ${field.label}=...`);
  return { field, clause: { text: e.text, operator: e.operator, values: e.values } };
}
