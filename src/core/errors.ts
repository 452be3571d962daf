/**
 * Errors are values at the boundaries: a bad record or packet becomes an InputIssue that the
 * pipeline reports and steps over. Exceptions are kept for programmer errors and for
 * UsageError, which the CLI turns into exit code 2.
 */

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

export function inputIssue(
  file: string,
  where: string,
  message: string,
  severity: InputIssue['severity'] = 'error',
): InputIssue {
  return { kind: 'issue', file, where, message, severity };
}

export function formatIssue(issue: InputIssue): string {
  const label = issue.severity === 'warning' ? 'warning' : 'error';
  return `netrec: ${label}: ${issue.file}: ${issue.where}: ${issue.message}`;
}

/** Bad command line: the CLI prints the message and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The input as a whole cannot be read (not a capture, unsupported version...): exit 1. */
export class InputError extends Error {
  override readonly name = 'InputError';
}
