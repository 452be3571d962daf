/**
 * Every packet the kernel could not hand over is counted, exactly (needs root and a C compiler):
 * a recorder with the smallest ring (`--buffer-size 4KiB`, about 15 records) on a cgroup of its
 * own is stopped (SIGSTOP) while bench/udp-load.c in that cgroup sends thousands of datagrams,
 * so the ring overflows for certain. The recording's loss records and the recorder's summary
 * must then add up, with the datagrams it stored, to what the sender handed to the kernel.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIssue } from '../../src/core/source.ts';
import { findCgroup2Root } from '../../src/record/cgroup.ts';
import { openCapture } from '../../src/replay/open.ts';
import { compilerUnavailable, LiveNet, liveUnavailable, N4, netrec, REPO } from './live-net.ts';
import { summarize } from './packets.ts';

const unavailable = liveUnavailable() ?? compilerUnavailable('the ring overflow test needs clang to build its sender');
if (unavailable !== undefined) {
  if (process.env.CI === 'true') throw new Error(`${unavailable} (required on CI)`);
  console.warn(`skipping ring overflow test: ${unavailable}`);
}

const PORT = 9;
const RATE = 20_000;
const SECONDS = 1;

describe.skipIf(unavailable !== undefined)('ring buffer overflow (live, root)', () => {
  const net = new LiveNet(`o${process.pid % 100000}`);
  const cgroup = join(findCgroup2Root() ?? '/sys/fs/cgroup', `netrec-overflow-${process.pid}`);
  const recording = join(net.work, 'overflow.nev');
  let sent = 0;
  let stored = 0;
  let lossRecords = 0n;
  let summaryLost = Number.NaN;
  let recorderExit: number | null = null;

  beforeAll(async () => {
    net.setup();
    mkdirSync(cgroup, { recursive: true });
    const load = join(net.work, 'udp-load');
    execFileSync('clang', ['-O2', '-pthread', '-o', load, join(REPO, 'bench/udp-load.c')]);
    const receiver = net.spawn(load, ['recv', N4, String(PORT)], { inNs: true });
    await receiver.waitFor(/^listening$/m, 'stdout', 10_000);

    const recorder = netrec(net, ['record', '-o', recording, '--cgroup', cgroup, '--buffer-size', '4KiB']);
    await recorder.waitFor(/Ctrl-C stops/, 'stderr', 60_000);
    // Stopped, the recorder drains nothing: the ring holds its first records, the rest are lost.
    process.kill(recorder.pid, 'SIGSTOP');
    net.cgroup = cgroup; // only the sender: its sockets are the cgroup's
    const sender = net.spawn(load, ['send', N4, String(PORT), String(RATE), String(SECONDS)]);
    net.cgroup = undefined;
    await sender.exited;
    sent = Number(sender.stdout.trim());
    process.kill(recorder.pid, 'SIGCONT');
    await new Promise((r) => setTimeout(r, 300)); // it drains what the ring kept
    recorderExit = await recorder.stop('SIGINT');
    summaryLost = Number(/lost in the kernel: (\d+) packets/.exec(recorder.stderr)?.[1] ?? Number.NaN);
    await receiver.stop('SIGTERM');

    const source = await openCapture(recording);
    for await (const batch of source.batches()) {
      for (const item of batch) {
        if (isIssue(item)) lossRecords += item.lost?.kernelLost ?? 0n;
        else {
          const s = summarize(item.data);
          if (s?.proto === 17 && s.dst === N4 && s.dport === PORT && item.direction === 'egress') stored++;
        }
      }
    }
  }, 120_000);

  afterAll(() => {
    net.teardown();
    try {
      rmdirSync(cgroup);
    } catch {
      // not made, or a process is still in it (teardown killed them: the kernel frees it soon)
    }
  });

  it('overflows the ring: most datagrams are lost, those it held are stored', () => {
    expect(recorderExit).toBe(0);
    expect(sent).toBeGreaterThan(RATE / 2);
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(sent / 2);
  });

  it('counts every lost packet in the recording and in the summary', () => {
    expect(Number(lossRecords)).toBe(sent - stored);
    expect(summaryLost).toBe(sent - stored);
  });
});
