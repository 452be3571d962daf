/**
 * What a command does to the UI state, as a pure function: the new state, and the one effect
 * the hooks must carry out on the capture store or the app (start a search, follow, apply a
 * filter, close a view, quit). Counts that depend on what was drawn (tree lines, page sizes)
 * come from the last render, in `Drawn`.
 */
import type { PacketView } from '../store/view.ts';
import type { ProcessRow } from '../store/process-table.ts';
import type { TreeModel } from '../views/detail-model.ts';
import type { Layout } from '../views/layout.ts';
import { nextProcessSort } from '../views/process-lines.ts';
import { nextTimeFormat, timeTitle } from '../views/time-format.ts';
import type { Command } from './keymap.ts';
import {
  currentFrame,
  currentPosition,
  nextPane,
  popFrame,
  pushFrame,
  scrollTo,
  treeScroll,
  withFrame,
  type Scroll,
  type TreeState,
  type UiState,
} from './ui-state.ts';

/** What the last render drew, for commands whose effect depends on it. */
export interface Drawn {
  layout: Layout;
  tree?: TreeModel;
  /** First hex line shown and the packet's number of hex lines. */
  hexTop: number;
  hexLines: number;
  processRows: readonly ProcessRow[];
  /** Lines of the stats, help or stream screen. */
  textLines: number;
  /** Rows of the findings screen. */
  findings: number;
  /** A recording's end read ahead of the index scan (G goes there while every packet is shown). */
  tail?: PacketView;
}

/** Work for the hooks: it touches the store, the search or the app. */
export type Effect =
  | { kind: 'quit' }
  | { kind: 'search'; text: string; direction: 1 | -1 }
  | { kind: 'cancel-search' }
  | { kind: 'follow' }
  | { kind: 'stream' }
  | { kind: 'filter-process'; pid: number; descendants: boolean }
  | { kind: 'drill'; pid: number }
  | { kind: 'finding'; index: number }
  | { kind: 'close-view'; view: PacketView };

export interface Outcome {
  state: UiState;
  effect?: Effect;
}

/** The outcome of `command` (undefined: a key bound to nothing) in state `s`. */
export function runCommand(s: UiState, command: Command | undefined, drawn: Drawn): Outcome {
  // Help scrolls with the moving keys; any other key closes it (q still quits).
  if (s.screen === 'help' && command?.kind !== 'quit' && !isScroll(command)) return { state: { ...s, screen: 'events' } };
  if (command === undefined) return { state: s };
  switch (command.kind) {
    case 'quit':
      return { state: s, effect: { kind: 'quit' } };
    case 'screen':
      return { state: { ...s, screen: s.screen === command.screen ? 'events' : command.screen, textTop: 0, message: undefined } };
    case 'back':
      return back(s);
    case 'prompt':
      return { state: { ...s, prompt: { kind: command.prompt, text: command.prompt === 'filter' ? s.filter : '' }, message: undefined } };
    case 'again':
      if (s.search === undefined) return { state: { ...s, message: { text: 'no search yet: / searches', tone: 'info' } } };
      return { state: s, effect: { kind: 'search', text: s.search.text, direction: command.direction } };
    case 'follow':
      return { state: s, effect: { kind: 'follow' } };
    case 'stream':
      return { state: s, effect: { kind: 'stream' } };
    case 'hex':
      return s.stream === undefined ? { state: s } : { state: { ...s, stream: { ...s.stream, hex: !s.stream.hex }, textTop: 0 } };
    case 'time': {
      const timeFormat = nextTimeFormat(s.timeFormat);
      return { state: { ...s, timeFormat, message: { text: `time: ${timeTitle(timeFormat).toLowerCase()} (t: next)`, tone: 'info' } } };
    }
    case 'pane':
      // The hex pane scrolls by hand from where it showed the marked bytes.
      return { state: { ...nextPane(s, command.step), hexTop: drawn.hexTop } };
    case 'descendants':
      return toProcess(s, drawn, true);
    case 'all-processes':
      return { state: { ...s, processes: { ...s.processes, cursor: 0, top: 0, all: !s.processes.all } } };
    case 'drill': {
      const row = drawn.processRows[s.processes.cursor];
      return row === undefined ? { state: s } : { state: s, effect: { kind: 'drill', pid: row.info.task.hostProcessId } };
    }
    case 'sort':
      return { state: { ...s, processes: { ...s.processes, cursor: 0, top: 0, sort: nextProcessSort(s.processes.sort) } } };
    case 'end': {
      // On every packet of a recording still being indexed: its end, as read through its footers.
      const tail = drawn.tail;
      if (tail !== undefined && s.screen === 'events' && s.focus === 'list' && s.stack.length === 1 && s.stack[0]!.view.title === '')
        return { state: { ...pushFrame(s, tail, tail.positionAt(tail.length - 1)), message: undefined } };
      return { state: { ...navigate(s, command, drawn), message: undefined } };
    }
    case 'enter':
      if (s.screen === 'processes') return toProcess(s, drawn, false);
      if (s.screen === 'findings')
        return s.findings.cursor < drawn.findings ? { state: s, effect: { kind: 'finding', index: s.findings.cursor } } : { state: s };
      if (s.screen !== 'events') return { state: s };
      if (s.focus === 'detail') return { state: toggle(s, drawn, 'flip') };
      return { state: { ...s, detailOpen: !s.detailOpen, focus: 'list' } };
    case 'open':
    case 'close':
      return { state: toggle(s, drawn, command.kind) };
    default:
      return { state: { ...navigate(s, command, drawn), message: undefined } };
  }
}

/** Wheel button codes (SGR): up, down. */
const WHEEL_UP = 64;
const WHEEL_DOWN = 65;
/** Rows a wheel notch scrolls. */
const WHEEL_ROWS = 3;

/**
 * A mouse report: the wheel scrolls what the pointer is over, a left click selects the row
 * under it (list, processes, findings) or the node of the detail tree under it, and gives its
 * pane the keys (detail, hex).
 */
export function runMouse(s: UiState, event: { button: number; x: number; y: number; pressed: boolean }, drawn: Drawn): Outcome {
  if (!event.pressed || s.prompt !== undefined) return { state: s };
  const pane = paneAt(s, drawn.layout, event.y);
  if (event.button === WHEEL_UP || event.button === WHEEL_DOWN) {
    const focused = pane === undefined || s.screen !== 'events' ? s : { ...s, focus: pane.pane };
    return { state: navigate(focused, { kind: 'move', by: event.button === WHEEL_UP ? -WHEEL_ROWS : WHEEL_ROWS }, drawn) };
  }
  if (event.button !== 0 || pane === undefined) return { state: s };
  if (s.screen === 'processes' || s.screen === 'findings') {
    const scroll = s.screen === 'processes' ? s.processes : s.findings;
    const length = s.screen === 'processes' ? drawn.processRows.length : drawn.findings;
    const row = scroll.top + pane.line;
    if (row >= length) return { state: s };
    return { state: s.screen === 'processes' ? { ...s, processes: { ...s.processes, cursor: row } } : { ...s, findings: { ...s.findings, cursor: row } } };
  }
  if (s.screen !== 'events') return { state: s };
  if (pane.pane === 'detail' && drawn.tree !== undefined) {
    // A click on a node of the tree selects it (the hex pane then marks its bytes).
    const scroll = treeScroll(s, drawn.tree.home);
    const line = scroll.top + pane.line;
    const focused = { ...s, focus: 'detail' as const };
    if (pane.line < 0 || line >= drawn.tree.lines.length) return { state: focused };
    return { state: { ...focused, tree: treeState(s, drawn.tree.closed, { cursor: line, top: scroll.top }) } };
  }
  if (pane.pane !== 'list') return { state: { ...s, focus: pane.pane } };
  const frame = currentFrame(s);
  const row = frame.top + pane.line;
  if (row >= frame.view.length) return { state: { ...s, focus: 'list' } };
  return { state: { ...withFrame({ ...s, focus: 'list' }, { cursor: row, top: frame.top }), message: undefined } };
}

/** Which pane row `y` (1-based) is on, and which of its lines (0-based, below its title). */
function paneAt(s: UiState, layout: Drawn['layout'], y: number): { pane: 'list' | 'detail' | 'hex'; line: number } | undefined {
  // Line 1 is the status line; every pane has a title or header line first.
  let top = 2;
  if (s.screen !== 'events') return y > top && y <= top + layout.body - 1 ? { pane: 'list', line: y - top - 1 } : undefined;
  const panes: ['list' | 'detail' | 'hex', number][] = [['list', layout.list]];
  if (s.detailOpen) panes.push(['detail', layout.detail], ['hex', layout.hex]);
  for (const [pane, lines] of panes) {
    if (y > top && y <= top + lines) return { pane, line: y - top - 1 };
    top += lines + 1;
  }
  return undefined;
}

/** Esc: stop a search, else leave a screen, the detail, a follow, or drop the message. */
function back(s: UiState): Outcome {
  if (s.search?.running)
    return { state: { ...s, search: { ...s.search, running: false }, message: { text: 'search cancelled', tone: 'info' } }, effect: { kind: 'cancel-search' } };
  if (s.screen === 'process-stats') return { state: { ...s, screen: 'processes', textTop: 0 } };
  if (s.screen !== 'events') return { state: { ...s, screen: 'events' } };
  if (s.detailOpen) return { state: { ...s, detailOpen: false, focus: 'list' } };
  if (s.stack.length > 1) return { state: popFrame(s), effect: { kind: 'close-view', view: currentFrame(s).view } };
  return { state: s.message === undefined ? s : { ...s, message: undefined } };
}

function toProcess(s: UiState, drawn: Drawn, descendants: boolean): Outcome {
  const row = drawn.processRows[s.processes.cursor];
  if (row === undefined) return { state: s };
  return { state: s, effect: { kind: 'filter-process', pid: row.info.task.hostProcessId, descendants } };
}

/** A list of `length` lines scrolled by a command, `rows` of them on screen. */
export function scrolled(scroll: Scroll, command: Command, length: number, rows: number): Scroll {
  switch (command.kind) {
    case 'move':
      return scrollTo(scroll, scroll.cursor + command.by, length, rows);
    case 'page':
      return scrollTo({ cursor: scroll.cursor, top: scroll.top + command.by * rows }, scroll.cursor + command.by * rows, length, rows);
    case 'home':
      return scrollTo(scroll, 0, length, rows);
    case 'end':
      return scrollTo(scroll, length - 1, length, rows);
    default:
      return scroll;
  }
}

function navigate(s: UiState, command: Command, drawn: Drawn): UiState {
  const { layout, tree, processRows, textLines, hexLines, hexTop } = drawn;
  if (s.screen === 'processes') return { ...s, processes: { ...s.processes, ...scrolled(s.processes, command, processRows.length, layout.body - 2) } };
  if (s.screen === 'findings') return { ...s, findings: scrolled(s.findings, command, drawn.findings, layout.body - 2) };
  if (s.screen === 'stats' || s.screen === 'help' || s.screen === 'stream' || s.screen === 'process-stats') {
    const top = scrolled({ cursor: s.textTop, top: s.textTop }, command, Math.max(1, textLines - layout.body + 2), 1).cursor;
    return { ...s, textTop: top };
  }
  // Keys that reach a pane before its first render (typed ahead) have nothing to move.
  if (s.focus === 'detail') {
    if (tree === undefined) return s;
    const scroll = scrolled(treeScroll(s, tree.home), command, tree.lines.length, layout.detail);
    return { ...s, tree: treeState(s, tree.closed, scroll) };
  }
  if (s.focus === 'hex') {
    const top = scrolled({ cursor: hexTop, top: hexTop }, command, Math.max(1, hexLines - layout.hex + 1), 1).cursor;
    return { ...s, hexTop: top };
  }
  const frame = currentFrame(s);
  return withFrame(s, scrolled(frame, command, frame.view.length, layout.list));
}

/** Opens or closes the tree node under the detail cursor; on a leaf, closing goes to its parent. */
function toggle(s: UiState, drawn: Drawn, want: 'open' | 'close' | 'flip'): UiState {
  const tree = drawn.tree;
  if (tree === undefined) return s;
  const scroll = treeScroll(s, tree.home);
  const line = tree.lines[scroll.cursor];
  if (line === undefined) return s;
  const closed = new Set(tree.closed);
  const isBranch = line.node.children !== undefined;
  if (isBranch && (want === 'open' || (want === 'flip' && !line.open))) closed.delete(line.node.id);
  else if (isBranch && line.open) closed.add(line.node.id);
  else if (want !== 'open') {
    // A leaf or a closed node: go up to its parent, as a file tree does.
    let parent = scroll.cursor - 1;
    while (parent >= 0 && tree.lines[parent]!.depth >= line.depth) parent--;
    if (parent >= 0) return { ...s, tree: treeState(s, closed, scrollTo(scroll, parent, tree.lines.length, drawn.layout.detail)) };
  }
  return { ...s, tree: treeState(s, closed, scroll) };
}

function isScroll(command: Command | undefined): boolean {
  return command?.kind === 'move' || command?.kind === 'page' || command?.kind === 'home' || command?.kind === 'end';
}

function treeState(s: UiState, closed: ReadonlySet<string>, scroll: Scroll): TreeState {
  return { position: currentPosition(s), closed, cursor: scroll.cursor, top: scroll.top };
}
