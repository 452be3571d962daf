/**
 * Summarises V8 .cpuprofile files (from `node --cpu-prof`): the functions with the most self
 * time, the most inclusive time, and self time per source file, so a profile can be read
 * without DevTools.
 *
 *   npx tsx bench/cpuprofile-top.ts [--top N] PROFILE.cpuprofile...
 *
 * Several profiles (one per thread) are merged, and (idle) is left out of the percentages.
 * Functions are keyed by name and file without line numbers: code loaded through tsx is
 * transpiled, so V8's line numbers are not the source's.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '25' } },
  allowPositionals: true,
});
const top = Number(values.top);
if (positionals.length === 0 || !Number.isInteger(top) || top < 1) {
  process.stderr.write('usage: npx tsx bench/cpuprofile-top.ts [--top N] PROFILE.cpuprofile...\n');
  process.exit(2);
}

const root = new URL('..', import.meta.url).href;
const fileOf = (f: CallFrame): string => (f.url.startsWith(root) ? f.url.slice(root.length) : f.url.replace(/^file:\/\//, ''));
const label = (f: CallFrame): string => {
  const file = fileOf(f);
  return `${f.functionName || '(anonymous)'}${file ? `  ${file}` : ''}`;
};

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const perFile = new Map<string, number>();
let total = 0;
let idle = 0;
const add = (m: Map<string, number>, k: string, v: number): void => void m.set(k, (m.get(k) ?? 0) + v);

for (const path of positionals) {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time since the previous sample: charge it to this sample's stack.
    const dt = profile.timeDeltas[i] ?? 0;
    const leaf = byId.get(id)!;
    if (leaf.callFrame.functionName === '(idle)') {
      idle += dt;
      return;
    }
    total += dt;
    add(self, label(leaf.callFrame), dt);
    add(perFile, fileOf(leaf.callFrame) || `(${leaf.callFrame.functionName})`, dt);
    // A recursive function counts once per sample in its inclusive time.
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const name = label(byId.get(n)!.callFrame);
      if (!seen.has(name)) {
        seen.add(name);
        add(inclusive, name, dt);
      }
    }
  });
}

const print = (title: string, m: Map<string, number>): void => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((100 * us) / total).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}\n`);
  }
};
process.stdout.write(`${(total / 1e6).toFixed(2)} s busy (+ ${(idle / 1e6).toFixed(2)} s idle) in ${positionals.length} profile(s)\n`);
print('self time by function', self);
print('self time by file', perFile);
inclusive.delete('(root)');
print('inclusive time by function', inclusive);
