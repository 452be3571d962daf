/**
 * What keys do. Prompts take text; everything else goes through the key table (state/keymap.ts)
 * to a command, carried out on the UI state and, for filters, follows and searches, on the
 * capture store. Counts that depend on what is drawn (tree lines, page size) come from the last
 * render.
 */
import { useApp, type Key } from 'ink';
import { useEffect, useRef } from 'react';
import { UsageError } from '../../core/errors.ts';
import type { CaptureStore } from '../store/capture-store.ts';
import { jumpTarget } from '../store/jump.ts';
import type { ProcessRow } from '../store/process-table.ts';
import { searchRows } from '../store/search.ts';
import { keyCommand, type Command } from '../state/keymap.ts';
import {
  centerOn,
  currentFrame,
  currentPosition,
  nextPane,
  popFrame,
  pushFrame,
  replaceBase,
  scrollTo,
  treeScroll,
  withFrame,
  type PromptKind,
  type Scroll,
  type TreeState,
  type UiState,
} from '../state/ui-state.ts';
import type { TreeModel } from '../views/detail-model.ts';
import type { Layout } from '../views/layout.ts';
import { useKeys } from './use-keys.ts';
import type { UiStateHandle } from './use-ui-state.ts';

/** What the last render drew, for commands whose effect depends on it. */
export interface Drawn {
  layout: Layout;
  tree?: TreeModel;
  /** First hex line shown and the packet's number of hex lines. */
  hexTop: number;
  hexLines: number;
  processRows: readonly ProcessRow[];
  /** Lines of the stats or help screen. */
  textLines: number;
}

/** Search progress reaches the screen every this many rows. */
const SEARCH_PROGRESS_ROWS = 4096;

export function useCommands(store: CaptureStore, ui: UiStateHandle, drawn: { current: Drawn }): void {
  const { exit } = useApp();
  const search = useRef<AbortController | undefined>(undefined);
  useEffect(() => () => search.current?.abort(), []);

  const cancelSearch = (): void => {
    search.current?.abort();
    search.current = undefined;
  };

  const quit = (): void => {
    cancelSearch();
    exit();
  };

  const startSearch = (text: string, direction: 1 | -1): void => {
    cancelSearch();
    const abort = new AbortController();
    search.current = abort;
    const frame = currentFrame(ui.current());
    ui.update((s) => ({ ...s, search: { text, direction, examined: 0, running: true }, message: undefined }));
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
          const done = { ...s, search: { text, direction, examined: 0, running: false } };
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

  /** Replaces the base view: every view on the stack stops its pass. */
  const applyFilter = (text: string): void => {
    try {
      const { view, warnings } = store.filter(text);
      cancelSearch();
      const old = ui.current().stack;
      ui.update((s) => {
        const next = replaceBase(s, view, text.trim());
        return { ...next, prompt: undefined, message: warnings.length > 0 ? { text: warnings.join('; '), tone: 'warning' } : undefined };
      });
      for (const frame of old) if (frame.view !== view && frame.view !== store.all) frame.view.close();
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      ui.update((s) => (s.prompt === undefined ? s : { ...s, prompt: { ...s.prompt, error: error.message } }));
    }
  };

  const jump = (text: string): void => {
    const target = jumpTarget(text, store.index);
    if ('problem' in target) {
      ui.update((s) => (s.prompt === undefined ? s : { ...s, prompt: { ...s.prompt, error: target.problem } }));
      return;
    }
    ui.update((s) => {
      const { view } = currentFrame(s);
      const row = view.rowAtOrAfter(target.position);
      const closed = { ...s, prompt: undefined };
      if (view.length === 0) return { ...closed, message: { text: 'this view has no rows yet', tone: 'warning' } };
      const message = row >= view.length ? { text: 'no row there in this view (yet): showing the last one', tone: 'warning' as const } : undefined;
      return { ...withFrame(closed, centerOn(row, view.length, drawn.current.layout.list)), message };
    });
  };

  const submit = (kind: PromptKind, text: string): void => {
    if (kind === 'filter') applyFilter(text);
    else if (kind === 'jump') jump(text);
    else if (text !== '') {
      ui.update((s) => ({ ...s, prompt: undefined }));
      startSearch(text, 1);
    } else ui.update((s) => ({ ...s, prompt: undefined }));
  };

  const promptKey = (input: string, key: Key): void => {
    const prompt = ui.current().prompt!;
    if (key.ctrl && input === 'c') return quit();
    if (key.escape) return ui.update((s) => ({ ...s, prompt: undefined }));
    if (key.return) return submit(prompt.kind, prompt.text);
    let text = prompt.text;
    if (key.backspace || key.delete) text = [...text].slice(0, -1).join('');
    else if (key.ctrl && input === 'u') text = '';
    else if (key.ctrl && input === 'w') text = text.replace(/\S+\s*$/, '');
    else if (!key.ctrl && !key.meta && !key.tab && input !== '' && !/[\u0000-\u001f]/.test(input)) text += input;
    else return;
    ui.update((s) => ({ ...s, prompt: { kind: prompt.kind, text } }));
  };

  /** A list of `length` lines scrolled by a command, `rows` of them on screen. */
  const scrolled = (scroll: Scroll, command: Command, length: number, rows: number): Scroll => {
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
  };

  const navigate = (s: UiState, command: Command): UiState => {
    const { layout, tree, processRows, textLines, hexLines, hexTop } = drawn.current;
    if (s.screen === 'processes') return { ...s, processes: { ...s.processes, ...scrolled(s.processes, command, processRows.length, layout.body - 2) } };
    if (s.screen === 'findings') return { ...s, findings: scrolled(s.findings, command, store.scan.findings.length, layout.body - 2) };
    if (s.screen === 'stats' || s.screen === 'help') {
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
  };

  /** Opens or closes the tree node under the detail cursor. */
  const toggle = (s: UiState, want: 'open' | 'close' | 'flip'): UiState => {
    const tree = drawn.current.tree;
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
      if (parent >= 0) return { ...s, tree: treeState(s, closed, scrollTo(scroll, parent, tree.lines.length, drawn.current.layout.detail)) };
    }
    return { ...s, tree: treeState(s, closed, scroll) };
  };

  const filterToProcess = (withDescendants: boolean): void => {
    const s = ui.current();
    const row = drawn.current.processRows[s.processes.cursor];
    if (row === undefined) return;
    const pid = row.info.task.hostProcessId;
    const pids = withDescendants ? [pid, ...store.processes.descendants(pid)] : [pid];
    applyFilter(`pid=${pids.join(',')}`);
  };

  /** From the findings screen to the row of the packet that triggered the selected finding. */
  const toFinding = (): void => {
    const finding = store.scan.findings[ui.current().findings.cursor];
    if (finding === undefined) return;
    ui.update((s) => {
      const events = { ...s, screen: 'events' as const };
      const { view } = currentFrame(events);
      const row = view.rowAtOrAfter(store.index.positionOfNumber(finding.packetNumber));
      if (row >= view.length || store.index.numberAt(view.positionAt(row)) !== finding.packetNumber) {
        return { ...events, message: { text: `packet ${finding.packetNumber} is not in this view (a filter hides it?)`, tone: 'warning' } };
      }
      return { ...withFrame(events, centerOn(row, view.length, drawn.current.layout.list)), message: undefined };
    });
  };

  const follow = (): void => {
    // The cursor may have moved since the last render (keys typed ahead): read it from the state.
    const position = currentPosition(ui.current());
    const entry = position < 0 ? undefined : store.entry(position);
    if (entry === undefined) return ui.update((s) => ({ ...s, message: { text: position < 0 ? 'nothing selected to follow' : 'still reading that packet; try again', tone: 'warning' } }));
    const view = store.follow(entry);
    if ('problem' in view) return ui.update((s) => ({ ...s, message: { text: view.problem, tone: 'warning' } }));
    cancelSearch();
    ui.update((s) => ({ ...pushFrame(s, view, entry.position), message: undefined }));
  };

  const back = (): void => {
    const s = ui.current();
    if (s.search?.running) {
      cancelSearch();
      return ui.update((t) => ({ ...t, search: t.search && { ...t.search, running: false }, message: { text: 'search cancelled', tone: 'info' } }));
    }
    if (s.screen !== 'events') return ui.update((t) => ({ ...t, screen: 'events' }));
    if (s.detailOpen) return ui.update((t) => ({ ...t, detailOpen: false, focus: 'list' }));
    if (s.stack.length > 1) {
      currentFrame(s).view.close();
      return ui.update(popFrame);
    }
    if (s.message !== undefined) ui.update((t) => ({ ...t, message: undefined }));
  };

  const run = (command: Command): void => {
    const s = ui.current();
    switch (command.kind) {
      case 'quit':
        return quit();
      case 'screen':
        return ui.update((t) => ({ ...t, screen: t.screen === command.screen ? 'events' : command.screen, textTop: 0, message: undefined }));
      case 'back':
        return back();
      case 'prompt':
        return ui.update((t) => ({ ...t, prompt: { kind: command.prompt, text: command.prompt === 'filter' ? t.filter : '' }, message: undefined }));
      case 'again':
        if (s.search === undefined) return ui.update((t) => ({ ...t, message: { text: 'no search yet: / searches', tone: 'info' } }));
        return startSearch(s.search.text, command.direction);
      case 'follow':
        return follow();
      case 'pane':
        // The hex pane scrolls by hand from where it showed the marked bytes.
        return ui.update((t) => ({ ...nextPane(t, command.step), hexTop: drawn.current.hexTop }));
      case 'descendants':
        return filterToProcess(true);
      case 'all-processes':
        return ui.update((t) => ({ ...t, processes: { cursor: 0, top: 0, all: !t.processes.all } }));
      case 'enter':
        if (s.screen === 'processes') return filterToProcess(false);
        if (s.screen === 'findings') return toFinding();
        if (s.screen !== 'events') return;
        if (s.focus === 'detail') return ui.update((t) => toggle(t, 'flip'));
        return ui.update((t) => ({ ...t, detailOpen: !t.detailOpen, focus: 'list' }));
      case 'open':
      case 'close':
        return ui.update((t) => toggle(t, command.kind));
      default:
        return ui.update((t) => ({ ...navigate(t, command), message: undefined }));
    }
  };

  useKeys((input, key) => {
    const s = ui.current();
    if (s.prompt !== undefined) return promptKey(input, key);
    const command = keyCommand(input, key, { screen: s.screen, focus: s.focus });
    // Help scrolls with the moving keys; any other key closes it (q still quits).
    if (s.screen === 'help' && command?.kind !== 'quit' && !isScroll(command)) return ui.update((t) => ({ ...t, screen: 'events' }));
    if (command !== undefined) run(command);
  });
}

function isScroll(command: Command | undefined): boolean {
  return command?.kind === 'move' || command?.kind === 'page' || command?.kind === 'home' || command?.kind === 'end';
}

function treeState(s: UiState, closed: ReadonlySet<string>, scroll: Scroll): TreeState {
  return { position: currentPosition(s), closed, cursor: scroll.cursor, top: scroll.top };
}
