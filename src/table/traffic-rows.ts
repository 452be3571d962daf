/**
 * The `flows` and `dns_transactions` tables: the conversations and DNS transactions that
 * src/traffic/ counts (the same aggregation `netrec stats` reports), one row each, laid out by
 * the columns of schema.ts. Rows are made at the end of an input, when every packet is counted.
 */
import type { StatsCollector } from '../traffic/collector.ts';
import type { Conversation, Endpoint } from '../traffic/conversations.ts';
import { flowEnd, type DnsTransaction } from '../traffic/dns-transactions.ts';
import { dayOf, hostPartition, type Row } from './rows.ts';

/** An input's aggregation and the host its rows belong to. */
export interface TrafficOrigin {
  recordingId: string;
  hostName: string;
}

const owners = (end: Endpoint | undefined): { hostProcessId: number; processName: string }[] =>
  end === undefined ? [] : end.owners.map((o) => ({ hostProcessId: o.pid, processName: o.comm }));

function setAggregateOrigin(row: Row, origin: TrafficOrigin, at: bigint): Row {
  row.host = hostPartition(origin.hostName);
  row.date = dayOf(at);
  row.recordingId = origin.recordingId;
  row.hostName = origin.hostName;
  return row;
}

export function flowRow(origin: TrafficOrigin, c: Conversation, number: number): Row {
  const row = setAggregateOrigin({}, origin, c.first);
  row.flowNumber = BigInt(number);
  row.transport = c.protocol;
  row.srcIP = c.a.address;
  row.srcPort = c.a.port;
  row.dstIP = c.b.address;
  row.dstPort = c.b.port;
  row.firstSeen = c.first;
  row.lastSeen = c.last;
  row.packets = BigInt(c.aToB.packets + c.bToA.packets);
  row.bytes = BigInt(c.aToB.bytes + c.bToA.bytes);
  row.packetsFromSrc = BigInt(c.aToB.packets);
  row.bytesFromSrc = BigInt(c.aToB.bytes);
  row.packetsFromDst = BigInt(c.bToA.packets);
  row.bytesFromDst = BigInt(c.bToA.bytes);
  row.copies = BigInt(c.copies);
  row.tcpState = c.tcp?.state ?? null;
  row.srcProcesses = owners(c.a);
  row.srcMoreProcesses = c.a.moreOwners;
  row.dstProcesses = owners(c.b);
  row.dstMoreProcesses = c.b.moreOwners;
  return row;
}

export function transactionRow(origin: TrafficOrigin, t: DnsTransaction, number: number): Row {
  const row = setAggregateOrigin({}, origin, t.queryTime);
  row.transactionNumber = BigInt(number);
  row.timestamp = t.queryTime;
  row.transport = t.protocol;
  row.clientIP = t.client.address;
  row.clientPort = t.client.port;
  row.serverIP = t.server.address;
  row.serverPort = t.server.port;
  row.ID = t.id;
  row.questionName = t.question.name;
  row.questionType = t.question.type;
  row.questionClass = t.question.class;
  row.retransmissions = t.retransmissions;
  const r = t.response;
  row.answered = r !== undefined;
  row.responseTimestamp = r?.time ?? null;
  row.latency = r?.latency ?? null;
  row.responseCode = r?.rcodeName ?? null;
  row.answers = r?.answers ?? [];
  const client = flowEnd(t, t.client);
  const server = flowEnd(t, t.server);
  row.clientProcesses = owners(client);
  row.clientMoreProcesses = client?.moreOwners ?? false;
  row.serverProcesses = owners(server);
  row.serverMoreProcesses = server?.moreOwners ?? false;
  return row;
}

/** Every flow and transaction of an input's aggregation as rows. */
export function trafficRows(origin: TrafficOrigin, stats: StatsCollector): { flows: Row[]; dns_transactions: Row[] } {
  return {
    flows: stats.conversations.all.map((c, i) => flowRow(origin, c, i + 1)),
    dns_transactions: stats.dns.all.map((t, i) => transactionRow(origin, t, i + 1)),
  };
}
