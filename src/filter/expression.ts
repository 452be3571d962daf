import { UsageError } from '../core/errors.ts';

export type Operator = '=' | '!=' | '<' | '>' | '<=' | '>=';

/** One `--trace` expression split as Tracee splits it: name, operator, comma-separated values. */
export interface Expression {
  /** The expression as the user typed it, for messages. */
  text: string;
  name: string;
  /** Undefined for the flag forms that take no value: `follow`, `container`, `!container`, `host`. */
  operator: Operator | undefined;
  values: string[];
  /** `!container`: a flag form with a leading `!`. */
  negated: boolean;
}

// Longest first, so that `<=` is not read as `<` followed by a value starting with `=`.
const OPERATORS: readonly Operator[] = ['!=', '<=', '>=', '=', '<', '>'];
const OPERATOR_CHAR = /[=!<>]/;

/**
 * Splits at the first operator character, like Tracee's flag parser. Nothing is trimmed:
 * values such as DNS response code "server failure " end in a space.
 */
export function parseExpression(text: string): Expression {
  if (text.startsWith('!') && !OPERATOR_CHAR.test(text.slice(1))) return flag(text, text.slice(1), true);
  const at = text.search(OPERATOR_CHAR);
  if (at < 0) return flag(text, text, false);
  const name = text.slice(0, at);
  const rest = text.slice(at);
  const operator = OPERATORS.find((op) => rest.startsWith(op));
  if (operator === undefined) throw invalid(text, `bad operator (valid: ${OPERATORS.join(' ')})`);
  if (name === '') throw invalid(text, `missing field name before '${operator}'`);
  const values = rest.slice(operator.length).split(',');
  if (values.includes('')) throw invalid(text, `missing value after '${operator}'`);
  return { text, name, operator, values, negated: false };
}

function flag(text: string, name: string, negated: boolean): Expression {
  if (name === '') throw invalid(text, 'empty expression');
  return { text, name, operator: undefined, values: [], negated };
}

/** The one shape of every filter error: the CLI prints it on one line and exits 2. */
export function invalid(expr: Expression | string, reason: string): UsageError {
  return new UsageError(`invalid filter '${typeof expr === 'string' ? expr : expr.text}': ${reason}`);
}
