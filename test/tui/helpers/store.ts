/** Opening captures for TUI tests and waiting for background passes. */
import { afterEach } from 'vitest';
import { CaptureStore } from '../../../src/tui/store/capture-store.ts';
import type { PacketView } from '../../../src/tui/store/view.ts';

const opened: CaptureStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

/** Polls `ready` until it holds, failing after `ms`. */
export async function until(ready: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A store whose index scan has finished; closed after the test. */
export async function openIndexed(path: string, options: { cacheCapacity?: number } = {}): Promise<CaptureStore> {
  const store = await CaptureStore.open(path, options);
  opened.push(store);
  await until(() => store.scan.done, 10_000, 'the index scan');
  return store;
}

/** The packet numbers of a view once its pass is done. */
export async function numbersOf(store: CaptureStore, view: PacketView): Promise<number[]> {
  await until(() => view.done, 10_000, 'the view pass');
  return Array.from({ length: view.length }, (_, row) => store.index.numberAt(view.positionAt(row)));
}
