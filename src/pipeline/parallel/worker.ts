/**
 * A replay worker thread (its own entry point in the build: dist/replay-worker.js). Each batch
 * goes through the same replay() as one thread uses — decode, events, filter, JSON — over a
 * source that yields just that batch, into a JSON sink that collects the bytes; the bytes go
 * back to the main thread, which writes them in batch order.
 */
import { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { compileFilters } from '../../filter/compile.ts';
import type { PacketSource } from '../../replay/source.ts';
import { jsonSink } from '../../sink/json-sink.ts';
import { replay } from '../replay.ts';
import { unpack, type PackedBatch } from './batch.ts';
import type { BatchResult, WorkerSetup } from './protocol.ts';
import { ReplayedReassembler } from './tcp-dns.ts';

const setup = workerData as WorkerSetup;
const filter = compileFilters(setup.trace, { hasProcessContext: setup.hasProcessContext });
const streams = new ReplayedReassembler();
let chunks: Uint8Array[] = [];
// Never full: the main thread bounds what is in flight.
const collector = new Writable({
  highWaterMark: 2 ** 30,
  write(chunk: Uint8Array, _encoding, done) {
    // A copy: the sink may reuse its buffer once the write returns.
    const copy = new Uint8Array(chunk.length);
    copy.set(chunk);
    chunks.push(copy);
    done();
  },
});
const sink = jsonSink(collector);

async function run(batch: PackedBatch): Promise<BatchResult> {
  const runs = unpack(batch);
  streams.load(batch.streams);
  const found: BatchResult['issues'] = [];
  const sources: PacketSource[] = runs.map(({ source, items }) => ({
    name: setup.names[source]!,
    hasProcessContext: setup.hasProcessContext,
    batches: async function* () {
      yield items;
    },
  }));
  const stats = await replay({
    sources,
    events: setup.events,
    ...(filter.accept ? { accept: filter.accept } : {}),
    sink,
    report: (issue, i) => found.push([issue, runs[i]!.source]),
    order: 'concat',
    window: setup.window,
    reassemblers: () => streams,
  });
  const out = chunks;
  chunks = [];
  return { seq: batch.seq, chunks: out, issues: found, packets: stats.packets, matched: stats.matched, events: stats.events };
}

// One batch at a time, in arrival order.
let queue = Promise.resolve();
parentPort!.on('message', (batch: PackedBatch) => {
  queue = queue.then(async () => {
    const result = await run(batch);
    parentPort!.postMessage(result, result.chunks.map((c) => c.buffer as ArrayBuffer));
  });
});
