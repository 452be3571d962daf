/**
 * What must never reach a terminal raw, written out here independently of the code under test
 * (src/core/terminal-text.ts): C0 controls, DEL, C1 controls, and the bidi and invisible format
 * characters. Newline is the line separator of every output and is allowed by the `Lines` form.
 */
export const UNSAFE_FOR_TERMINAL = /[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

/** The first unsafe character in `text` with its line, ignoring the newlines between lines. */
export function unsafeInLines(text: string): string | undefined {
  for (const [i, line] of text.split('\n').entries()) {
    const m = UNSAFE_FOR_TERMINAL.exec(line);
    if (m) return `line ${i + 1}: U+${m[0].charCodeAt(0).toString(16).padStart(4, '0')} in ${JSON.stringify(line.slice(0, 200))}`;
  }
  return undefined;
}
