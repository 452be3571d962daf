/**
 * The lines around the panes: the status line (capture, counts, filter, follow, progress), the
 * empty-list text, the prompt, the bottom message and the key hints, from the store and the UI
 * state.
 */
import type { CaptureStore } from '../store/capture-store.ts';
import { currentFrame, type Frame, type Message, type UiState } from '../state/ui-state.ts';
import { columnsPromptText } from '../state/prompt.ts';
import { countText, percentText } from './numbers.ts';

/** The keys a first-time user needs, in 80 columns. */
const HINTS = '?:help q:quit Enter:detail f:filter /:search ::jump F:follow p:procs s:stats';

export function statusLeft(store: CaptureStore, ui: UiState): string {
  const packets = `${countText(store.index.length)} packets${store.scan.done ? '' : ` (indexing${progressBar(store.indexProgress())})`}`;
  const issues = store.scan.errors + store.scan.warnings > 0 ? `  ${store.scan.errors + store.scan.warnings} input issues (s)` : '';
  const findings = store.scan.findingsTotal > 0 ? `  ${countText(store.scan.findingsTotal)} finding${store.scan.findingsTotal === 1 ? '' : 's'} (!)` : '';
  const { view } = currentFrame(ui);
  const base = ui.stack[0]!.view;
  const filter = base.title === '' ? '' : `  filter: ${base.title}`;
  const follow = view === base ? '' : `  ${view.title}`;
  const failure = view.failure ?? store.readFailure;
  return `netrec ${store.name}  ${packets}${issues}${findings}${filter}${follow}${failure === undefined ? '' : `  read error: ${failure}`}`;
}

/** " ▓▓▓▓░░░░░░ 42%", or "…" when the source cannot say how far it is. */
export function progressBar(done: number | undefined): string {
  if (done === undefined) return '…';
  const cells = 10;
  const full = Math.floor(done * cells);
  return ` ${'▓'.repeat(full)}${'░'.repeat(cells - full)} ${Math.floor(done * 100)}%`;
}

export function statusRight(store: CaptureStore, ui: UiState): string {
  const { view, cursor } = currentFrame(ui);
  const rows = view.length === 0 ? 'no rows' : `${countText(Math.min(cursor, view.length - 1) + 1)}/${countText(view.length)}`;
  const pending = view.done || view === store.all ? '' : ` so far (${percentText(view.examined, Math.max(1, store.index.length))} examined)`;
  return `${searchStatus(ui)}${rows}${pending}`;
}

/**
 * The search term, which match the cursor is on and how many there are: `"dig" 3/120`, or
 * `"dig" -/≥57` while the count goes on and the cursor is on no match.
 */
export function searchStatus(ui: UiState): string {
  const search = ui.search;
  const { view, cursor } = currentFrame(ui);
  if (search?.matches === undefined || search.view !== view) return '';
  const { matches } = search;
  const counting = (search.counted ?? 0) < view.length || !view.done;
  const at = matches.rowAtOrAfter(cursor);
  const current = at < matches.length && matches.at(at) === cursor ? countText(at + 1) : '-';
  const total = counting ? `≥${countText(matches.length)}` : countText(matches.length);
  return `"${search.text}" ${current}/${total} match${matches.length === 1 && !counting ? '' : 'es'}  `;
}

export function emptyText(store: CaptureStore, frame: Frame): string {
  const { view } = frame;
  if (view.failure !== undefined) return `stopped: ${view.failure}`;
  if (view === store.all) return store.scan.done ? 'the capture holds no packets' : 'indexing…';
  if (!view.done) return `looking… ${percentText(view.examined, Math.max(1, store.index.length))} of the packets examined`;
  return 'no packet matches';
}

export function promptLine(ui: UiState): string | undefined {
  if (ui.prompt === undefined) return undefined;
  if (ui.prompt.kind === 'columns') return columnsPromptText(ui.hidden);
  const label = {
    filter: 'filter (--trace, ↑↓ history)',
    search: 'search (↑↓ history)',
    jump: 'jump to (N, HH:MM:SS, +S)',
    save: 'save the stream as shown to (a new file)',
  }[ui.prompt.kind];
  return `${label}> ${ui.prompt.text}█`;
}

/** A running search, else the latest message, else what the view found (a DNS latency). */
export function bottomMessage(ui: UiState): Message | undefined {
  if (ui.search?.running) return { text: `searching "${ui.search.text}"… ${countText(ui.search.examined)} rows (Esc cancels)`, tone: 'info' };
  if (ui.message !== undefined) return ui.message;
  const { view } = currentFrame(ui);
  return view.note === '' ? undefined : { text: `${view.title}: ${view.note}  (Esc: back)`, tone: 'info' };
}

export function hintsFor(ui: UiState): string {
  if (ui.screen === 'processes') return 'Enter: its packets  d: with descendants  i: its flows and DNS  a: all  o: order  Esc: back';
  if (ui.screen === 'process-stats') return '↑↓ scroll  Esc: back to the processes';
  if (ui.screen === 'findings') return 'Enter: go to the packet that triggered it (marked ! in the list)  Esc: back';
  if (ui.screen === 'stats') return '↑↓ scroll  Esc: back';
  if (ui.screen === 'stream') return `↑↓ PgDn scroll  x: ${ui.stream?.hex === true ? 'text' : 'hex'}  w: save to a file  Esc: back`;
  if (ui.screen === 'help') return '↑↓ PgDn scroll  any other key: back';
  return HINTS;
}
