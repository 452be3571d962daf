/**
 * Ink's useInput, one call per key. Ink passes a run of plain characters as one input (it takes
 * it for a paste); a held key on a busy terminal arrives the same way ("jjjj"), and each of
 * them must move the cursor. Escape sequences (arrows, PgDn) already come one per call.
 */
import { useInput, type Key } from 'ink';

export type KeyHandler = (input: string, key: Key) => void;

/** A mouse report (SGR mode, 1006): button code, 1-based column and row, pressed or released. */
export interface MouseEvent {
  button: number;
  x: number;
  y: number;
  pressed: boolean;
}

/** Ink hands an SGR mouse report over as one input, its escape removed: "[<0;12;5M". */
const SGR_MOUSE = /^\[<(\d+);(\d+);(\d+)([Mm])$/;

export function useKeys(handler: KeyHandler, mouse?: (event: MouseEvent) => void): void {
  useInput((input, key) => {
    const report = SGR_MOUSE.exec(input);
    // Never typed as keys, whether or not anyone listens (a prompt would take them as text).
    if (report !== null) return mouse?.({ button: Number(report[1]), x: Number(report[2]), y: Number(report[3]), pressed: report[4] === 'M' });
    const chars = [...input];
    if (chars.length <= 1) return handler(input, key);
    for (const c of chars) handler(...keyOf(c));
  });
}

export const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/** A lone character as Ink would have reported it. */
function keyOf(c: string): [string, Key] {
  if (c === '\t') return ['', { ...NO_KEY, tab: true }];
  if (c === '\r' || c === '\n') return ['', { ...NO_KEY, return: true }];
  if (c === '\u007f' || c === '\b') return ['', { ...NO_KEY, backspace: true }];
  const code = c.charCodeAt(0);
  if (code < 0x20) return [String.fromCharCode(code + 0x60), { ...NO_KEY, ctrl: true }];
  return [c, { ...NO_KEY, shift: c !== c.toLowerCase() }];
}
