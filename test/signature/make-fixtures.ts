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
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findCgroup2Root } from '../../src/record/cgroup.ts';
import { LiveNet, liveUnavailable, REPO } from '../record/live-net.ts';
import { CASES, ZONES } from './scenarios.ts';

const OUT = join(REPO, 'fixtures/signatures/recordings');
const CONFIG = join(REPO, 'fixtures/signatures/config.json');

const log = (line: string): void => void process.stderr.write(`[make-signature-fixtures] ${line}\n`);

async function main(): Promise<void> {
  const unavailable = liveUnavailable();
  if (unavailable !== undefined) throw new Error(unavailable);
  const root = findCgroup2Root();
  if (root === undefined) throw new Error('no cgroup v2 hierarchy');
  const cgroup = join(root, 'netrec-signature-fixtures');
  mkdirSync(cgroup, { recursive: true });
  writeFileSync(join(cgroup, 'cgroup.procs'), String(process.pid));

  const net = new LiveNet('sfx');
  mkdirSync(OUT, { recursive: true });
  const staging = mkdtempSync(join(OUT, '.staging-'));
  const made: string[] = [];
  try {
    net.setup();
    await net.startNamed(join(REPO, ZONES));
    for (const c of CASES) {
      for (const [kind, scenario] of [
        ['positive', c.positive],
        ['negative', c.negative],
      ] as const) {
        const name = `${c.name}-${kind}`;
        log(`recording ${name}`);
        // The recorder leaves our cgroup before it starts: it is not part of the fixture.
        const recorder = net.spawn('sh', [
          '-c',
          `echo $$ > ${join(root, 'cgroup.procs')} && exec "$0" "$@"`,
          process.execPath,
          join(REPO, 'bin/netrec.mjs'),
          'record',
          '-o',
          join(staging, `${name}.nev`),
          '--cgroup',
          cgroup,
          '--signatures',
          'builtin',
          '--signatures-config',
          CONFIG,
        ]);
        await recorder.waitFor(/Ctrl-C stops/, 'stderr', 60_000);
        await scenario(net);
        await new Promise((r) => setTimeout(r, 300));
        const code = await recorder.stop('SIGINT');
        if (code !== 0) throw new Error(`recorder exited ${code}: ${recorder.stderr}`);
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
    log('done');
  } finally {
    net.teardown();
    rmSync(staging, { recursive: true, force: true });
    writeFileSync(join(root, 'cgroup.procs'), String(process.pid));
    try {
      rmdirSync(cgroup);
    } catch (err) {
      log(`cgroup ${cgroup} left behind: ${(err as Error).message} (${readFileSync(join(cgroup, 'cgroup.procs'), 'utf8').trim()})`);
    }
  }
}

main().catch((err: unknown) => {
  log(`failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
