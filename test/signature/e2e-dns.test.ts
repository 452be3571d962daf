/**
 * Tracee's e2e DNS signature, reproduced as its HOWTO says (needs root): bind9's named in a
 * network namespace serves uol.com.br with the records the signature waits for; on the host,
 * `nslookup -type=mx|ns|soa|txt uol.com.br` asks it while `netrec record --signatures builtin`
 * records. The servers and clients run in a cgroup of their own that the recorder captures, so
 * nothing else on the machine is in the recording. Exactly one finding: on the recorder's stdout,
 * in the recording, and again from a replay of the recording.
 */
import { mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { netrec as cli } from '../helpers/cli.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCgroup2Root } from '../../src/record/cgroup.ts';
import { LiveNet, liveUnavailable, netrec, REPO, sh, type Child } from '../record/live-net.ts';
import { e2eDnsPositive, ZONES } from './scenarios.ts';

function unavailableHere(): string | undefined {
  const live = liveUnavailable();
  if (live !== undefined) return live;
  if (spawnSync('sh', ['-c', 'command -v nslookup']).status !== 0) return 'the e2e DNS test needs nslookup (Debian bind9-dnsutils)';
  if (findCgroup2Root() === undefined) return 'the e2e DNS test needs a cgroup v2 hierarchy';
  return undefined;
}

const unavailable = unavailableHere();
if (unavailable !== undefined) {
  if (process.env.CI === 'true') throw new Error(`${unavailable} (required on CI)`);
  console.warn(`skipping the live e2e DNS signature test: ${unavailable}`);
}

describe.skipIf(unavailable !== undefined)("Tracee's e2e DNS signature, live (root)", () => {
  const net = new LiveNet(`e${process.pid % 100000}`);
  const cgroup = join(findCgroup2Root() ?? '/nonexistent', `netrec-e2e-dns-${process.pid}`);
  const recording = join(net.work, 'e2e-dns.nev');
  let recorder: Child;
  let named: Child;
  let exit: number | null = null;

  beforeAll(async () => {
    mkdirSync(cgroup, { recursive: true });
    net.setup();
    net.cgroup = cgroup;
    named = await net.startNamed(join(REPO, ZONES));
    // The recorder itself stays outside the captured cgroup.
    net.cgroup = undefined;
    recorder = netrec(net, ['record', '-o', recording, '--cgroup', cgroup, '--signatures', 'builtin']);
    await recorder.waitFor(/Ctrl-C stops/, 'stderr', 60_000);
    net.cgroup = cgroup;
    await e2eDnsPositive(net);
    await new Promise((r) => setTimeout(r, 300));
    exit = await recorder.stop('SIGINT');
  });

  afterAll(async () => {
    net.teardown();
    for (let i = 0; i < 50; i++) {
      try {
        rmdirSync(cgroup);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100)); // its last processes are still exiting
      }
    }
    sh('sh', ['-c', `echo "cgroup ${cgroup} left behind" >&2`]);
  });

  it('prints exactly one finding while recording, and says so in the summary', () => {
    expect(exit, recorder.stderr).toBe(0);
    const printed = recorder.stdout.split('\n').filter((l) => l !== '');
    expect(printed).toHaveLength(1);
    const f = JSON.parse(printed[0]!) as {
      Data: unknown;
      Event: { Payload: { eventName: string; hostProcessId: number; args: { name: string; value: unknown }[] } };
      SigMetadata: unknown;
    };
    expect(f.SigMetadata).toEqual({
      ID: 'DNS',
      Version: '0.1.0',
      Name: 'Network DNS Test',
      EventName: '',
      Description: 'Network E2E Tests: DNS',
      Tags: ['e2e', 'network'],
      Properties: null,
    });
    expect(f.Data).toEqual({});
    expect(f.Event.Payload.eventName).toBe('net_packet_dns');
    // The fourth answer (TXT) completes the set: named's copy of it comes before nslookup's.
    expect(f.Event.Payload.hostProcessId).toBe(named.pid);
    expect(f.Event.Payload.args[0]).toEqual({ name: 'src', type: 'const char*', value: '172.16.17.2' });
    expect(JSON.stringify(f.Event.Payload)).toContain('v=spf1 include:spf.uol.com.br ~all');
    expect(recorder.stderr).toMatch(/netrec: signatures: 7 loaded, 1 finding \(1 stored in the recording\)/);
  });

  it('stores that finding in the recording: replay and info show it', () => {
    const stored = cli(['replay', recording, '--findings-only']);
    expect(stored.status, stored.stderr).toBe(0);
    expect(stored.stdout).toBe(recorder.stdout);
    const info = cli(['info', recording]);
    expect(info.stdout).toMatch(/^findings +1 \(DNS 1; /m);
  });

  it('with --signatures-strict, a signature that throws stops the recording, which is still sealed (exit 1)', async () => {
    const sigs = join(net.work, 'strict');
    mkdirSync(sigs);
    writeFileSync(
      join(sigs, 'throws.ts'),
      "export default { metadata: { id: 'THROWS', version: '1', name: 't', description: '', tags: [] }, selectedEvents: ['net_packet_dns'], onEvent(): void { throw new Error('no'); } };\n",
    );
    const strict = join(net.work, 'strict.nev');
    net.cgroup = undefined;
    const rec = netrec(net, ['record', '-o', strict, '--cgroup', cgroup, '--signatures', sigs, '--signatures-strict']);
    await rec.waitFor(/Ctrl-C stops/, 'stderr', 60_000);
    net.cgroup = cgroup;
    await e2eDnsPositive(net).catch(() => undefined); // the recorder may stop in the middle
    const code = await Promise.race([rec.exited, new Promise((r) => setTimeout(() => r('still running'), 10_000))]);
    expect(code, rec.stderr).toBe(1);
    expect(rec.stderr).toMatch(/^netrec: error: signature THROWS \(.*throws\.ts\): onEvent threw on live packet \d+ \(net_packet_dns, timestamp \d+\): no$/m);
    const verify = cli(['verify', strict]);
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
  });

  it('finds it again, the same, when the signatures run over the recording', () => {
    const again = cli(['replay', recording, '--signatures', 'builtin', '--findings-only']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe(recorder.stdout);
  });
});
