/**
 * What the builtin signatures cost in replay: the same capture replayed with and without
 * `--signatures builtin`, in the same run, alternating, JSON output to /dev/null.
 *
 *   npx tsx bench/signatures.ts [--packets 1000000] [--runs 3] [--capture FILE]
 *
 * The capture is bench/gen-mixed-pcap.ts's deterministic mix (made once in /tmp unless --capture
 * names one). CPU is user + system time of each replay process (bash's `time`); the machine is
 * shared, so CPU time, not wall time, is the figure, judged on each side's fastest run (other
 * jobs only add to it), with the medians and the load average printed beside it. Exits 1 when
 * the builtins cost more than 25%.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'bin/netrec.mjs');

const { values } = parseArgs({
  options: {
    packets: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '3' },
    capture: { type: 'string' },
  },
});
const packets = Number(values.packets);
const runs = Number(values.runs);
const capture = values.capture ?? `/tmp/netrec-bench-mixed-${packets}.pcap`;
if (!existsSync(capture)) {
  process.stderr.write(`generating ${capture}\n`);
  execFileSync(process.execPath, ['--import', 'tsx', join(REPO, 'bench/gen-mixed-pcap.ts'), '--packets', String(packets), capture], {
    stdio: 'inherit',
    cwd: REPO,
  });
}

/** CPU seconds (user + system) and wall seconds of one replay process, output to /dev/null. */
function replayCpu(extra: string[]): { cpu: number; wall: number } {
  const cmd = `TIMEFORMAT='%U %S %R'; time "${process.execPath}" "${CLI}" replay "${capture}" ${extra.join(' ')} >/dev/null`;
  const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`replay failed: ${r.stderr}`);
  const [user, sys, wall] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { cpu: user! + sys!, wall: wall! };
}

/** The findings, from a separate untimed run. */
function findingCounts(): string {
  const out = execFileSync(process.execPath, [CLI, 'replay', capture, '--signatures', 'builtin', '--findings-only'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const counts = new Map<string, number>();
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const id = (JSON.parse(line) as { SigMetadata: { ID: string } }).SigMetadata.ID;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return [...counts].map(([id, n]) => `${id} ${n}`).join(', ') || 'none';
}

const load = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
const plain: number[] = [];
const signed: number[] = [];
for (let i = 0; i < runs; i++) {
  const a = replayCpu([]);
  const b = replayCpu(['--signatures', 'builtin']);
  plain.push(a.cpu);
  signed.push(b.cpu);
  process.stderr.write(
    `run ${i + 1}: without ${a.cpu.toFixed(2)} s CPU (${a.wall.toFixed(2)} s wall), with builtins ${b.cpu.toFixed(2)} s CPU (${b.wall.toFixed(2)} s wall)\n`,
  );
}
const findings = findingCounts();
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
// Other jobs only ever add CPU time (contention for caches and cores): the fastest run of each
// side is the closest to its own cost, the median says how noisy the machine was.
const ratio = Math.min(...signed) / Math.min(...plain);
console.log(`capture: ${capture} (${packets} packets), ${runs} runs each, alternating`);
console.log(
  `load average before: ${load}; after: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
console.log(
  `replay, JSON to /dev/null: CPU without signatures min ${Math.min(...plain).toFixed(2)} s, median ${median(plain).toFixed(2)} s; with --signatures builtin min ${Math.min(...signed).toFixed(2)} s, median ${median(signed).toFixed(2)} s`,
);
console.log(`findings: ${findings}`);
console.log(
  `cost of the builtins: +${((ratio - 1) * 100).toFixed(1)}% CPU by the fastest runs, +${((median(signed) / median(plain) - 1) * 100).toFixed(1)}% by the medians (limit +25%)`,
);
process.exitCode = ratio <= 1.25 ? 0 : 1;
