/**
 * The detail and hex panes for the selected packet: the tree's visible lines around its
 * cursor, the bytes of the node under the cursor, and the hex lines on screen.
 */
import type { DetailLine } from '../components/DetailPane.tsx';
import { rowEvent, type Entry } from '../store/entry.ts';
import type { ProcessTable } from '../store/process-table.ts';
import type { PacketView } from '../store/view.ts';
import type { Scroll } from '../state/ui-state.ts';
import { byteRange, type ByteRange } from './byte-ranges.ts';
import { terminalText } from '../../core/terminal-text.ts';
import { eventTree, homeLine, initiallyClosed, lineText, processNode, visibleLines, type TreeLine } from './event-tree.ts';
import { hexLine, hexLineCount, lineOf, type HexLine } from './hex.ts';

export interface TreeModel {
  lines: TreeLine[];
  closed: ReadonlySet<string>;
  /** The line of the row's event, where the cursor starts. */
  home: number;
}

/** The tree of `entry` with `closed` nodes (the defaults when undefined). */
export function treeModel(entry: Entry, view: PacketView, processes: ProcessTable, hasProcess: boolean, closed: ReadonlySet<string> | undefined): TreeModel {
  const task = entry.packet.task;
  const known = task === undefined ? undefined : processes.get(task.hostProcessId);
  const process = processNode(task, known, task === undefined ? [] : processes.ancestors(task), hasProcess);
  const roots = [process, ...eventTree(entry.events, rowEvent(entry, view.shows))];
  const shut = closed ?? initiallyClosed(roots);
  const lines = visibleLines(roots, shut);
  return { lines, closed: shut, home: homeLine(lines) };
}

/** The lines on screen; names from the capture (a process's comm) go through `terminalText`. */
export function detailLines(tree: TreeModel, scroll: Scroll, height: number): DetailLine[] {
  return tree.lines
    .slice(scroll.top, scroll.top + height)
    .map((line, i) => ({ text: terminalText(lineText(line)), selected: scroll.top + i === scroll.cursor }));
}

/** The bytes the tree's cursor stands for. */
export function highlightOf(entry: Entry, line: TreeLine | undefined): ByteRange | undefined {
  const event = line?.node.event;
  if (line === undefined || event === undefined) return undefined;
  return byteRange(entry.packet, entry.decoded, event.eventName, line.node.field);
}

export interface HexModel {
  title: string;
  lines: HexLine[];
  /** First line shown. */
  top: number;
}

/** `top` when the hex pane is being scrolled by hand, else the line that shows the highlight. */
export function hexModel(entry: Entry, highlight: ByteRange | undefined, height: number, top: number | undefined): HexModel {
  const data = entry.packet.data;
  const total = hexLineCount(data.length);
  const wanted = top ?? (highlight === undefined ? 0 : lineOf(highlight.start));
  const first = Math.max(0, Math.min(wanted, total - height));
  const lines: HexLine[] = [];
  for (let i = first; i < Math.min(total, first + height); i++) lines.push(hexLine(data, i, highlight));
  const cut = data.length < entry.packet.originalLength ? ` of ${entry.packet.originalLength} on the wire` : '';
  const marked = highlight === undefined ? '' : `, bytes ${highlight.start}-${highlight.end - 1} marked`;
  return { title: `Bytes: ${data.length}${cut}${marked}`, lines, top: first };
}
