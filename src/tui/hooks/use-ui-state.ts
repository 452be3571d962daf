/**
 * UI state held in a ref and mirrored into React state. Key handlers read the ref, so that keys
 * arriving together (a held key, a paste) each see the state the previous one left, not the
 * state of the last render; React still renders once for the lot.
 */
import { useCallback, useRef, useState } from 'react';
import type { UiState } from '../state/ui-state.ts';

export interface UiStateHandle {
  /** The latest state, including updates not rendered yet. */
  current(): UiState;
  update(change: (state: UiState) => UiState): void;
}

export function useUiState(initial: () => UiState): [UiState, UiStateHandle] {
  const [state, setState] = useState(initial);
  const ref = useRef(state);
  const current = useCallback(() => ref.current, []);
  const update = useCallback((change: (state: UiState) => UiState) => {
    const next = change(ref.current);
    if (next === ref.current) return;
    ref.current = next;
    setState(next);
  }, []);
  return [state, { current, update }];
}
