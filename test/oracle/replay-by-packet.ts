/**
 * Replays one capture in-process with every network event selected and groups what comes out by
 * the packet that produced it (CapturedPacket.number). Events carry timestamps, not packet
 * numbers, so the source is wrapped to hand the pipeline one packet per batch: the pipeline
 * decodes, builds and writes a batch's events before it asks for the next batch, so every event
 * and decode issue seen between two yields belongs to the packet last yielded.
 */
import { InputError, type InputIssue } from '../../src/core/errors.ts';
import { ALL_EVENTS } from '../../src/event/selection.ts';
import type { TraceeEvent } from '../../src/event/types.ts';
import { replay } from '../../src/pipeline/replay.ts';
import { openCapture } from '../../src/replay/open.ts';
import { isIssue, type PacketSource } from '../../src/core/source.ts';
import type { EventSink } from '../../src/sink/sink.ts';

export interface PacketOutcome {
  /** CapturedPacket.number (1-based position of the packet in its source). */
  number: number;
  events: TraceeEvent[];
  /** Issues the pipeline reported while decoding this packet. */
  issues: InputIssue[];
}

export interface ReplayOutcome {
  packets: PacketOutcome[];
  /** Issues not tied to a decoded packet: bad records, unreadable files, end-of-input notices. */
  fileIssues: InputIssue[];
  /** openCapture refused the file (InputError message). */
  openError?: string;
}

export async function replayByPacket(path: string): Promise<ReplayOutcome> {
  const out: ReplayOutcome = { packets: [], fileIssues: [] };
  let source: PacketSource;
  try {
    source = await openCapture(path);
  } catch (error) {
    if (error instanceof InputError) {
      out.openError = error.message;
      return out;
    }
    throw error;
  }

  let current: PacketOutcome | undefined;
  const byPacket: PacketSource = {
    name: source.name,
    hasProcessContext: source.hasProcessContext,
    async *batches() {
      for await (const batch of source.batches()) {
        for (const item of batch) {
          if (isIssue(item)) {
            current = undefined;
          } else {
            current = { number: item.number, events: [], issues: [] };
            out.packets.push(current);
          }
          yield [item];
        }
      }
      current = undefined;
    },
  };
  const sink: EventSink = {
    write(event) {
      if (current === undefined) throw new Error(`${path}: an event came outside any packet`);
      current.events.push(event);
    },
    flush: () => Promise.resolve(),
    end: () => Promise.resolve(),
    closed: false,
  };
  await replay({
    sources: [byPacket],
    events: ALL_EVENTS,
    sink,
    report: (issue) => {
      (current ? current.issues : out.fileIssues).push(issue);
    },
  });
  return out;
}
