/**
 * The frame checksums of a whole chunk in one native call (native/frame-crc.c, built into
 * dist/native/ by scripts/build.mjs, called through koffi). The recorder's write thread checksums
 * hundreds of thousands of small frames a second: in JavaScript that was the largest single cost
 * of a live recording (docs/performance.md, "Fourth pass"); the SSE4.2 crc32 instruction does a
 * 170-byte frame in about 30 ns (240–260 in JavaScript), and one call per chunk keeps the FFI's
 * cost per call (about a microsecond) off each frame. Without the library (another architecture, a build without a C
 * compiler) or without SSE4.2, framing.ts computes the same checksums in JavaScript.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../core/package.ts';

/** Checksums the frames at `offsets[0..count)` of `bytes`; returns -1, or the first bad frame's index. */
export type FrameChecksums = (bytes: Uint8Array, size: number, offsets: Int32Array, count: number) => number;

/** The library's path in the build (and so in the installed package). */
export function nativeFramesPath(): string {
  return join(packageRoot(), 'dist', 'native', `frame-crc-${process.platform}-${process.arch}.so`);
}

let loaded: FrameChecksums | null | undefined;

/** The native checksummer, or null where it cannot run here (loaded once per thread). */
export function nativeFrameChecksums(): FrameChecksums | null {
  if (loaded === undefined) loaded = load();
  return loaded;
}

function load(): FrameChecksums | null {
  const path = nativeFramesPath();
  if (process.env.NETREC_NO_NATIVE_CRC === '1' || !existsSync(path)) return null;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const lib = koffi.load(path);
    const supported = lib.func('int netrec_crc32c_supported(void)') as () => number;
    if (supported() !== 1) return null;
    return lib.func('int32_t netrec_checksum_frames(uint8_t *buf, size_t size, const int32_t *offsets, int32_t count)') as FrameChecksums;
  } catch {
    return null; // not loadable here (another architecture's build): JavaScript does it
  }
}
