/**
 * Keys → commands. One table drives both the dispatch and the help screen, so `?` never lies
 * about a key. Prompts (filter, search, jump) take text and are handled apart.
 */
import type { Key } from 'ink';
import type { Pane, Screen } from './ui-state.ts';

export type Command =
  | { kind: 'move'; by: number }
  | { kind: 'page'; by: 1 | -1 }
  | { kind: 'home' }
  | { kind: 'end' }
  | { kind: 'enter' }
  | { kind: 'open' }
  | { kind: 'close' }
  | { kind: 'pane'; step: 1 | -1 }
  | { kind: 'prompt'; prompt: 'filter' | 'search' | 'jump' | 'columns' | 'save' }
  | { kind: 'time' }
  | { kind: 'stream' }
  | { kind: 'hex' }
  | { kind: 'again'; direction: 1 | -1 }
  | { kind: 'follow' }
  | { kind: 'descendants' }
  | { kind: 'all-processes' }
  | { kind: 'sort' }
  | { kind: 'drill' }
  | { kind: 'back' }
  | { kind: 'screen'; screen: Screen }
  | { kind: 'quit' };

/** Where the keys go: the screen, and on the events screen the focused pane. */
export interface KeyContext {
  screen: Screen;
  focus: Pane;
}

interface Binding {
  keys: string;
  help: string;
  /** Screens (and for 'events', panes) where it applies; all when absent. */
  where?: readonly (Screen | Pane)[];
  match: (input: string, key: Key) => boolean;
  command: Command;
}

const ch =
  (...inputs: string[]) =>
  (input: string, key: Key) =>
    !key.ctrl && !key.meta && inputs.includes(input);

export const BINDINGS: readonly Binding[] = [
  { keys: '↓ j', help: 'next row / line', match: (i, k) => k.downArrow || ch('j')(i, k), command: { kind: 'move', by: 1 } },
  { keys: '↑ k', help: 'previous row / line', match: (i, k) => k.upArrow || ch('k')(i, k), command: { kind: 'move', by: -1 } },
  { keys: 'PgDn space', help: 'next page', match: (i, k) => k.pageDown || ch(' ')(i, k) || (k.ctrl && i === 'f'), command: { kind: 'page', by: 1 } },
  { keys: 'PgUp b', help: 'previous page', match: (i, k) => k.pageUp || ch('b')(i, k) || (k.ctrl && i === 'b'), command: { kind: 'page', by: -1 } },
  { keys: 'g Home', help: 'first row', match: (i, k) => k.home || ch('g')(i, k), command: { kind: 'home' } },
  { keys: 'G End', help: 'last row (a recording still being indexed: its last packets)', match: (i, k) => k.end || ch('G')(i, k), command: { kind: 'end' } },
  {
    keys: 'Enter',
    help: 'detail on/off; in the tree: open/close; in processes: its packets; in findings: the packet',
    match: (_i, k) => k.return,
    command: { kind: 'enter' },
  },
  { keys: '→ l', help: 'detail: open a node', where: ['detail'], match: (i, k) => k.rightArrow || ch('l')(i, k), command: { kind: 'open' } },
  { keys: '← h', help: 'detail: close a node', where: ['detail'], match: (i, k) => k.leftArrow || ch('h')(i, k), command: { kind: 'close' } },
  { keys: 'Tab', help: 'next pane (list, detail, hex)', where: ['events'], match: (_i, k) => k.tab && !k.shift, command: { kind: 'pane', step: 1 } },
  { keys: 'S-Tab', help: 'previous pane', where: ['events'], match: (_i, k) => k.tab && k.shift, command: { kind: 'pane', step: -1 } },
  { keys: 'f', help: 'filter (--trace expressions; empty clears)', where: ['events'], match: ch('f'), command: { kind: 'prompt', prompt: 'filter' } },
  { keys: '/', help: 'search the rows', where: ['events'], match: ch('/'), command: { kind: 'prompt', prompt: 'search' } },
  { keys: 'n N', help: 'next / previous match', where: ['events'], match: ch('n'), command: { kind: 'again', direction: 1 } },
  { keys: '', help: '', where: ['events'], match: ch('N'), command: { kind: 'again', direction: -1 } },
  { keys: ':', help: 'jump to a packet number or a time', where: ['events'], match: ch(':', '#'), command: { kind: 'prompt', prompt: 'jump' } },
  { keys: 'F', help: 'follow: the TCP/UDP flow, or the DNS query and its response', where: ['events'], match: ch('F'), command: { kind: 'follow' } },
  {
    keys: 'S',
    help: "stream: the TCP/UDP conversation's payload both ways, as Wireshark's Follow Stream",
    where: ['events'],
    match: ch('S'),
    command: { kind: 'stream' },
  },
  { keys: 'x', help: 'stream: text or hex', where: ['stream'], match: ch('x'), command: { kind: 'hex' } },
  { keys: 'w', help: 'stream: save what it shows to a file', where: ['stream'], match: ch('w'), command: { kind: 'prompt', prompt: 'save' } },
  { keys: 't', help: 'time: UTC, local, since the first packet, since the previous one', where: ['events'], match: ch('t'), command: { kind: 'time' } },
  {
    keys: 'c',
    help: 'columns: hide or show time, process, event, addresses, summary',
    where: ['events'],
    match: ch('c'),
    command: { kind: 'prompt', prompt: 'columns' },
  },
  { keys: 'd', help: 'processes: show the packets of it and its descendants', where: ['processes'], match: ch('d'), command: { kind: 'descendants' } },
  { keys: 'a', help: 'processes: show all processes, not only those with packets', where: ['processes'], match: ch('a'), command: { kind: 'all-processes' } },
  { keys: 'i', help: 'processes: its flows, DNS transactions and names', where: ['processes'], match: ch('i'), command: { kind: 'drill' } },
  {
    keys: 'o',
    help: 'processes: order as a tree, by packets, bytes, DNS names, remotes or start time',
    where: ['processes'],
    match: ch('o'),
    command: { kind: 'sort' },
  },
  { keys: 'p', help: 'process tree with packet and byte counts', match: ch('p'), command: { kind: 'screen', screen: 'processes' } },
  { keys: 's', help: 'stats: protocols, top talkers, top DNS names', match: ch('s'), command: { kind: 'screen', screen: 'stats' } },
  { keys: '!', help: "findings of the recording's signatures (Enter: go to the packet)", match: ch('!'), command: { kind: 'screen', screen: 'findings' } },
  { keys: 'Esc', help: 'back: leave a follow, a screen, the detail', match: (_i, k) => k.escape, command: { kind: 'back' } },
  { keys: '?', help: 'this help', match: ch('?'), command: { kind: 'screen', screen: 'help' } },
  { keys: 'q', help: 'quit', match: (i, k) => ch('q')(i, k) || (k.ctrl && i === 'c'), command: { kind: 'quit' } },
];

export function keyCommand(input: string, key: Key, context: KeyContext): Command | undefined {
  for (const b of BINDINGS) {
    if (b.where !== undefined && !b.where.includes(context.screen) && !(context.screen === 'events' && b.where.includes(context.focus))) continue;
    if (b.match(input, key)) return b.command;
  }
  return undefined;
}
