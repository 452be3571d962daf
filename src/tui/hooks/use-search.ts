/**
 * `/` search as a background task: one at a time (a new one cancels the last), progress and the
 * result written into the UI state, cancelled when the app goes away.
 */
import { useEffect, useRef } from 'react';
import type { CaptureStore } from '../store/capture-store.ts';
import { searchRows } from '../store/search.ts';
import type { Drawn } from '../state/commands.ts';
import { centerOn, currentFrame, withFrame } from '../state/ui-state.ts';
import type { UiStateHandle } from './use-ui-state.ts';

/** Search progress reaches the screen every this many rows. */
const SEARCH_PROGRESS_ROWS = 4096;

export interface SearchControl {
  /** Searches the current view for `text` from the row after the cursor. */
  start(text: string, direction: 1 | -1): void;
  cancel(): void;
}

export function useSearch(store: CaptureStore, ui: UiStateHandle, drawn: { current: Drawn }): SearchControl {
  const running = useRef<AbortController | undefined>(undefined);
  useEffect(() => () => running.current?.abort(), []);

  const cancel = (): void => {
    running.current?.abort();
    running.current = undefined;
  };

  const start = (text: string, direction: 1 | -1): void => {
    cancel();
    const abort = new AbortController();
    running.current = abort;
    const frame = currentFrame(ui.current());
    ui.update((s) => ({ ...s, search: { text, direction, examined: 0, running: true }, message: undefined }));
    const request = {
      view: frame.view,
      text,
      from: frame.cursor,
      direction,
      signal: abort.signal,
      progress: (rows: number) => {
        if (rows % SEARCH_PROGRESS_ROWS < 256) ui.update((s) => (s.search === undefined ? s : { ...s, search: { ...s.search, examined: rows } }));
      },
    };
    searchRows(store, request)
      .then((found) => {
        if (abort.signal.aborted) return;
        ui.update((s) => {
          const done = { ...s, search: { text, direction, examined: 0, running: false } };
          if (currentFrame(s).view !== frame.view) return done;
          if (found === undefined) return { ...done, message: { text: `no row matches "${text}"`, tone: 'warning' } };
          const moved = withFrame(done, centerOn(found.row, frame.view.length, drawn.current.layout.list));
          return found.wrapped ? { ...moved, message: { text: `search wrapped past the ${direction === 1 ? 'end' : 'start'}`, tone: 'info' } } : moved;
        });
      })
      .catch((error: unknown) => {
        ui.update((s) => ({ ...s, search: undefined, message: { text: `search failed: ${String(error)}`, tone: 'error' } }));
      });
  };

  return { start, cancel };
}
