/**
 * The prompts (filter, search, jump, columns) as pure functions of the UI state and a key: line
 * editing, ↑/↓ through the prompt's history, hiding and showing columns. Enter hands the text to
 * the filter bar hook, which applies it.
 */
import type { Key } from 'ink';
import { COLUMN_KEYS, COLUMN_NAMES, type ColumnName } from '../views/columns.ts';
import { remember, type PromptKind, type UiState } from './ui-state.ts';

export interface PromptOutcome {
  state: UiState;
  /** Enter: the text to apply (the prompt is still open; the hook closes it or shows a problem). */
  submit?: { kind: PromptKind; text: string };
  quit?: true;
}

export function promptKey(s: UiState, input: string, key: Key): PromptOutcome {
  const prompt = s.prompt!;
  if (key.ctrl && input === 'c') return { state: s, quit: true };
  if (key.escape) return { state: { ...s, prompt: undefined } };
  if (prompt.kind === 'columns') {
    if (key.return) return { state: { ...s, prompt: undefined } };
    const column = COLUMN_NAMES.find((c) => COLUMN_KEYS[c].key === input);
    return column === undefined ? { state: s } : { state: { ...s, hidden: toggled(s.hidden, column) } };
  }
  if (key.return) return { state: remember(s, prompt.kind, prompt.text), submit: { kind: prompt.kind, text: prompt.text } };
  if (key.upArrow || key.downArrow) {
    const history = s.history[prompt.kind];
    const at = prompt.recall === undefined ? (key.upArrow ? 0 : -1) : prompt.recall + (key.upArrow ? 1 : -1);
    if (at < 0) return { state: { ...s, prompt: { kind: prompt.kind, text: '' } } };
    const text = history[Math.min(at, history.length - 1)];
    if (text === undefined) return { state: s };
    return { state: { ...s, prompt: { kind: prompt.kind, text, recall: Math.min(at, history.length - 1) } } };
  }
  const text = editPrompt(prompt.text, input, key);
  return text === undefined ? { state: s } : { state: { ...s, prompt: { kind: prompt.kind, text } } };
}

/** The text after `input`/`key`, or undefined when the key does not edit. */
export function editPrompt(text: string, input: string, key: Key): string | undefined {
  if (key.backspace || key.delete) return [...text].slice(0, -1).join('');
  if (key.ctrl && input === 'u') return '';
  if (key.ctrl && input === 'w') return text.replace(/\S+\s*$/, '');
  if (!key.ctrl && !key.meta && !key.tab && input !== '' && !/[\u0000-\u001f]/.test(input)) return text + input;
  return undefined;
}

/** The columns prompt's line: each column's key, name and whether it shows. */
export function columnsPromptText(hidden: ReadonlySet<ColumnName>): string {
  const items = COLUMN_NAMES.map((c) => `${COLUMN_KEYS[c].key}:${COLUMN_KEYS[c].title}${hidden.has(c) ? ' (hidden)' : ''}`);
  return `columns  ${items.join('  ')}  (a key hides/shows, Enter: done)`;
}

function toggled(hidden: ReadonlySet<ColumnName>, column: ColumnName): ReadonlySet<ColumnName> {
  const next = new Set(hidden);
  if (!next.delete(column)) next.add(column);
  return next;
}
