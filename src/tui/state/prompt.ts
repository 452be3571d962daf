/**
 * Line editing in the prompts (filter, search, jump): what a key does to the text, as a pure
 * function. Enter, Esc and Ctrl-C are the filter bar's to handle.
 */
import type { Key } from 'ink';

/** The text after `input`/`key`, or undefined when the key does not edit. */
export function editPrompt(text: string, input: string, key: Key): string | undefined {
  if (key.backspace || key.delete) return [...text].slice(0, -1).join('');
  if (key.ctrl && input === 'u') return '';
  if (key.ctrl && input === 'w') return text.replace(/\S+\s*$/, '');
  if (!key.ctrl && !key.meta && !key.tab && input !== '' && !/[\u0000-\u001f]/.test(input)) return text + input;
  return undefined;
}
