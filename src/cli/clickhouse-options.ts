/** --to/--clickhouse/--ship URL, --user and --password-file, shared by ship, query and record. */
import { readFileSync } from 'node:fs';
import { systemMessage, UsageError } from '../core/errors.ts';
import { parseServerUrl, type ServerAddress } from '../ship/clickhouse.ts';
import type { ParsedArgs } from './spec.ts';

export function serverAddress(args: ParsedArgs, flag: 'to' | 'clickhouse' | 'ship'): ServerAddress {
  const url = args.string(flag)!;
  const parsed = parseServerUrl(url);
  if (parsed === undefined) throw new UsageError(`--${flag}: ${JSON.stringify(url)} is not http://HOST:PORT/[DB] (a database name of letters, digits and _)`);
  const file = args.string('password-file');
  let password = '';
  if (file !== undefined) {
    try {
      // The file's first line: a trailing newline is not part of the password.
      password = readFileSync(file, 'utf8').split(/\r?\n/)[0]!;
    } catch (err) {
      throw new UsageError(`--password-file: ${file}: ${systemMessage(err)}`);
    }
  }
  return { ...parsed, user: args.string('user') ?? 'default', password };
}
