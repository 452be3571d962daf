/**
 * The ready-made queries of `netrec query --list`, each in two dialects over the same tables:
 * DuckDB (Parquet, `netrec query`) and ClickHouse (`netrec query --clickhouse`, SQL that Debian's
 * 18.16 accepts: no window functions, no NOT EXISTS, ANY LEFT JOIN ... USING). Both spellings
 * give the same rows in the same order on the same data (test/ship/clickhouse-cluster.test.ts):
 * every ORDER BY breaks every tie, and the columns have the same names and kinds.
 */
import { canonicalIp, parseCidr } from '../filter/ip.ts';

export interface QueryParam {
  name: string;
  help: string;
  /** Absent: the parameter is required. */
  default?: string;
}

export interface ReadyQuery {
  name: string;
  summary: string;
  params: QueryParam[];
  /** The SQL, or a message saying what is wrong with the parameters. */
  duckdb(params: Record<string, string>): string;
  clickhouse(params: Record<string, string>): string;
}

/** An IPv4 CIDR as its first and last address as integers; undefined for anything else. */
export function ipv4Range(text: string): [number, number] | undefined {
  const cidr = parseCidr(text);
  if (cidr === undefined || cidr.bytes.length !== 4) return undefined;
  const b = cidr.bytes;
  const first = ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
  return [first, first + 2 ** (32 - cidr.prefix) - 1];
}

/** An IPv4 address text as an integer in DuckDB; NULL for anything else (IPv6). */
const duckIpv4 = (column: string): string =>
  `CASE WHEN regexp_full_match(${column}, '\\d+\\.\\d+\\.\\d+\\.\\d+') THEN ` +
  `(split_part(${column}, '.', 1)::UBIGINT << 24) + (split_part(${column}, '.', 2)::UBIGINT << 16) + (split_part(${column}, '.', 3)::UBIGINT << 8) + split_part(${column}, '.', 4)::UBIGINT END`;

export const READY_QUERIES: readonly ReadyQuery[] = [
  {
    name: 'dns-names-by-process',
    summary: 'The names each process asked DNS for, per host: queries and first time asked.',
    params: [],
    duckdb: () =>
      `SELECT hostName, processName, name, count(*) AS queries, min(timestamp) AS firstAsked
FROM (SELECT hostName, processName, timestamp, unnest(questionNames) AS name FROM dns WHERE QR = 0)
GROUP BY hostName, processName, name ORDER BY hostName, processName, name`,
    clickhouse: () =>
      `SELECT hostName, processName, name, count() AS queries, min(timestamp) AS firstAsked
FROM dns ARRAY JOIN questionNames AS name WHERE QR = 0
GROUP BY hostName, processName, name ORDER BY hostName, processName, name`,
  },
  {
    name: 'first-contact',
    summary: 'When each host first sent a packet to each address, and which process did.',
    params: [{ name: 'address', help: 'Only this destination address (default: every address).', default: '' }],
    duckdb: (p) =>
      `SELECT hostName, dstIP AS address, min(timestamp) AS firstSeen, arg_min(processName, (timestamp, packetNumber, processName)) AS processName, count(*) AS packets
FROM packets WHERE ipVersion > 0 AND direction <> 'ingress'${p.address !== '' ? ` AND dstIP = ${sqlString(p.address!)}` : ''}
GROUP BY hostName, dstIP ORDER BY hostName, firstSeen, address`,
    clickhouse: (p) =>
      `SELECT hostName, dstIP AS address, min(timestamp) AS firstSeen, argMin(processName, (timestamp, packetNumber, processName)) AS processName, count() AS packets
FROM packets WHERE ipVersion > 0 AND direction != 'ingress'${p.address !== '' ? ` AND dstIP = ${sqlString(p.address!)}` : ''}
GROUP BY hostName, dstIP ORDER BY hostName, firstSeen, address`,
  },
  {
    name: 'processes-to-cidr',
    summary: 'Processes that sent packets into an IPv4 network: packets, bytes, addresses.',
    params: [{ name: 'cidr', help: 'The IPv4 network, a.b.c.d/n.', default: '0.0.0.0/0' }],
    duckdb: (p) => {
      const [lo, hi] = range(p.cidr!);
      return `SELECT hostName, processName, hostProcessId, count(*) AS packets, sum(originalLength)::UBIGINT AS bytes, count(DISTINCT dstIP) AS addresses
FROM packets WHERE hasTask AND ${duckIpv4('dstIP')} BETWEEN ${lo} AND ${hi}
GROUP BY hostName, processName, hostProcessId ORDER BY hostName, bytes DESC, processName, hostProcessId`;
    },
    clickhouse: (p) => {
      const [lo, hi] = range(p.cidr!);
      return `SELECT hostName, processName, hostProcessId, count() AS packets, sum(toUInt64(originalLength)) AS bytes, uniqExact(dstIP) AS addresses
FROM packets WHERE hasTask = 1 AND ipVersion = 4 AND IPv4StringToNum(dstIP) BETWEEN ${lo} AND ${hi}
GROUP BY hostName, processName, hostProcessId ORDER BY hostName, bytes DESC, processName, hostProcessId`;
    },
  },
  {
    name: 'dns-answers-unused',
    summary: 'Addresses DNS gave a host that it never sent a packet to afterwards.',
    params: [],
    duckdb: () =>
      `SELECT a.hostName, a.name, a.address, a.answeredAt
FROM (SELECT hostName, coalesce(questionNames[1], '') AS name, unnest(answerIPs) AS address, timestamp AS answeredAt FROM dns WHERE QR = 1) a
LEFT JOIN (SELECT hostName, dstIP AS address, max(timestamp) AS lastSent FROM packets WHERE direction <> 'ingress' GROUP BY hostName, dstIP) s
ON a.hostName = s.hostName AND a.address = s.address
WHERE coalesce(s.lastSent, 0) < a.answeredAt
ORDER BY a.hostName, a.answeredAt, a.name, a.address`,
    clickhouse: () =>
      `SELECT hostName, name, address, answeredAt FROM
(SELECT hostName, questionNames[1] AS name, address, timestamp AS answeredAt FROM dns ARRAY JOIN answerIPs AS address WHERE QR = 1)
ANY LEFT JOIN (SELECT hostName, dstIP AS address, max(timestamp) AS lastSent FROM packets WHERE direction != 'ingress' GROUP BY hostName, dstIP)
USING (hostName, address)
WHERE lastSent < answeredAt
ORDER BY hostName, answeredAt, name, address`,
  },
  {
    name: 'top-talkers',
    summary: 'The processes that moved the most bytes on each host (top 10 per host).',
    params: [{ name: 'top', help: 'Processes per host.', default: '10' }],
    duckdb: (p) =>
      `SELECT hostName, processName, hostProcessId, packets, bytes FROM
(SELECT hostName, processName, hostProcessId, count(*) AS packets, sum(originalLength)::UBIGINT AS bytes FROM packets WHERE hasTask GROUP BY hostName, processName, hostProcessId)
QUALIFY row_number() OVER (PARTITION BY hostName ORDER BY bytes DESC, processName, hostProcessId) <= ${count(p.top!)}
ORDER BY hostName, bytes DESC, processName, hostProcessId`,
    clickhouse: (p) =>
      `SELECT hostName, processName, hostProcessId, count() AS packets, sum(toUInt64(originalLength)) AS bytes FROM packets WHERE hasTask = 1
GROUP BY hostName, processName, hostProcessId
ORDER BY hostName, bytes DESC, processName, hostProcessId LIMIT ${count(p.top!)} BY hostName`,
  },
];

/** Raised for a bad parameter value: the CLI turns it into a usage error. */
export class QueryParamError extends Error {}

function range(cidr: string): [number, number] {
  const r = ipv4Range(cidr);
  if (r === undefined) throw new QueryParamError(`cidr: ${JSON.stringify(cidr)} is not an IPv4 network (a.b.c.d/n)`);
  return r;
}

function count(text: string): number {
  if (!/^\d{1,6}$/.test(text) || Number(text) === 0) throw new QueryParamError(`top: ${JSON.stringify(text)} is not a count from 1 to 999999`);
  return Number(text);
}

/** An address as a string literal: only an address passes, so nothing needs escaping in either dialect. */
function sqlString(text: string): string {
  const ip = canonicalIp(text);
  if (ip === undefined) throw new QueryParamError(`address: ${JSON.stringify(text)} is not an IP address`);
  return `'${ip}'`;
}

export function findQuery(name: string): ReadyQuery | undefined {
  return READY_QUERIES.find((q) => q.name === name);
}

/** NAME=VALUE parameters, defaults filled in; throws QueryParamError on an unknown or missing one. */
export function queryParams(query: ReadyQuery, given: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of query.params) if (p.default !== undefined) out[p.name] = p.default;
  for (const text of given) {
    const eq = text.indexOf('=');
    const name = eq < 0 ? text : text.slice(0, eq);
    if (!query.params.some((p) => p.name === name))
      throw new QueryParamError(`${query.name} has no parameter ${JSON.stringify(name)} (it has: ${query.params.map((p) => p.name).join(', ') || 'none'})`);
    if (eq < 0) throw new QueryParamError(`--param ${name} needs a value: ${name}=VALUE`);
    out[name] = text.slice(eq + 1);
  }
  for (const p of query.params) if (out[p.name] === undefined) throw new QueryParamError(`${query.name} needs --param ${p.name}=VALUE`);
  return out;
}
