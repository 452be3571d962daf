/**
 * The `flows` and `dns_transactions` tables of `export --format parquet`, through the built CLI:
 *
 * 1. On every fixture, the rows (read by DuckDB, and by hyparquet as a second reader) are the
 *    conversations and DNS transactions `netrec stats --output json` lists, field by field: the
 *    independent view users see of the same aggregation.
 * 2. On real captures of ../shared/pcaps, against tshark: the flows against `-z conv,tcp` and
 *    `-z conv,udp` (endpoints, frames and bytes each way), the transactions against tshark's own
 *    request/response matching (`dns.response_to`, `dns.time`: query frame time and latency, ns).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { describe, expect, it } from 'vitest';
import { netrec } from '../helpers/cli.ts';
import { fixtureInputs } from '../helpers/fixtures.ts';
import { duckRows, tableScan, type JsonRow } from '../helpers/duckdb.ts';
import { requireShared } from '../helpers/shared.ts';
import { parseTsharkConversations, tsharkAvailable, tsharkStatistics } from '../helpers/tshark.ts';
import { scratch } from '../nev/helpers.ts';

const path = scratch('traffic-tables');
const fixtures = fixtureInputs();

const noTshark = !(await tsharkAvailable());
if (noTshark && process.env.CI === 'true') throw new Error('tshark is required on CI');
if (noTshark) console.warn('skipping the tshark comparison of the flows and dns_transactions tables: tshark not found');
const pcapDir = requireShared('pcaps');
/**
 * Real captures with TCP and UDP flows and DNS over both, none of the differences from tshark
 * that test/stats/tshark-stats.test.ts lists (and no timestamp past int64 ns, which no table holds).
 */
const SHARED = ['suricata-verify__dns-eve-type-filtering.pcap', 'zeek__dns__long-connection.pcap', 'tcpdump__dns_tcp.pcap', 'zeek__dns__tkey.pcap'];

function exported(input: string, dir: string): void {
  const run = netrec(['export', input, '--format', 'parquet', '-w', dir]);
  if (run.status !== 0) throw new Error(`export ${input}: ${run.stderr}`);
}

interface StatsEndpoint {
  address: string;
  port: number;
  processes: string[];
}
interface StatsJson {
  conversations: {
    protocol: string;
    a: StatsEndpoint;
    b: StatsEndpoint;
    first: string;
    last: string;
    aToB: { packets: number; bytes: number };
    bToA: { packets: number; bytes: number };
    copies: number;
    tcp?: { state: string };
  }[];
  dns: {
    transactions: {
      id: number;
      protocol: string;
      client: StatsEndpoint;
      server: StatsEndpoint;
      question: { name: string; type: string; class: string };
      queryTime: string;
      retransmissions: number;
      responseTime?: string;
      latency?: string;
      rcodeName?: string;
      answers?: unknown[];
    }[];
  };
}

/** `netrec stats --output json`, its times (past 2^53) read as exact decimal strings. */
function stats(input: string): StatsJson {
  const run = netrec(['stats', input, '--output', 'json']);
  if (run.status !== 0) throw new Error(`stats ${input}: ${run.stderr}`);
  return JSON.parse(run.stdout.replace(/"(first|last|queryTime|responseTime|latency)":(-?\d+)/g, '"$1":"$2"')) as StatsJson;
}

/** The owners as stats prints them: "comm (pid)", and "…" when there were more. */
function owners(list: unknown, more: unknown): string[] {
  const out = (list as { hostProcessId: number; processName: string }[]).map((o) => `${o.processName} (${o.hostProcessId})`);
  return more === true ? [...out, '…'] : out;
}

/** Every file of a table read by hyparquet: its rows, keyed by `key`, values as text. */
async function hyparquetRows(dir: string, table: string, key: string): Promise<Map<string, Record<string, unknown>>> {
  const rows = new Map<string, Record<string, unknown>>();
  const files = readdirSync(join(dir, table), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.parquet'));
  for (const file of files) {
    for (const o of (await parquetReadObjects({ file: await asyncBufferFromFile(join(dir, table, file)), compressors })) as Record<string, unknown>[]) {
      rows.set(String(o[key]), o);
    }
  }
  return rows;
}

async function checkAgainstStats(input: string, dir: string): Promise<{ flows: number; transactions: number }> {
  const s = stats(input);
  const flows = await duckRows(`SELECT * FROM ${tableScan(dir, 'flows')} ORDER BY flowNumber`).catch(() => [] as JsonRow[]);
  expect(flows, `${input}: flows`).toHaveLength(s.conversations.length);
  const hyFlows = await hyparquetRows(dir, 'flows', 'flowNumber').catch(() => new Map());
  expect(hyFlows.size, `${input}: flows read by hyparquet`).toBe(flows.length);
  s.conversations.forEach((c, i) => {
    const row = flows[i]!;
    expect(
      {
        flowNumber: row.flowNumber,
        transport: row.transport,
        a: { address: row.srcIP, port: row.srcPort, processes: owners(row.srcProcesses, row.srcMoreProcesses) },
        b: { address: row.dstIP, port: row.dstPort, processes: owners(row.dstProcesses, row.dstMoreProcesses) },
        first: row.firstSeen,
        last: row.lastSeen,
        aToB: { packets: Number(row.packetsFromSrc), bytes: Number(row.bytesFromSrc) },
        bToA: { packets: Number(row.packetsFromDst), bytes: Number(row.bytesFromDst) },
        packets: Number(row.packets),
        copies: Number(row.copies),
        state: row.tcpState,
      },
      `${input}: flow ${i + 1}`,
    ).toEqual({
      flowNumber: String(i + 1),
      transport: c.protocol,
      a: c.a,
      b: c.b,
      first: c.first,
      last: c.last,
      aToB: c.aToB,
      bToA: c.bToA,
      packets: c.aToB.packets + c.bToA.packets,
      copies: c.copies,
      state: c.tcp?.state ?? null,
    });
    const hy = hyFlows.get(String(i + 1))!;
    expect([String(hy.firstSeen), String(hy.lastSeen), String(hy.bytes), hy.srcIP, hy.dstPort]).toEqual([
      row.firstSeen,
      row.lastSeen,
      row.bytes,
      row.srcIP,
      row.dstPort,
    ]);
  });
  const [times] = await duckRows(
    `SELECT count(*) FILTER (WHERE epoch_ns(firstTime) <> firstSeen OR epoch_ns(lastTime) <> lastSeen) AS bad FROM ${tableScan(dir, 'flows')}`,
  ).catch(() => [{ bad: '0' }]);
  expect(times!.bad).toBe('0');

  const transactions = await duckRows(`SELECT * FROM ${tableScan(dir, 'dns_transactions')} ORDER BY transactionNumber`).catch(() => [] as JsonRow[]);
  const expected = s.dns.transactions;
  expect(transactions, `${input}: dns_transactions`).toHaveLength(expected.length);
  const hyTransactions = await hyparquetRows(dir, 'dns_transactions', 'transactionNumber').catch(() => new Map());
  expect(hyTransactions.size).toBe(transactions.length);
  expected.forEach((t, i) => {
    const row = transactions[i]!;
    expect(
      {
        id: row.ID,
        protocol: row.transport,
        client: { address: row.clientIP, port: row.clientPort, processes: owners(row.clientProcesses, row.clientMoreProcesses) },
        server: { address: row.serverIP, port: row.serverPort, processes: owners(row.serverProcesses, row.serverMoreProcesses) },
        question: { name: row.questionName, type: row.questionType, class: row.questionClass },
        queryTime: row.timestamp,
        retransmissions: row.retransmissions,
        answered: row.answered,
        responseTime: row.responseTimestamp,
        latency: row.latency,
        rcodeName: row.responseCode,
        answers: row.answers,
      },
      `${input}: transaction ${i + 1}`,
    ).toEqual({
      id: t.id,
      protocol: t.protocol,
      client: t.client,
      server: t.server,
      question: t.question,
      queryTime: t.queryTime,
      retransmissions: t.retransmissions,
      answered: t.responseTime !== undefined,
      responseTime: t.responseTime ?? null,
      latency: t.latency ?? null,
      rcodeName: t.rcodeName ?? null,
      answers: t.answers ?? [],
    });
    const hy = hyTransactions.get(String(i + 1))!;
    expect([String(hy.timestamp), hy.latency === null ? null : String(hy.latency), hy.questionName, (hy.answers as unknown[]).length]).toEqual([
      row.timestamp,
      row.latency,
      row.questionName,
      (row.answers as unknown[]).length,
    ]);
  });
  return { flows: flows.length, transactions: transactions.length };
}

/** Seconds with up to 9 decimals, as tshark prints times, → exact ns. */
function ns(seconds: string): bigint {
  const [whole, fraction = ''] = seconds.split('.');
  return BigInt(whole!) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
}

describe('flows and dns_transactions tables', () => {
  it('every fixture: the rows are what netrec stats lists, read by DuckDB and by hyparquet', { timeout: 300_000 }, async () => {
    let flows = 0;
    let transactions = 0;
    for (const [i, input] of fixtures.entries()) {
      const dir = path(`fixture-${i}`);
      exported(input, dir);
      const n = await checkAgainstStats(input, dir);
      flows += n.flows;
      transactions += n.transactions;
    }
    // Not vacuous: the fixtures hold dozens of flows and DNS transactions over UDP and TCP.
    expect(flows).toBeGreaterThan(30);
    expect(transactions).toBeGreaterThan(20);
  });

  it('flows of two inputs stay apart (per input), and each names its host', { timeout: 60_000 }, async () => {
    const dir = path('two');
    const run = netrec(['export', 'fixtures/pcap/dns-udp.pcap', 'fixtures/pcap/dns-udp.pcap', '--format', 'parquet', '-w', dir, '--host-name', 'h1']);
    expect(run.status, run.stderr).toBe(0);
    const one = stats('fixtures/pcap/dns-udp.pcap');
    const rows = await duckRows(`SELECT recordingId, count(*) AS n, min(host) AS host FROM ${tableScan(dir, 'flows')} GROUP BY ALL`);
    // The same file twice is one recording id: its flows counted once per input, twice in all.
    expect(rows).toEqual([{ recordingId: expect.any(String), n: String(2 * one.conversations.length), host: 'h1' }]);
  });

  describe.skipIf(noTshark || pcapDir === undefined)('against tshark on real captures', () => {
    for (const name of SHARED) {
      it(name, { timeout: 120_000 }, async () => {
        const file = join(pcapDir!, name);
        const dir = path(`shared-${name}`);
        exported(file, dir);

        // Flows: tshark's conversation tables, every one, frames and bytes each way.
        const out = await tsharkStatistics(file, ['conv,tcp', 'conv,udp']);
        const tshark = [
          ...parseTsharkConversations(out, 'TCP').map((c) => ({ ...c, transport: 'tcp' })),
          ...parseTsharkConversations(out, 'UDP').map((c) => ({ ...c, transport: 'udp' })),
        ];
        const flows = await duckRows(`SELECT * FROM ${tableScan(dir, 'flows')}`).catch(() => [] as JsonRow[]);
        expect(flows.length, `${name}: flows`).toBe(tshark.length);
        const key = (transport: unknown, a: string, ap: unknown, b: string, bp: unknown): string =>
          [transport, ...[`${a}|${ap}`, `${b}|${bp}`].sort()].join(' ');
        const ours = new Map(flows.map((f) => [key(f.transport, f.srcIP as string, f.srcPort, f.dstIP as string, f.dstPort), f]));
        for (const c of tshark) {
          const f = ours.get(key(c.transport, c.a.address, c.a.port, c.b.address, c.b.port));
          expect(f, `${name}: tshark's ${c.transport} ${c.a.address}:${c.a.port} ${c.b.address}:${c.b.port}`).toBeDefined();
          // tshark's A is the flow's first sender too; compare each way by endpoint anyway.
          const fromA = f!.srcIP === c.a.address && f!.srcPort === c.a.port;
          const [ab, ba] = fromA ? [c.aToB, c.bToA] : [c.bToA, c.aToB];
          expect([Number(f!.packetsFromSrc), Number(f!.packetsFromDst)]).toEqual([ab.frames, ba.frames]);
          expect(Math.abs(Number(f!.bytesFromSrc) - ab.bytes.value)).toBeLessThanOrEqual(ab.bytes.tolerance);
          expect(Math.abs(Number(f!.bytesFromDst) - ba.bytes.value)).toBeLessThanOrEqual(ba.bytes.tolerance);
        }

        // DNS transactions: tshark pairs each response with its query frame and gives the latency.
        const fields = execFileSync(
          'tshark',
          ['-n', '-r', file, '-Y', 'dns.flags.response == 1 && dns.response_to', '-T', 'fields', '-e', 'dns.response_to', '-e', 'dns.time', '-e', 'dns.id'],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
        );
        const epochs = execFileSync('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_epoch'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        const frameTime = new Map(
          epochs
            .trim()
            .split('\n')
            .map((l) => l.split('\t') as [string, string]),
        );
        const pairs = fields
          .trim()
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => {
            const [query, time, id] = l.split('\t') as [string, string, string];
            return { query: String(ns(frameTime.get(query)!)), latency: String(ns(time)), id: Number.parseInt(id, 16) };
          })
          .sort((x, y) => (BigInt(x.query) < BigInt(y.query) ? -1 : BigInt(x.query) > BigInt(y.query) ? 1 : x.id - y.id));
        const answered = await duckRows(
          `SELECT timestamp AS query, latency, ID AS id FROM ${tableScan(dir, 'dns_transactions')} WHERE answered ORDER BY timestamp, ID`,
        ).catch(() => [] as JsonRow[]);
        expect(pairs.length, `${name}: answered transactions`).toBeGreaterThan(0);
        expect(answered).toEqual(pairs);
      });
    }
  });
});
