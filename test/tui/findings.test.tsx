/**
 * The TUI's findings screen (`!`) over a recording made by `netrec record --signatures builtin`
 * (fixtures/signatures/recordings, real traffic): the findings the recorder stored, a jump to the
 * packet that triggered one, and the mark on that packet's row.
 */
import { readFileSync } from 'node:fs';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { clockTime } from '../../src/format/time.ts';
import { App } from '../../src/tui/components/App.tsx';
import { openIndexed, until } from './helpers/store.ts';

const RECORDING = 'fixtures/signatures/recordings/syn-scan-positive';

const apps: ReturnType<typeof render>[] = [];
afterEach(() => {
  for (const a of apps.splice(0)) a.unmount();
});

async function open(path: string) {
  const store = await openIndexed(path);
  const app = render(<App store={store} view={store.filter('').view} filter="" size={{ columns: 200, rows: 30 }} />);
  apps.push(app);
  const frame = (): string => app.lastFrame() ?? '';
  return {
    frame,
    sees: (text: string | RegExp) =>
      until(() => (typeof text === 'string' ? frame().includes(text) : text.test(frame())), 5_000, `the screen to show ${String(text)}:\n${frame()}`),
    press: async (...keys: string[]) => {
      for (const k of keys) {
        app.stdin.write(k);
        await new Promise((r) => setTimeout(r, 30));
      }
    },
  };
}

describe('the findings screen', () => {
  it("lists the recording's findings and goes to the packet that triggered one", async () => {
    // What the recorder printed when it found them (its stdout, kept beside the recording).
    const printed = readFileSync(`${RECORDING}.stdout.jsonl`, 'utf8').trim().split('\n');
    expect(printed.map((l) => (JSON.parse(l) as { SigMetadata: { ID: string } }).SigMetadata.ID)).toEqual(['NETREC-UNRESOLVED-CONNECT', 'NETREC-SYN-SCAN']);
    // The scan's triggering event's time, read from the text (JSON.parse would round the 64-bit integer).
    const scanTime = clockTime(BigInt(printed[1]!.match(/"Payload":\{"timestamp":(\d+)/)![1]!)).slice(0, 15);

    const { frame, sees, press } = await open(`${RECORDING}.nev`);
    await sees(/ 2 findings \(!\)/);
    await press('!');
    await sees('Severity');
    const lines = frame().split('\n');
    const first = lines.findIndex((l) => l.includes('NETREC-UNRESOLVED-CONNECT'));
    expect(lines[first]).toMatch(
      /^1 \(low\) +\d\d:\d\d:\d\d\.\d{6} +\d+ NETREC-UNRESOLVED-CONNECT +nc\/\d+ +\{address: 172\.16\.17\.2, comm: nc, pid: \d+, port: 1\}$/,
    );
    expect(lines[first + 1]).toMatch(
      /^2 \(medium\) +\d\d:\d\d:\d\d\.\d{6} +\d+ NETREC-SYN-SCAN +nc\/\d+ +\{comm: nc, openRatio: 0, pid: \d+, ports: 20, seconds: [\d.]+, target: 172\.16\.17\.2\}$/,
    );
    const scanPacket = lines[first + 1]!.match(/\.\d{6} +(\d+) NETREC-SYN-SCAN/)![1]!;

    await press('j', '\r');
    await sees(new RegExp(`^ *!${scanPacket} `, 'm'));
    // The selected row is that packet: its time is the time of the SYN the recorder reported.
    const selected = frame()
      .split('\n')
      .find((l) => new RegExp(`^ *!${scanPacket} `).test(l))!;
    expect(selected).toContain(scanTime);
    expect(selected).toMatch(/nc\/\d+ +tcp /);
  });

  it('says how to get findings when a capture has none', async () => {
    const { sees, press } = await open('fixtures/pcap/icmp.pcap');
    await sees('EchoRequest');
    await press('!');
    await sees('No findings. `netrec record --signatures ...` stores what signatures find in the recording;');
  });
});
