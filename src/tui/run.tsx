/**
 * Runs the TUI on a terminal: opens the capture (its first rows can show as soon as the index
 * scan's first batch is in), compiles the command line's filter before taking the screen (so a
 * bad one is a plain usage error), then draws on the alternate screen and gives the terminal
 * back as it was, however the app ends.
 */
import { render } from 'ink';
import { InputError } from '../core/errors.ts';
import { App } from './components/App.tsx';
import { CaptureStore } from './store/capture-store.ts';

/** xterm's alternate screen: the shell's scrollback is untouched and comes back on exit. */
const ENTER_ALTERNATE_SCREEN = '\u001b[?1049h';
const LEAVE_ALTERNATE_SCREEN = '\u001b[?1049l';
/** xterm mouse reports of presses, releases and the wheel (1000), in SGR form (1006). */
const MOUSE_ON = '\u001b[?1000h\u001b[?1006h';
const MOUSE_OFF = '\u001b[?1006l\u001b[?1000l';

export interface TuiOptions {
  path: string;
  /** The filter bar's starting text (--trace expressions, space separated). */
  filter: string;
  /** Rows coloured by protocol and state (off: --no-color, NO_COLOR). */
  color: boolean;
  /** Clicks and the wheel (off: --no-mouse, which leaves the terminal's own selection alone). */
  mouse: boolean;
}

/** Signals that end the app cleanly, with the exit code a shell expects for them. */
const SIGNAL_EXIT_CODES = { SIGTERM: 143, SIGHUP: 129 } as const;

/**
 * Resolves with the exit code when the user quits (0) or a signal ends the app; rejects with
 * InputError / UsageError before taking the screen.
 */
export async function runTui({ path, filter, color, mouse }: TuiOptions): Promise<number> {
  const store = await CaptureStore.open(path);
  let start;
  try {
    start = store.filter(filter);
  } catch (error) {
    await store.close();
    throw error;
  }
  const stdout = process.stdout;
  stdout.write(ENTER_ALTERNATE_SCREEN + (mouse ? MOUSE_ON : ''));
  // A crash or a signal must not leave the terminal on the alternate screen, or reporting mice.
  const restore = (): void => void stdout.write((mouse ? MOUSE_OFF : '') + LEAVE_ALTERNATE_SCREEN);
  process.once('exit', restore);
  const message = start.warnings.length > 0 ? { text: start.warnings.join('; '), tone: 'warning' as const } : undefined;
  const app = render(<App store={store} view={start.view} filter={filter} color={color} {...(message ? { message } : {})} />, {
    exitOnCtrlC: false,
    // Keys arrive while the store is busy; 30 frames a second is as much as a terminal shows.
    // (incrementalRendering stays off: in Ink 6.8 it leaves the first frame's top line behind
    // when the app fills the screen.)
    maxFps: 30,
  });
  let exitCode = 0;
  // A bug must not leave the terminal in raw mode on the alternate screen: Ink is unmounted (it
  // shows the cursor and leaves raw mode), the screen restored, and the error reported in one
  // line by the caller (exit 70).
  let crashed: unknown;
  const crash = (error: unknown): void => {
    crashed ??= error;
    app.unmount();
  };
  process.once('uncaughtException', crash);
  process.once('unhandledRejection', crash);

  const signalled = Object.entries(SIGNAL_EXIT_CODES).map(([signal, code]) => {
    const handler = (): void => {
      exitCode = code;
      app.unmount();
    };
    process.once(signal, handler);
    return () => process.off(signal, handler);
  });
  try {
    await app.waitUntilExit();
  } finally {
    process.off('uncaughtException', crash);
    process.off('unhandledRejection', crash);
    for (const off of signalled) off();

    app.cleanup();
    process.off('exit', restore);
    restore();
    await store.close();
  }
  if (crashed !== undefined) throw crashed instanceof Error ? crashed : new Error(String(crashed));
  // The file changed under the TUI (cut short, replaced): shown on screen when it happened, and
  // once more now that the screen is the shell's, as every command reports an input error.
  if (exitCode === 0 && store.failure !== undefined) throw new InputError(`${path}: ${store.failure}`);
  return exitCode;
}
