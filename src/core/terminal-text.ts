/**
 * Text for a terminal. Names and strings in the output come from the input: a process picks its
 * own comm (prctl(PR_SET_NAME)), any DNS server picks its names and TXT strings, any file picks
 * the bytes of a damaged record. Written raw, an ESC or an 8-bit CSI would drive the terminal
 * (retitle it, reset it, redraw what the user sees) and a right-to-left override would reorder
 * the text after it. So every human-readable output (table rows, info, verify, error and warning
 * lines, the TUI) passes through terminalText(); the JSON output escapes by its own rules.
 *
 * Escaped, each as a visible escape the text cannot otherwise contain by accident:
 * - C0 controls U+0000–U+001F, DEL U+007F and C1 controls U+0080–U+009F as \xNN;
 * - the bidi and invisible format characters U+061C, U+200B–U+200F, U+2028–U+202E,
 *   U+2060–U+2069 and U+FEFF as \uNNNN.
 * Backslashes stay as they are, which makes the function idempotent: layers may each apply it
 * without doubling escapes. The price is that a name holding the literal text "\x1b" reads like
 * one holding ESC, unless the output quotes it (the table quotes such strings and doubles their
 * backslashes); the JSON output always tells them apart.
 */

// One class, so each string is scanned once; the test() first keeps clean text allocation-free.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

export function terminalText(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escapeChar) : text;
}

/** Each line of `text` through terminalText(), the newlines between them kept. */
export function terminalLines(text: string): string {
  return text.split('\n').map(terminalText).join('\n');
}

/** Whether terminalText() would change `text`. */
export function needsTerminalEscape(text: string): boolean {
  return UNSAFE.test(text);
}

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
