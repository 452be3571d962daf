/**
 * Several inputs as one stream of items, each still tagged with the source it came from (so
 * messages name the right file and each file keeps its own TCP reassembly).
 *
 * mergeByTime interleaves packets by timestamp, as mergecap does: the next packet is always the
 * earliest head among the inputs, ties go to the earlier argument, and each input's own order is
 * kept (a capture whose timestamps go backwards is not re-sorted). Issues pass through as soon
 * as they reach the head of their input. concatenate reads the inputs one after the other.
 */
import { isIssue, type PacketSource, type SourceItem } from '../core/source.ts';

/** Consecutive items of one source. */
export interface SourceRun {
  source: PacketSource;
  items: SourceItem[];
}

/** Items per yielded group: large enough that per-group costs (a sink flush) vanish. */
const GROUP_ITEMS = 4096;

export async function* concatenate(sources: readonly PacketSource[]): AsyncGenerator<SourceRun[]> {
  for (const source of sources) {
    for await (const items of source.batches()) yield [{ source, items }];
  }
}

interface Cursor {
  source: PacketSource;
  iterator: AsyncIterator<SourceItem[]>;
  batch: SourceItem[];
  at: number;
  done: boolean;
}

export async function* mergeByTime(sources: readonly PacketSource[]): AsyncGenerator<SourceRun[]> {
  if (sources.length === 1) {
    yield* concatenate(sources);
    return;
  }
  const cursors: Cursor[] = sources.map((source) => ({
    source,
    iterator: source.batches()[Symbol.asyncIterator](),
    batch: [],
    at: 0,
    done: false,
  }));
  let group: SourceRun[] = [];
  let size = 0;
  const emit = (cursor: Cursor, item: SourceItem): void => {
    const last = group[group.length - 1];
    if (last !== undefined && last.source === cursor.source) last.items.push(item);
    else group.push({ source: cursor.source, items: [item] });
    size++;
  };
  try {
    for (;;) {
      let best: Cursor | undefined;
      let bestTime = 0n;
      for (const cursor of cursors) {
        // Refill, and pass issues at the head straight through.
        for (;;) {
          if (cursor.done) break;
          if (cursor.at === cursor.batch.length) {
            const next = await cursor.iterator.next();
            if (next.done) {
              cursor.done = true;
              break;
            }
            cursor.batch = next.value;
            cursor.at = 0;
            continue;
          }
          const head = cursor.batch[cursor.at]!;
          if (!isIssue(head)) break;
          emit(cursor, head);
          cursor.at++;
        }
        if (cursor.done) continue;
        const head = cursor.batch[cursor.at]!;
        if (isIssue(head)) continue;
        if (best === undefined || head.timestamp < bestTime) {
          best = cursor;
          bestTime = head.timestamp;
        }
      }
      if (best === undefined) break;
      emit(best, best.batch[best.at++]!);
      if (size >= GROUP_ITEMS) {
        yield group;
        group = [];
        size = 0;
      }
    }
    if (group.length > 0) yield group;
  } finally {
    // An early stop (a closed pipe, --count) releases every input.
    await Promise.all(cursors.filter((c) => !c.done).map((c) => c.iterator.return?.()));
  }
}
