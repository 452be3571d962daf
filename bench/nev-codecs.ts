/**
 * The measurement behind the choice of `--compress` codec (docs/format.md, "Compression: the
 * choice"): size and speed of candidate codecs on the framed packet records of a capture,
 * compressed in blocks as the writer does.
 *
 *   npx tsx bench/nev-codecs.ts [--snaplen N] [--block BYTES] capture.pcap
 *
 * Compares lz4-napi (the choice) with node:zlib's deflate and brotli; fflate is added when it is
 * installed (it is not a dependency: `npm install --no-save fflate` to include it). Ethernet
 * frames are cut to L3 first, as the recorder stores packets.
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import * as zlib from 'node:zlib';
import { LinkType } from '../src/core/packet.ts';
import { encodeFrame } from '../src/nev/framing.ts';
import { encodeRecord } from '../src/nev/segment-writer.ts';
import { openCapture } from '../src/replay/open.ts';
import { isIssue } from '../src/core/source.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { snaplen: { type: 'string', default: '65535' }, block: { type: 'string', default: '65536' } },
});
if (positionals.length !== 1) {
  process.stderr.write('usage: npx tsx bench/nev-codecs.ts [--snaplen N] [--block BYTES] capture.pcap\n');
  process.exit(2);
}
const snaplen = Number(values.snaplen);
const blockSize = Number(values.block);

const frames: Uint8Array[] = [];
for await (const batch of (await openCapture(positionals[0]!)).batches()) {
  for (const p of batch) {
    if (isIssue(p)) continue;
    const l3 = p.linkType === LinkType.ETHERNET ? p.data.subarray(14) : p.data;
    const i = frames.length;
    const r = encodeRecord({
      kind: 'packet',
      timestamp: p.timestamp,
      linkType: LinkType.RAW,
      originalLength: p.originalLength,
      data: l3.subarray(0, snaplen),
      cpu: i & 3,
      direction: 'egress',
      ifindex: 2,
      socketCookie: 4097n,
      task: i % 16,
    });
    frames.push(encodeFrame(r.type, r.payload));
  }
}
const blocks: Buffer[] = [];
let group: Uint8Array[] = [];
let groupBytes = 0;
for (const frame of frames) {
  group.push(frame);
  groupBytes += frame.length;
  if (groupBytes >= blockSize) {
    blocks.push(Buffer.concat(group));
    group = [];
    groupBytes = 0;
  }
}
if (group.length > 0) blocks.push(Buffer.concat(group));
const plain = blocks.reduce((n, b) => n + b.length, 0);

type Codec = [compress: (b: Buffer) => Uint8Array, decompress: (b: Uint8Array) => Uint8Array];
const codecs: Record<string, Codec> = {};
const req = createRequire(import.meta.url);
const lz4 = req('lz4-napi') as { compressSync(b: Buffer): Buffer; uncompressSync(b: Uint8Array): Buffer };
codecs['lz4-napi'] = [(b) => lz4.compressSync(b), (b) => lz4.uncompressSync(b)];
for (const level of [1, 6]) {
  codecs[`node:zlib deflateRaw ${level}`] = [(b) => zlib.deflateRawSync(b, { level }), (b) => zlib.inflateRawSync(b)];
}
for (const quality of [1, 4]) {
  const params = { [zlib.constants.BROTLI_PARAM_QUALITY]: quality };
  codecs[`node:zlib brotli ${quality}`] = [(b) => zlib.brotliCompressSync(b, { params }), (b) => zlib.brotliDecompressSync(b)];
}
try {
  const fflate = req('fflate') as { deflateSync(b: Uint8Array, o: { level: number }): Uint8Array; inflateSync(b: Uint8Array): Uint8Array };
  for (const level of [1, 6] as const) codecs[`fflate deflate ${level}`] = [(b) => fflate.deflateSync(b, { level }), (b) => fflate.inflateSync(b)];
} catch {
  process.stderr.write('(fflate not installed: skipped)\n');
}

const rows = [
  `${positionals[0]}, snaplen ${snaplen}: ${frames.length} packets, ${plain} bytes framed (${(plain / frames.length).toFixed(1)} B/packet), ${blocks.length} blocks of ${blockSize}`,
  '',
];
rows.push('| codec | size vs plain | B/packet | compress MB/s | decompress MB/s |', '|---|---:|---:|---:|---:|');
for (const [name, [compress, decompress]] of Object.entries(codecs)) {
  for (const b of blocks) decompress(compress(b)); // warm up
  let t = performance.now();
  const packed = blocks.map(compress);
  const tc = (performance.now() - t) / 1000;
  t = performance.now();
  for (const p of packed) decompress(p);
  const td = (performance.now() - t) / 1000;
  const size = packed.reduce((n, p) => n + p.length, 0);
  rows.push(
    `| ${name} | ${(size / plain).toFixed(3)} | ${(size / frames.length).toFixed(1)} | ${(plain / 1e6 / tc).toFixed(0)} | ${(plain / 1e6 / td).toFixed(0)} |`,
  );
}
process.stdout.write(`${rows.join('\n')}\n`);
