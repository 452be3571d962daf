/**
 * What the event list pages through: every packet, or the packets a filter, a flow or a DNS
 * exchange selects. A view maps its rows to index positions; a filtered view fills in from a
 * background pass, 4 bytes per match, and is usable from its first match on.
 */
import type { TraceeEvent } from '../../event/types.ts';
import { runPass, type Matcher, type PassInput } from './match-pass.ts';
import { PositionList } from './position-list.ts';

export interface PacketView {
  /** What the view shows, for the status line ('' for every packet). */
  readonly title: string;
  /** Which of a packet's events its row shows; undefined: the most specific one. */
  readonly shows: ((e: TraceeEvent) => boolean) | undefined;
  /** Rows available now (grows until `done`). */
  readonly length: number;
  positionAt(row: number): number;
  /** The first row at or after index position `position` (`length` when none is known yet). */
  rowAtOrAfter(position: number): number;
  /** Every packet has been examined: `length` is final. */
  readonly done: boolean;
  /** Index positions examined so far, for a progress figure. */
  readonly examined: number;
  /** A result to show beside the title (a DNS exchange's latency), '' when none. */
  readonly note: string;
  /** A failure of the background pass, shown instead of going on silently. */
  readonly failure: string | undefined;
  /** Stops background work. */
  close(): void;
}

/** Every packet, as far as the index scan has come. */
export class AllPackets implements PacketView {
  readonly title = '';
  readonly shows = undefined;
  readonly note = '';
  readonly failure = undefined;

  constructor(private readonly input: PassInput) {}

  get length(): number {
    return this.input.index.length;
  }

  get done(): boolean {
    return this.input.scanDone();
  }

  get examined(): number {
    return this.input.index.length;
  }

  positionAt(row: number): number {
    return row;
  }

  rowAtOrAfter(position: number): number {
    return Math.min(position, this.length);
  }

  close(): void {}
}

/**
 * The recording's last packets, at the index positions its footers give them (PacketIndex.tail),
 * while the scan has not reached them yet: what G shows on a recording still being indexed. Rows
 * carry the packets' own numbers; nothing is estimated but where they sit in the file.
 */
export class TailView implements PacketView {
  readonly shows = undefined;
  readonly note = '';
  readonly failure = undefined;
  readonly done = true;
  readonly title: string;

  constructor(
    private readonly start: number,
    readonly length: number,
  ) {
    this.title = `the last ${length} packets (read through the footers while indexing goes on; Esc: all)`;
  }

  get examined(): number {
    return this.length;
  }

  positionAt(row: number): number {
    return this.start + row;
  }

  rowAtOrAfter(position: number): number {
    return Math.max(0, Math.min(position - this.start, this.length));
  }

  close(): void {}
}

export interface MatchViewOptions {
  title: string;
  shows?: (e: TraceeEvent) => boolean;
  matcher: Matcher;
  /** First index position to examine. */
  from?: number;
  note?: () => string;
  /** Called (throttled by the caller) when rows were added or the pass ended. */
  changed: () => void;
  /** Called once the view is closed. */
  closed?: () => void;
  /** Called when the pass fails (the file changed under it...). */
  failed?: (message: string) => void;
}

/** The packets a matcher accepts, found by a background pass. */
export class MatchView implements PacketView {
  readonly title: string;
  readonly shows: ((e: TraceeEvent) => boolean) | undefined;
  readonly #rows = new PositionList();
  readonly #abort = new AbortController();
  readonly #note: () => string;
  readonly #closed: (() => void) | undefined;
  #done = false;
  #examined: number;
  #failure: string | undefined;

  constructor(input: PassInput, options: MatchViewOptions) {
    this.title = options.title;
    this.shows = options.shows;
    this.#note = options.note ?? (() => '');
    this.#closed = options.closed;
    this.#examined = options.from ?? 0;
    const out = {
      match: (position: number) => {
        this.#rows.push(position);
        options.changed();
      },
      progress: (examined: number) => {
        this.#examined = examined;
        options.changed();
      },
    };
    runPass(input, options.matcher, options.from ?? 0, out, this.#abort.signal)
      .catch((error: unknown) => {
        this.#failure = error instanceof Error ? error.message : String(error);
        options.failed?.(this.#failure);
      })
      .finally(() => {
        this.#done = true;
        options.changed();
      });
  }

  get length(): number {
    return this.#rows.length;
  }

  get done(): boolean {
    return this.#done;
  }

  get examined(): number {
    return this.#examined;
  }

  get note(): string {
    return this.#note();
  }

  get failure(): string | undefined {
    return this.#failure;
  }

  positionAt(row: number): number {
    return this.#rows.at(row);
  }

  rowAtOrAfter(position: number): number {
    return this.#rows.rowAtOrAfter(position);
  }

  /** Bytes held by the view's rows (the memory bound of a filter). */
  bytesUsed(): number {
    return this.#rows.bytesUsed();
  }

  close(): void {
    this.#abort.abort();
    this.#closed?.();
  }
}
