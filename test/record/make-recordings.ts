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
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordScenario, runFixtureScript } from './cgroup-recording.ts';
import { REPO, type Child, type LiveNet } from './live-net.ts';
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
      writeFileSync(join(net.work, 'process-tree.json'), `${JSON.stringify(tree, null, 2)}\n`);
    },
  ],
];

const log = (line: string): void => void process.stderr.write(`[make-recordings] ${line}\n`);

runFixtureScript({ cgroup: 'netrec-fixtures', tag: 'fx', out: OUT, log }, async (net, cgroup, staging) => {
  const named = await net.startNamed();
  for (const [name, scenario] of FIXTURES) {
    log(`recording ${name}`);
    const recorder = await recordScenario(net, cgroup, join(staging, `${name}.nev`), () => scenario(net, named));
    log(recorder.stderr.trim().split('\n').slice(1).join('; '));
    if (name === 'process-tree') renameSync(join(net.work, 'process-tree.json'), join(staging, 'process-tree.json'));
  }
  for (const [name] of FIXTURES) {
    rmSync(join(OUT, `${name}.nev`), { recursive: true, force: true });
    renameSync(join(staging, `${name}.nev`), join(OUT, `${name}.nev`));
  }
  renameSync(join(staging, 'process-tree.json'), join(OUT, 'process-tree.json'));
});
