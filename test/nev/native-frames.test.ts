import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32c } from '../../src/nev/crc32c.ts';
import { checksumFrames, checksumFramesHere, FRAME_HEADER_SIZE, writeFrameHeader } from '../../src/nev/framing.ts';
import { nativeFrameChecksums, nativeFramesPath } from '../../src/nev/native-frames.ts';

// The build (scripts/build.mjs, run by the tests' global set-up as by `npm pack`) makes the
// library on x86-64 Linux with the C compiler .ci/run installs: on CI it must load, or every
// recording there would silently take the slower JavaScript path these tests compare it with.
const expected = process.platform === 'linux' && process.arch === 'x64';
const native = nativeFrameChecksums();
if (expected && native === null) {
  const reason = `the native frame checksums did not load from ${nativeFramesPath()}`;
  if (process.env.CI === 'true') throw new Error(`${reason} (required on CI: the build compiles it)`);
  console.warn(`skipping the native comparisons: ${reason}`);
}

/** Frames of the given payload sizes, back to back after `lead` bytes, their checksums blank. */
function layOut(sizes: number[], lead: number, seed: number): { bytes: Uint8Array; offsets: Int32Array } {
  const total = lead + sizes.reduce((n, s) => n + FRAME_HEADER_SIZE + s, 0);
  // A view into a larger buffer, as the write thread's chunks and blocks are.
  const bytes = new Uint8Array(total + 64).subarray(16, 16 + total);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (Math.imul(i + seed, 2654435761) >>> 24) & 0xff;
  const offsets = new Int32Array(sizes.length);
  let at = lead;
  sizes.forEach((size, i) => {
    offsets[i] = at;
    writeFrameHeader(bytes, at, (i % 9) + 1, size);
    bytes.fill(0, at + 9, at + FRAME_HEADER_SIZE);
    at += FRAME_HEADER_SIZE + size;
  });
  return { bytes, offsets };
}

/** A frame's checksum by its definition: CRC-32C of the length and type, then of the payload. */
function definedChecksum(bytes: Uint8Array, at: number): number {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(at + 4);
  const start = at + FRAME_HEADER_SIZE;
  return crc32c(bytes.subarray(start, start + length), crc32c(bytes.subarray(at + 4, at + 9)));
}

const checksumAt = (bytes: Uint8Array, at: number): number => new DataView(bytes.buffer, bytes.byteOffset).getUint32(at + 9);

describe('frame checksums of a whole chunk', () => {
  it('the JavaScript path writes each frame its defined checksum', () => {
    const { bytes, offsets } = layOut([0, 1, 7, 8, 9, 129, 511, 512, 4000], 5, 1);
    checksumFramesHere(bytes, offsets, offsets.length);
    for (const at of offsets) expect(checksumAt(bytes, at)).toBe(definedChecksum(bytes, at));
  });

  it.skipIf(native === null)('the native path writes the same bytes as the JavaScript one, for any sizes and placement', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 3000 }), { maxLength: 40 }), fc.nat({ max: 40 }), fc.nat(), (sizes, lead, seed) => {
        const a = layOut(sizes, lead, seed);
        const b = layOut(sizes, lead, seed);
        checksumFrames(a.bytes, a.offsets, a.offsets.length);
        checksumFramesHere(b.bytes, b.offsets, b.offsets.length);
        expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
        for (const at of a.offsets) expect(checksumAt(a.bytes, at)).toBe(definedChecksum(a.bytes, at));
      }),
      { numRuns: 200 },
    );
  });

  it.skipIf(native === null)('checksums only the first `count` frames, and a large one (1 MiB) too', () => {
    const { bytes, offsets } = layOut([100, 1 << 20, 100], 0, 7);
    const untouched = bytes.slice();
    checksumFrames(bytes, offsets, 2);
    expect(checksumAt(bytes, offsets[1]!)).toBe(definedChecksum(bytes, offsets[1]!));
    expect(Buffer.from(bytes.subarray(offsets[2]!)).equals(Buffer.from(untouched.subarray(offsets[2]!)))).toBe(true);
  });

  it.skipIf(native === null)('refuses a frame that does not lie within the bytes, before reading past them', () => {
    const { bytes, offsets } = layOut([10, 10], 0, 3);
    // The second frame claims more payload than there is: the native code must not read on.
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(offsets[1]! + 4, 1000);
    expect(() => checksumFrames(bytes, offsets, 2)).toThrow(/frame 1 at offset 23 does not lie within the 46 bytes/);
    expect(checksumAt(bytes, 0)).toBe(definedChecksum(bytes, 0));
    expect(() => checksumFrames(bytes, Int32Array.of(-1), 1)).toThrow(/frame 0 at offset -1/);
    expect(() => checksumFrames(bytes, Int32Array.of(40), 1)).toThrow(/frame 0 at offset 40/);
    expect(() => checksumFrames(bytes, offsets, 3)).toThrow(/3 frames to checksum, 2 offsets/);
  });
});
