/**
 * Test-only entry for the commands not yet wired into src/cli/main.ts (the lead wires them while
 * merging): `node --import tsx test/cli/netrec-entry.ts export|stats ARGS...` runs the command as
 * `netrec export|stats ARGS...` would, with main's exit codes (1 input error, 2 usage error).
 * Any other command goes to main itself.
 */
import { InputError, UsageError } from '../../src/core/errors.ts';
import { main } from '../../src/cli/main.ts';

const [command, ...args] = process.argv.slice(2);
const commands: Record<string, () => Promise<(argv: string[]) => Promise<number>>> = {
  export: async () => (await import('../../src/cli/export-command.ts')).exportCommand,
  stats: async () => (await import('../../src/cli/stats-command.ts')).statsCommand,
};

async function run(): Promise<number> {
  const load = command === undefined ? undefined : commands[command];
  if (load === undefined) return main(process.argv.slice(2));
  try {
    return await (await load())(args);
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`netrec: ${err.message}\nTry 'netrec --help'.\n`);
      return 2;
    }
    if (err instanceof InputError) {
      process.stderr.write(`netrec: error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await run();
