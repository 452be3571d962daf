/**
 * Recordings and captures given to `netrec query` are exported to Parquet tables once and kept
 * in a cache ($XDG_CACHE_HOME/netrec/tables, else ~/.cache/netrec/tables), keyed by the input's
 * real path, the sizes and times of its files, the host name given and the schema version: an
 * unchanged input is not exported again, a changed one (a recording still being written) is.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, type Stats, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError, systemMessage } from '../core/errors.ts';
import { netrecVersion } from '../core/package.ts';
import { MANIFEST } from '../query/parquet-writer.ts';
import { SCHEMA_VERSION } from '../table/schema.ts';
import { writeTables } from './parquet-export.ts';

/** Is `path` a directory that export --format parquet wrote? */
export function isTableExport(path: string): boolean {
  return existsSync(join(path, MANIFEST));
}

function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'netrec', 'tables');
}

function keyOf(input: string, hostName: string | undefined): string {
  let real: string;
  let stat: Stats;
  try {
    real = realpathSync(input);
    stat = statSync(real);
  } catch (err) {
    // Worded as replay words it (replay/open.ts): a missing input is the user's, not a bug.
    throw new InputError(`${input}: cannot open: ${systemMessage(err)}`);
  }
  const files = stat.isDirectory()
    ? readdirSync(real)
        .sort()
        .map((f) => {
          const s = statSync(join(real, f));
          return [f, s.size, s.mtimeMs];
        })
    : [[real, stat.size, stat.mtimeMs]];
  return createHash('sha256')
    .update(JSON.stringify([SCHEMA_VERSION, netrecVersion(), real, hostName ?? null, files]))
    .digest('hex')
    .slice(0, 32);
}

/**
 * The table export of `input`, from the cache or made now, and the input errors of making it.
 * An input that reported errors is not cached (the next query reports them again): `discard`
 * removes its tables once the query ran.
 */
export async function cachedTables(input: string, hostName: string | undefined): Promise<{ dir: string; errors: number; discard: () => void }> {
  const dir = join(cacheRoot(), keyOf(input, hostName));
  const keep = (): void => {};
  if (isTableExport(dir)) return { dir, errors: 0, discard: keep };
  mkdirSync(cacheRoot(), { recursive: true });
  const temporary = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  mkdirSync(temporary);
  try {
    const { result } = await writeTables({ inputs: [input], trace: [], window: {}, order: 'merge', limit: undefined, hostName }, temporary);
    if (result.errors > 0) return { dir: temporary, errors: result.errors, discard: () => rmSync(temporary, { recursive: true, force: true }) };
    rmSync(dir, { recursive: true, force: true });
    renameSync(temporary, dir);
    return { dir, errors: 0, discard: keep };
  } catch (err) {
    rmSync(temporary, { recursive: true, force: true });
    throw err;
  }
}
