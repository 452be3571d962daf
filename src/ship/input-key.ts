/**
 * What identifies an input across runs of `ship`, with the host name and filters it was shipped
 * with (which change its rows):
 *
 * - a recording directory: its recording id (the UUID every segment header carries). Its batches
 *   are packet-number ranges (batches.ts), the same whatever the directory holds so far, so a
 *   recording still being written (record --ship, ship --follow), one a ring has pruned, or one
 *   `verify --repair` sealed later keeps its key and only what is new is shipped;
 * - anything else (a capture, one segment file): the SHA-256 of its content.
 *
 * The same input shipped again, from any path, has the same key and adds nothing.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { openRecording } from '../nev/recording.ts';

async function hashFile(path: string, hash: ReturnType<typeof createHash>): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

export async function inputKey(path: string, hostName: string | undefined, trace: readonly string[]): Promise<string> {
  const scope = JSON.stringify([hostName ?? null, trace]);
  if (statSync(path).isDirectory()) {
    const recording = await openRecording(path);
    const id = recording.segments.find((s) => s.info?.header !== undefined)?.info?.header?.recordingId;
    if (id === undefined) throw new Error('no segment with a readable header: the recording has no id');
    return `recording:${id}:${scope}`;
  }
  const hash = createHash('sha256');
  await hashFile(path, hash);
  return `${hash.digest('hex')}:${scope}`;
}
