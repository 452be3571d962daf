/**
 * What keys do. Prompts take text (use-filter-bar.ts); everything else goes through the key
 * table (state/keymap.ts) to a command, whose outcome on the UI state is computed by the pure
 * reducer (state/commands.ts); the effects it asks for (search, follow, filters, quitting) are
 * carried out here on the capture store and the app.
 */
import { useApp } from 'ink';
import type { CaptureStore } from '../store/capture-store.ts';
import type { Entry } from '../store/entry.ts';
import { runCommand, runMouse, type Drawn, type Effect } from '../state/commands.ts';
import { keyCommand } from '../state/keymap.ts';
import { centerOn, currentPosition, pushFrame, withFrame } from '../state/ui-state.ts';
import { useFilterBar } from './use-filter-bar.ts';
import { useKeys } from './use-keys.ts';
import { useSearch } from './use-search.ts';
import type { UiStateHandle } from './use-ui-state.ts';

/**
 * NETREC_DEBUG_TUI_CRASH=1 makes Ctrl-X throw from the key handler, where nothing catches it:
 * the one way to see (and test: test/tui/tmux.test.ts) that a bug in the app still gives the
 * terminal back and is reported in one line (exit 70), as no input the app reads makes it throw.
 */
const debugCrash = process.env.NETREC_DEBUG_TUI_CRASH === '1';

export function useCommands(store: CaptureStore, ui: UiStateHandle, drawn: { current: Drawn }): void {
  const { exit } = useApp();
  const search = useSearch(store, ui, drawn);
  const quit = (): void => {
    search.cancel();
    exit();
  };
  const filterBar = useFilterBar(store, ui, drawn, search, quit);

  const warn = (text: string): void => ui.update((s) => ({ ...s, message: { text, tone: 'warning' } }));

  /**
   * What `open` makes of the packet under the cursor, or a warning why there is none. The cursor
   * may have moved since the last render (keys typed ahead): it is read from the state.
   */
  const fromSelected = <T extends object>(open: (entry: Entry) => T | { problem: string }, use: (made: T, entry: Entry) => void): void => {
    const position = currentPosition(ui.current());
    const entry = position < 0 ? undefined : store.entry(position);
    if (entry === undefined) return warn(position < 0 ? 'nothing selected' : 'still reading that packet; try again');
    const made = open(entry);
    if ('problem' in made) return warn(made.problem);
    use(made, entry);
  };

  const follow = (): void =>
    fromSelected(
      (entry) => store.follow(entry),
      (view, entry) => {
        search.cancel();
        ui.update((s) => ({ ...pushFrame(s, view, entry.position), message: undefined }));
      },
    );

  const stream = (): void =>
    fromSelected(
      (entry) => store.stream(entry),
      (view) => ui.update((s) => ({ ...s, screen: 'stream', stream: { view, hex: false }, textTop: 0, message: undefined })),
    );

  /** From the findings screen to the row of the packet that triggered finding `index`. */
  const toFinding = (index: number): void => {
    const finding = store.scan.findings[index];
    if (finding === undefined) return;
    ui.update((s) => {
      const events = { ...s, screen: 'events' as const };
      const { view } = events.stack[events.stack.length - 1]!;
      const row = view.rowAtOrAfter(store.index.positionOfNumber(finding.packetNumber));
      if (row >= view.length || store.index.numberAt(view.positionAt(row)) !== finding.packetNumber) {
        return { ...events, message: { text: `packet ${finding.packetNumber} is not in this view (a filter hides it?)`, tone: 'warning' } };
      }
      return { ...withFrame(events, centerOn(row, view.length, drawn.current.layout.list)), message: undefined };
    });
  };

  const perform = (effect: Effect): void => {
    switch (effect.kind) {
      case 'quit':
        return quit();
      case 'search':
        return search.start(effect.text, effect.direction);
      case 'cancel-search':
        return search.cancel();
      case 'follow':
        return follow();
      case 'stream':
        return stream();
      case 'filter-process': {
        const pids = effect.descendants ? [effect.pid, ...store.processes.descendants(effect.pid)] : [effect.pid];
        return filterBar.applyFilter(`pid=${pids.join(',')}`);
      }
      case 'drill': {
        const info = store.processes.get(effect.pid);
        const name = info === undefined ? String(effect.pid) : `${info.task.leaderName ?? info.task.processName}/${effect.pid}`;
        return ui.update((s) => ({ ...s, screen: 'process-stats', textTop: 0, drill: { title: name, stats: store.processStats([effect.pid]) } }));
      }
      case 'finding':
        return toFinding(effect.index);
      case 'close-view':
        return effect.view.close();
    }
  };

  useKeys(
    (input, key) => {
      if (debugCrash && key.ctrl && input === 'x') throw new Error('crash asked for with Ctrl-X (NETREC_DEBUG_TUI_CRASH=1)');
      const s = ui.current();
      if (s.prompt !== undefined) return filterBar.key(input, key);
      const outcome = runCommand(s, keyCommand(input, key, { screen: s.screen, focus: s.focus }), drawn.current);
      if (outcome.state !== s) ui.update(() => outcome.state);
      if (outcome.effect !== undefined) perform(outcome.effect);
    },
    (event) => {
      const s = ui.current();
      const outcome = runMouse(s, event, drawn.current);
      if (outcome.state !== s) ui.update(() => outcome.state);
    },
  );
}
