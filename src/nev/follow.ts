/**
 * Reading a recording while its writer still runs (`ship --follow`, which `record --ship` starts):
 * a segment is read once it is sealed, so what is read is final, checksummed and the same as a
 * later reader of the finished recording gets. While the writer (the pid in `.lock`) lives, the
 * highest-numbered segment is the one being written: the others are sealed (the writer seals a
 * segment before it creates the next). Once the writer is gone, the rest is read as it is (a
 * writer that was killed leaves its last segment unsealed; replay reads that the same way).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { lockHolder, scanDirectory, type SegmentFile } from './directory.ts';
import { openRecording, type Recording } from './recording.ts';

/** How often the directory is looked at while waiting for a segment to be sealed. */
export const FOLLOW_POLL_MS = 500;

/**
 * Opens the sealed part of `path` (waiting until there is one) and returns it with the `more`
 * that readRecording calls when its segments run out.
 */
export async function openFollowing(path: string, signal: AbortSignal): Promise<{ recording: Recording; more: (rec: Recording) => Promise<boolean> }> {
  let last = 0;
  const read = (files: SegmentFile[], writing: boolean): SegmentFile[] => {
    const fresh = files.filter((f) => f.number > last);
    if (writing && fresh.at(-1)?.number === files.at(-1)?.number) fresh.pop();
    return fresh;
  };
  const next = async (first: boolean): Promise<Recording | undefined> => {
    for (;;) {
      // The lock first: a writer gone by the time the directory is listed has sealed everything listed.
      const writing = lockHolder(path) !== undefined;
      const ready = read(scanDirectory(path).segments, writing);
      if (ready.length > 0 || (first && !writing)) {
        const rec = await openRecording(path, { select: (files) => read(files, writing) });
        last = Math.max(last, ...rec.segments.flatMap((s) => (s.info !== undefined ? [numberOf(s.name)] : [])), ...ready.map((f) => f.number));
        return rec;
      }
      // Stopped before anything was sealed: nothing to read.
      if (!writing || signal.aborted) return first ? openRecording(path, { select: () => [] }) : undefined;
      await sleep(FOLLOW_POLL_MS);
    }
  };
  const recording = (await next(true))!;
  const seen = new Set(recording.segments.map((s) => s.name));
  const more = async (rec: Recording): Promise<boolean> => {
    for (;;) {
      const found = await next(false);
      if (found === undefined) return false;
      // (A ring may have deleted what was listed: then wait for the next one.)
      const added = found.segments.filter((s) => !seen.has(s.name));
      for (const s of added) {
        seen.add(s.name);
        rec.segments.push(s);
      }
      if (added.length > 0) return true;
    }
  };
  return { recording, more };
}

function numberOf(name: string): number {
  return Number.parseInt(name, 10);
}
