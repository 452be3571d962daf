import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame, FRAME_HEADER_SIZE, FrameScanner, MAX_PAYLOAD, SYNC, type ScanStep } from '../../src/nev/framing.ts';

const frames = (n: number, size = 20): Uint8Array[] =>
  Array.from({ length: n }, (_, i) =>
    encodeFrame(
      3,
      Uint8Array.from({ length: size + (i % 7) }, (_, k) => (i + k) & 0xff),
    ),
  );
const concat = (parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

/** Runs a scanner over `bytes`, fed in chunks of the given sizes, and returns its steps. */
type Step = Extract<ScanStep, { kind: 'frame' | 'damage' }>;

function scan(bytes: Uint8Array, chunks: number[] = [bytes.length]): Step[] {
  const scanner = new FrameScanner(0, bytes.length);
  const out: Step[] = [];
  let fed = 0;
  let c = 0;
  for (let guard = 0; guard < 1_000_000; guard++) {
    const step = scanner.next();
    if (step.kind === 'end') return out;
    if (step.kind === 'more') {
      const n = Math.max(1, chunks[c++ % chunks.length]!);
      expect(scanner.loadedEnd).toBe(fed);
      scanner.push(bytes.subarray(fed, fed + n));
      fed = Math.min(bytes.length, fed + n);
      continue;
    }
    out.push(step);
  }
  throw new Error('scanner did not finish');
}

const flip = (bytes: Uint8Array, at: number, mask: number): void => {
  bytes[at] = bytes[at]! ^ mask;
};

const offsets = (parts: Uint8Array[]): number[] => {
  const out: number[] = [];
  for (let i = 0; i < parts.length; i++) out.push(i === 0 ? 0 : out[i - 1]! + parts[i - 1]!.length);
  return out;
};

describe('FrameScanner', () => {
  it('yields every frame whatever the chunk sizes', () => {
    const parts = frames(30);
    const bytes = concat(parts);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 10 }), (chunks) => {
        const steps = scan(bytes, chunks);
        expect(steps.map((s) => s.kind)).toEqual(parts.map(() => 'frame'));
        expect(steps.map((s) => s.kind === 'frame' && s.offset)).toEqual(offsets(parts));
      }),
    );
  });

  it('skips a damaged frame and resumes at the next one', () => {
    const parts = frames(5);
    const bytes = concat(parts);
    const at = offsets(parts);
    flip(bytes, at[2]! + FRAME_HEADER_SIZE + 3, 0x10);
    const steps = scan(bytes, [7]);
    expect(steps.map((s) => s.kind)).toEqual(['frame', 'frame', 'damage', 'frame', 'frame']);
    expect(steps[2]).toMatchObject({ offset: at[2], end: at[3], reason: 'record checksum mismatch', cut: false });
  });

  it('catches a damaged length like damaged data', () => {
    const parts = frames(4);
    const bytes = concat(parts);
    const at = offsets(parts);
    flip(bytes, at[1]! + 6, 0x01);
    expect(scan(bytes).map((s) => [s.kind, s.offset])).toEqual([
      ['frame', at[0]],
      ['damage', at[1]],
      ['frame', at[2]],
      ['frame', at[3]],
    ]);
  });

  it('reports a frame cut by the end of the data as cut', () => {
    const parts = frames(3);
    const whole = concat(parts);
    for (const cutAt of [whole.length - 1, whole.length - parts[2]!.length + 2, whole.length - parts[2]!.length + FRAME_HEADER_SIZE + 1]) {
      const steps = scan(whole.subarray(0, cutAt), [5]);
      expect(steps.map((s) => s.kind)).toEqual(['frame', 'frame', 'damage']);
      expect(steps[2]).toMatchObject({ cut: true, end: cutAt });
    }
  });

  it('does not take a frame-shaped run inside a payload for a record boundary', () => {
    // A packet whose bytes hold a complete valid frame; its own frame is then damaged.
    const inner = encodeFrame(3, new Uint8Array([1, 2, 3]));
    const carrier = encodeFrame(3, concat([new Uint8Array(10), inner, new Uint8Array(10)]));
    const parts = [...frames(1), carrier, ...frames(1)];
    const bytes = concat(parts);
    const at = offsets(parts);
    flip(bytes, at[1]! + FRAME_HEADER_SIZE, 0xff);
    const steps = scan(bytes);
    expect(steps.map((s) => [s.kind, s.offset])).toEqual([
      ['frame', at[0]],
      ['damage', at[1]],
      ['frame', at[2]],
    ]);
  });

  it('refuses a length over the limit without reading that far', () => {
    const bytes = concat([SYNC, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 3, 0, 0, 0, 0)]);
    expect(scan(bytes)[0]).toMatchObject({ kind: 'damage', reason: `record length ${0xffffffff} is over the ${MAX_PAYLOAD}-byte limit` });
  });

  it('never throws and always ends, on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 1, max: 50 }), (noise, chunk) => {
        const bytes = concat([noise, ...frames(2), noise]);
        const steps = scan(bytes, [chunk]);
        const covered = steps.reduce((n, s) => n + (s.end - s.offset), 0);
        expect(covered).toBe(bytes.length);
      }),
    );
  });
});
