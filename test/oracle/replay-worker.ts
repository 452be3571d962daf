/**
 * Worker-thread entry (started by replay-pool.ts): replays the paths it is sent, one at a time,
 * with replayByPacket, and posts each outcome back. Replays run in a worker so that the test can
 * stop one that hangs: a synchronous loop in a decoder would block the test process itself.
 */
import { parentPort } from 'node:worker_threads';
import { replayByPacket } from './replay-by-packet.ts';

export interface ReplayRequest {
  id: number;
  path: string;
}

const port = parentPort!;
port.on('message', ({ id, path }: ReplayRequest) => {
  replayByPacket(path).then(
    (outcome) => port.postMessage({ id, ok: true, outcome }),
    (error: unknown) => port.postMessage({ id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
port.postMessage({ ready: true });
