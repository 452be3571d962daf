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
 *
 * Against termshark, on a recording (issue 17):
 *
 *   node --import tsx bench/tui-first-screen.ts --versus 10000000 [--cap SECONDS]
 *
 * generates bench/out/mixed-N.pcap (bench/gen-mixed-pcap.ts) and converts it with `netrec
 * convert` into bench/out/mixed-N.nev (both kept for the next run), then in one run, one after
 * the other in a 100x30 tmux window: `netrec tui` on the .nev and `termshark -r` on the pcap it
 * came from (termshark reads no .nev). For each: time to the first packet row, time from then
 * until G shows the last packet (termshark: G pressed every second until its last row shows),
 * peak RSS and CPU time of the tool's processes (termshark's tshark children included) when the
 * last row showed. Each tool gets at most --cap seconds (default 600); one that has not shown
 * its last packet by then is reported as not finished.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync } from 'node:fs';
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

/** Peak RSS (VmHWM) and CPU seconds of `pid` and its descendants, from /proc. */
function usage(pid: number): { rss: number; cpu: number } {
  let rss = 0;
  let cpu = 0;
  const visit = (p: number): void => {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      rss += Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime, fields 14 and 15 of stat (11 and 12 after the command), in clock ticks.
      cpu += (Number(fields[11]) + Number(fields[12])) / 100;
      for (const c of spawnSync('pgrep', ['-P', String(p)], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n'))
        if (c !== '') visit(Number(c));
    } catch {
      // The process ended meanwhile.
    }
  };
  visit(pid);
  return { rss, cpu };
}

function descendants(pid: number): number[] {
  const children = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout.trim();
  return children === '' ? [] : children.split('\n').flatMap((c) => [Number(c), ...descendants(Number(c))]);
}

interface VersusRun {
  firstRow: number;
  /** ms from the first row until the last packet showed; Infinity when it did not within the cap. */
  lastRow: number;
  /** Peak RSS and CPU seconds when the last packet showed (or at the cap). */
  rss: number;
  cpu: number;
  /** ms from the start until the tool said it had read everything, and the figures then. */
  complete?: { ms: number; rss: number; cpu: number };
}

/**
 * One tool in a 100x30 tmux window: `command`'s first row (`firstRow`), then G until `lastRow`
 * shows (pressed again every second: termshark's G goes to the last packet loaded so far).
 */
async function versusRun(command: string, firstRow: RegExp, lastRow: RegExp, capMs: number, complete?: (screen: string) => boolean): Promise<VersusRun> {
  const socket = `netrec-tui-versus-${process.pid}`;
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const screen = (): string => `\n${tmux('capture-pane', '-p', '-t', 'b')}`;
  try {
    const t0 = performance.now();
    tmux('new-session', '-d', '-s', 'b', '-x', String(COLUMNS), '-y', String(ROWS), `exec ${command}`);
    const pid = Number(tmux('list-panes', '-t', 'b', '-F', '#{pane_pid}').trim());
    const deadline = t0 + capMs;
    while (!firstRow.test(screen())) {
      if (performance.now() > deadline) return { firstRow: Infinity, lastRow: Infinity, ...usage(pid) };
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const first = performance.now();
    let pressed = 0;
    while (!lastRow.test(screen())) {
      if (performance.now() > deadline) return { firstRow: first - t0, lastRow: Infinity, ...usage(pid) };
      if (performance.now() - pressed > 1000) {
        tmux('send-keys', '-t', 'b', 'G');
        pressed = performance.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const shown = { firstRow: first - t0, lastRow: performance.now() - first, ...usage(pid) };
    if (complete === undefined) return shown;
    while (!complete(screen())) {
      if (performance.now() > deadline) return shown;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { ...shown, complete: { ms: performance.now() - t0, ...usage(pid) } };
  } finally {
    // termshark's tshark children may outlive the window (their own process groups): end each
    // by its pid, or they load the machine for the next run.
    const started = descendants(Number(tmux('list-panes', '-t', 'b', '-F', '#{pane_pid}').trim()));
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const p of started) {
      try {
        process.kill(p, 'SIGTERM');
      } catch {
        // Gone with the window.
      }
    }
  }
}

async function versus(packets: number, capMs: number): Promise<void> {
  const pcap = `bench/out/mixed-${packets}.pcap`;
  const nev = `bench/out/mixed-${packets}.nev`;
  if (!existsSync(pcap)) {
    process.stderr.write(`generating ${pcap}\n`);
    execFileSync('npx', ['tsx', 'bench/gen-mixed-pcap.ts', '--packets', String(packets), `${pcap}.tmp`], { stdio: 'inherit' });
    renameSync(`${pcap}.tmp`, pcap);
  }
  if (!existsSync(nev)) {
    process.stderr.write(`converting it into ${nev}\n`);
    execFileSync(process.execPath, ['bin/netrec.mjs', 'convert', pcap, '-o', nev], { stdio: 'inherit' });
  }
  const last = String(packets);
  const netrec = await versusRun(
    `node bin/netrec.mjs tui --no-color ${nev}`,
    // Decoded rows: the arrow between the endpoints (without spaces around it in narrow columns).
    /\n\s+1 \d\d:\d\d:\d\d\.\d{6} .*→/,
    new RegExp(`\n${last} \\d\\d:\\d\\d:\\d\\d\\.\\d{6} .*→`),
    capMs,
    // The header says "(indexing …)" until the scan is done.
    (screen) => !screen.split('\n')[1]!.includes('(indexing'),
  );
  const hasTermshark = spawnSync('sh', ['-c', 'command -v termshark']).status === 0;
  const termshark = hasTermshark ? await versusRun(`termshark -r ${pcap}`, /\n 1 +\d+\.\d+ /, new RegExp(`\n ?${last} +\\d+\\.\\d+ `), capMs) : undefined;
  const cell = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : `not within ${capMs / 1000} s`);
  console.log(`| ${packets.toLocaleString('en-US')} packets | first row | G: last packet shown | peak RSS, CPU then | all read | peak RSS, CPU then |`);
  console.log('|---|---:|---:|---:|---:|---:|');
  const row = (name: string, r: VersusRun): void =>
    console.log(
      `| ${name} | ${cell(r.firstRow)} | ${cell(r.lastRow)} | ${mib(r.rss)}, ${r.cpu.toFixed(1)} s | ${
        r.complete === undefined ? 'not measured | ' : `${cell(r.complete.ms)} | ${mib(r.complete.rss)}, ${r.complete.cpu.toFixed(1)} s`
      } |`,
    );
  row(`\`netrec tui\` (${nev})`, netrec);
  if (termshark !== undefined) row(`\`termshark -r\` (${pcap})`, termshark);
  else console.log('| termshark | not installed (apt-get install termshark) | | | |');
}

const versusAt = process.argv.indexOf('--versus');
if (versusAt >= 0) {
  const capAt = process.argv.indexOf('--cap');
  const load = (await import('node:os')).loadavg().map((l) => l.toFixed(2));
  console.log(`node ${process.version}, load ${load.join(' ')} at the start`);
  await versus(Number(process.argv[versusAt + 1]), capAt >= 0 ? Number(process.argv[capAt + 1]) * 1000 : 600_000);
  console.log(
    `load ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at the end`,
  );
  process.exit(0);
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
