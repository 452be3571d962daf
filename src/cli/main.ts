import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { InputError, UsageError } from '../core/errors.ts';
import { terminalText } from '../core/terminal-text.ts';
import { USAGE } from './usage.ts';

/** Entry point: returns the exit code; user errors become one line on stderr, never a stack. */
export async function main(argv: string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (err) {
    // parseArgs' own errors (unknown option, missing value) are usage errors too.
    if (err instanceof UsageError || isParseArgsError(err)) {
      process.stderr.write(`netrec: ${terminalText(err.message)}\nTry 'netrec --help'.\n`);
      return 2;
    }
    if (err instanceof InputError) {
      process.stderr.write(`netrec: error: ${terminalText(err.message)}\n`);
      return 1;
    }
    throw err;
  }
}

function isParseArgsError(err: unknown): err is TypeError {
  return err instanceof TypeError && String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
}

async function dispatch(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case '-V':
    case '--version':
      process.stdout.write(`netrec ${version()}\n`);
      return 0;
    case 'replay': {
      const args = parseCommandArgs(rest);
      if (args.help) {
        process.stdout.write(USAGE);
        return 0;
      }
      return (await import('./replay-command.ts')).replayCommand(args);
    }
    // Each command is loaded only when asked for: start-up compiles only what runs (the
    // recorder's FFI bindings and the TUI's React are not cheap to load).
    case 'info':
      return (await import('./info-command.ts')).infoCommand(rest);
    case 'verify':
      return (await import('./verify-command.ts')).verifyCommand(rest);
    case 'convert':
      return (await import('./convert-command.ts')).convertCommand(rest);
    case 'record':
      return (await import('./record-command.ts')).recordCommand(rest);
    case 'tui':
      return (await import('./tui-command.ts')).tuiCommand(rest);
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

export interface CommandArgs {
  positionals: string[];
  output: string;
  trace: string[];
  help: boolean;
}

function parseCommandArgs(args: string[]): CommandArgs {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o', default: 'json' },
      trace: { type: 'string', short: 't', multiple: true, default: [] },
      filter: { type: 'string', short: 'f', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h' },
    },
  });
  return {
    positionals,
    output: values.output,
    trace: [...values.trace, ...values.filter],
    help: values.help ?? false,
  };
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
