/**
 * A reversible escaping for text that netrec writes into files and reads back: the key=value
 * packet comments of exported pcapng (packet-comment.ts) and the split index. Unlike
 * terminalText() (terminal-text.ts, for what a person reads on a terminal), it also escapes the
 * backslash, so that every escape can be undone and a name round-trips exactly; like it, it
 * leaves no control, bidi or invisible character raw, so Wireshark's packet list shows the
 * comment safely too.
 */

/**
 * C0 and C1 controls, DEL, the bidi controls (U+061C, U+200E-U+200F, U+202A-U+202E,
 * U+2066-U+2069), the line and paragraph separators, lone surrogates (which UTF-8 cannot carry),
 * and the backslash that starts an escape.
 */
const INVISIBLE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\\]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SHORT: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with \\ \n \r \t and \u{HEX} escapes for what INVISIBLE matches. */
export function escapeText(text: string): string {
  return text.replace(INVISIBLE, escapeOne);
}

function escapeOne(c: string): string {
  return SHORT[c] ?? `\\u{${c.charCodeAt(0).toString(16)}}`;
}
