/**
 * The write thread's module (write-thread.ts starts it; the build bundles it as
 * dist/write-worker.js): for each chunk, in order, the frame checksums left blank, the segment's
 * running checksum, then write(2) to the segment's descriptor. After a failure every later
 * chunk is skipped (the recording ends with the error) but still counted done, so nothing waits
 * forever.
 */
import { writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { crc32cBulk } from './crc32c.ts';
import { checksumFrames } from './framing.ts';
import { MESSAGE_BYTES, STATE, STATE_INTS, type WriteJob } from './write-thread.ts';

const state = new Int32Array((workerData as { state: SharedArrayBuffer }).state);
let checksum = 0;

function fail(err: unknown): void {
  const code = (err as NodeJS.ErrnoException).code;
  const text = Buffer.from(`${typeof code === 'string' ? code : ''}\n${err instanceof Error ? err.message : String(err)}`);
  const length = Math.min(text.length, MESSAGE_BYTES);
  text.copy(Buffer.from(state.buffer, 4 * STATE_INTS, MESSAGE_BYTES), 0, 0, length);
  Atomics.store(state, STATE.messageLength, length);
  Atomics.store(state, STATE.failed, 1);
}

parentPort!.on('message', (job: WriteJob) => {
  if (Atomics.load(state, STATE.failed) === 0) {
    try {
      const bytes = Buffer.from(job.bytes, 0, job.used);
      checksumFrames(bytes, new Int32Array(job.offsets, 0, job.deferred), job.deferred);
      checksum = crc32cBulk(bytes, job.reset ? 0 : checksum, 0, job.used);
      for (let off = 0; off < job.used; ) off += writeSync(job.fd, bytes, off, job.used - off);
      Atomics.store(state, STATE.checksum, checksum | 0);
    } catch (err) {
      fail(err);
    }
  }
  Atomics.store(state, STATE.done, job.id);
  Atomics.notify(state, STATE.done);
});

// However the thread ends (close() terminates it; a crash should not), nothing waits for it.
process.on('exit', () => {
  Atomics.store(state, STATE.gone, 1);
  Atomics.notify(state, STATE.done);
});

Atomics.store(state, STATE.ready, 1);
Atomics.notify(state, STATE.ready);
