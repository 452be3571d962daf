/**
 * Child process for kill.test.ts: records packets until killed, printing "flushed N" each time
 * the writer reports more packets handed to the kernel. Usage: writer-child.ts DIR MODE, MODE
 * plain, compress, thread or thread-compress (the write thread: what `netrec record` runs).
 */
import { RecordingWriter } from '../../src/nev/recording-writer.ts';
import { packet, task } from './helpers.ts';

const [dir, mode] = process.argv.slice(2);
const w = new RecordingWriter({
  dir: dir!,
  snaplen: 65535,
  origin: 'netrec record',
  compress: mode!.endsWith('compress'),
  writeThread: mode!.startsWith('thread'),
  rotateSize: 256 * 1024,
});
let i = 0;
let reported = 0;
for (;;) {
  for (let k = 0; k < 50; k++) w.writePacket(packet(++i, 64 + (i % 100), task(i % 7)));
  if (w.stats.flushedPackets !== reported) {
    reported = w.stats.flushedPackets;
    process.stdout.write(`flushed ${reported}\n`);
  }
  // Let timers run, as the recorder's event loop does between ring-buffer polls.
  await new Promise((resolve) => setImmediate(resolve));
}
