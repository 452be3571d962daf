/** The event sink an `--output` value names, on stdout (replay, record --print). */
import type { EventSink } from '../sink/sink.ts';
import { jsonSink } from '../sink/json-sink.ts';
import { tableSink } from '../sink/table-sink.ts';

/** The parser has already checked `format` against the option's choices. */
export function makeSink(format: string | undefined): EventSink {
  return (format ?? 'json').replace(/^format:/, '') === 'table' ? tableSink(process.stdout) : jsonSink(process.stdout);
}
