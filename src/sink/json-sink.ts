import type { Writable } from 'node:stream';
import { writeEvent } from './json.ts';
import { JsonWriter } from './json-writer.ts';
import type { EventSink } from './sink.ts';
import { isStored } from './finding-output.ts';
import { writeFinding } from './finding-json.ts';
import { OutputStream } from './output-stream.ts';

const FLUSH_BYTES = 1 << 20;

/** Tracee's `--output json`: one event per line, encoded straight into a byte buffer. */
export function jsonSink(out: Writable): EventSink {
  const stream = new OutputStream(out);
  const w = new JsonWriter(FLUSH_BYTES + (1 << 16));
  return {
    get closed() {
      return stream.closed;
    },
    write: (e) => {
      writeEvent(w, e);
      w.ascii('\n');
    },
    writeFinding: (f) => {
      if (isStored(f)) w.utf8(f.json);
      else writeFinding(w, f);
      w.ascii('\n');
    },
    flush: async () => {
      if (w.pos >= FLUSH_BYTES) await stream.write(w.take());
    },
    end: async () => {
      if (w.pos > 0) await stream.write(w.take());
    },
  };
}
