/**
 * Records the .nev fixtures in fixtures/recordings/ with `netrec record`, from real traffic.
 *
 *   sudo npx tsx test/record/make-recordings.ts
 *
 * Same network as the live tests (test/record/live-net.ts): a namespace with bind9's named and
 * netcat servers, clients on the host. This process moves itself into a fresh cgroup v2
 * directory before creating anything, so every process of the scenarios (and the namespace's
 * own kernel sockets) lives there, and the recorder runs with --cgroup on it: the recordings
 * hold the fixture traffic and its processes only, nothing else of the machine. The recorder
 * itself runs outside that cgroup. New recordings replace the committed ones only when all
 * succeeded.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findCgroup2Root } from '../../src/record/cgroup.ts';
import { LiveNet, liveUnavailable, REPO, type Child } from './live-net.ts';
import * as scenarios from './scenarios.ts';

const OUT = join(REPO, 'fixtures/recordings');

const FIXTURES: [string, (net: LiveNet, named: Child) => Promise<unknown>][] = [
  ['dns', (net, named) => scenarios.dns(net, named)],
  ['tcp', (net) => scenarios.tcp(net)],
  ['udp', (net) => scenarios.udp(net)],
  ['icmp', (net) => scenarios.icmp(net)],
  ['icmpv6', (net) => scenarios.icmpv6(net)],
  [
    'process-tree',
    async (net) => {
      const { tree } = await scenarios.processTree(net);
      // The pids, for the tests: they cannot find them from names alone.
      writeFileSync(join(net.work, 'process-tree.json'), JSON.stringify(tree, null, 2) + '\n');
    },
  ],
];

const log = (line: string): void => void process.stderr.write(`[make-recordings] ${line}\n`);

async function main(): Promise<void> {
  const unavailable = liveUnavailable();
  if (unavailable !== undefined) throw new Error(unavailable);
  const root = findCgroup2Root();
  if (root === undefined) throw new Error('no cgroup v2 hierarchy');
  const cgroup = join(root, 'netrec-fixtures');
  mkdirSync(cgroup, { recursive: true });
  writeFileSync(join(cgroup, 'cgroup.procs'), String(process.pid));

  const net = new LiveNet('fx');
  const staging = mkdtempSync(join(OUT, '.staging-'));
  try {
    net.setup();
    const named = await net.startNamed();
    for (const [name, scenario] of FIXTURES) {
      const dir = join(staging, `${name}.nev`);
      log(`recording ${name}`);
      // The recorder leaves our cgroup before it starts: it is not part of the fixture.
      const recorder = net.spawn('sh', [
        '-c',
        `echo $$ > ${join(root, 'cgroup.procs')} && exec "$0" "$@"`,
        process.execPath,
        join(REPO, 'bin/netrec.mjs'),
        'record',
        '-o',
        dir,
        '--cgroup',
        cgroup,
      ]);
      await recorder.waitFor(/Ctrl-C stops/, 'stderr', 60_000);
      await scenario(net, named);
      await new Promise((r) => setTimeout(r, 300));
      const code = await recorder.stop('SIGINT');
      if (code !== 0) throw new Error(`recorder exited ${code}: ${recorder.stderr}`);
      log(recorder.stderr.trim().split('\n').slice(1).join('; '));
      if (name === 'process-tree') renameSync(join(net.work, 'process-tree.json'), join(staging, 'process-tree.json'));
    }
    for (const [name] of FIXTURES) {
      rmSync(join(OUT, `${name}.nev`), { recursive: true, force: true });
      renameSync(join(staging, `${name}.nev`), join(OUT, `${name}.nev`));
    }
    renameSync(join(staging, 'process-tree.json'), join(OUT, 'process-tree.json'));
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
