/**
 * `netrec tui <capture> [--trace EXPR]...`: the interactive viewer. The TUI and Ink are loaded
 * only here, so other commands do not pay for React.
 */
import { parseArgs } from 'node:util';
import { InputError, UsageError } from '../core/errors.ts';
import { USAGE } from './usage.ts';

export async function tuiCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        trace: { type: 'string', short: 't', multiple: true, default: [] },
        filter: { type: 'string', short: 'f', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    if (err instanceof TypeError && 'code' in err) throw new UsageError(err.message);
    throw err;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('tui takes one capture or recording');
  const path = positionals[0]!;
  if (path === '-') throw new UsageError('tui pages back and forth through a file: save the capture and name it (netrec replay reads stdin)');
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new InputError(`tui needs an interactive terminal; to print the events instead: netrec replay ${path}`);
  }
  // Ink renders nothing until exit when it believes it runs in CI (it reads CI at load time);
  // this is a terminal a person is looking at, whatever the environment says.
  delete process.env['CI'];
  delete process.env['CONTINUOUS_INTEGRATION'];
  // React picks its build when first loaded: the development one checks each render again.
  process.env['NODE_ENV'] ??= 'production';
  const { runTui } = await import('../tui/run.tsx');
  return runTui({ path, filter: [...values.trace, ...values.filter].map(quoted).join(' ') });
}

/** An expression as the filter bar reads it back: quoted when it holds a space. */
function quoted(expression: string): string {
  if (!/\s/.test(expression)) return expression;
  return expression.includes("'") ? `"${expression}"` : `'${expression}'`;
}
