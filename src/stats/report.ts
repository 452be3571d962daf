/**
 * What `netrec stats` reports, summarised from a StatsCollector: plain data that the JSON and
 * table renderings (render.ts) print. Times are epoch ns and latencies ns, as bigints.
 */
import type { StatsCollector } from '../traffic/collector.ts';
import type { Conversation, Endpoint, Traffic } from '../traffic/conversations.ts';
import { flowEnd, type DnsQuestion, type DnsTransaction } from '../traffic/dns-transactions.ts';
import { TopCounter, type Counted } from '../traffic/top-counter.ts';
import { dnsResponseCodeName } from '../event/dns.ts';
import type { DnsAnswer } from '../event/types.ts';

export interface EndpointRow {
  address: string;
  port: number;
  /** "comm (pid)" of each process that owned it; empty when the input says nothing. */
  processes: string[];
}

/** A conversation as reported: its endpoints' owners as text. */
export type ConversationRow = Omit<Conversation, 'a' | 'b'> & { a: EndpointRow; b: EndpointRow };

export interface TransactionRow {
  id: number;
  protocol: 'udp' | 'tcp';
  client: EndpointRow;
  server: EndpointRow;
  question: DnsQuestion;
  queryTime: bigint;
  retransmissions: number;
  responseTime?: bigint;
  latency?: bigint;
  rcode?: number;
  rcodeName?: string;
  answers?: DnsAnswer[];
}

export interface DnsSummaryRow {
  /** The process ("comm (pid)", or "" when unknown) or the name asked for. */
  key: string;
  queries: number;
  answered: number;
  unanswered: number;
  /** Answered with an rcode other than 0. */
  errors: number;
  /** Mean latency of the answered queries, ns. */
  meanLatency?: bigint;
  /** Per name: the distinct answers (up to ANSWERS_KEPT). */
  answers?: string[];
}

export interface StatsReport {
  inputs: string[];
  packets: number;
  bytes: number;
  /** Second copies of packets recorded at both ends, not counted. */
  duplicates: number;
  notIp: number;
  first?: bigint;
  last?: bigint;
  lost: { kernel: bigint; recorder: bigint };
  conversations: ConversationRow[];
  /** Packets of flows past the conversation limit. */
  conversationsOverflow: Traffic;
  dns: {
    transactions: TransactionRow[];
    /** Query and response messages, each copy counted once. */
    queryMessages: number;
    responseMessages: number;
    /** Response messages per rcode, most first. */
    responseCodes: { rcode: number; name: string; count: number }[];
    /** Transactions: distinct queries (retransmissions are not new ones). */
    queries: number;
    answered: number;
    unanswered: number;
    retransmissions: number;
    unsolicited: number;
    repeatedResponses: number;
    /** Queries past the transaction limit (counted, not listed). */
    overflow: number;
    latency?: { min: bigint; mean: bigint; max: bigint };
    byProcess: DnsSummaryRow[];
    byName: DnsSummaryRow[];
  };
  top: {
    processes: Counted[];
    remoteAddresses: Counted[];
    ports: Counted[];
    /** Some keys were dropped to bound memory: counts are lower bounds. */
    approximate: boolean;
  };
}

const ANSWERS_KEPT = 8;

export function buildReport(c: StatsCollector, inputs: string[], top: number): StatsReport {
  const conversations = c.conversations.all.map(conversationRow);
  const transactions = c.dns.all.map(transactionRow);
  const answered = transactions.filter((t) => t.latency !== undefined);
  const latencies = answered.map((t) => t.latency!);
  const ports = servicePorts(c.conversations.all);
  return {
    inputs,
    packets: c.packets,
    bytes: c.bytes,
    duplicates: c.copies.duplicates,
    notIp: c.notIp,
    ...(c.first !== undefined ? { first: c.first, last: c.last! } : {}),
    lost: { kernel: c.kernelLost, recorder: c.userDropped },
    conversations,
    conversationsOverflow: c.conversations.overflow,
    dns: {
      transactions,
      queryMessages: c.dns.queryMessages,
      responseMessages: c.dns.responseMessages,
      responseCodes: [...c.dns.responseCodes]
        .map(([rcode, count]) => ({ rcode, name: dnsResponseCodeName(rcode), count }))
        .sort((x, y) => y.count - x.count || x.rcode - y.rcode),
      queries: transactions.length + c.dns.overflow,
      answered: answered.length,
      unanswered: transactions.length - answered.length,
      retransmissions: transactions.reduce((n, t) => n + t.retransmissions, 0),
      unsolicited: c.dns.unsolicited,
      repeatedResponses: c.dns.repeatedResponses,
      overflow: c.dns.overflow,
      ...(latencies.length > 0
        ? { latency: { min: latencies.reduce(min), mean: latencies.reduce((s, l) => s + l, 0n) / BigInt(latencies.length), max: latencies.reduce(max) } }
        : {}),
      byProcess: summarise(transactions, (t) => t.client.processes[0] ?? ''),
      byName: summarise(transactions, (t) => t.question.name, true),
    },
    top: {
      processes: c.processes.top(top, 'bytes'),
      remoteAddresses: c.remotes.top(top, 'bytes'),
      ports: ports.top(top, 'bytes'),
      approximate: c.processes.approximate || c.remotes.approximate || ports.approximate,
    },
  };
}

function endpointRow(e: Endpoint): EndpointRow {
  const processes = e.owners.map((o) => `${o.comm} (${o.pid})`);
  if (e.moreOwners) processes.push('…');
  return { address: e.address, port: e.port, processes };
}

function conversationRow(c: Conversation): ConversationRow {
  return { ...c, a: endpointRow(c.a), b: endpointRow(c.b) };
}

function transactionRow(t: DnsTransaction): TransactionRow {
  const side = (address: string, port: number): EndpointRow => {
    const end = flowEnd(t, { address, port });
    return end === undefined ? { address, port, processes: [] } : endpointRow(end);
  };
  const r = t.response;
  return {
    id: t.id,
    protocol: t.protocol,
    client: side(t.client.address, t.client.port),
    server: side(t.server.address, t.server.port),
    question: t.question,
    queryTime: t.queryTime,
    retransmissions: t.retransmissions,
    ...(r !== undefined ? { responseTime: r.time, latency: r.latency, rcode: r.rcode, rcodeName: r.rcodeName, answers: r.answers } : {}),
  };
}

function summarise(rows: readonly TransactionRow[], keyOf: (t: TransactionRow) => string, withAnswers = false): DnsSummaryRow[] {
  const by = new Map<string, DnsSummaryRow & { total: bigint }>();
  for (const t of rows) {
    const key = keyOf(t);
    let s = by.get(key);
    if (s === undefined) {
      s = { key, queries: 0, answered: 0, unanswered: 0, errors: 0, total: 0n, ...(withAnswers ? { answers: [] } : {}) };
      by.set(key, s);
    }
    s.queries++;
    if (t.latency === undefined) {
      s.unanswered++;
      continue;
    }
    s.answered++;
    s.total += t.latency;
    if (t.rcode !== 0) s.errors++;
    for (const a of t.answers ?? []) {
      const text = `${a.answer_type} ${a.answer}`;
      if (s.answers !== undefined && s.answers.length < ANSWERS_KEPT && !s.answers.includes(text)) s.answers.push(text);
    }
  }
  return [...by.values()]
    .sort((x, y) => y.queries - x.queries || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
    .map(({ total, ...s }) => (s.answered > 0 ? { ...s, meanLatency: total / BigInt(s.answered) } : s));
}

/**
 * Traffic per service port ("tcp/443"): the responder's port, B's when the capture saw the
 * conversation start (a SYN, or UDP's first datagram), else the lower of the two.
 */
function servicePorts(conversations: readonly Conversation[]): TopCounter {
  const counter = new TopCounter();
  for (const c of conversations) {
    const started = c.tcp === undefined || c.tcp.syn;
    const port = started ? c.b.port : Math.min(c.a.port, c.b.port);
    counter.add(`${c.protocol}/${port}`, c.aToB.bytes + c.bToA.bytes, c.aToB.packets + c.bToA.packets);
  }
  return counter;
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);
