/** The App rendered with ink-testing-library, with waits and key presses as a person types. */
import { render } from 'ink-testing-library';
import { afterEach } from 'vitest';
import { App } from '../../../src/tui/components/App.tsx';
import type { TerminalSize } from '../../../src/tui/hooks/use-terminal-size.ts';
import type { CaptureStore } from '../../../src/tui/store/capture-store.ts';
import { until } from './store.ts';

const mounted: ReturnType<typeof render>[] = [];
afterEach(() => {
  for (const r of mounted.splice(0)) r.unmount();
});

/** Renders the app on `store` filtered by `filter`; unmounted after the test. */
export function showApp(store: CaptureStore, size: TerminalSize = { columns: 100, rows: 30 }, filter = '', color = true) {
  const { view } = store.filter(filter);
  const app = render(<App store={store} view={view} filter={filter} size={size} color={color} />);
  mounted.push(app);
  const frame = (): string => app.lastFrame() ?? '';
  /** Waits until the screen shows `text` (a string or a pattern). */
  const sees = async (text: string | RegExp): Promise<string> => {
    await until(() => (typeof text === 'string' ? frame().includes(text) : text.test(frame())), 5_000, `the screen to show ${String(text)}:\n${frame()}`);
    return frame();
  };
  /** Types keys one write at a time, as a person would, letting the app render between them. */
  const press = async (...keys: string[]): Promise<void> => {
    for (const k of keys) {
      app.stdin.write(k);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  };
  const status = (): string => frame().split('\n')[0]!;
  return { app, store, frame, sees, press, status };
}
