/**
 * The matchers behind filtered views: a `--trace` filter, a TCP/UDP flow, a DNS exchange. Each
 * decodes no deeper than it reads.
 */
import type { CapturedPacket, Direction } from '../../core/packet.ts';
import { Depth, type DecodedPacket } from '../../decode/packet.ts';
import type { DNSMessage } from '../../decode/types.ts';
import { dnsResponseCodeName } from '../../event/dns.ts';
import { depthFor, eventBit } from '../../event/selection.ts';
import type { TraceeEvent } from '../../event/types.ts';
import type { CompiledFilter } from '../../filter/compile.ts';
import type { Matcher } from './match-pass.ts';

/** A packet matches when one of the events it makes passes the filter, as in `netrec replay`. */
export function filterMatcher(filter: CompiledFilter): Matcher {
  const accept = filter.accept;
  return {
    depth: depthFor(filter.events),
    events: filter.events,
    test: (_packet, _decoded, events) => (accept === undefined ? events.length > 0 : events.some(accept)),
  };
}

/** The events of a packet a filter lets through (its event selection, then its predicate). */
export function filterShows(filter: CompiledFilter): (e: TraceeEvent) => boolean {
  const { events, accept } = filter;
  return (e) => (events & eventBit(e.eventName)) !== 0 && (accept === undefined || accept(e));
}

/** One side of a conversation: address bytes and port. */
interface Endpoint {
  address: Uint8Array;
  port: number;
}

/** A TCP or UDP conversation, in both directions. */
export interface Flow {
  protocol: 'tcp' | 'udp';
  a: Endpoint;
  b: Endpoint;
}

export function flowOf(d: DecodedPacket): Flow | undefined {
  const ip = d.ipv4 ?? d.ipv6;
  const ports = d.tcp ?? d.udp;
  if (ip === undefined || ports === undefined) return undefined;
  return {
    protocol: d.tcp !== undefined ? 'tcp' : 'udp',
    a: { address: ip.src, port: ports.srcPort },
    b: { address: ip.dst, port: ports.dstPort },
  };
}

/** Same protocol, same two endpoints, either way round. */
export function flowMatcher(flow: Flow): Matcher {
  return {
    depth: Depth.Transport,
    events: 0,
    test: (_packet, d) => {
      const other = flowOf(d);
      if (other === undefined || other.protocol !== flow.protocol) return false;
      return (sameEndpoint(other.a, flow.a) && sameEndpoint(other.b, flow.b)) || (sameEndpoint(other.a, flow.b) && sameEndpoint(other.b, flow.a));
    },
  };
}

export function sameEndpoint(x: Endpoint, y: Endpoint): boolean {
  if (x.port !== y.port || x.address.length !== y.address.length) return false;
  for (let i = 0; i < x.address.length; i++) if (x.address[i] !== y.address[i]) return false;
  return true;
}

/**
 * How long a DNS query waits for its response before the exchange counts as unanswered: the
 * resolvers' usual timeout (glibc, dig).
 */
export const DNS_WAIT_NS = 5_000_000_000n;

/**
 * A recording of two local ends holds each packet twice (the sender's egress, the receiver's
 * ingress), microseconds apart: an exchange goes on this long after its response for the copy.
 */
export const COPY_WINDOW_NS = 100_000_000n;

/** What a DNS exchange pass has found so far. */
export interface DnsExchange {
  id: number;
  /**
   * Timestamps of the queries and responses sent, in file order: of one copy of each packet
   * (the direction of the first one seen), so the copies of a packet count once.
   */
  queries: bigint[];
  responses: bigint[];
  /** Which copy the counts above take (undefined: a capture without directions). */
  queryCopy?: Direction;
  responseCopy?: Direction;
  /** The first response's message, for its answer count and code. */
  response?: DNSMessage;
}

/**
 * The query and response(s) of the DNS message in `d`: same transaction id on the same flow,
 * within DNS_WAIT_NS. The pass starts at the query (or DNS_WAIT_NS before a response) and
 * stops once the exchange is complete (COPY_WINDOW_NS after the response, so the second copy of
 * each packet recorded at both ends is shown too), so it reads only the packets around it.
 * Retransmitted queries before the response are shown too.
 */
export function dnsExchangeMatcher(packet: CapturedPacket, d: DecodedPacket): { matcher: Matcher; exchange: DnsExchange; start: bigint } | undefined {
  const message = d.dns[0];
  const flow = flowOf(d);
  if (message === undefined || flow === undefined) return undefined;
  const client = message.qr ? flow.b : flow.a;
  const server = message.qr ? flow.a : flow.b;
  const exchange: DnsExchange = { id: message.id, queries: [], responses: [] };
  // From a query, the pass starts early enough for its other copy, which may come first.
  const start = packet.timestamp - (message.qr ? DNS_WAIT_NS : COPY_WINDOW_NS);
  const end = packet.timestamp + DNS_WAIT_NS;
  // From a response, the exchange ends with it; from a query, at its first response. Either way
  // the other copy of that response may follow within COPY_WINDOW_NS.
  let answeredAt = message.qr ? packet.timestamp : undefined;
  const matcher: Matcher = {
    depth: Depth.Application,
    events: 0,
    test: (p, other) => {
      const past = answeredAt === undefined ? p.timestamp > end : p.timestamp > answeredAt + COPY_WINDOW_NS && p.number > packet.number;
      if (past) return 'stop';
      const m = other.dns.find((x) => x.id === exchange.id);
      const f = flowOf(other);
      if (m === undefined || f === undefined || f.protocol !== flow.protocol) return false;
      const fromClient = sameEndpoint(f.a, client) && sameEndpoint(f.b, server);
      const fromServer = sameEndpoint(f.a, server) && sameEndpoint(f.b, client);
      if (fromClient && !m.qr) {
        if (exchange.queries.length === 0) exchange.queryCopy = p.direction;
        if (p.direction === exchange.queryCopy) exchange.queries.push(p.timestamp);
      } else if (fromServer && m.qr) {
        if (exchange.responses.length === 0) exchange.responseCopy = p.direction;
        if (p.direction === exchange.responseCopy) exchange.responses.push(p.timestamp);
        exchange.response ??= m;
        answeredAt ??= p.timestamp;
      } else return false;
      return true;
    },
  };
  return { matcher, exchange, start };
}

/** "answered in 0.412 ms (no error, 1 answer)", or why there is no latency to give. */
export function exchangeNote(exchange: DnsExchange, done: boolean): string {
  const query = exchange.queries[0];
  const response = exchange.responses[0];
  if (query !== undefined && response !== undefined && response >= query) {
    const ms = Number(response - query) / 1e6;
    const m = exchange.response!;
    const answers = `${m.answers.length} answer${m.answers.length === 1 ? '' : 's'}`;
    const retries = exchange.queries.length > 1 ? `, ${exchange.queries.length} queries sent` : '';
    return `answered in ${ms.toFixed(3)} ms (${dnsResponseCodeName(m.responseCode).trim()}, ${answers}${retries})`;
  }
  if (!done) return 'looking for the other half…';
  if (query === undefined) return `no query in the ${Number(DNS_WAIT_NS / 1_000_000_000n)} s before the response`;
  return `no response within ${Number(DNS_WAIT_NS / 1_000_000_000n)} s`;
}
