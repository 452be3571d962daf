/**
 * Errors are values at the boundaries: a bad record or packet becomes an InputIssue that the
 * pipeline reports and steps over. Exceptions are kept for programmer errors and for
 * UsageError, which the CLI turns into exit code 2.
 */
import { terminalText } from './terminal-text.ts';

/** A problem with the input, located precisely enough for a one-line message. */
export interface InputIssue {
  kind: 'issue';
  /** File name as the user gave it ('-' for stdin). */
  file: string;
  /** Where in the file: "packet 12", "offset 4096", "segment 3 offset 812". */
  where: string;
  message: string;
  /**
   * 'error' makes the run exit 1. 'warning' is reported but is not bad input
   * (for example a header cut short by the capture's snaplen).
   */
  severity: 'error' | 'warning';
  /**
   * Packets that never reached the input (a recording's loss record), when the issue reports
   * such a loss: in stream order, so an export can count them where they happened.
   */
  lost?: { kernelLost: bigint; userDropped: bigint };
}

export function inputIssue(file: string, where: string, message: string, severity: InputIssue['severity'] = 'error'): InputIssue {
  return { kind: 'issue', file, where, message, severity };
}

/** The issue's line for a terminal: names and messages from the input are escaped. */
export function formatIssue(issue: InputIssue): string {
  const label = issue.severity === 'warning' ? 'warning' : 'error';
  return terminalText(`netrec: ${label}: ${issue.file}: ${issue.where}: ${issue.message}`);
}

/**
 * An error the user can act on: one line on stderr and an exit code, never a stack trace. The
 * CLI's reporter (cli/report.ts) is the only place that turns these into output.
 */
export abstract class NetrecError extends Error {
  abstract readonly exitCode: 1 | 2;
  constructor(
    message: string,
    /** A second line telling the user what to do next ("Try 'netrec replay --help'."). */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Bad command line: exit 2. The hint names the help to read. */
export class UsageError extends NetrecError {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

/** The input as a whole cannot be read (not a capture, unsupported version...): exit 1. */
export class InputError extends NetrecError {
  override readonly name = 'InputError';
  readonly exitCode = 1;
}

/** "no such file or directory" from "ENOENT: no such file or directory, open 'x'". */
export function systemMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const match = /^[A-Z0-9_]+: ([^,]+)/.exec(error.message);
  return match?.[1] ?? error.message;
}
