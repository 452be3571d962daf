/**
 * `shipped.json` in a recording directory: how far `record --ship` (ship --follow) got with it, for
 * a person or a script on the host, without asking the server. It is a note, not the ledger:
 * what decides which batches a run skips is `netrec_batches` in ClickHouse, written with the rows
 * (docs/fleet.md, "Exactly once, and resuming"). Readers ignore it (not a segment name).
 * Replaced atomically (a temporary file renamed over it), mode 0600 like the segments; a
 * directory it cannot be written to is one warning, once.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemMessage } from '../core/errors.ts';
import { terminalText } from '../core/terminal-text.ts';

export const MARKER_NAME = 'shipped.json';

export class ShipMarker {
  private failed = false;

  constructor(
    private readonly dir: string,
    private readonly server: string,
    private readonly input: string,
  ) {}

  /** `lastBatch`: the id (first packet number) of the last batch in ClickHouse; `complete`: the recording's last batch is in. */
  write(lastBatch: number, packets: number, complete: boolean): void {
    if (this.failed) return;
    const path = join(this.dir, MARKER_NAME);
    const text = `${JSON.stringify({ server: this.server, input: this.input, lastBatch, packets, complete, at: new Date().toISOString() })}\n`;
    try {
      writeFileSync(`${path}.tmp`, text, { mode: 0o600 });
      renameSync(`${path}.tmp`, path);
    } catch (err) {
      this.failed = true;
      process.stderr.write(`${terminalText(`netrec: warning: cannot note the shipped position in ${path}: ${systemMessage(err)}`)}\n`);
    }
  }
}
