/**
 * Test-only dispatcher behind test/signature/cli.mjs: `replay` parsed with main's options plus
 * REPLAY_SIGNATURE_OPTIONS, `signatures` through signaturesCommand, everything else through
 * main(). Errors are reported as main reports them.
 */
import { parseArgs } from 'node:util';
import { InputError, UsageError } from '../../src/core/errors.ts';
import { main } from '../../src/cli/main.ts';
import { replayCommand } from '../../src/cli/replay-command.ts';
import { signaturesCommand } from '../../src/cli/signatures-command.ts';
import { REPLAY_SIGNATURE_OPTIONS, signatureFlags } from '../../src/cli/signatures-options.ts';

export async function cli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'replay' && command !== 'signatures') return main(argv);
  try {
    if (command === 'signatures') return await signaturesCommand(rest);
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o', default: 'json' },
        trace: { type: 'string', short: 't', multiple: true, default: [] },
        filter: { type: 'string', short: 'f', multiple: true, default: [] },
        ...REPLAY_SIGNATURE_OPTIONS,
      },
    });
    const args = { positionals, output: values.output, trace: [...values.trace, ...values.filter], help: false };
    return await replayCommand(args, signatureFlags(values));
  } catch (err) {
    const parse = err instanceof TypeError && String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
    if (err instanceof UsageError || parse) {
      process.stderr.write(`netrec: ${(err as Error).message}\nTry 'netrec --help'.\n`);
      return 2;
    }
    if (err instanceof InputError) {
      process.stderr.write(`netrec: error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
