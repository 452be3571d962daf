/**
 * The one place where errors become output and exit codes. Commands throw NetrecError subclasses
 * (or return codes); anything else is a bug in netrec and says so.
 */
import { NetrecError } from '../core/errors.ts';
import { terminalText } from '../core/terminal-text.ts';

/** Exit codes, as the README and the man page document them. */
export const EXIT = { ok: 0, input: 1, usage: 2, interrupted: 130, internal: 70 } as const;

export function reportError(err: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (err instanceof NetrecError) {
    const label = err.exitCode === EXIT.usage ? '' : 'error: ';
    const hint = err.hint === undefined ? '' : `; see '${err.hint}'`;
    // Messages quote file names and input bytes: escaped, they cannot drive the terminal.
    stderr.write(`netrec: ${label}${terminalText(err.message)}${hint}\n`);
    return err.exitCode;
  }
  // A bug: one line a user can paste into a report, the stack only when asked for.
  const error = err instanceof Error ? err : new Error(String(err));
  const where = /\n\s+at (.*)/.exec(error.stack ?? '')?.[1] ?? 'unknown place';
  stderr.write(`netrec: internal error (a bug in netrec; please report it): ${terminalText(error.message)} at ${where}\n`);
  if (process.env.NETREC_DEBUG) stderr.write(`${error.stack}\n`);
  return EXIT.internal;
}
