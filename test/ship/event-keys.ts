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
