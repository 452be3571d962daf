/**
 * `netrec stats <input...>`: conversations, DNS transactions and top talkers of recordings and
 * captures, as a table (default) or JSON (docs/export.md, "netrec stats").
 */
import { formatIssue, type InputIssue } from '../core/errors.ts';
import { Depth } from '../decode/packet.ts';
import { replay } from '../pipeline/replay.ts';
import { StatsCollector } from '../traffic/collector.ts';
import { renderJson, renderTable } from '../stats/render.ts';
import { buildReport } from '../stats/report.ts';
import { inputPaths, openInputs, reportInputs, timeWindow } from './inputs.ts';
import type { ParsedArgs } from './spec.ts';
import { integerIn } from './values.ts';

export async function statsCommand(args: ParsedArgs): Promise<number> {
  const output = (args.string('output') ?? 'table').replace(/^format:/, '');
  const limit = integerIn('--limit', args.string('limit') ?? '50', 0, Number.MAX_SAFE_INTEGER);
  const top = integerIn('--top', args.string('top') ?? '10', 0, Number.MAX_SAFE_INTEGER);
  const paths = inputPaths(args);
  const window = timeWindow(args);

  const inputs = await openInputs(paths, args.strings('trace'), window.from !== undefined ? { fromTime: window.from } : {});
  reportInputs(inputs);
  const { sources, filter } = inputs;
  const collector = new StatsCollector();
  let errors = inputs.unopened.length;
  const report = (issue: InputIssue): void => {
    if (issue.severity === 'error') errors++;
    if (issue.lost !== undefined) collector.lost(issue.lost.kernelLost, issue.lost.userDropped);
    process.stderr.write(`${formatIssue(issue)}\n`);
  };
  await replay({
    sources,
    events: filter.events,
    ...(filter.accept !== undefined ? { accept: filter.accept } : {}),
    packets: { depth: Depth.Application, packet: (p, d) => collector.add(p, d) },
    report,
    order: args.flag('concat') ? 'concat' : 'merge',
    window,
  });
  const stats = buildReport(
    collector,
    sources.map((s) => s.name),
    top,
  );
  process.stdout.write(output === 'json' ? renderJson(stats) : renderTable(stats, limit));
  return errors > 0 ? 1 : 0;
}
