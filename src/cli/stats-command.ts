/**
 * `netrec stats <input...>`: conversations, DNS transactions and top talkers of recordings and
 * captures, as a table (default) or JSON (docs/export.md, "netrec stats").
 */
import { parseArgs } from 'node:util';
import { formatIssue, UsageError, type InputIssue } from '../core/errors.ts';
import { Depth } from '../decode/packet.ts';
import { replay } from '../pipeline/replay.ts';
import { StatsCollector } from '../stats/collector.ts';
import { renderJson, renderTable } from '../stats/render.ts';
import { buildReport } from '../stats/report.ts';
import { openInputs, reportInputs, TIME_OPTIONS, timeWindow, TIME_SYNTAX, TRACE_OPTIONS } from './inputs.ts';

export const STATS_HELP = `Usage: netrec stats <input...> [options]

What happened, from recordings (.nev), pcap and pcapng files:
  - conversations: each TCP and UDP flow, both directions merged, with its first and last
    packet, packets and bytes each way, the TCP state it reached and the processes that
    owned each end (recordings);
  - DNS transactions: each query with its response (matched by transport, addresses, ports,
    id and question), latency, rcode and answers; unanswered queries; per-process and
    per-name summaries;
  - top talkers by process, remote address and service port.
A packet recorded at both ends (loopback, veth to a local namespace) is counted once.

Options:
  -o, --output FORMAT     table (default) or json (everything, times in epoch ns).
  -t, --trace EXPR        Count only the packets that give an event the filter keeps
                          (as for replay; repeatable, also --filter / -f).
      --from TIME         Only packets from TIME on; --to TIME: up to TIME (inclusive).
                          TIME: ${TIME_SYNTAX}.
      --limit N           Table rows per list (default 50; 0 for all).
      --top N             Entries per top-talker list (default 10).
  -h, --help              Show this help.

Exit status: 0 success, 1 an input error was reported, 2 usage error.
`;

function count(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`invalid ${flag} '${text}': expected a whole number`);
  return n;
}

export async function statsCommand(argv: string[]): Promise<number> {
  // parseArgs' own errors (unknown option, missing value) are usage errors: main reports them.
  const parsed = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o', default: 'table' },
      ...TRACE_OPTIONS,
      ...TIME_OPTIONS,
      limit: { type: 'string', default: '50' },
      top: { type: 'string', default: '10' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(STATS_HELP);
    return 0;
  }
  const output = values.output.replace(/^format:/, '');
  if (output !== 'table' && output !== 'json') throw new UsageError(`unknown --output '${values.output}' (valid: table, json)`);
  const limit = count('--limit', values.limit);
  const top = count('--top', values.top);
  const window = timeWindow(values);
  if (positionals.length === 0) throw new UsageError('stats needs at least one input (a recording, pcap or pcapng; - for stdin)');

  const inputs = await openInputs(positionals, [...values.trace, ...values.filter]);
  reportInputs(inputs);
  const { sources, filter } = inputs;
  const collector = new StatsCollector();
  let errors = inputs.unopened.length;
  const report = (issue: InputIssue): void => {
    if (issue.severity === 'error') errors++;
    if (issue.lost !== undefined) collector.lost(issue.lost.kernelLost, issue.lost.userDropped);
    process.stderr.write(formatIssue(issue) + '\n');
  };
  await replay({
    sources,
    events: filter.events,
    ...(filter.accept !== undefined ? { accept: filter.accept } : {}),
    ...window,
    packets: { depth: Depth.Application, packet: (p, d) => collector.add(p, d) },
    report,
  });
  const stats = buildReport(
    collector,
    sources.map((s) => s.name),
    top,
  );
  process.stdout.write(output === 'json' ? renderJson(stats) : renderTable(stats, limit));
  return errors > 0 ? 1 : 0;
}
