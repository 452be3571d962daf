/**
 * How the terminal's lines are shared. The app draws one line less than the terminal has: Ink
 * clears the whole screen before every frame that fills it, which flickers on held keys.
 *
 *   status line                       1
 *   list header + rows                the rest, or 40% with the detail open
 *   detail title + tree               with the detail open
 *   hex title + bytes                 with the detail open
 *   prompt problem (wrapped)          0-3, while the prompt shows one
 *   bottom line (keys / prompt)       1
 */

export interface Layout {
  /** Lines the app draws. */
  height: number;
  /** Rows of the event list (header excluded). */
  list: number;
  /** Lines of the detail tree and of the hex dump (titles excluded); 0 when closed. */
  detail: number;
  hex: number;
  /** Lines for a full-screen view (processes, stats, help). */
  body: number;
}

export function layoutFor(rows: number, detailOpen: boolean, problemLines: number): Layout {
  const height = Math.max(6, rows - 1);
  const body = Math.max(1, height - 2 - problemLines);
  if (!detailOpen) return { height, list: Math.max(1, body - 1), detail: 0, hex: 0, body };
  const panes = Math.max(3, body - 3);
  const list = Math.max(1, Math.floor(panes * 0.4));
  const hex = Math.max(1, Math.floor(panes * 0.3));
  return { height, list, detail: Math.max(1, panes - list - hex), hex, body };
}

/** `text` cut into lines of `width`, at most `max` of them (the last one ends with "…" if cut). */
export function wrapLines(text: string, width: number, max: number): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > 0 && lines.length < max) {
    if (rest.length <= width) {
      lines.push(rest);
      rest = '';
      break;
    }
    let cut = rest.lastIndexOf(' ', width);
    if (cut <= 0) cut = width;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0 && lines.length === max) {
    const last = lines[max - 1]!;
    lines[max - 1] = last.length >= width ? `${last.slice(0, width - 1)}…` : `${last}…`;
  }
  return lines;
}
