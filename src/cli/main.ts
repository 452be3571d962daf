/**
 * `netrec <command> ...`: finds the command in the table, parses its arguments, loads its module
 * (only the one that runs: the recorder's FFI and the TUI's React are not cheap to load) and maps
 * whatever it throws to an exit code through the one reporter.
 */
import { UsageError } from '../core/errors.ts';
import { netrecVersion } from '../core/package.ts';
import { COMMANDS, findCommand } from './commands.ts';
import { commandHelp, overview } from './help.ts';
import { parseCommandLine, suggest } from './parse.ts';
import { reportError } from './report.ts';
import type { ParsedArgs } from './spec.ts';

type Handler = (args: ParsedArgs) => Promise<number>;

const HANDLERS: Record<string, () => Promise<Handler>> = {
  record: async () => (await import('./record-command.ts')).recordCommand,
  replay: async () => (await import('./replay-command.ts')).replayCommand,
  tui: async () => (await import('./tui-command.ts')).tuiCommand,
  info: async () => (await import('./info-command.ts')).infoCommand,
  verify: async () => (await import('./verify-command.ts')).verifyCommand,
  convert: async () => (await import('./convert-command.ts')).convertCommand,
  export: async () => (await import('./export-command.ts')).exportCommand,
  stats: async () => (await import('./stats-command.ts')).statsCommand,
  query: async () => (await import('./query-command.ts')).queryCommand,
  ship: async () => (await import('./ship-command.ts')).shipCommand,
  signatures: async () => (await import('./signatures-command.ts')).signaturesCommand,
  completion: async () => (await import('./completion.ts')).completionCommand,
  help: async () => helpCommand,
};

/** Entry point: returns the exit code; user errors become one line on stderr, never a stack. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (err) {
    return reportError(err);
  }
}

async function dispatch(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  switch (name) {
    case undefined:
      process.stderr.write(overview(netrecVersion()));
      return 2;
    case '-h':
    case '--help':
      process.stdout.write(overview(netrecVersion()));
      return 0;
    case '-V':
    case '-v':
    case '--version':
      process.stdout.write(`netrec ${netrecVersion()}\n`);
      return 0;
  }
  const command = findCommand(name);
  if (command === undefined) {
    const what = name.startsWith('-') ? `unknown option '${name}'` : `unknown command '${name}'`;
    const names = name.startsWith('-') ? ['--help', '--version'] : COMMANDS.map((c) => c.name);
    throw new UsageError(`${what}${suggest(name, names, '')}`, 'netrec --help');
  }
  const args = parseCommandLine(command, rest);
  if (args.flag('help')) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  try {
    return await (await HANDLERS[command.name]!())(args);
  } catch (err) {
    // A usage error found inside a command (a bad filter, a bad size) points at its help.
    if (err instanceof UsageError && err.hint === undefined) throw new UsageError(err.message, `netrec ${command.name} --help`);
    throw err;
  }
}

async function helpCommand(args: ParsedArgs): Promise<number> {
  const [topic] = args.operands;
  if (topic === undefined) {
    process.stdout.write(overview(netrecVersion()));
    return 0;
  }
  const command = findCommand(topic);
  if (command === undefined) {
    throw new UsageError(
      `help: unknown command '${topic}'${suggest(
        topic,
        COMMANDS.map((c) => c.name),
        '',
      )}`,
      'netrec --help',
    );
  }
  process.stdout.write(commandHelp(command));
  return 0;
}
