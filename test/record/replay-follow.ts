/**
 * Replays a recording the way `netrec replay --trace ...` does, with the recording's process
 * lifecycle as the ProcessTree that `follow` reads (built as the TUI builds it).
 */
import { compileFilters } from '../../src/filter/compile.ts';
import type { TraceeEvent } from '../../src/event/types.ts';
import { replay } from '../../src/pipeline/replay.ts';
import { NevSource } from '../../src/replay/nev-source.ts';
import { LifecycleTree } from '../../src/replay/lifecycle-tree.ts';
import { memorySink } from '../helpers/memory-sink.ts';

export async function lifecycleOf(path: string): Promise<LifecycleTree> {
  const source = await NevSource.open(path);
  const life = new LifecycleTree();
  const first = source.recording.segments[0]?.info?.header;
  if (first) life.running(first.processes, first.createdAt);
  for await (const items of source.records()) {
    for (const item of items) {
      if (!('kind' in item)) continue;
      if (item.kind === 'task') life.define(item);
      else if (item.kind === 'lifecycle') life.add(item);
    }
  }
  return life;
}

export async function replayEvents(path: string, trace: string[]): Promise<TraceeEvent[]> {
  const life = await lifecycleOf(path);
  const filter = compileFilters(trace, { hasProcessContext: true, processTree: life.tree });
  const events: TraceeEvent[] = [];
  const sink = memorySink(events);
  await replay({ sources: [await NevSource.open(path)], events: filter.events, accept: filter.accept, sink });
  return events;
}
