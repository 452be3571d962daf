/**
 * Inputs → rows of the tables (src/table/), through the one replay pipeline: shared by
 * `export --format parquet`, `query` over recordings and `ship`. Rows are handed over after every
 * batch the pipeline reads, so memory stays bounded by what the receiver keeps.
 */
import { formatIssue, type InputIssue } from '../core/errors.ts';
import { replay, type ReplayStats } from '../pipeline/replay.ts';
import { NevSource } from '../replay/nev-source.ts';
import type { PacketSource } from '../core/source.ts';
import { TableCollector, TRAFFIC_LIMITS, type TableRows } from '../table/collector.ts';
import type { RowOrigin } from '../table/rows.ts';
import { originOf } from './export-run.ts';
import { openInputs, reportInputs } from './inputs.ts';
import { startProgress } from './progress.ts';

export interface TableReplayArgs {
  inputs: readonly string[];
  trace: readonly string[];
  window: { from?: bigint; to?: bigint };
  order: 'merge' | 'concat';
  limit: number | undefined;
  /** --host-name: replaces the recorded host name in every row. */
  hostName: string | undefined;
  /** ship --follow: recordings still being written are read as their segments are sealed. */
  follow?: AbortSignal;
}

export interface TableReplayResult {
  stats: ReplayStats;
  /** Input errors reported (files not opened included). */
  errors: number;
  sources: readonly PacketSource[];
  origins: readonly RowOrigin[];
}

/**
 * Replays `args.inputs` into table rows; `take` receives the rows after every batch (`final` once
 * at the end, with the processes table) and the inputs' origins (a followed recording's segment
 * starts grow), and may wait, which holds the replay back.
 */
export async function replayTables(
  args: TableReplayArgs,
  label: string,
  take: (rows: TableRows, final: boolean, origins: readonly RowOrigin[]) => Promise<void>,
): Promise<TableReplayResult> {
  const inputs = await openInputs(args.inputs, args.trace, {
    ...(args.window.from !== undefined ? { fromTime: args.window.from } : {}),
    ...(args.follow !== undefined ? { follow: args.follow } : {}),
  });
  const { sources, filter } = inputs;
  let errors = inputs.unopened.length;
  const progress = startProgress(label, sources, true);
  const report = (issue: InputIssue): void => {
    if (issue.severity === 'error') errors++;
    progress.end();
    process.stderr.write(`${formatIssue(issue)}\n`);
  };
  reportInputs(inputs);
  const origins = sources.map((s, i) => rowOrigin(s, i, args.hostName));
  const collector = new TableCollector(origins, filter.events, filter.accept);
  sources.forEach((s, i) => {
    if (s instanceof NevSource) s.feedContext((record) => collector.context(i, record));
  });
  const stats = await replay({
    sources,
    events: filter.events,
    ...(filter.accept !== undefined ? { accept: filter.accept } : {}),
    packets: {
      depth: collector.depth,
      packet: (p, d, source) => collector.packet(p, d, source),
      settle: () => take(collector.take(false), false, origins),
    },
    observer: collector.observer(),
    report,
    order: args.order,
    window: args.window,
    progress: (n) => progress.update(n),
    ...(args.limit !== undefined ? { limit: args.limit } : {}),
  }).finally(() => progress.end());
  const overflow = collector.trafficOverflow;
  await take(collector.take(true), true, origins);
  if (overflow.packets > 0 || overflow.queries > 0) {
    process.stderr.write(
      `netrec: warning: past ${TRAFFIC_LIMITS.conversations} flows or ${TRAFFIC_LIMITS.transactions} DNS transactions in an input, ${overflow.packets} packet(s) of later flows and ${overflow.queries} later DNS quer(ies) are not in the flows and dns_transactions tables\n`,
    );
  }
  if (collector.outOfRange > 0) {
    process.stderr.write(
      `netrec: warning: ${collector.outOfRange} packet(s) or lifecycle record(s) with a timestamp outside the int64 nanosecond range (years 1677-2262) are not in the tables\n`,
    );
  }
  return { stats, errors, sources, origins };
}

/** What the rows of an input say about it: its host, recording id, segments and interfaces. */
function rowOrigin(source: PacketSource, index: number, hostName: string | undefined): RowOrigin {
  const capture = originOf(source, index);
  if (!(source instanceof NevSource)) {
    return { hostName: undefined, hostOverride: hostName, recordingId: source.name, segmentStarts: [], interfaceName: capture.interfaceName };
  }
  const { segments } = source.recording;
  const headers = () => segments.flatMap((s) => (s.info?.header !== undefined ? [s.info.header] : []));
  const first = headers()[0];
  // A followed recording (ship --follow) gains segments as it is read: their starts are added then.
  let starts: number[] = [];
  let counted = -1;
  return {
    hostName: first?.hostName,
    hostOverride: hostName,
    recordingId: first?.recordingId ?? source.name,
    get segmentStarts(): number[] {
      if (counted !== segments.length) {
        counted = segments.length;
        starts = headers()
          .map((h) => h.firstPacketNumber)
          .sort((a, b) => a - b);
      }
      return starts;
    },
    interfaceName: capture.interfaceName,
  };
}
