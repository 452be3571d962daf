import type { Writable } from 'node:stream';
import { terminalText } from '../core/terminal-text.ts';
import { readable } from '../format/readable.ts';
import { eventRow, TABLE_HEADER, tableRow } from '../format/table-row.ts';
import { clockTime } from '../format/time.ts';
import type { EventSink } from './sink.ts';
import { findingArgs, findingRow } from './finding-output.ts';
import { TextStream } from './text-stream.ts';

/** Tracee's `--output table` (the row format is src/format/table-row.ts), findings included. */
export function tableSink(out: Writable): EventSink {
  const text = new TextStream(out);
  text.line(TABLE_HEADER);
  return {
    get closed() {
      return text.closed;
    },
    write: (e) => text.line(eventRow(e)),
    writeFinding: (f) => {
      const r = findingRow(f);
      const cell = (v: string): string => terminalText(v);
      text.line(
        tableRow(
          clockTime(r.timestamp),
          cell(r.userId),
          cell(r.processName),
          cell(r.processId),
          cell(r.threadId),
          '',
          cell(`finding:${r.signatureId}`),
          findingArgs(r, readable),
        ),
      );
    },
    flush: () => text.flush(),
    end: () => text.drain(),
  };
}
