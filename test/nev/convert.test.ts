import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RecordingWriter } from '../../src/nev/recording-writer.ts';
import { openCapture } from '../../src/replay/open.ts';
import { isIssue } from '../../src/core/source.ts';
import { requireShared } from '../helpers/shared.ts';
import { cli, scratch, task } from './helpers.ts';

const path = scratch('convert');
const fixtures = fileURLToPath(new URL('../../fixtures/pcap', import.meta.url));
const shared = requireShared('pcaps');
const captures = [
  ...readdirSync(fixtures).map((f) => join(fixtures, f)),
  ...(shared
    ? readdirSync(shared)
        .filter((f) => /\.pcap(ng)?$/.test(f))
        .map((f) => join(shared, f))
    : []),
];

/** Decode issues name the packet, not the file: comparable across the two inputs. */
const packetIssues = (stderr: string): string[] =>
  stderr
    .split('\n')
    .map((line) => /: (packet \d+: .*)$/.exec(line)?.[1])
    .filter((x): x is string => x !== undefined);

describe('netrec convert', () => {
  it.each(captures.map((c) => [c.split('/').at(-1)!, c]))('%s replays exactly as the capture does', async (name, capture) => {
    const out = path(`${name}.nev`);
    const converted = await cli(['convert', capture, '-o', out]);
    if (!existsSync(out)) {
      // Not a capture at all: convert refuses it as replay does.
      expect(converted.code).toBe(1);
      expect((await cli(['replay', capture])).code).toBe(1);
      return;
    }
    const [direct, viaNev] = [await cli(['replay', capture]), await cli(['replay', out])];
    expect(viaNev.out).toBe(direct.out);
    expect(packetIssues(viaNev.err)).toEqual(packetIssues(direct.err));
    for (const output of ['table']) {
      expect((await cli(['replay', out, '--output', output])).out).toBe((await cli(['replay', capture, '--output', output])).out);
    }
  });

  it('refuses a non-empty target without --force, and rotates on capture time', async () => {
    const capture = join(fixtures, 'mixed.pcapng');
    const out = path('rotated.nev');
    expect((await cli(['convert', capture, '-o', out])).code).toBe(0);
    const again = await cli(['convert', capture, '-o', out]);
    expect(again.code).toBe(2);
    expect(again.err).toContain('is not empty; use --force');
    expect((await cli(['convert', capture, '-o', out, '--force', '--compress', '--rotate-seconds', '0.25'])).code).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith('.nevseg')).length).toBeGreaterThan(1);
    expect((await cli(['replay', out])).out).toBe((await cli(['replay', capture])).out);
    expect((await cli(['convert', capture, '-o', out, '--force', '--rotate-size', '12 parsecs'])).code).toBe(2);
  });

  it('rotates at 64 MiB when no --rotate-size is given, as its help says', async () => {
    // 150,000 packets of the bench mix: about 73 MB of pcap, so more than one 64 MiB segment.
    const capture = path('big.pcap');
    const made = spawnSync('npx', ['tsx', 'bench/gen-mixed-pcap.ts', '--packets', '150000', capture], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const out = path('big.nev');
    expect((await cli(['convert', capture, '-o', out])).code).toBe(0);
    const sizes = readdirSync(out)
      .filter((f) => f.endsWith('.nevseg'))
      .map((f) => statSync(join(out, f)).size);
    expect(sizes.length).toBe(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(64 * 2 ** 20);
    expect((await cli(['info', out])).out).toMatch(/^packets +150000 /m);
  }, 120_000);
});

describe('replaying a recording', () => {
  it('shows each packet with its process', async () => {
    const source = await openCapture(join(fixtures, 'dns-udp.pcap'));
    const out = path('with-tasks.nev');
    const w = new RecordingWriter({ dir: out, snaplen: 65535, origin: 'netrec record' });
    let i = 0;
    for await (const batch of source.batches()) {
      for (const p of batch) if (!isIssue(p)) w.writePacket({ ...p, task: task(i++ % 2 ? 42 : 43, i % 2 ? 'dig' : 'named') });
    }
    w.close();
    const events = (await cli(['replay', out])).out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { processName: string; processId: number; hostProcessId: number });
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => `${e.processName}/${e.processId}/${e.hostProcessId}`))).toEqual(new Set(['dig/43/1043', 'named/42/1042']));
  });
});
