/**
 * The progress line of long work (replay or convert to a file, export): packets, rate and percent
 * of bytes, redrawn in place on stderr. Only for a person watching: stderr must be a terminal,
 * and NO_COLOR (which asks for plain output) turns it off.
 */
import type { PacketSource } from '../core/source.ts';

const REDRAW_MS = 250;

export interface Progress {
  update(packets: number): void;
  /** Clears the line, leaving the terminal as it was. */
  end(): void;
}

const silent: Progress = { update: () => {}, end: () => {} };

/** `alsoWhenStdoutIsTerminal`: output that does not go to the terminal may show progress beside it. */
export function startProgress(label: string, sources: readonly PacketSource[], alsoWhenStdoutIsTerminal = false): Progress {
  const stderr = process.stderr;
  if (!stderr.isTTY || process.env.NO_COLOR !== undefined) return silent;
  if (process.stdout.isTTY && !alsoWhenStdoutIsTerminal) return silent;
  const started = Date.now();
  let drawn = 0;
  let shown = false;
  return {
    update(packets) {
      const now = Date.now();
      if (now - drawn < REDRAW_MS) return;
      drawn = now;
      let bytes = 0;
      let total = 0;
      let known = true;
      for (const source of sources) {
        const p = source.progress?.();
        if (p?.totalBytes === undefined) known = false;
        else {
          bytes += p.bytes;
          total += p.totalBytes;
        }
      }
      const rate = Math.round(packets / Math.max((now - started) / 1000, 0.001));
      const percent = known && total > 0 ? `, ${Math.min(100, Math.floor((bytes / total) * 100))}%` : '';
      stderr.write(`\r\x1b[K${label}: ${packets.toLocaleString('en-US')} packets, ${rate.toLocaleString('en-US')}/s${percent}`);
      shown = true;
    },
    end() {
      if (shown) stderr.write('\r\x1b[K');
    },
  };
}
