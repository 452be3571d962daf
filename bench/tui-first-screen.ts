/**
 * How fast `netrec tui` shows a large capture, and what it holds in memory:
 *
 *   node --expose-gc --import tsx bench/tui-first-screen.ts [CAPTURE]
 *
 * Without CAPTURE it uses bench/out/mixed-1000000.pcap, generating it first with
 * bench/gen-mixed-pcap.ts (1,000,000 packets, seed 1) when it is missing.
 *
 * In-process (the App rendered by Ink to a fake 100x30 terminal): time to the first frame
 * showing decoded rows, to the complete index, to the last page (G), and to the end of a filter
 * pass; RSS and heap after each. End to end (when tmux is installed): `node bin/netrec.mjs tui`
 * started in a 100x30 tmux window, time until its first rows are on screen, polled every 20 ms,
 * which includes starting node and compiling the sources.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, renameSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { CaptureStore } from '../src/tui/store/capture-store.ts';
import type { PacketView } from '../src/tui/store/view.ts';

const DEFAULT_CAPTURE = 'bench/out/mixed-1000000.pcap';
const COLUMNS = 100;
const ROWS = 30;

/** A terminal that keeps the last frame Ink drew. */
class FakeTerminal extends Writable {
  readonly isTTY = true;
  readonly columns = COLUMNS;
  readonly rows = ROWS;
  output = '';

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.output += chunk.toString();
    if (this.output.length > 1 << 20) this.output = this.output.slice(-(1 << 16));
    done();
  }
}

/** A keyboard nobody types on (Ink needs one it can put in raw mode). */
class IdleKeyboard extends EventEmitter {
  readonly isTTY = true;
  setRawMode(): void {}
  setEncoding(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read(): null {
    return null;
  }
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function memory(): string {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return `rss ${mib(m.rss)}, heap used ${mib(m.heapUsed)}, array buffers ${mib(m.arrayBuffers)}`;
}

async function until(ready: () => boolean, what: string, ms = 600_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function ensureCapture(path: string): void {
  if (existsSync(path)) return;
  process.stderr.write(`generating ${path}\n`);
  execFileSync('npx', ['tsx', 'bench/gen-mixed-pcap.ts', '--packets', '1000000', `${path}.tmp`], { stdio: 'inherit' });
  renameSync(`${path}.tmp`, path);
}

async function inProcess(path: string): Promise<void> {
  // As netrec tui sets them up (see tui-command.ts): Ink draws nothing until exit when it thinks
  // it runs in CI, and React's development build is slower.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  process.env.NODE_ENV ??= 'production';
  const { render } = await import('ink');
  const { createElement } = await import('react');
  const { App } = await import('../src/tui/components/App.tsx');
  const terminal = new FakeTerminal();
  const t0 = performance.now();
  const store = await CaptureStore.open(path);
  const opened = performance.now() - t0;
  const app = render(createElement(App, { store, view: store.all, filter: '' }), {
    stdout: terminal as unknown as NodeJS.WriteStream,
    stdin: new IdleKeyboard() as unknown as NodeJS.ReadStream,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  // The first row decoded: its summary, not just its number and time, is on screen.
  await until(() => /\n\s+1 \d\d:\d\d:\d\d\.\d{6} \S+ +\S+ → /.test(terminal.output), 'first screen');
  const firstScreen = performance.now() - t0;
  const atFirst = memory();
  const indexedAtFirst = store.index.length;
  await until(() => store.scan.done, 'index');
  const indexed = performance.now() - t0;
  const atIndexed = memory();

  const tEnd = performance.now();
  const last = store.index.length - 1;
  store.want([last - 28, last - 1, last].filter((p) => p >= 0));
  await until(() => store.entry(last) !== undefined, 'last page');
  const lastPage = performance.now() - tEnd;

  const tFilter = performance.now();
  const { view } = store.filter('event=net_packet_dns_response');
  await until(() => view.length > 0, 'first match');
  const firstMatch = performance.now() - tFilter;
  await until(() => view.done, 'filter pass');
  const filtered = performance.now() - tFilter;
  const atFiltered = memory();
  const matchBytes = (view as PacketView & { bytesUsed(): number }).bytesUsed();

  app.unmount();
  view.close();
  await store.close();

  console.log(`capture            ${path}: ${store.index.length.toLocaleString('en-US')} packets`);
  console.log(`open               ${opened.toFixed(0)} ms`);
  console.log(`first screen       ${firstScreen.toFixed(0)} ms (${indexedAtFirst.toLocaleString('en-US')} packets indexed by then); ${atFirst}`);
  console.log(`index complete     ${indexed.toFixed(0)} ms; ${atIndexed}; index ${mib(store.index.bytesUsed())}`);
  console.log(`last page (G)      ${lastPage.toFixed(1)} ms`);
  console.log(
    `filter dns_resp    first match ${firstMatch.toFixed(0)} ms, pass done ${filtered.toFixed(0)} ms, ${view.length.toLocaleString('en-US')} matches (${mib(matchBytes)}); ${atFiltered}`,
  );
}

/** Seconds from `tmux new-session` to the first decoded row on screen, and the app's RSS then. */
async function endToEnd(path: string): Promise<void> {
  if (spawnSync('tmux', ['-V']).status !== 0) {
    console.log('end to end         skipped: tmux is not installed');
    return;
  }
  const socket = `netrec-tui-bench-${process.pid}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  try {
    const t0 = performance.now();
    tmux('new-session', '-d', '-s', 'b', '-x', String(COLUMNS), '-y', String(ROWS), `node bin/netrec.mjs tui ${path}`);
    const firstRow = /\n\s+1 \d\d:\d\d:\d\d\.\d{6} \S+ +\S+ → /;
    await until(() => firstRow.test(`\n${tmux('capture-pane', '-p', '-t', 'b')}`), 'first screen in tmux', 60_000);
    const shown = performance.now() - t0;
    await until(() => !tmux('capture-pane', '-p', '-t', 'b').includes('indexing'), 'index in tmux', 600_000);
    const indexed = performance.now() - t0;
    const pid = tmux('list-panes', '-t', 'b', '-F', '#{pane_pid}').trim();
    // The pane's shell may have exec'd node, or run it as its child (tsx's esbuild is node's child).
    const command = (p: string): string => execFileSync('ps', ['-o', 'comm=', '-p', p], { encoding: 'utf8' }).trim();
    const node = command(pid) === 'node' ? pid : spawnSync('pgrep', ['-P', pid, 'node'], { encoding: 'utf8' }).stdout.trim().split('\n')[0]!;
    const rss = Number(execFileSync('ps', ['-o', 'rss=', '-p', node], { encoding: 'utf8' }).trim()) * 1024;
    console.log(`end to end (tmux)  first screen ${shown.toFixed(0)} ms, index complete ${indexed.toFixed(0)} ms, rss ${mib(rss)}`);
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
  }
}

const path = process.argv[2] ?? DEFAULT_CAPTURE;
if (process.argv[2] === undefined) ensureCapture(path);
console.log(
  `node ${process.version}, ${(await import('node:os')).cpus().length} CPUs, load ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
await inProcess(path);
await endToEnd(path);
