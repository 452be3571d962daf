/**
 * `/` search as a background task: one at a time (a new one cancels the last), progress and the
 * result written into the UI state, cancelled when the app goes away.
 */
import { useEffect, useRef } from 'react';
import type { CaptureStore } from '../store/capture-store.ts';
import { PositionList } from '../store/position-list.ts';
import { collectMatches, searchRows } from '../store/search.ts';
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
  const counter = useRef<AbortController | undefined>(undefined);
  useEffect(
    () => () => {
      running.current?.abort();
      counter.current?.abort();
    },
    [],
  );

  const cancelFind = (): void => {
    running.current?.abort();
    running.current = undefined;
  };

  const cancel = (): void => {
    cancelFind();
    counter.current?.abort();
    counter.current = undefined;
  };

  const start = (text: string, direction: 1 | -1): void => {
    cancelFind();
    const abort = new AbortController();
    running.current = abort;
    const frame = currentFrame(ui.current());
    // The same term again in the same view keeps its count; a new one counts afresh.
    const before = ui.current().search;
    const kept =
      before !== undefined && before.text === text && before.view === frame.view && before.matches !== undefined
        ? { matches: before.matches, counted: before.counted ?? 0 }
        : undefined;
    const counting = kept ?? { matches: new PositionList(), counted: 0 };
    ui.update((s) => ({ ...s, search: { text, direction, examined: 0, running: true, view: frame.view, ...counting }, message: undefined }));
    if (kept === undefined) {
      counter.current?.abort();
      const countAbort = new AbortController();
      counter.current = countAbort;
      const count = (rows: number): void => {
        if (rows % SEARCH_PROGRESS_ROWS < 256 || rows >= frame.view.length)
          ui.update((s) => (s.search?.matches !== counting.matches ? s : { ...s, search: { ...s.search, counted: rows } }));
      };
      collectMatches(store, frame.view, text, counting.matches, countAbort.signal, count).catch(() => {});
    }
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
          const done = { ...s, search: { ...s.search!, text, direction, examined: 0, running: false } };
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
