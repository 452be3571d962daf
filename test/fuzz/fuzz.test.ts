/**
 * The fuzz slice `npm test` runs: a fixed fast-check seed, a bounded number of cases over the
 * fixtures, recordings made for it and the shared captures, each run in a forked worker under a
 * watchdog (worker-pool.ts) and checked by harness.ts. Then the committed regression cases, each
 * a failure the fuzzer found. Longer runs: `node --import tsx test/fuzz/run.ts --runs N`.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { requireShared } from '../helpers/shared.ts';
import { caseArbitrary, DEFAULT_LIMITS, type FuzzCase } from './harness.ts';
import { FuzzWorker } from './worker-pool.ts';

/** Cases in the slice: about 12 s on an idle 2-core machine, well under a minute when shared. */
const SLICE_RUNS = 400;
const SLICE_SEED = 20_241_207;

const worker = new FuzzWorker(requireShared('pcaps'));
afterAll(() => worker.kill());

const regressions = (JSON.parse(readFileSync(new URL('./regressions.json', import.meta.url), 'utf8')) as { cases: { found: string; case: FuzzCase }[] }).cases;

describe('fuzzing replay, info, verify, verify --repair, convert and the table and JSON sinks', () => {
  it(`${SLICE_RUNS} seeded cases: exit 0/1/2, no exception, JSON lines, no raw control characters, bounded time and RSS`, async () => {
    const seeds = await worker.start();
    expect(seeds.length).toBeGreaterThan(15);
    await fc.assert(
      fc.asyncProperty(caseArbitrary(seeds), async (c) => {
        const verdict = await worker.run(c, DEFAULT_LIMITS);
        if (!verdict.ok) throw new Error(`case ${JSON.stringify(c)}\n${verdict.failures.join('\n')}`);
      }),
      { seed: SLICE_SEED, numRuns: SLICE_RUNS, endOnFailure: true },
    );
  }, 120_000);

  it.each(regressions.map((r) => [r.found, r.case] as const))(
    'regression: %s',
    async (_found, c) => {
      const verdict = await worker.run(c, DEFAULT_LIMITS);
      expect(verdict.failures).toEqual([]);
      expect(verdict.runs.length).toBeGreaterThan(0);
    },
    120_000,
  );
});
