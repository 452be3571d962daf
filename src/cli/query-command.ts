/**
 * `netrec query "<SQL>" <inputs or table exports...>`, `--run NAME`, `--list`, and
 * `--clickhouse URL --run NAME` (docs/fleet.md, docs/tables.md).
 */
import { InputError, UsageError } from '../core/errors.ts';
import { findQuery, queryParams, QueryParamError, READY_QUERIES, type ReadyQuery } from '../table/queries.ts';
import { renderResult, type QueryResult, type ResultFormat } from '../table/result.ts';
import { serverAddress } from './clickhouse-options.ts';
import type { ParsedArgs } from './spec.ts';
import { cachedTables, isTableExport } from './table-cache.ts';

export async function queryCommand(args: ParsedArgs): Promise<number> {
  if (args.flag('list')) {
    process.stdout.write(listing());
    return 0;
  }
  const format = (args.string('output') ?? 'table') as ResultFormat;
  const name = args.string('run');
  const ready = name === undefined ? undefined : findQuery(name);
  if (name !== undefined && ready === undefined) throw new UsageError(`no ready-made query ${JSON.stringify(name)} (netrec query --list shows them)`);
  if (ready === undefined && args.strings('param').length > 0) throw new UsageError('--param is for --run');
  const params = ready === undefined ? {} : paramsOf(ready, args.strings('param'));

  if (args.string('clickhouse') !== undefined) {
    if (ready === undefined) throw new UsageError('--clickhouse runs a ready-made query: add --run NAME');
    if (args.operands.length > 0) throw new UsageError('--clickhouse takes no inputs: the data is on the server');
    return onClickHouse(args, ready.clickhouse(params), format);
  }

  const [sql, inputs] = ready === undefined ? [args.operands[0], args.operands.slice(1)] : [ready.duckdb(params), args.operands];
  if (sql === undefined || inputs.length === 0)
    throw new UsageError(
      ready === undefined ? 'query needs SQL and at least one input: netrec query "SELECT ..." cap.nev' : `--run ${name} needs at least one input`,
    );
  const { runDuckQuery } = await import('../query/duckdb-query.ts');
  const dirs: string[] = [];
  const discards: (() => void)[] = [];
  let errors = 0;
  try {
    for (const input of inputs) {
      if (isTableExport(input)) {
        dirs.push(input);
        continue;
      }
      const cached = await cachedTables(input, args.string('host-name'));
      dirs.push(cached.dir);
      discards.push(cached.discard);
      errors += cached.errors;
    }
    const outcome = await runDuckQuery(dirs, sql);
    if ('error' in outcome) throw new UsageError(`query: ${outcome.error}`, 'netrec query --help');
    write(outcome.result, format);
  } finally {
    for (const discard of discards) discard();
  }
  return errors > 0 ? 1 : 0;
}

async function onClickHouse(args: ParsedArgs, sql: string, format: ResultFormat): Promise<number> {
  const server = serverAddress(args, 'clickhouse');
  const { connect, errorLine, queryResult } = await import('../ship/clickhouse.ts');
  const client = connect(server, true);
  try {
    write(await queryResult(client, sql), format);
    return 0;
  } catch (err) {
    throw new InputError(`${server.origin}/${server.database}: ${errorLine(err)}`);
  } finally {
    await client.close();
  }
}

function paramsOf(query: ReadyQuery, given: readonly string[]): Record<string, string> {
  try {
    const params = queryParams(query, given);
    // Building the SQL checks the values (a CIDR, an address, a count).
    query.duckdb(params);
    return params;
  } catch (err) {
    if (err instanceof QueryParamError) throw new UsageError(err.message);
    throw err;
  }
}

function write(result: QueryResult, format: ResultFormat): void {
  process.stdout.write(renderResult(result, format));
}

function listing(): string {
  return READY_QUERIES.map((q) => {
    const params = q.params
      .map((p) => `\n    --param ${p.name}=VALUE  ${p.help.replace(/\.$/, '')}${p.default !== undefined && p.default !== '' ? ` (default: ${p.default})` : ''}`)
      .join('');
    return `${q.name}\n    ${q.summary}${params}\n`;
  }).join('');
}
