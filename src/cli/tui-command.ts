/**
 * `netrec tui <capture> [--trace EXPR]...`: the interactive viewer. The TUI and Ink are loaded
 * only here, so other commands do not pay for React.
 */
import { UsageError } from '../core/errors.ts';
import { inputPaths } from './inputs.ts';
import type { ParsedArgs } from './spec.ts';

export async function tuiCommand(args: ParsedArgs): Promise<number> {
  const [path] = inputPaths(args) as [string];
  if (path === '-') throw new UsageError('tui pages back and forth through a file: save the capture and name it (netrec replay reads stdin)');
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new UsageError(`tui needs an interactive terminal; to print the events instead: netrec replay ${path}`);
  }
  // Ink renders nothing until exit when it believes it runs in CI (it reads CI at load time);
  // this is a terminal a person is looking at, whatever the environment says.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const { runTui } = await import('../tui/run.tsx');
  // https://no-color.org: set and not empty turns colour off.
  const color = !args.flag('no-color') && (process.env.NO_COLOR ?? '') === '';
  return runTui({ path, filter: args.strings('trace').map(quoted).join(' '), color, mouse: !args.flag('no-mouse') });
}

/** An expression as the filter bar reads it back: quoted when it holds a space. */
function quoted(expression: string): string {
  if (!/\s/.test(expression)) return expression;
  return expression.includes("'") ? `"${expression}"` : `'${expression}'`;
}
