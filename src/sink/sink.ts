import type { TraceeEvent } from '../event/types.ts';
import type { FindingOutput } from './finding-output.ts';

/** Where events go. Sinks format and write; they never decode. */
export interface EventSink {
  write(event: TraceeEvent): void;
  /** A signature's finding, in its place among the events (sinks that cannot show one leave it out). */
  writeFinding?(finding: FindingOutput): void;
  /** Called after every batch: lets the sink push its buffer out and apply back-pressure. */
  flush(): Promise<void>;
  end(): Promise<void>;
  /** The reader went away (closed pipe): the pipeline may stop early. */
  readonly closed: boolean;
}
