import type { Writable } from 'node:stream';
import { eventToJSON } from './json.ts';
import type { EventSink } from './sink.ts';
import { TextStream } from './text-stream.ts';

/** Tracee's `--output json`: one event per line. */
export function jsonSink(out: Writable): EventSink {
  const text = new TextStream(out);
  return {
    get closed() {
      return text.closed;
    },
    write: (e) => text.line(eventToJSON(e)),
    flush: () => text.flush(),
    end: () => text.drain(),
  };
}
