/**
 * DNS transactions: each query matched with its response by transport, 5-tuple, DNS id and
 * question (name, type, class), with the latency between them. A query seen again before its
 * answer is a retransmission (latency counts from the first); a response nothing asked for is
 * unsolicited; a second response to an answered query is a repeated response. Answers are the
 * net_packet_dns_response event's (type, TTL, text), so stats and replay tell the same story.
 */
import type { DNSMessage } from '../decode/types.ts';
import { dnsClassName, dnsResponseCodeName, dnsResponseData, dnsTypeName } from '../event/dns.ts';
import { goString } from '../event/go-string.ts';
import type { DnsAnswer } from '../event/types.ts';
import type { Conversation, Endpoint } from './conversations.ts';

export interface DnsQuestion {
  name: string;
  type: string;
  class: string;
}

export interface DnsTransaction {
  id: number;
  protocol: 'udp' | 'tcp';
  client: { address: string; port: number };
  server: { address: string; port: number };
  question: DnsQuestion;
  queryTime: bigint;
  /** Queries with the same key before the response (retransmissions). */
  retransmissions: number;
  response?: {
    time: bigint;
    latency: bigint;
    rcode: number;
    rcodeName: string;
    answers: DnsAnswer[];
  };
  /** The flow the query went over: its endpoints' owners are the client and server processes. */
  conversation: Conversation | undefined;
}

export interface Endpoints {
  protocol: 'udp' | 'tcp';
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
}

export class DnsTransactions {
  /** Transactions in the order of their queries. */
  readonly all: DnsTransaction[] = [];
  /** Unanswered (and answered, for repeated responses) transactions by key. */
  private readonly byKey = new Map<string, DnsTransaction>();
  unsolicited = 0;
  repeatedResponses = 0;
  /** Every query and response message, retransmissions and unsolicited ones included. */
  queryMessages = 0;
  responseMessages = 0;
  /** Response messages per rcode. */
  readonly responseCodes = new Map<number, number>();
  /** Queries that arrived once the table was full: counted, not listed. */
  overflow = 0;

  constructor(readonly limit: number) {}

  add(m: DNSMessage, at: bigint, e: Endpoints, conversation: Conversation | undefined): void {
    const q = m.questions[0];
    const question: DnsQuestion = q ? { name: goString(q.name), type: dnsTypeName(q.type), class: dnsClassName(q.class) } : { name: '', type: '', class: '' };
    const [client, cport, server, sport] = m.qr ? [e.dst, e.dstPort, e.src, e.srcPort] : [e.src, e.srcPort, e.dst, e.dstPort];
    const qkey = q ? `${q.type}/${q.class}/${question.name}` : '';
    const key = `${e.protocol}|${client}|${cport}|${server}|${sport}|${m.id}|${qkey}`;
    const known = this.byKey.get(key);
    if (m.qr) {
      this.responseMessages++;
      this.responseCodes.set(m.responseCode, (this.responseCodes.get(m.responseCode) ?? 0) + 1);
    } else {
      this.queryMessages++;
    }
    if (!m.qr) {
      if (known !== undefined && known.response === undefined) {
        known.retransmissions++;
        return;
      }
      if (this.all.length >= this.limit) {
        this.overflow++;
        return;
      }
      const t: DnsTransaction = {
        id: m.id,
        protocol: e.protocol,
        client: { address: client, port: cport },
        server: { address: server, port: sport },
        question,
        queryTime: at,
        retransmissions: 0,
        conversation,
      };
      this.all.push(t);
      this.byKey.set(key, t);
      return;
    }
    if (known === undefined) {
      this.unsolicited++;
      return;
    }
    if (known.response !== undefined) {
      this.repeatedResponses++;
      return;
    }
    known.response = {
      time: at,
      latency: at - known.queryTime,
      rcode: m.responseCode,
      rcodeName: dnsResponseCodeName(m.responseCode),
      answers: dnsResponseData(m).dns_answer ?? [],
    };
  }
}

/**
 * The end of the transaction's flow at this address and port (its owners are the client's or the
 * server's processes); undefined when the query's flow was not counted.
 */
export function flowEnd(t: DnsTransaction, side: { address: string; port: number }): Endpoint | undefined {
  const c = t.conversation;
  return c === undefined ? undefined : [c.a, c.b].find((e) => e.address === side.address && e.port === side.port);
}
