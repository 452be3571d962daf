/**
 * What the screen shows, apart from the capture itself: which view and where in it, which pane
 * has the keys, what the prompt holds. Plain data and pure transitions, so that key handling is
 * tested without rendering and React sees one state update per key.
 */
import type { PositionList } from '../store/position-list.ts';
import type { CaptureStats } from '../store/stats.ts';
import type { FlowStream } from '../store/stream.ts';
import type { PacketView } from '../store/view.ts';
import type { ColumnName } from '../views/columns.ts';
import type { ProcessSort } from '../views/process-lines.ts';
import type { TimeFormat } from '../views/time-format.ts';

export type Screen = 'events' | 'processes' | 'findings' | 'stats' | 'help' | 'stream' | 'process-stats';
export type Pane = 'list' | 'detail' | 'hex';
export type PromptKind = 'filter' | 'search' | 'jump' | 'columns' | 'save';

/** A scrolled list: the selected row and the first row on screen. */
export interface Scroll {
  cursor: number;
  top: number;
}

/** A view and where the user is in it; follows stack on the filtered (or full) view. */
export interface Frame extends Scroll {
  view: PacketView;
  /** Index position to select once the view has found it (the packet a follow started from). */
  anchor?: number;
}

export interface Prompt {
  kind: PromptKind;
  text: string;
  error?: string;
  /** Which history entry ↑/↓ recalled (0: the latest); undefined while typing. */
  recall?: number;
}

export interface Message {
  text: string;
  tone: 'info' | 'warning' | 'error';
}

/** The detail tree's state, for the packet at `position`. */
export interface TreeState extends Scroll {
  position: number;
  /** Ids of closed nodes; undefined until the user toggles one (the defaults apply). */
  closed?: ReadonlySet<string>;
}

export interface Search {
  text: string;
  direction: 1 | -1;
  /** Rows examined, while it runs. */
  examined: number;
  running: boolean;
  /** Every matching row of the view, found by a counting pass; `counted` rows examined so far. */
  matches?: PositionList;
  counted?: number;
  /** The view the matches are rows of. */
  view?: PacketView;
}

export interface UiState {
  /** [0] is every packet or the filtered view; follows are pushed on it and popped by Esc. */
  stack: Frame[];
  /** The filter bar's applied text ('' for none). */
  filter: string;
  screen: Screen;
  detailOpen: boolean;
  focus: Pane;
  prompt?: Prompt;
  message?: Message;
  search?: Search;
  tree?: TreeState;
  /** First hex line on screen while the hex pane has the keys. */
  hexTop: number;
  processes: Scroll & { all: boolean; sort: ProcessSort };
  /** The findings screen's cursor. */
  findings: Scroll;
  /** First line shown on the stats and help screens. */
  textTop: number;
  timeFormat: TimeFormat;
  /** Columns of the event list the user hid. */
  hidden: ReadonlySet<ColumnName>;
  /** A process's drill-down (i on the processes screen): its name and its stats. */
  drill?: { title: string; stats: CaptureStats };
  /** The followed stream (S) and how it shows: text or hex. */
  stream?: { view: FlowStream; hex: boolean };
  /** Texts entered in each prompt, latest first (↑/↓ recall them). */
  history: Readonly<Record<PromptKind, readonly string[]>>;
}

export function initialState(view: PacketView, filter: string): UiState {
  return {
    stack: [{ view, cursor: 0, top: 0 }],
    filter,
    screen: 'events',
    detailOpen: false,
    focus: 'list',
    hexTop: 0,
    processes: { cursor: 0, top: 0, all: false, sort: 'tree' },
    findings: { cursor: 0, top: 0 },
    textTop: 0,
    timeFormat: 'utc',
    hidden: new Set(),
    history: { filter: filter === '' ? [] : [filter], search: [], jump: [], columns: [], save: [] },
  };
}

/** Prompt entries remembered per prompt. */
const HISTORY = 50;

/** `state` with `text` first in the history of prompt `kind` (once). */
export function remember(state: UiState, kind: PromptKind, text: string): UiState {
  if (text.trim() === '') return state;
  const kept = [text, ...state.history[kind].filter((t) => t !== text)].slice(0, HISTORY);
  return { ...state, history: { ...state.history, [kind]: kept } };
}

export function currentFrame(state: UiState): Frame {
  return state.stack[state.stack.length - 1]!;
}

/** Index position under the list cursor (-1 when the view is empty). */
export function currentPosition(state: UiState): number {
  const { view, cursor } = currentFrame(state);
  return view.length === 0 ? -1 : view.positionAt(Math.min(cursor, view.length - 1));
}

/**
 * Where the detail tree is scrolled: its saved state if that is for the selected packet, else
 * on the row's event (line `home`), whose bytes the hex pane then marks.
 */
export function treeScroll(state: UiState, home: number): Scroll {
  return state.tree !== undefined && state.tree.position === currentPosition(state) ? state.tree : { cursor: home, top: 0 };
}

/** `scroll` with its cursor at `to`, clamped to `length` rows, scrolled so that it shows in `rows`. */
export function scrollTo(scroll: Scroll, to: number, length: number, rows: number): Scroll {
  const cursor = Math.max(0, Math.min(to, length - 1));
  let top = scroll.top;
  if (cursor < top) top = cursor;
  else if (cursor >= top + rows) top = cursor - rows + 1;
  top = Math.max(0, Math.min(top, Math.max(0, length - rows)));
  return { cursor: Math.max(0, cursor), top };
}

/** The same, with the cursor in the middle of the screen (after a jump or a search). */
export function centerOn(to: number, length: number, rows: number): Scroll {
  const cursor = Math.max(0, Math.min(to, length - 1));
  const top = Math.max(0, Math.min(cursor - Math.floor(rows / 2), Math.max(0, length - rows)));
  return { cursor, top };
}

/** Moves the current frame's cursor; a user move cancels a pending anchor. */
export function withFrame(state: UiState, scroll: Scroll): UiState {
  const frame = currentFrame(state);
  const next: Frame = { view: frame.view, cursor: scroll.cursor, top: scroll.top };
  return { ...state, stack: [...state.stack.slice(0, -1), next], tree: undefined, hexTop: 0 };
}

export function pushFrame(state: UiState, view: PacketView, anchor: number): UiState {
  return { ...state, stack: [...state.stack, { view, cursor: 0, top: 0, anchor }], screen: 'events', tree: undefined, focus: 'list' };
}

/** Drops the top frame (a follow); the caller closes its view. */
export function popFrame(state: UiState): UiState {
  if (state.stack.length <= 1) return state;
  return { ...state, stack: state.stack.slice(0, -1), tree: undefined, message: undefined };
}

/** Replaces the whole stack by a new base view (a filter was applied or cleared). */
export function replaceBase(state: UiState, view: PacketView, filter: string): UiState {
  return { ...state, stack: [{ view, cursor: 0, top: 0 }], filter, tree: undefined, screen: 'events' };
}

const PANES: readonly Pane[] = ['list', 'detail', 'hex'];

export function nextPane(state: UiState, step: 1 | -1): UiState {
  if (!state.detailOpen) return { ...state, focus: 'list' };
  const at = PANES.indexOf(state.focus);
  return { ...state, focus: PANES[(at + step + PANES.length) % PANES.length]! };
}
