/**
 * A worker thread that finishes and writes segment bytes (write-worker.ts), so the recorder's
 * thread only encodes: it fills a chunk of shared memory with frames whose checksums are left
 * blank, and at each flush hands the chunk over (one message per chunk, not per record). The
 * thread computes each frame's CRC-32C, the segment's running checksum, and writes the chunk.
 *
 * Chunks are reused in turn; a flush that finds the next one still being written waits for it
 * (the disk sets the pace, as a blocking write(2) did). Waiting is synchronous (Atomics.wait),
 * so flush(), checksum() and sealing keep the synchronous contract of the segment writer: once
 * checksum() returns, every flushed byte is in the kernel. A failed write (disk full) is kept
 * by the thread and thrown on the recorder's thread by the next flush or wait, with its code.
 *
 * Crash safety is that of the synchronous writer plus the chunks in flight: a SIGKILL loses
 * what was flushed less than a write's time ago, besides what the flush interval bounds.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../core/package.ts';
import { FRAME_HEADER_SIZE, writeFrameHeader } from './framing.ts';
import type { SegmentOutput } from './segment-output.ts';

/** Words of the shared state (an Int32Array), then the failure's text. */
export const STATE = {
  /** Id of the last job finished (written or, after a failure, skipped). */
  done: 0,
  /** The running segment checksum after that job (as int32). */
  checksum: 1,
  /** 1 once a write failed; every later job is skipped. */
  failed: 2,
  /** Bytes of the failure's text ("CODE\n message"). */
  messageLength: 3,
  /** 1 once the thread listens. */
  ready: 4,
  /** 1 once the thread has stopped (it should not, before close()): nothing is to be waited for. */
  gone: 5,
} as const;
export const STATE_INTS = 8;
export const MESSAGE_BYTES = 4096;

/** One chunk to finish and write. */
export interface WriteJob {
  id: number;
  fd: number;
  /** The segment's first chunk: its checksum starts over. */
  reset: boolean;
  bytes: SharedArrayBuffer;
  used: number;
  /** Offsets of the frames whose checksum is blank, `deferred` of them. */
  offsets: SharedArrayBuffer;
  deferred: number;
}

/** Chunks in turn: one being filled, the others being written or ready. */
const CHUNKS = 4;
/** How long the thread may take to start before recording gives up on it. */
const START_TIMEOUT_MS = 30_000;

class Chunk {
  readonly bytes: Buffer;
  readonly view: DataView;
  readonly offsets: Int32Array;
  used = 0;
  deferred = 0;
  /** The job that last took it; free once the thread's done counter reaches it. */
  job = 0;

  constructor(readonly capacity: number) {
    const memory = new SharedArrayBuffer(capacity);
    this.bytes = Buffer.from(memory);
    this.view = new DataView(memory);
    this.offsets = new Int32Array(new SharedArrayBuffer(4 * (Math.floor(capacity / FRAME_HEADER_SIZE) + 1)));
  }
}

export class WriteThread {
  private readonly worker: Worker;
  private readonly state = new Int32Array(new SharedArrayBuffer(4 * STATE_INTS + MESSAGE_BYTES));
  private readonly ring: Chunk[] = [];
  private next = 0;
  private posted = 0;
  private closed = false;

  constructor(private readonly chunkBytes: number) {
    const entry = workerEntry();
    this.worker = new Worker(entry.code, { eval: entry.eval, workerData: { state: this.state.buffer } });
    this.worker.unref();
    // The recorder's thread waits synchronously below, so a thread that cannot load must say so
    // within the timeout rather than be waited for forever.
    const deadline = performance.now() + START_TIMEOUT_MS;
    while (Atomics.load(this.state, STATE.ready) === 0) {
      const left = deadline - performance.now();
      if (left <= 0) {
        void this.worker.terminate();
        throw new Error('the write thread did not start');
      }
      Atomics.wait(this.state, STATE.ready, 0, Math.min(left, 100));
    }
  }

  /** An output for one segment file. */
  output(fd: number): SegmentOutput {
    return new ThreadedOutput(this, fd);
  }

  /** A chunk to fill with at least `min` bytes of room: the next in turn, once written. */
  take(min: number): Chunk {
    if (min > this.chunkBytes) return new Chunk(min); // one large frame: a chunk of its own
    let chunk = this.ring[this.next];
    if (chunk === undefined) {
      chunk = new Chunk(this.chunkBytes);
      this.ring.push(chunk);
    } else this.waitFor(chunk.job);
    this.next = (this.next + 1) % CHUNKS;
    chunk.used = 0;
    chunk.deferred = 0;
    return chunk;
  }

  post(chunk: Chunk, fd: number, reset: boolean): void {
    this.throwIfFailed();
    chunk.job = ++this.posted;
    const job: WriteJob = {
      id: chunk.job,
      fd,
      reset,
      bytes: chunk.bytes.buffer as SharedArrayBuffer,
      used: chunk.used,
      offsets: chunk.offsets.buffer as SharedArrayBuffer,
      deferred: chunk.deferred,
    };
    this.worker.postMessage(job);
  }

  /** Waits until every chunk posted so far is written; returns the running checksum. */
  settle(): number {
    this.waitFor(this.posted);
    return Atomics.load(this.state, STATE.checksum) >>> 0;
  }

  /** Waits until the thread is done with every chunk posted, failed or not (before a close). */
  quiesce(): void {
    this.waitUntil(this.posted);
  }

  /** Chunks posted, and written: a caller that notes `posted` after a flush learns when it is on disk. */
  get postedJobs(): number {
    return this.posted;
  }

  get doneJobs(): number {
    return Atomics.load(this.state, STATE.done);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.worker.terminate();
  }

  private waitFor(job: number): void {
    if (!this.waitUntil(job)) throw new Error('the write thread stopped: the recording cannot be written');
    this.throwIfFailed();
  }

  /** False if the thread stopped first (it notifies `done` as it goes). */
  private waitUntil(job: number): boolean {
    for (let done = Atomics.load(this.state, STATE.done); done < job; done = Atomics.load(this.state, STATE.done)) {
      if (Atomics.load(this.state, STATE.gone) !== 0) return false;
      Atomics.wait(this.state, STATE.done, done, 1000);
    }
    return true;
  }

  private throwIfFailed(): void {
    if (Atomics.load(this.state, STATE.failed) === 0) return;
    const text = Buffer.from(this.state.buffer, 4 * STATE_INTS, Atomics.load(this.state, STATE.messageLength)).toString('utf8');
    const cut = text.indexOf('\n');
    throw Object.assign(new Error(text.slice(cut + 1)), cut > 0 ? { code: text.slice(0, cut) } : {});
  }
}

/** A segment's bytes in chunks of the write thread; frame checksums left to the thread. */
class ThreadedOutput implements SegmentOutput {
  private chunk: Chunk;
  private first = true;

  constructor(
    private readonly thread: WriteThread,
    private readonly fd: number,
  ) {
    this.chunk = thread.take(0);
  }

  get bytes(): Buffer {
    return this.chunk.bytes;
  }

  get view(): DataView {
    return this.chunk.view;
  }

  get used(): number {
    return this.chunk.used;
  }

  reserve(n: number): number {
    let chunk = this.chunk;
    if (chunk.used + n > chunk.capacity) {
      if (chunk.used > 0) this.post();
      chunk = this.chunk = this.thread.take(n);
    }
    const at = chunk.used;
    chunk.used = at + n;
    return at;
  }

  put(src: Uint8Array): void {
    const at = this.reserve(src.length); // may move to another chunk
    this.chunk.bytes.set(src, at);
  }

  seal(at: number, type: number, length: number): void {
    const chunk = this.chunk;
    writeFrameHeader(chunk.bytes, at, type, length);
    chunk.offsets[chunk.deferred++] = at;
  }

  flush(): void {
    if (this.chunk.used === 0) return;
    this.post();
    this.chunk = this.thread.take(0);
  }

  checksum(): number {
    this.flush();
    return this.thread.settle();
  }

  release(): void {
    this.thread.quiesce();
  }

  private post(): void {
    this.thread.post(this.chunk, this.fd, this.first);
    this.first = false;
  }
}

/**
 * The thread's module: the build's dist/write-worker.js, or, running from the sources (tests,
 * benches), the TypeScript beside this file, loaded through tsx (a development dependency).
 */
function workerEntry(): { code: string | URL; eval: boolean } {
  const source = new URL('./write-worker.ts', import.meta.url);
  if (source.protocol === 'file:' && existsSync(fileURLToPath(source))) {
    const tsx = join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs');
    const [api, file] = [JSON.stringify(pathToFileURL(tsx).href), JSON.stringify(source.href)];
    return { code: `import(${api}).then((tsx) => tsx.tsImport(${file}, ${file}))`, eval: true };
  }
  return { code: pathToFileURL(join(packageRoot(), 'dist', 'write-worker.js')), eval: false };
}
