/** Compiles one field's values (from every expression naming it) into Tests, checking types. */
import { invalid } from './expression.ts';
import type { LeafKind, Test, Tests, ValueClause } from './field.ts';
import { canonicalIp, inAnyCidr, parseCidr, type Cidr } from './ip.ts';

const KIND_NAMES: Record<LeafKind, string> = {
  number: 'a number',
  bigint: 'a number',
  string: 'a string',
  ip: 'an IP address',
  printed: 'an argument compared as the text Tracee prints for it',
  bool: 'a flag',
};

export function buildTests(kind: LeafKind, label: string, clauses: readonly ValueClause[]): Tests {
  switch (kind) {
    case 'number':
      return numberTests(label, clauses, (c, text) => parseInteger(label, c, text, Number.MAX_SAFE_INTEGER, Number));
    case 'bigint':
      return numberTests(label, clauses, (c, text) => parseInteger(label, c, text, 2n ** 64n - 1n, BigInt));
    case 'bool':
      return boolTests(clauses);
    default:
      return patternTests(kind, label, clauses);
  }
}

/**
 * Tracee's numeric filter: `=` / `!=` values, plus a range where the lowest `>` and the highest
 * `<` win; `<=` / `>=` are `=` plus `<` / `>`.
 */
function numberTests<N extends number | bigint>(_label: string, clauses: readonly ValueClause[], parse: (c: ValueClause, text: string) => N): Tests {
  const equal = new Set<N>();
  const notEqual = new Set<N>();
  let min: N | undefined;
  let max: N | undefined;
  for (const c of clauses) {
    for (const text of c.values) {
      const n = parse(c, text);
      if (c.operator === '=' || c.operator === '<=' || c.operator === '>=') equal.add(n);
      if (c.operator === '!=') notEqual.add(n);
      if ((c.operator === '<' || c.operator === '<=') && (max === undefined || n > max)) max = n;
      if ((c.operator === '>' || c.operator === '>=') && (min === undefined || n < min)) min = n;
    }
  }
  return {
    pos: equal.size > 0 ? (v) => equal.has(v as N) : undefined,
    neg: notEqual.size > 0 ? (v) => notEqual.has(v as N) : undefined,
    range: rangeTest(min, max),
    otherwise: notEqual.size > 0,
  };
}

function rangeTest<N extends number | bigint>(min: N | undefined, max: N | undefined): Test | undefined {
  if (min === undefined) return max === undefined ? undefined : (v) => (v as N) < max;
  if (max === undefined) return (v) => (v as N) > min;
  return (v) => (v as N) > min && (v as N) < max;
}

const DECIMAL = /^\d+$/;

function parseInteger<N extends number | bigint>(label: string, c: ValueClause, text: string, limit: N, convert: (text: string) => N): N {
  if (!DECIMAL.test(text)) throw invalid(c.text, `'${text}' is not a number: ${label} is ${KIND_NAMES.number}${misuse(text)}`);
  const n = convert(text);
  if (n > limit) throw invalid(c.text, `${text} is out of range for ${label} (at most ${limit})`);
  return n;
}

/** Why a value that does not fit might have been written, for the error message. */
function misuse(text: string): string {
  if (parseCidr(text) !== undefined) return ' (CIDR values apply to IP fields only)';
  if (text.includes('*')) return ' (* wildcards apply to strings only)';
  return ' (decimal integers only)';
}

/** `container` / `!container` / `host`: Tracee ORs a flag given both ways. */
function boolTests(clauses: readonly ValueClause[]): Tests {
  const wanted = new Set(clauses.flatMap((c) => c.values));
  const yes = wanted.has('true');
  const no = wanted.has('false');
  return { pos: (v) => (v ? yes : no), neg: undefined, range: undefined, otherwise: false };
}

interface Patterns {
  exact: Set<string>;
  prefixes: string[];
  suffixes: string[];
  contains: string[];
  cidrs: Cidr[];
}

/**
 * Tracee's string filter: exact values and `abc*` / `*abc` / `*abc*` wildcards (a `*` elsewhere
 * is a literal character); `ip` fields also take addresses and CIDRs.
 */
function patternTests(kind: LeafKind, label: string, clauses: readonly ValueClause[]): Tests {
  const pos = patterns();
  const neg = patterns();
  for (const c of clauses) {
    if (c.operator !== '=' && c.operator !== '!=') {
      throw invalid(c.text, `'${c.operator}' does not apply to ${label}, ${KIND_NAMES[kind]} (valid: = !=)${orderHint(kind)}`);
    }
    for (const text of c.values) addPattern(c.operator === '=' ? pos : neg, kind, label, c, text);
  }
  const posTest = patternTest(pos);
  const negTest = patternTest(neg);
  return {
    pos: kind === 'printed' ? printedAs(posTest) : posTest,
    neg: kind === 'printed' ? printedAs(negTest) : negTest,
    range: undefined,
    otherwise: negTest !== undefined,
  };
}

function orderHint(kind: LeafKind): string {
  return kind === 'printed' ? '; to compare numerically use a header field, e.g. net_packet_tcp.args.proto_tcp.dstPort<1024' : '';
}

function patterns(): Patterns {
  return { exact: new Set(), prefixes: [], suffixes: [], contains: [], cidrs: [] };
}

function addPattern(p: Patterns, kind: LeafKind, label: string, c: ValueClause, text: string): void {
  if (text === '*' || text === '**') throw invalid(c.text, `'${text}' is not a valid value (a wildcard needs text: abc*, *abc, *abc*)`);
  const head = text.startsWith('*');
  const tail = text.endsWith('*');
  if (head && tail) p.contains.push(text.slice(1, -1));
  else if (tail) p.prefixes.push(text.slice(0, -1));
  else if (head) p.suffixes.push(text.slice(1));
  else if (kind !== 'ip') {
    if (parseCidr(text) !== undefined) throw invalid(c.text, `'${text}' is a CIDR, but ${label} is not an IP field`);
    p.exact.add(text);
  } else if (text.includes('/')) {
    const cidr = parseCidr(text);
    if (cidr === undefined) throw invalid(c.text, `bad CIDR '${text}' (expected address/prefix length, e.g. 10.0.0.0/8 or fd00::/8)`);
    p.cidrs.push(cidr);
  } else {
    const address = canonicalIp(text);
    if (address === undefined) {
      throw invalid(c.text, `'${text}' is not an IP address (${label} takes addresses, CIDRs such as 10.0.0.0/8, and * wildcards)`);
    }
    p.exact.add(address);
  }
}

function patternTest(p: Patterns): Test | undefined {
  const tests: Test[] = [];
  const { exact, prefixes, suffixes, contains, cidrs } = p;
  if (exact.size > 0) tests.push((v) => exact.has(v as string));
  if (prefixes.length > 0) tests.push(anyNeedle(prefixes, (s, n) => s.startsWith(n)));
  if (suffixes.length > 0) tests.push(anyNeedle(suffixes, (s, n) => s.endsWith(n)));
  if (contains.length > 0) tests.push(anyNeedle(contains, (s, n) => s.includes(n)));
  if (cidrs.length > 0) tests.push(inAnyCidr(cidrs));
  if (tests.length <= 1) return tests[0];
  return (v) => {
    for (const t of tests) if (t(v)) return true;
    return false;
  };
}

function anyNeedle(needles: readonly string[], has: (value: string, needle: string) => boolean): Test {
  return (v) => {
    for (const n of needles) if (has(v as string, n)) return true;
    return false;
  };
}

/** Tracee compares an arg as `fmt.Sprint(value)`; for netrec's numeric args that is the decimal text. */
function printedAs(test: Test | undefined): Test | undefined {
  return test === undefined ? undefined : (v) => test(String(v));
}
