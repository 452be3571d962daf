/**
 * The whole screen. It reads the capture store synchronously (rows not decoded yet show as
 * skeletons and are asked for after the render), derives every line from the UI state, and
 * hands keys to useCommands. Only the rows on screen are built.
 */
import { Box } from 'ink';
import { useEffect, useRef } from 'react';
import { useCommands } from '../hooks/use-commands.ts';
import type { Drawn } from '../state/commands.ts';
import { useStoreVersion } from '../hooks/use-store-version.ts';
import { useTerminalSize, type TerminalSize } from '../hooks/use-terminal-size.ts';
import { useUiState } from '../hooks/use-ui-state.ts';
import type { CaptureStore } from '../store/capture-store.ts';
import type { PacketView } from '../store/view.ts';
import { centerOn, currentFrame, currentPosition, initialState, treeScroll, type Frame, type Message, type UiState } from '../state/ui-state.ts';
import { detailLines, hexModel, highlightOf, treeModel } from '../views/detail-model.ts';
import { helpLines } from '../views/help-lines.ts';
import { hexLineCount } from '../views/hex.ts';
import { layoutFor, wrapLines } from '../views/layout.ts';
import { listModel, type Widest } from '../views/list-model.ts';
import { bottomMessage, emptyText, hintsFor, promptLine, statusLeft, statusRight } from '../views/status.ts';
import { findingHeader, findingLines } from '../views/finding-lines.ts';
import { processHeader, processLines, sortNeedsReach, sortProcessRows } from '../views/process-lines.ts';
import { statsLines } from '../views/stats-lines.ts';
import { streamLines, streamTitle } from '../views/stream-lines.ts';
import { BottomBar } from './BottomBar.tsx';
import { DetailPane } from './DetailPane.tsx';
import { EventList } from './EventList.tsx';
import { HexPane } from './HexPane.tsx';
import { StatusBar } from './StatusBar.tsx';
import { TextScreen } from './TextScreen.tsx';

export interface AppProps {
  store: CaptureStore;
  /** The view to start on: every packet, or the one the command line's --trace selects. */
  view: PacketView;
  /** The filter text that made `view` ('' for none). */
  filter: string;
  /** Shown until the first key (the command line filter's warnings). */
  message?: Message;
  /** A fixed size instead of the terminal's (tests). */
  size?: TerminalSize;
  /** Rows coloured by protocol and state (default); false with NO_COLOR or --no-color. */
  color?: boolean;
}

export function App({ store, view, filter, message, size: fixedSize, color = true }: AppProps) {
  useStoreVersion(store);
  const size = useTerminalSize(fixedSize);
  const [ui, handle] = useUiState(() => ({ ...initialState(view, filter), ...(message ? { message } : {}) }));
  const widest = useRef<Widest>({ flow: 0, process: 0 });

  const frame = currentFrame(ui);
  const problem = ui.prompt?.error === undefined ? [] : wrapLines(ui.prompt.error, size.columns, 3);
  const layout = layoutFor(size.rows, ui.detailOpen && ui.screen === 'events', problem.length);

  const list = listModel({
    frame,
    index: store.index,
    entry: (p) => store.entry(p),
    width: size.columns,
    height: layout.list,
    hasProcess: store.hasProcessContext,
    processes: store.processes,
    widest: widest.current,
    timeFormat: ui.timeFormat,
    hidden: ui.hidden,
    ...(ui.search !== undefined && ui.search.view === frame.view ? { highlight: ui.search.text.toLowerCase() } : {}),
    ...(store.scan.findingPackets.size > 0 ? { marked: (n: number) => store.scan.findingPackets.has(n) } : {}),
  });
  widest.current = list.widest;

  const position = currentPosition(ui);
  const selected = position < 0 ? undefined : store.entry(position);
  const tree =
    ui.detailOpen && selected !== undefined
      ? treeModel(selected, frame.view, store.processes, store.hasProcessContext, ui.tree?.position === position ? ui.tree.closed : undefined)
      : undefined;
  const scroll = treeScroll(ui, tree?.home ?? 0);
  const highlight = tree === undefined || selected === undefined ? undefined : highlightOf(selected, tree.lines[scroll.cursor]);
  const hex = selected === undefined || !ui.detailOpen ? undefined : hexModel(selected, highlight, layout.hex, ui.focus === 'hex' ? ui.hexTop : undefined);

  // The orders by DNS names and remote addresses count in the stats pass (started on first use).
  const reachStats = ui.screen === 'processes' && sortNeedsReach(ui.processes.sort) ? store.stats() : undefined;
  const processRows = ui.screen === 'processes' ? sortProcessRows(store.processes.rows(!ui.processes.all), ui.processes.sort, reachStats?.reach) : [];
  // store.stats() starts the stats pass the first time the screen is shown, then returns it.
  const stream = ui.screen === 'stream' && ui.stream !== undefined ? streamLines(ui.stream.view, ui.stream.hex) : [];
  const text =
    ui.screen === 'stats'
      ? statsLines(store.stats(), store.index, store.scan, size.columns)
      : ui.screen === 'process-stats' && ui.drill !== undefined
        ? statsLines(ui.drill.stats, store.index, store.scan, size.columns, ui.drill.title)
        : ui.screen === 'help'
          ? helpLines()
          : stream.map((l) => l.text);
  const shown: Drawn = {
    layout,
    ...(tree ? { tree } : {}),
    hexTop: hex?.top ?? 0,
    hexLines: selected === undefined ? 0 : hexLineCount(selected.packet.data.length),
    processRows,
    textLines: text.length,
    findings: store.scan.findings.length,
    ...(frame.view === store.all && store.index.tail !== undefined ? { tail: store.tailView() } : {}),
  };
  const drawn = useRef(shown);
  drawn.current = shown;

  useCommands(store, handle, drawn);

  // Decode what is on screen and the pages either side (so paging finds them ready); the store
  // skips what it has or is reading.
  useEffect(() => {
    store.want(neighbourhood(frame, layout.list));
  });

  // A follow starts from a packet: select it as soon as its view has found it.
  useEffect(() => {
    const f = currentFrame(handle.current());
    if (f.anchor === undefined) return;
    const row = f.view.rowAtOrAfter(f.anchor);
    const found = row < f.view.length && f.view.positionAt(row) === f.anchor;
    if (!found && !f.view.done) return;
    handle.update((s) => landed(s, found ? row : f.cursor, layout.list));
  });

  return (
    <Box flexDirection="column" width={size.columns} height={layout.height}>
      <StatusBar left={statusLeft(store, ui)} right={statusRight(store, ui)} width={size.columns} />
      {ui.screen === 'events' && (
        <>
          <EventList header={list.header} rows={list.rows} height={layout.list} focused={ui.focus === 'list'} empty={emptyText(store, frame)} color={color} />
          {ui.detailOpen && (
            <DetailPane
              title={
                selected !== undefined
                  ? `Detail: packet ${selected.packet.number}${ui.focus === 'detail' ? '  (Enter/←/→ open and close)' : '  (Tab to move in it)'}`
                  : position < 0
                    ? 'Detail: no row'
                    : 'Detail (reading…)'
              }
              lines={tree === undefined ? [] : detailLines(tree, scroll, layout.detail)}
              height={layout.detail}
              focused={ui.focus === 'detail'}
            />
          )}
          {ui.detailOpen && <HexPane title={hex?.title ?? 'Bytes'} lines={hex?.lines ?? []} height={layout.hex} focused={ui.focus === 'hex'} />}
        </>
      )}
      {ui.screen === 'processes' && (
        <TextScreen
          title={
            store.hasProcessContext
              ? processHeader(
                  size.columns,
                  ui.processes.sort,
                  reachStats && { examined: reachStats.examined, packets: store.index.length, done: reachStats.done },
                )
              : 'Processes'
          }
          lines={
            store.hasProcessContext
              ? processLines(processRows, size.columns, ui.processes.sort, reachStats?.reach).slice(ui.processes.top)
              : ['This capture carries no process context (a plain pcap or pcapng).', 'Recordings made by `netrec record` have it.']
          }
          {...(store.hasProcessContext ? { selected: ui.processes.cursor - ui.processes.top } : {})}
          height={layout.body}
        />
      )}
      {ui.screen === 'findings' && (
        <TextScreen
          title={findingHeader(size.columns)}
          lines={
            store.scan.findings.length > 0
              ? findingLines(store.scan.findings.slice(ui.findings.top, ui.findings.top + layout.body), size.columns)
              : [
                  'No findings. `netrec record --signatures ...` stores what signatures find in the recording;',
                  '`netrec replay --signatures ...` finds them in any capture.',
                ]
          }
          {...(store.scan.findings.length > 0 ? { selected: ui.findings.cursor - ui.findings.top } : {})}
          height={layout.body}
        />
      )}
      {ui.screen === 'stream' && ui.stream !== undefined && (
        <TextScreen
          title={streamTitle(ui.stream.view)}
          lines={text.slice(ui.textTop)}
          {...(color ? { colors: stream.slice(ui.textTop).map((l) => (l.fromClient === undefined ? 'yellow' : l.fromClient ? 'red' : 'blue')) } : {})}
          height={layout.body}
        />
      )}
      {ui.screen === 'process-stats' && (
        <TextScreen
          title={`Process ${ui.drill?.title ?? ''}: its flows and DNS (Esc: back to the processes)`}
          lines={text.slice(ui.textTop)}
          height={layout.body}
        />
      )}
      {ui.screen === 'stats' && <TextScreen title="Stats" lines={text.slice(ui.textTop)} height={layout.body} />}
      {ui.screen === 'help' && <TextScreen title="Help (↑↓ scroll, any other key closes)" lines={text.slice(ui.textTop)} height={layout.body} />}
      <BottomBar prompt={promptLine(ui)} problem={problem} {...(bottomMessage(ui) ? { message: bottomMessage(ui)! } : {})} hints={hintsFor(ui)} />
    </Box>
  );
}

/** Rows a page above and below the screen, and the screen itself, as index positions. */
function neighbourhood(frame: Frame, rows: number): number[] {
  const first = Math.max(0, frame.top - rows);
  const last = Math.min(frame.view.length, frame.top + 2 * rows);
  const positions: number[] = [];
  for (let row = first; row < last; row++) positions.push(frame.view.positionAt(row));
  return positions;
}

function landed(s: UiState, row: number, rows: number): UiState {
  const stack = [...s.stack];
  const top = stack[stack.length - 1]!;
  const view = top.view;
  stack[stack.length - 1] = { view, ...(view.length > 0 ? centerOn(row, view.length, rows) : { cursor: 0, top: 0 }) };
  return { ...s, stack };
}
