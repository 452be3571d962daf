/**
 * The process fuzz cases run in (forked by worker-pool.ts): it loads the corpus once, then runs
 * the cases it is sent one at a time and answers each with its verdict. Kept apart from the
 * parent so that a case that blocks the event loop for good (a synchronous read of a FIFO) can be
 * killed and reported as a hang, and so its RSS is netrec's, not the test runner's.
 */
import { loadCorpus } from './corpus.ts';
import { runCase, type FuzzCase, type Limits } from './harness.ts';

export type ToWorker = { id: number; case: FuzzCase; limits: Limits };
export type FromWorker = { ready: { name: string; kind: string }[] } | { id: number; verdict: Awaited<ReturnType<typeof runCase>> };

const shared = process.argv[2] === '-' ? undefined : process.argv[2];
const seeds = await loadCorpus(shared);
const send = (m: FromWorker): void => void process.send!(m);
send({ ready: seeds.map((s) => ({ name: s.name, kind: s.kind })) });
process.on('message', (m: ToWorker) => {
  void runCase(m.case, seeds, m.limits).then(
    (verdict) => send({ id: m.id, verdict }),
    // The harness's own failure (a mutation it could not make): said as such, not as netrec's.
    (error: unknown) =>
      send({ id: m.id, verdict: { ok: false, hung: false, failures: [`harness error: ${error instanceof Error ? error.stack : String(error)}`], runs: [] } }),
  );
});
