/**
 * Records the signature fixtures in fixtures/signatures/recordings/ with
 * `netrec record --signatures builtin`, from real traffic:
 *
 *   sudo npx tsx test/signature/make-fixtures.ts
 *
 * For each builtin signature, a positive and a negative case (test/signature/scenarios.ts), each
 * its own recording, with the findings the recorder printed beside it (<name>.stdout.jsonl).
 * The network is the live tests' (test/record/live-net.ts: a namespace and a veth pair) with
 * named serving fixtures/signatures/dns/. As test/record/make-recordings.ts does, this process
 * moves into a fresh cgroup v2 directory before starting anything and the recorder records that
 * cgroup only (from outside it), so the recordings hold the fixtures' traffic alone. New
 * recordings replace the committed ones only when all succeeded.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordScenario, runFixtureScript } from '../record/cgroup-recording.ts';
import { REPO } from '../record/live-net.ts';
import { CASES, ZONES } from './scenarios.ts';

const OUT = join(REPO, 'fixtures/signatures/recordings');
const CONFIG = join(REPO, 'fixtures/signatures/config.json');

const log = (line: string): void => void process.stderr.write(`[make-signature-fixtures] ${line}\n`);

runFixtureScript({ cgroup: 'netrec-signature-fixtures', tag: 'sfx', out: OUT, log }, async (net, cgroup, staging) => {
  await net.startNamed(join(REPO, ZONES));
  const made: string[] = [];
  for (const c of CASES) {
    for (const [kind, scenario] of [
      ['positive', c.positive],
      ['negative', c.negative],
    ] as const) {
      const name = `${c.name}-${kind}`;
      log(`recording ${name}`);
      const recorder = await recordScenario(net, cgroup, join(staging, `${name}.nev`), () => scenario(net), [
        '--signatures',
        'builtin',
        '--signatures-config',
        CONFIG,
      ]);
      writeFileSync(join(staging, `${name}.stdout.jsonl`), recorder.stdout);
      log(recorder.stderr.trim().split('\n').slice(1).join('; '));
      made.push(name);
    }
  }
  for (const name of made) {
    for (const file of [`${name}.nev`, `${name}.stdout.jsonl`]) {
      rmSync(join(OUT, file), { recursive: true, force: true });
      renameSync(join(staging, file), join(OUT, file));
    }
  }
});
