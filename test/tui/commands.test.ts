/** The pure command reducer (state/commands.ts) and prompt editing (state/prompt.ts). */
import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { runCommand, type Drawn } from '../../src/tui/state/commands.ts';
import { keyCommand } from '../../src/tui/state/keymap.ts';
import { editPrompt } from '../../src/tui/state/prompt.ts';
import { NO_KEY } from '../../src/tui/hooks/use-keys.ts';
import { initialState, pushFrame, type UiState } from '../../src/tui/state/ui-state.ts';
import { TailView, type PacketView } from '../../src/tui/store/view.ts';
import { layoutFor } from '../../src/tui/views/layout.ts';
import { visibleLines, type TreeNode } from '../../src/tui/views/event-tree.ts';

/** A finished view of `length` rows at positions 0, 1, 2... */
function view(length: number, title = ''): PacketView {
  return {
    title,
    shows: undefined,
    length,
    positionAt: (r) => r,
    rowAtOrAfter: (p) => Math.min(p, length),
    done: true,
    examined: length,
    note: '',
    failure: undefined,
    close: () => {},
  };
}

const drawn: Drawn = { layout: layoutFor(24, false, 0), hexTop: 0, hexLines: 0, processRows: [], textLines: 0, findings: 0 };
const press = (s: UiState, input: string, key: Partial<Key> = {}, d: Drawn = drawn) =>
  runCommand(s, keyCommand(input, { ...NO_KEY, ...key }, { screen: s.screen, focus: s.focus }), d);
const cursor = (s: UiState) => s.stack[s.stack.length - 1]!.cursor;

describe('the command reducer', () => {
  it("goes to a recording's end read through its footers on G while every packet is shown, else to the last row", () => {
    const tail = new TailView(999_488, 512);
    const withTail: Drawn = { ...drawn, tail };
    const s = press(initialState(view(5_000), ''), 'G', {}, withTail).state;
    expect(s.stack.length).toBe(2);
    expect(s.stack[1]!.view).toBe(tail);
    // The app selects the anchor once the view has it: the last of the recording's packets.
    expect(s.stack[1]!.anchor).toBe(999_999);
    expect(tail.rowAtOrAfter(999_999)).toBe(511);
    // Under a filter, G stays in the filtered view.
    const filtered = press(initialState(view(300, 'event=net_packet_dns'), 'event=net_packet_dns'), 'G', {}, withTail).state;
    expect([filtered.stack.length, cursor(filtered)]).toEqual([1, 299]);
    // Esc goes back to every packet.
    expect(press(s, '', { escape: true }).state.stack.length).toBe(1);
  });

  it('moves the list cursor by rows, pages and ends, within the view', () => {
    let s = initialState(view(100), '');
    const list = drawn.layout.list;
    s = press(s, 'j').state;
    s = press(s, 'j').state;
    expect(cursor(s)).toBe(2);
    s = press(s, '', { pageDown: true }).state;
    expect(cursor(s)).toBe(2 + list);
    s = press(s, 'G').state;
    expect(cursor(s)).toBe(99);
    expect(s.stack[0]!.top).toBe(100 - list);
    s = press(s, 'j').state;
    expect(cursor(s)).toBe(99);
    s = press(s, 'g').state;
    expect([cursor(s), s.stack[0]!.top]).toEqual([0, 0]);
  });

  it('asks the hooks for what touches the store: search again, follow, quit', () => {
    const s = initialState(view(10), '');
    expect(press(s, 'n').state.message).toEqual({ text: 'no search yet: / searches', tone: 'info' });
    const searched = { ...s, search: { text: 'dig', direction: 1 as const, examined: 0, running: false } };
    expect(press(searched, 'N').effect).toEqual({ kind: 'search', text: 'dig', direction: -1 });
    expect(press(s, 'F').effect).toEqual({ kind: 'follow' });
    expect(press(s, 'q').effect).toEqual({ kind: 'quit' });
    expect(press(s, 'c', { ctrl: true }).effect).toEqual({ kind: 'quit' });
    expect(press(s, 'x')).toEqual({ state: s });
  });

  it('goes back one step at a time on Esc: the search, a screen, the detail, a follow', () => {
    const follow = view(3, 'DNS exchange');
    let s: UiState = { ...pushFrame(initialState(view(10), ''), follow, 4), detailOpen: true, search: { text: 'x', direction: 1, examined: 5, running: true } };
    s = { ...s, screen: 'stats' };
    const esc = (t: UiState) => press(t, '', { escape: true });
    let out = esc(s);
    expect(out.effect).toEqual({ kind: 'cancel-search' });
    expect(out.state.search?.running).toBe(false);
    out = esc(out.state);
    expect(out.state.screen).toBe('events');
    out = esc(out.state);
    expect(out.state.detailOpen).toBe(false);
    out = esc(out.state);
    expect(out.effect).toEqual({ kind: 'close-view', view: follow });
    expect(out.state.stack).toHaveLength(1);
  });

  it('closes help on any key but the scrolling ones and q', () => {
    const help = { ...initialState(view(10), ''), screen: 'help' as const };
    expect(press(help, 'j', {}, { ...drawn, textLines: 80 }).state).toMatchObject({ screen: 'help', textTop: 1 });
    expect(press(help, 'x').state.screen).toBe('events');
    expect(press(help, 'q').effect).toEqual({ kind: 'quit' });
  });

  it('opens and closes tree nodes, and on a leaf goes up to its parent', () => {
    const leaf = (id: string): TreeNode => ({ id, label: id, value: '1', field: [] });
    const roots: TreeNode[] = [{ id: 'a', label: 'a', field: [], children: [leaf('a/x'), leaf('a/y')] }];
    const tree = (closed: ReadonlySet<string>) => ({ lines: visibleLines(roots, closed), closed, home: 0 });
    const d = { ...drawn, layout: layoutFor(24, true, 0) };
    let s: UiState = { ...initialState(view(1), ''), detailOpen: true, focus: 'detail' };
    s = press(s, '', { leftArrow: true }, { ...d, tree: tree(new Set()) }).state;
    expect(s.tree?.closed).toEqual(new Set(['a']));
    s = press(s, '', { return: true }, { ...d, tree: tree(s.tree!.closed!) }).state;
    expect(s.tree?.closed).toEqual(new Set());
    s = press(s, 'j', {}, { ...d, tree: tree(new Set()) }).state;
    s = press(s, 'j', {}, { ...d, tree: tree(new Set()) }).state;
    expect(s.tree?.cursor).toBe(2);
    s = press(s, 'h', {}, { ...d, tree: tree(new Set()) }).state;
    expect(s.tree?.cursor).toBe(0);
  });

  it('filters to the selected process, with its descendants on d', () => {
    const row = { info: { task: { hostProcessId: 4242 } } } as unknown as Drawn['processRows'][number];
    const s = { ...initialState(view(1), ''), screen: 'processes' as const };
    expect(press(s, '', { return: true }, { ...drawn, processRows: [row] }).effect).toEqual({ kind: 'filter-process', pid: 4242, descendants: false });
    expect(press(s, 'd', {}, { ...drawn, processRows: [row] }).effect).toEqual({ kind: 'filter-process', pid: 4242, descendants: true });
    expect(press(s, 'd').effect).toBeUndefined();
  });
});

describe('prompt editing', () => {
  const edit = (text: string, input: string, key: Partial<Key> = {}) => editPrompt(text, input, { ...NO_KEY, ...key });
  it('types, deletes a character, a word, the line, and ignores control characters', () => {
    expect(edit('comm=di', 'g')).toBe('comm=dig');
    expect(edit('comm=dïg', '', { backspace: true })).toBe('comm=dï');
    expect(edit('pid=1 comm=dig', 'w', { ctrl: true })).toBe('pid=1 ');
    expect(edit('pid=1', 'u', { ctrl: true })).toBe('');
    expect(edit('pid=1', '\u001b[2J')).toBeUndefined();
    expect(edit('pid=1', '', { tab: true })).toBeUndefined();
  });
});
