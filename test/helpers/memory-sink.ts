/** An event sink that keeps what it is given, for tests that run the pipeline in process. */
import type { TraceeEvent } from '../../src/event/types.ts';
import type { EventSink } from '../../src/sink/sink.ts';

/** Pushes every event into `into` (or calls `take` with it). */
export function memorySink(into: TraceeEvent[] | ((event: TraceeEvent) => void) = []): EventSink {
  const take = typeof into === 'function' ? into : (e: TraceeEvent): void => void into.push(e);
  return { closed: false, write: take, flush: async () => {}, end: async () => {} };
}
