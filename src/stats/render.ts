/**
 * A StatsReport as JSON (everything, exact: times and latencies as integer nanoseconds) or as a
 * table for a person (the longest lists cut to `limit` rows, names escaped).
 */
import { randomBytes } from 'node:crypto';
import { terminalText } from '../core/terminal-text.ts';
import { clockTime, isoTime } from '../format/time.ts';
import type { ConversationRow, DnsSummaryRow, EndpointRow, StatsReport, TransactionRow } from './report.ts';
import type { Counted } from '../traffic/top-counter.ts';

/** JSON with bigints as exact integers (JSON.stringify refuses them). */
export function renderJson(report: StatsReport): string {
  // A marker no input can forge: a random nonce per run.
  const marker = `bigint-${randomBytes(8).toString('hex')}:`;
  const text = JSON.stringify(report, (_key, value: unknown) => (typeof value === 'bigint' ? `${marker}${value}` : value));
  return `${text.replace(new RegExp(`"${marker}(-?\\d+)"`, 'g'), '$1')}\n`;
}

export function renderTable(r: StatsReport, limit: number): string {
  const out: string[] = [];
  const span = r.first === undefined ? '' : `, ${isoTime(r.first)} .. ${isoTime(r.last!)} (${seconds(r.last! - r.first)})`;
  out.push(`${count(r.packets)} packets, ${bytes(r.bytes)}${span}`);
  if (r.duplicates > 0) out.push(`${count(r.duplicates)} more were the second copy of a packet recorded at both ends (loopback, veth): not counted again`);
  if (r.notIp > 0) out.push(`${count(r.notIp)} packets were not IP (or their IP header did not decode)`);
  const lost = r.lost.kernel + r.lost.recorder;
  out.push(
    lost === 0n ? 'lost while recording: none reported' : `lost while recording: ${lost} packets (kernel ${r.lost.kernel}, recorder ${r.lost.recorder})`,
  );

  const tcp = r.conversations.filter((c) => c.protocol === 'tcp').length;
  section(out, `Conversations: ${tcp} TCP, ${r.conversations.length - tcp} UDP`);
  table(
    out,
    ['PROTO', 'A', 'B', 'A→B PKTS', 'A→B BYTES', 'B→A PKTS', 'B→A BYTES', 'START (UTC)', 'DURATION', 'TCP STATE', 'A PROCESS', 'B PROCESS'],
    cut(r.conversations, limit).map(conversationCells),
    [false, false, false, true, true, true, true],
  );
  more(out, r.conversations.length, limit, 'conversations');
  if (r.conversationsOverflow.packets > 0) {
    out.push(`${count(r.conversationsOverflow.packets)} packets of later flows were counted in the totals only (conversation limit reached)`);
  }

  const d = r.dns;
  section(
    out,
    `DNS transactions: ${count(d.queries)} queries, ${count(d.answered)} answered, ${count(d.unanswered)} unanswered; ${count(d.retransmissions)} retransmitted queries, ${count(d.unsolicited)} unsolicited and ${count(d.repeatedResponses)} repeated responses`,
  );
  if (d.responseCodes.length > 0)
    out.push(`responses by rcode: ${d.responseCodes.map((c) => terminalText(`${count(c.count)} ${c.rcode} ${c.name}`)).join(', ')}`);
  if (d.latency !== undefined) out.push(`latency: min ${millis(d.latency.min)}, mean ${millis(d.latency.mean)}, max ${millis(d.latency.max)}`);
  table(
    out,
    ['TIME (UTC)', 'CLIENT', 'CLIENT PROCESS', 'SERVER', 'ID', 'QUESTION', 'RCODE', 'LATENCY', 'ANSWERS'],
    cut(d.transactions, limit).map(transactionCells),
  );
  more(out, d.transactions.length, limit, 'transactions');
  if (d.overflow > 0) out.push(`${count(d.overflow)} later queries were counted only (transaction limit reached)`);
  section(out, 'DNS by process (the client)');
  table(
    out,
    ['PROCESS', 'QUERIES', 'ANSWERED', 'UNANSWERED', 'ERRORS', 'MEAN LATENCY'],
    cut(d.byProcess, limit).map((s) => summaryCells(s, '(unknown)')),
    [false, true, true, true, true, true],
  );
  section(out, 'DNS by name');
  table(
    out,
    ['NAME', 'QUERIES', 'ANSWERED', 'UNANSWERED', 'ERRORS', 'MEAN LATENCY', 'ANSWERS'],
    cut(d.byName, limit).map((s) => summaryCells(s, '(no question)')),
    [false, true, true, true, true, true],
  );

  const approximate = r.top.approximate ? ' (approximate: too many keys to count each)' : '';
  section(out, `Top processes, by bytes sent or received${approximate}`);
  table(out, ['PROCESS', 'PACKETS', 'BYTES'], r.top.processes.map(topCells), [false, true, true]);
  section(out, 'Top remote addresses, by bytes');
  table(out, ['ADDRESS', 'PACKETS', 'BYTES'], r.top.remoteAddresses.map(topCells), [false, true, true]);
  section(out, 'Top service ports, by bytes of their conversations');
  table(out, ['PORT', 'PACKETS', 'BYTES'], r.top.ports.map(topCells), [false, true, true]);
  return `${out.join('\n')}\n`;
}

function conversationCells(c: ConversationRow): string[] {
  return [
    c.protocol,
    endpoint(c.a),
    endpoint(c.b),
    count(c.aToB.packets),
    String(c.aToB.bytes),
    count(c.bToA.packets),
    String(c.bToA.bytes),
    clockTime(c.first),
    seconds(c.last - c.first),
    c.tcp?.state ?? '',
    processes(c.a),
    processes(c.b),
  ];
}

function transactionCells(t: TransactionRow): string[] {
  const q = t.question;
  const answers = (t.answers ?? []).map((a) => `${a.answer_type} ${a.answer}`).join(', ');
  return [
    clockTime(t.queryTime),
    `${t.protocol} ${endpoint(t.client)}`,
    processes(t.client),
    endpoint(t.server),
    String(t.id),
    terminalText(`${q.name} ${q.type}${q.class === 'IN' ? '' : ` ${q.class}`}`),
    t.rcode === undefined ? 'no response' : terminalText(`${t.rcode} ${t.rcodeName}`),
    t.latency === undefined ? '' : millis(t.latency),
    terminalText(answers),
  ];
}

function summaryCells(s: DnsSummaryRow, empty: string): string[] {
  return [
    s.key === '' ? empty : terminalText(s.key),
    count(s.queries),
    count(s.answered),
    count(s.unanswered),
    count(s.errors),
    s.meanLatency === undefined ? '' : millis(s.meanLatency),
    terminalText((s.answers ?? []).join(', ')),
  ];
}

function topCells(c: Counted): string[] {
  return [terminalText(c.key), count(c.packets), String(c.bytes)];
}

function endpoint(e: EndpointRow): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

function processes(e: EndpointRow): string {
  return terminalText(e.processes.join(', '));
}

function section(out: string[], title: string): void {
  out.push('', title);
}

/** Columns padded to their widest cell; `right` aligns numbers. The last column is not padded. */
function table(out: string[], header: string[], rows: string[][], right: boolean[] = []): void {
  if (rows.length === 0) {
    out.push('  (none)');
    return;
  }
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...r[i]!].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) =>
        i === cells.length - 1 ? c : right[i] ? c.padStart(widths[i]! + c.length - [...c].length) : c.padEnd(widths[i]! + c.length - [...c].length),
      )
      .join('  ')
      .trimEnd();
  out.push(line(header), ...rows.map(line));
}

function cut<T>(rows: readonly T[], limit: number): readonly T[] {
  return limit > 0 && rows.length > limit ? rows.slice(0, limit) : rows;
}

function more(out: string[], total: number, limit: number, what: string): void {
  if (limit > 0 && total > limit) out.push(`… ${count(total - limit)} more ${what} (--limit 0 lists all, --output json gives everything)`);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function bytes(n: number): string {
  return `${count(n)} bytes`;
}

function millis(ns: bigint): string {
  return `${(Number(ns) / 1e6).toFixed(3)} ms`;
}

function seconds(ns: bigint): string {
  return `${(Number(ns) / 1e9).toFixed(3)} s`;
}
