/**
 * What ship tests compare: every event `replay` prints for an input, and every event row
 * ClickHouse holds for a host, as sorted "timestamp eventName" keys (exactly once: equal lists).
 */
import { expect } from 'vitest';
import { netrec as cli } from '../helpers/cli.ts';
import { chQuery } from '../helpers/clickhouse.ts';

/** Every event `replay` prints for the recording, as sorted "timestamp eventName" keys. */
export function replayedKeys(dir: string): string[] {
  const run = cli(['replay', dir]);
  expect(run.status, run.stderr).toBe(0);
  return run.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => `${/"timestamp":(\d+)/.exec(l)![1]}\t${/"eventName":"([a-z0-9_]+)"/.exec(l)![1]}`)
    .sort();
}

export async function shippedKeys(url: string, host: string): Promise<string[]> {
  const text = await chQuery(url, `SELECT timestamp, eventName FROM netrec.events WHERE hostName = '${host}'`);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}

export async function count(url: string, sql: string): Promise<number> {
  return Number((await chQuery(url, sql)).trim());
}

/**
 * Polls a count query every half second until it is above 0 (an unreachable server or a missing
 * table counts 0), for at most `seconds`; returns the last count.
 */
export async function countWhenAny(url: string, sql: string, seconds = 20): Promise<number> {
  let n = 0;
  for (let i = 0; i < seconds * 2 && n === 0; i++) {
    await new Promise((r) => setTimeout(r, 500));
    n = await count(url, sql).catch(() => 0);
  }
  return n;
}

/** Packets of `host` in ClickHouse, once there are any. */
export const packetsWhenAny = (url: string, host: string, seconds?: number): Promise<number> =>
  countWhenAny(url, `SELECT count() FROM netrec.packets WHERE hostName = '${host}'`, seconds);

/** Batches recorded in the ledger for inputs shipped as `host` (the input key names it), once there are any. */
export const batchesWhenAny = (url: string, host: string): Promise<number> =>
  countWhenAny(url, `SELECT count() FROM netrec.netrec_batches WHERE input LIKE '%"${host}"%'`);
