/**
 * Start-up of the built CLI against bare node, and the TUI's first screen against termshark, in
 * one run (figures in docs/performance.md, "Start-up"):
 *
 *   npm run build && node --import tsx bench/startup.ts [--runs N] [CAPTURE]
 *
 * 1. `node -e 0`, `netrec --version`, `netrec replay` of a 10-packet pcap (JSON to /dev/null):
 *    N runs each, interleaved so that load changes hit all three alike; medians and the excess
 *    over bare node.
 * 2. `netrec tui CAPTURE` and `termshark -r CAPTURE` in a 100x30 tmux window: time from
 *    new-session to the first packet row on screen, 3 runs each, interleaved. CAPTURE defaults
 *    to bench/out/mixed-1000000.pcap (made by bench/gen-mixed-pcap.ts when missing).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 21;
const capture = args[0] ?? 'bench/out/mixed-1000000.pcap';
const work = mkdtempSync(join(tmpdir(), 'netrec-startup-'));

function ensureCapture(path: string): void {
  if (existsSync(path)) return;
  execFileSync(process.execPath, ['--import', 'tsx', 'bench/gen-mixed-pcap.ts', '--packets', '1000000', `${path}.tmp`], { stdio: 'inherit' });
  renameSync(`${path}.tmp`, path);
}

function ms(command: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command[0]!, command.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`${command.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

async function sleep(n: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, n));
}

/** ms from new-session until `firstRow` shows in the pane. */
async function firstScreen(command: string, firstRow: RegExp): Promise<number> {
  const socket = `netrec-startup-${process.pid}`;
  const tmux = (...a: string[]): string => execFileSync('tmux', ['-L', socket, ...a], { encoding: 'utf8' });
  try {
    const t0 = performance.now();
    tmux('new-session', '-d', '-s', 'b', '-x', '100', '-y', '30', command);
    const deadline = t0 + 180_000;
    while (!firstRow.test(tmux('capture-pane', '-p', '-t', 'b'))) {
      if (performance.now() > deadline) return Infinity;
      await sleep(10);
    }
    return performance.now() - t0;
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    // termshark's tshark children go on reading the capture after their window is gone: end
    // them, or they load the machine for the next run.
    while (spawnSync('pkill', ['-f', `-r ${capture}`]).status === 0) await sleep(200);
    await sleep(500);
  }
}

const ten = join(work, 'ten.pcap');
execFileSync('editcap', ['-r', 'fixtures/pcap/dns-udp.pcap', ten, '1-10']);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`node ${process.version}, load ${load()}, ${RUNS} runs each`);

const commands: Record<string, string[]> = {
  'node -e 0': [process.execPath, '-e', '0'],
  'netrec --version': [process.execPath, 'bin/netrec.mjs', '--version'],
  'netrec replay (10 packets)': ['sh', '-c', `"${process.execPath}" bin/netrec.mjs replay ${ten} > /dev/null`],
  'sh -c (the wrapper alone)': ['sh', '-c', `"${process.execPath}" -e 0 > /dev/null`],
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let i = 0; i < RUNS; i++) for (const [name, command] of Object.entries(commands)) times[name]!.push(ms(command));
const base = median(times['node -e 0']!);
const wrapper = median(times['sh -c (the wrapper alone)']!);
console.log('| command | median | above bare node |');
console.log('|---|---:|---:|');
for (const [name, xs] of Object.entries(times)) {
  const over = name.includes('replay') ? median(xs) - wrapper : median(xs) - base;
  console.log(`| ${name} | ${median(xs).toFixed(0)} ms | ${name === 'node -e 0' ? '' : `${over.toFixed(0)} ms`} |`);
}
console.log(`load after: ${load()}`);

if (spawnSync('tmux', ['-V']).status === 0) {
  ensureCapture(capture);
  const netrecRow = /\n\s+1 \d\d:\d\d:\d\d\.\d{6} \S+ +\S+ → /;
  const termsharkRow = /\n 1 +\d+\.\d+ /;
  const hasTermshark = spawnSync('sh', ['-c', 'command -v termshark']).status === 0;
  const tui: number[] = [];
  const ts: number[] = [];
  for (let i = 0; i < 3; i++) {
    tui.push(await firstScreen(`"${process.execPath}" bin/netrec.mjs tui ${capture}`, netrecRow));
    if (hasTermshark) ts.push(await firstScreen(`termshark -r ${capture}`, termsharkRow));
  }
  console.log(`\nTUI first screen on ${capture} (100x30 tmux), load ${load()}`);
  console.log(`netrec tui  runs ${tui.map((t) => t.toFixed(0)).join(', ')} ms, median ${median(tui).toFixed(0)} ms`);
  if (hasTermshark)
    console.log(`termshark   runs ${ts.map((t) => (Number.isFinite(t) ? t.toFixed(0) : '>180000')).join(', ')} ms, median ${median(ts).toFixed(0)} ms`);
}
rmSync(work, { recursive: true, force: true });
