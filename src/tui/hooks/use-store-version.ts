/**
 * Re-renders when the capture store reports a change (a page decoded, the index grew, a filter
 * found rows). The store coalesces background progress, so this is at most ten renders a second
 * on top of the ones keys cause.
 */
import { useSyncExternalStore } from 'react';
import type { CaptureStore } from '../store/capture-store.ts';

export function useStoreVersion(store: CaptureStore): number {
  return useSyncExternalStore(store.subscribe, store.getVersion);
}
