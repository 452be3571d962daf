/**
 * The JSON writer (src/sink/json.ts) against a peer writer in the same run: the events of a
 * capture are built once, then each writer turns all of them into bytes, in alternating rounds,
 * and the fastest round of each counts (the machine is shared; the minimum is the least
 * disturbed). The peer is another checkout's json.ts, e.g. the branch point's:
 *
 *   git archive <base> | tar -x -C /tmp/netrec-base && ln -s $PWD/node_modules /tmp/netrec-base/
 *   NODE_OPTIONS=--expose-gc npx tsx bench/json-writer.ts --peer /tmp/netrec-base/src/sink/json.ts [--packets N] [--rounds R] capture.pcap
 *
 * It also checks that both writers give the same bytes. Figures: docs/performance.md.
 */
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Depth } from '../src/decode/packet.ts';
import { ALL_EVENTS } from '../src/event/selection.ts';
import type { TraceeEvent } from '../src/event/types.ts';
import { openCapture } from '../src/replay/open.ts';
import { isIssue } from '../src/core/source.ts';
import { PacketEvents } from '../src/pipeline/packet-events.ts';
import { writeEvent } from '../src/sink/json.ts';
import { JsonWriter } from '../src/sink/json-writer.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { peer: { type: 'string' }, packets: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '15' } },
});
if (positionals.length !== 1 || values.peer === undefined) {
  process.stderr.write('usage: npx tsx bench/json-writer.ts --peer OTHER/src/sink/json.ts [--packets N] [--rounds R] capture.pcap\n');
  process.exit(2);
}
const limit = Number(values.packets);
const rounds = Number(values.rounds);

type Write = (w: JsonWriter, e: TraceeEvent) => void;
const peer = ((await import(pathToFileURL(resolve(values.peer)).href)) as { writeEvent: Write }).writeEvent;

const events: TraceeEvent[] = [];
const step = new PacketEvents(Depth.Application, ALL_EVENTS);
let packets = 0;
read: for await (const batch of (await openCapture(positionals[0]!)).batches()) {
  for (const p of batch) {
    if (isIssue(p)) continue;
    step.build(p, step.decode(p), events);
    if (++packets >= limit) break read;
  }
}

/** One pass over every event; returns the time in ms and the digest of the bytes. */
function pass(write: Write): { ms: number; digest: string } {
  // Each pass starts with no garbage left by the one before (run with --expose-gc).
  (globalThis as { gc?: () => void }).gc?.();
  const w = new JsonWriter(1 << 20);
  const hash = createHash('sha256');
  const start = process.hrtime.bigint();
  let hashed = 0n;
  for (const e of events) {
    write(w, e);
    w.ascii('\n');
    if (w.pos > 1 << 19) {
      const t = process.hrtime.bigint();
      hash.update(w.take());
      hashed += process.hrtime.bigint() - t;
    }
  }
  hash.update(w.take());
  return { ms: Number(process.hrtime.bigint() - start - hashed) / 1e6, digest: hash.digest('hex') };
}

const best = { current: Infinity, peer: Infinity };
const digests = new Set<string>();
for (let r = 0; r < rounds; r++) {
  // Alternate which goes first, so neither always runs right after the other.
  const order = [
    ['current', writeEvent],
    ['peer', peer],
  ] as const;
  for (const [name, write] of r % 2 === 0 ? order : [...order].reverse()) {
    const { ms, digest } = pass(write);
    best[name] = Math.min(best[name], ms);
    digests.add(digest);
  }
}
const perEvent = (ms: number): string => `${((ms * 1e6) / events.length).toFixed(0)} ns/event`;
process.stdout.write(
  `${packets} packets, ${events.length} events, best of ${rounds} rounds\n` +
    `current: ${best.current.toFixed(0)} ms (${perEvent(best.current)})\n` +
    `peer:    ${best.peer.toFixed(0)} ms (${perEvent(best.peer)})\n` +
    `same bytes: ${digests.size === 1 ? 'yes' : 'NO'}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
);
if (digests.size !== 1) process.exitCode = 1;
