/**
 * The filter bar's text as `--trace` expressions. Expressions are separated by spaces; quotes
 * keep a value's spaces (`'...responseCode=server failure '`), and the flags a command line
 * would have (`-t`, `--trace`, `-f`, `--filter`, `--trace=EXPR`) are accepted and dropped, so a
 * filter copied from a `netrec replay` command works as it is.
 */
import { UsageError } from '../../core/errors.ts';

const FLAGS = new Set(['-t', '--trace', '-f', '--filter']);

export function splitFilterText(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  for (const ch of text) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote !== undefined) throw new UsageError(`unterminated ${quote} quote`);
  if (inWord) words.push(word);
  return words.filter((w) => !FLAGS.has(w)).map((w) => w.replace(/^--(trace|filter)=/, ''));
}
