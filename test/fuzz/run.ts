/**
 * The fuzzer standalone, for runs longer than the test slice:
 *
 *   node --import tsx test/fuzz/run.ts --runs 5000 [--seed N] [--no-shared] [--time-limit-ms 20000]
 *   node --import tsx test/fuzz/run.ts --case '<case JSON printed by a failure>'
 *
 * Prints progress, and for each failure the case as one line of JSON (add it to
 * regressions.json once fixed) with what failed. Exit 1 when any case failed.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { caseArbitrary, DEFAULT_LIMITS, type FuzzCase } from './harness.ts';
import { FuzzWorker } from './worker-pool.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    case: { type: 'string' },
    'no-shared': { type: 'boolean' },
    'time-limit-ms': { type: 'string' },
  },
});
const shared = fileURLToPath(new URL('../../../shared/pcaps', import.meta.url));
const worker = new FuzzWorker(values['no-shared'] || !existsSync(shared) ? undefined : shared);
const seeds = await worker.start();
const limits = { ...DEFAULT_LIMITS, ...(values['time-limit-ms'] ? { ms: Number(values['time-limit-ms']) } : {}) };

if (values.case !== undefined) {
  const verdict = await worker.run(JSON.parse(values.case) as FuzzCase, limits);
  await worker.kill();
  for (const r of verdict.runs) console.log(`netrec ${r.args.join(' ')}  -> exit ${r.code ?? 'threw'} in ${r.ms} ms`);
  for (const f of verdict.failures) console.log(`FAIL ${f}`);
  process.exit(verdict.ok ? 0 : 1);
}

const runs = Number(values.runs);
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 0x7fffffff;
console.log(`fuzzing ${runs} cases over ${seeds.length} seeds, fast-check seed ${seed}`);
const started = performance.now();
let done = 0;
let failed = 0;
/** Exit codes per command: a fuzzer that only ever sees exit 1 explores nothing past the first check. */
const codes = new Map<string, Map<string, number>>();
const samples = fc.sample(caseArbitrary(seeds), { seed, numRuns: runs });
for (const c of samples) {
  const verdict = await worker.run(c, limits);
  done++;
  for (const r of verdict.runs) {
    const key = r.args.slice(0, r.args[1] === '--repair' ? 2 : 1).join(' ');
    const byCode = codes.get(key) ?? new Map<string, number>();
    byCode.set(String(r.code ?? 'threw'), (byCode.get(String(r.code ?? 'threw')) ?? 0) + 1);
    codes.set(key, byCode);
  }
  if (!verdict.ok) {
    failed++;
    console.log(`FAIL case ${JSON.stringify(c)}`);
    for (const f of verdict.failures) console.log(`  ${f}`);
  }
  if (done % 100 === 0) {
    const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
    console.log(`${done}/${runs} cases, ${failed} failed, ${((performance.now() - started) / 1000).toFixed(0)} s, RSS ${rss} MiB`);
  }
}
await worker.kill();
console.log(`done: ${done} cases, ${failed} failed, ${((performance.now() - started) / 1000).toFixed(1)} s`);
for (const [command, byCode] of [...codes].sort())
  console.log(
    `  ${command}: ${[...byCode]
      .sort()
      .map(([code, n]) => `exit ${code} x${n}`)
      .join(', ')}`,
  );
process.exit(failed > 0 ? 1 : 0);
