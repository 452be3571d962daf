/**
 * Text from the input (process names, DNS names, container ids) shown to a person: every control,
 * bidi or other invisible character becomes a visible escape, so a hostile name can neither send
 * a terminal escape sequence nor reorder or hide the text around it.
 */

/**
 * C0 and C1 controls, DEL, the bidi controls (U+061C, U+200E-U+200F, U+202A-U+202E,
 * U+2066-U+2069), the line and paragraph separators, lone surrogates (which UTF-8 cannot carry),
 * and the backslash that starts an escape.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\\]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SHORT: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with \\ \n \r \t and \u{HEX} escapes for what INVISIBLE matches. */
export function escapeText(text: string): string {
  return text.replace(INVISIBLE, escapeOne);
}

function escapeOne(c: string): string {
  return SHORT[c] ?? `\\u{${c.charCodeAt(0).toString(16)}}`;
}

