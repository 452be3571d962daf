/**
 * Event values as compact human text, for the table output and the TUI: inside structs, empty
 * members ("" / 0-filled sub-structs / null / []) are left out so a row stays readable (the JSON
 * output keeps every field). Strings that need it are quoted; the caller still passes the whole
 * line through terminalText(), which escapes the control and bidi characters quoting leaves.
 */
import { needsTerminalEscape } from '../core/terminal-text.ts';

/** Compact human rendering; undefined for an empty value so the caller can leave it out. */
export function readable(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v === '' ? undefined : /[\s,{}[\]"\\]/.test(v) || needsTerminalEscape(v) ? quoted(v) : v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    return `[${v.map((x) => readable(x) ?? '{}').join(', ')}]`;
  }
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const r = readable(x);
    if (r !== undefined && !isZeroStruct(x)) parts.push(`${k}: ${r}`);
  }
  return parts.length === 0 ? undefined : `{${parts.join(', ')}}`;
}

/**
 * A string in double quotes, its quotes and backslashes escaped; its control characters are
 * escaped with the rest of the row (terminalText). Inside the quotes "\\x1b" is the text, "\x1b"
 * the control character.
 */
function quoted(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

function isZeroStruct(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  return Object.values(v as Record<string, unknown>).every((x) => x === 0 || x === '' || x === null);
}
