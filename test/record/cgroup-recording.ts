/**
 * Recording fixtures from real traffic without the rest of the machine in them: the script moves
 * itself into a fresh cgroup v2 directory before starting anything (so every process of the
 * scenarios lives there), and `netrec record --cgroup` records that cgroup from outside it.
 * Used by test/record/make-recordings.ts and test/signature/make-fixtures.ts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findCgroup2Root } from '../../src/record/cgroup.ts';
import { LiveNet, liveUnavailable, REPO, type Child } from './live-net.ts';

export interface OwnCgroup {
  root: string;
  path: string;
  /** Moves this process back to the root and removes the cgroup; says so when it cannot. */
  leave(log: (line: string) => void): void;
}

/** Moves this process into `<cgroup2 root>/<name>`. */
export function enterOwnCgroup(name: string): OwnCgroup {
  const root = findCgroup2Root();
  if (root === undefined) throw new Error('no cgroup v2 hierarchy');
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'cgroup.procs'), String(process.pid));
  return {
    root,
    path,
    leave(log) {
      writeFileSync(join(root, 'cgroup.procs'), String(process.pid));
      try {
        rmdirSync(path);
      } catch (err) {
        log(`cgroup ${path} left behind: ${(err as Error).message} (${readFileSync(join(path, 'cgroup.procs'), 'utf8').trim()})`);
      }
    },
  };
}

/**
 * Records `scenario` into `dir` with `netrec record --cgroup <cgroup> ...extra`; the recorder
 * leaves the cgroup before it starts, so it is not part of the recording. Resolves with the
 * stopped recorder (stdout and stderr collected); throws when it does not exit 0.
 */
export async function recordScenario(net: LiveNet, cgroup: OwnCgroup, dir: string, scenario: () => Promise<unknown>, extra: string[] = []): Promise<Child> {
  const recorder = net.spawn('sh', [
    '-c',
    `echo $$ > ${join(cgroup.root, 'cgroup.procs')} && exec "$0" "$@"`,
    process.execPath,
    join(REPO, 'bin/netrec.mjs'),
    'record',
    '-o',
    dir,
    '--cgroup',
    cgroup.path,
    ...extra,
  ]);
  await recorder.waitFor(/Ctrl-C stops/, 'stderr', 60_000);
  await scenario();
  await new Promise((r) => setTimeout(r, 300)); // the last replies reach the recorder
  const code = await recorder.stop('SIGINT');
  if (code !== 0) throw new Error(`recorder exited ${code}: ${recorder.stderr}`);
  return recorder;
}

/**
 * Runs a fixture-making script: checks that live capture can run here, enters `cgroup` (a name
 * under the cgroup v2 root), sets up a LiveNet tagged `tag` and a staging directory inside `out`,
 * runs `body`, and tears everything down whatever happens. A failure is one line and exit 1.
 */
export function runFixtureScript(
  opts: { cgroup: string; tag: string; out: string; log: (line: string) => void },
  body: (net: LiveNet, cgroup: OwnCgroup, staging: string) => Promise<void>,
): void {
  const main = async (): Promise<void> => {
    const unavailable = liveUnavailable();
    if (unavailable !== undefined) throw new Error(unavailable);
    const cgroup = enterOwnCgroup(opts.cgroup);
    const net = new LiveNet(opts.tag);
    mkdirSync(opts.out, { recursive: true });
    const staging = mkdtempSync(join(opts.out, '.staging-'));
    try {
      net.setup();
      await body(net, cgroup, staging);
      opts.log('done');
    } finally {
      net.teardown();
      rmSync(staging, { recursive: true, force: true });
      cgroup.leave(opts.log);
    }
  };
  main().catch((err: unknown) => {
    opts.log(`failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
