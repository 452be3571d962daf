/**
 * `netrec export --format parquet -w DIR`: the tables of docs/tables.md as Hive-partitioned
 * Parquet. Written under a temporary name beside DIR and renamed when complete; --force replaces
 * only a directory an earlier table export made (it holds the manifest).
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { systemMessage, UsageError } from '../core/errors.ts';
import { netrecVersion } from '../core/package.ts';
import { terminalText } from '../core/terminal-text.ts';
import { MANIFEST, ParquetTables, type Manifest } from '../query/parquet-writer.ts';
import { nothingWritten } from './export-run.ts';
import { replayTables, type TableReplayArgs, type TableReplayResult } from './tables-run.ts';

export interface ParquetExportArgs extends TableReplayArgs {
  output: string;
  force: boolean;
}

export async function exportParquet(args: ParquetExportArgs): Promise<number> {
  checkTarget(args.output, args.force);
  const temporary = join(dirname(args.output), `.${basename(args.output)}.${process.pid}.${randomBytes(4).toString('hex')}.part`);
  const onSignal = (signal: NodeJS.Signals): void => {
    rmSync(temporary, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    mkdirSync(temporary);
    const { result, manifest } = await writeTables(args, temporary);
    if (result.sources.length === 0) {
      rmSync(temporary, { recursive: true, force: true });
      return nothingWritten(args.output);
    }
    if (existsSync(args.output)) rmSync(args.output, { recursive: true });
    renameSync(temporary, args.output);
    const t = manifest.tables;
    process.stderr.write(
      `${terminalText(
        `netrec: exported ${result.stats.kept} of ${result.stats.packets} packets to ${args.output} (parquet: ${t.packets} packets, ${t.events} events, ${t.dns} dns, ${t.processes} processes, ${t.process_events} process_events, ${t.flows} flows, ${t.dns_transactions} dns_transactions rows)`,
      )}\n`,
    );
    return result.errors > 0 ? 1 : 0;
  } catch (err) {
    rmSync(temporary, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (err instanceof Error && typeof code === 'string' && code.startsWith('E')) {
      process.stderr.write(`${terminalText(`netrec: error: ${args.output}: cannot write: ${systemMessage(err)}; nothing was written`)}\n`);
      return 1;
    }
    // DuckDB's own failures (a full disk under its files, out of memory) name their kind first.
    if (err instanceof Error && /^[A-Z][A-Za-z ]* Error: /.test(err.message)) {
      process.stderr.write(`${terminalText(`netrec: error: ${args.output}: cannot write: ${err.message.split('\n')[0]}; nothing was written`)}\n`);
      return 1;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Replays into DuckDB and writes the tables into `dir` (an empty directory). */
export async function writeTables(args: TableReplayArgs, dir: string): Promise<{ result: TableReplayResult; manifest: Manifest }> {
  const spill = mkdtempSync(join(tmpdir(), 'netrec-duckdb-'));
  try {
    const tables = await ParquetTables.open(spill, dir);
    try {
      const result = await replayTables(args, 'export', (rows) => tables.add(rows));
      const manifest = await tables.write(netrecVersion());
      return { result, manifest };
    } finally {
      await tables.close();
    }
  } finally {
    rmSync(spill, { recursive: true, force: true });
  }
}

function checkTarget(path: string, force: boolean): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!force) throw new UsageError(`${path} exists; use --force to replace it`);
  if (!stat.isDirectory() || !existsSync(join(path, MANIFEST))) {
    throw new UsageError(`${path} is not a directory that export --format parquet made (no ${MANIFEST}); refusing to replace it`);
  }
}
