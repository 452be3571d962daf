/**
 * The prompts at the bottom line: the filter bar (--trace expressions), search and jump. Keys
 * edit the text (state/prompt.ts); Enter applies it: a filter replaces the base view, a jump
 * moves the cursor, a search starts. A bad filter or jump target keeps the prompt open with the
 * problem under it.
 */
import type { Key } from 'ink';
import { writeFile } from 'node:fs/promises';
import { systemMessage, UsageError } from '../../core/errors.ts';
import { streamLines, streamTitle } from '../views/stream-lines.ts';
import type { CaptureStore } from '../store/capture-store.ts';
import { jumpTarget } from '../store/jump.ts';
import type { Drawn } from '../state/commands.ts';
import { promptKey } from '../state/prompt.ts';
import { centerOn, currentFrame, replaceBase, withFrame, type PromptKind } from '../state/ui-state.ts';
import type { SearchControl } from './use-search.ts';
import type { UiStateHandle } from './use-ui-state.ts';

export interface FilterBar {
  /** A key while a prompt is open. */
  key(input: string, key: Key): void;
  /** Replaces the base view by the packets `text` selects; every view on the stack stops. */
  applyFilter(text: string): void;
}

export function useFilterBar(store: CaptureStore, ui: UiStateHandle, drawn: { current: Drawn }, search: SearchControl, quit: () => void): FilterBar {
  const problem = (text: string): void => ui.update((s) => (s.prompt === undefined ? s : { ...s, prompt: { ...s.prompt, error: text } }));

  const applyFilter = (text: string): void => {
    try {
      const { view, warnings } = store.filter(text);
      search.cancel();
      const old = ui.current().stack;
      ui.update((s) => {
        const next = replaceBase(s, view, text.trim());
        return { ...next, prompt: undefined, message: warnings.length > 0 ? { text: warnings.join('; '), tone: 'warning' } : undefined };
      });
      for (const frame of old) if (frame.view !== view && frame.view !== store.all) frame.view.close();
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      problem(error.message);
    }
  };

  const jump = (text: string): void => {
    const target = jumpTarget(text, store.index);
    if ('problem' in target) return problem(target.problem);
    ui.update((s) => {
      const { view } = currentFrame(s);
      const row = view.rowAtOrAfter(target.position);
      const closed = { ...s, prompt: undefined };
      if (view.length === 0) return { ...closed, message: { text: 'this view has no rows yet', tone: 'warning' } };
      const message = row >= view.length ? { text: 'no row there in this view (yet): showing the last one', tone: 'warning' as const } : undefined;
      return { ...withFrame(closed, centerOn(row, view.length, drawn.current.layout.list)), message };
    });
  };

  /** Writes the stream screen's lines to a new file (never over an existing one). */
  const save = (path: string): void => {
    const shown = ui.current().stream;
    if (path.trim() === '' || shown === undefined) return ui.update((s) => ({ ...s, prompt: undefined }));
    const lines = [streamTitle(shown.view), ...streamLines(shown.view, shown.hex).map((l) => l.text)];
    writeFile(path, `${lines.join('\n')}\n`, { flag: 'wx' })
      .then(() => ui.update((s) => ({ ...s, prompt: undefined, message: { text: `saved ${lines.length} lines to ${path}`, tone: 'info' } })))
      .catch((error: unknown) => problem(`cannot save to ${path}: ${systemMessage(error)}`));
  };

  const submit = (kind: PromptKind, text: string): void => {
    if (kind === 'filter') return applyFilter(text);
    if (kind === 'columns') return;
    if (kind === 'save') return save(text);
    if (kind === 'jump') return jump(text);
    ui.update((s) => ({ ...s, prompt: undefined }));
    if (text !== '') search.start(text, 1);
  };

  const key = (input: string, k: Key): void => {
    const outcome = promptKey(ui.current(), input, k);
    if (outcome.quit) return quit();
    ui.update(() => outcome.state);
    if (outcome.submit !== undefined) submit(outcome.submit.kind, outcome.submit.text);
  };

  return { key, applyFilter };
}
