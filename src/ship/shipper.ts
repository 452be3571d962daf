/**
 * Table rows into ClickHouse, exactly once.
 *
 * One server: MergeTree tables `<db>.<table>`. A cluster (--cluster NAME): the shards are read
 * from system.clusters on the server named; every shard gets `<table>_local` (MergeTree) and
 * `<table>` (Distributed over the locals, sharded by cityHash64(hostName)), so any shard answers
 * for all. netrec reaches each shard over HTTP at its address and the port of the URL given.
 *
 * Exactly once: rows go in batches of an input, ranges of packet numbers named by their first
 * (batches.ts: a batch holds the same rows on every run). Each batch's rows are inserted synchronously into the
 * local table of the shard that owns their host (ClickHouse's own hash, asked once per host), one
 * INSERT per table and shard (atomic in MergeTree), and then the batch is recorded in
 * `<db>.netrec_batches` on the first shard. A run skips the batches recorded for its input; the
 * first batch after them may have been inserted without being recorded (a run that died in
 * between), so its rows are counted on each shard first and only missing ones are inserted.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { TableRows } from '../table/collector.ts';
import { jsonRowWriter } from '../table/json-row.ts';
import type { Row } from '../table/rows.ts';
import { END_TABLES, TABLE_NAMES, TABLES, type TableName } from '../table/schema.ts';
import { connect, distributedSql, ident, literal, mergeTreeSql, type ServerAddress } from './clickhouse.ts';

export const BATCHES_TABLE = 'netrec_batches';

interface Shard {
  origin: string;
  client: ClickHouseClient;
}

export class Shipper {
  private readonly shardOfHost = new Map<string, number>();

  private constructor(
    private readonly server: ServerAddress,
    private readonly shards: Shard[],
    private readonly clustered: boolean,
  ) {}

  /** Connects, finds the shards, creates the database and tables where missing. */
  static async open(server: ServerAddress, cluster: string | undefined): Promise<Shipper> {
    const first = connect(server, false);
    const shards: Shard[] = [];
    try {
      if (cluster === undefined) {
        shards.push({ origin: server.origin, client: first });
      } else {
        const result = await first.query({
          query: `SELECT shard_num, any(host_address) AS address FROM system.clusters WHERE cluster = ${literal(cluster)} GROUP BY shard_num ORDER BY shard_num`,
          format: 'JSONEachRow',
        });
        const rows = (await result.json()) as { shard_num: number; address: string }[];
        if (rows.length === 0) throw new ShipSetupError(`${server.origin}: no cluster ${JSON.stringify(cluster)} in system.clusters`);
        const port = new URL(server.origin).port;
        for (const r of rows) {
          const host = r.address.includes(':') ? `[${r.address}]` : r.address;
          const origin = `${new URL(server.origin).protocol}//${host}${port !== '' ? `:${port}` : ''}`;
          shards.push({ origin, client: connect({ ...server, origin }, false) });
        }
        await first.close();
      }
    } catch (err) {
      await first.close();
      throw err;
    }
    const shipper = new Shipper(server, shards, cluster !== undefined);
    await shipper.create(cluster);
    return shipper;
  }

  private local(table: string): string {
    return this.clustered ? `${table}_local` : table;
  }

  private async create(cluster: string | undefined): Promise<void> {
    const db = this.server.database;
    for (const shard of this.shards) {
      await shard.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${ident(db)}` });
      for (const name of TABLE_NAMES) {
        await shard.client.command({ query: mergeTreeSql(db, this.local(name), TABLES[name]) });
        if (cluster !== undefined) await shard.client.command({ query: distributedSql(db, cluster, name, this.local(name), TABLES[name]) });
      }
    }
    await this.shards[0]!.client.command({
      query: `CREATE TABLE IF NOT EXISTS ${ident(db)}.${ident(BATCHES_TABLE)} (input String, batch UInt64, packets UInt64, rows UInt64, shippedAt DateTime MATERIALIZED now()) ENGINE = MergeTree() ORDER BY (input, batch)`,
    });
  }

  /** The id of the last batch of `input` recorded (0 for none): the next run starts after it. */
  async shippedBatches(input: string): Promise<number> {
    const result = await this.shards[0]!.client.query({
      query: `SELECT max(batch) AS done FROM ${ident(this.server.database)}.${ident(BATCHES_TABLE)} WHERE input = ${literal(input)}`,
      format: 'JSONEachRow',
    });
    const [row] = (await result.json()) as { done: number | string }[];
    return Number(row?.done ?? 0);
  }

  /**
   * Ships batch `batch` of `input` (its id, batches.ts). `recovering`: the batch may already be in
   * (partly: per shard and table), so only what is missing is inserted.
   */
  async ship(input: string, recordingId: string, batch: number, rows: TableRows, packets: number, recovering: boolean): Promise<void> {
    let total = 0;
    for (const name of TABLE_NAMES) {
      const byShard = new Map<number, Row[]>();
      for (const row of rows[name]) {
        const shard = await this.shardFor(row.hostName as string);
        let list = byShard.get(shard);
        if (list === undefined) {
          list = [];
          byShard.set(shard, list);
        }
        list.push(row);
      }
      for (const [shard, list] of byShard) {
        total += list.length;
        if (recovering && (await this.present(shard, name, recordingId, list)) === list.length) continue;
        const write = WRITERS[name];
        await this.shards[shard]!.client.insert({
          table: `${ident(this.server.database)}.${ident(this.local(name))}`,
          format: 'JSONEachRow',
          values: list.map((r) => ({ line: write(r) })),
        });
      }
    }
    await this.shards[0]!.client.command({
      query: `INSERT INTO ${ident(this.server.database)}.${ident(BATCHES_TABLE)} (input, batch, packets, rows) VALUES (${literal(input)}, ${batch}, ${packets}, ${total})`,
    });
  }

  /** Rows of this batch already on the shard: those of its packets (or, END_TABLES, its recording). */
  private async present(shard: number, name: TableName, recordingId: string, rows: readonly Row[]): Promise<number> {
    const hosts = [...new Set(rows.map((r) => r.hostName as string))].map(literal).join(', ');
    let where = `recordingId = ${literal(recordingId)} AND hostName IN (${hosts})`;
    if (!END_TABLES.includes(name)) {
      const numbers = rows.map((r) => r.packetNumber as bigint);
      const min = numbers.reduce((a, b) => (b < a ? b : a));
      const max = numbers.reduce((a, b) => (b > a ? b : a));
      where += ` AND packetNumber BETWEEN ${min} AND ${max}`;
    }
    const result = await this.shards[shard]!.client.query({
      query: `SELECT count() AS n FROM ${ident(this.server.database)}.${ident(this.local(name))} WHERE ${where}`,
      format: 'JSONEachRow',
    });
    const [row] = (await result.json()) as { n: string | number }[];
    const n = Number(row?.n ?? 0);
    if (n !== 0 && n !== rows.length)
      throw new ShipSetupError(`${this.shards[shard]!.origin}: ${name} holds ${n} of the ${rows.length} rows of a batch; it was changed by hand`);
    return n;
  }

  /** The shard the Distributed table's key (cityHash64(hostName)) gives a host, as ClickHouse computes it. */
  private async shardFor(hostName: string): Promise<number> {
    if (this.shards.length === 1) return 0;
    const known = this.shardOfHost.get(hostName);
    if (known !== undefined) return known;
    const result = await this.shards[0]!.client.query({
      query: `SELECT cityHash64(${literal(hostName)}) % ${this.shards.length} AS shard`,
      format: 'JSONEachRow',
    });
    const [row] = (await result.json()) as { shard: string | number }[];
    const shard = Number(row!.shard);
    this.shardOfHost.set(hostName, shard);
    return shard;
  }

  get shardCount(): number {
    return this.shards.length;
  }

  async close(): Promise<void> {
    for (const s of this.shards) await s.client.close();
  }
}

/** The server is there but not as needed (no such cluster, rows changed by hand). */
export class ShipSetupError extends Error {}

const WRITERS = Object.fromEntries(TABLE_NAMES.map((n) => [n, jsonRowWriter(TABLES[n], { nestedAsText: true, boolAsNumber: true })])) as Record<
  TableName,
  (row: Row) => string
>;
