/** The inputs a command reads: its operands and -r values, opened by content. */
import { InputError } from '../core/errors.ts';
import type { ReadOptions } from '../nev/recording.ts';
import { openCapture } from '../replay/open.ts';
import type { PacketSource } from '../replay/source.ts';
import { checkOperands } from './parse.ts';
import type { ParsedArgs } from './spec.ts';

/** -r values first, then operands; the count is checked against the command's table. */
export function inputPaths(args: ParsedArgs): string[] {
  const paths = [...args.strings('read'), ...args.operands];
  checkOperands(args.command, paths);
  if (paths.filter((p) => p === '-').length > 1) throw new InputError('standard input (-) can be read only once');
  return paths;
}

export interface OpenedInputs {
  sources: PacketSource[];
  /** One message per input that could not be opened; the others are read anyway. */
  unopened: string[];
}

export async function openInputs(paths: readonly string[], options: ReadOptions = {}): Promise<OpenedInputs> {
  const sources: PacketSource[] = [];
  const unopened: string[] = [];
  for (const path of paths) {
    try {
      sources.push(await openCapture(path, options));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      unopened.push(err.message);
    }
  }
  return { sources, unopened };
}
