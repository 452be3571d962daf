/**
 * A replay worker thread (its own entry point in the build: dist/replay-worker.js). Each batch
 * goes through the same replay() as one thread uses — decode, events, filter, JSON — over a
 * source that yields just that batch, into a JSON sink that collects the bytes; the bytes go
 * back to the main thread, which writes them in batch order.
 */
import { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { compileFilters } from '../../filter/compile.ts';
import type { PacketSource } from '../../core/source.ts';
import { jsonSink } from '../../sink/json-sink.ts';
import { replay } from '../replay.ts';
import { unpack, type PackedBatch } from './batch.ts';
import type { BatchResult, WorkerSetup } from './protocol.ts';
import { ReplayedReassembler } from './tcp-dns.ts';

const setup = workerData as WorkerSetup;
const filter = compileFilters(setup.trace, { hasProcessContext: setup.hasProcessContext });
const streams = new ReplayedReassembler();
let chunks: Uint8Array[] = [];
/**
 * A chunk this large is the sink's own buffer, handed over by JsonWriter.take() (which starts a
 * new one), so its memory moves to the main thread as it is; smaller ones may sit in Node's
 * shared buffer pool and are copied. If a sink ever wrote into a buffer it had handed out, the
 * transfer would show it: the parallel-vs-one-thread output test compares every byte.
 */
const TRANSFER_BYTES = 64 * 1024;
// Never full: the main thread bounds what is in flight.
const collector = new Writable({
  highWaterMark: 2 ** 30,
  write(chunk: Uint8Array, _encoding, done) {
    chunks.push(chunk.byteLength >= TRANSFER_BYTES ? chunk : Uint8Array.prototype.slice.call(chunk));
    done();
  },
});
const sink = jsonSink(collector);

async function run(batch: PackedBatch): Promise<BatchResult> {
  const runs = unpack(batch, setup.names);
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
  // Nothing refers to the packets' bytes once their events are written: the buffer goes back.
  return { seq: batch.seq, chunks: out, issues: found, packets: stats.packets, matched: stats.matched, events: stats.events, bytes: batch.bytes };
}

// One batch at a time, in arrival order.
let queue = Promise.resolve();
parentPort!.on('message', (batch: PackedBatch | null) => {
  queue = queue.then(async () => {
    // The end: no more batches; closing the port lets the thread exit.
    if (batch === null) return parentPort!.close();
    const result = await run(batch);
    parentPort!.postMessage(result, [...new Set([result.bytes, ...result.chunks.map((c) => c.buffer as ArrayBuffer)])]);
  });
});
