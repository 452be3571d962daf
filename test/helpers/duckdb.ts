/**
 * DuckDB in the test process (the engine netrec embeds), for reading what the CLI wrote:
 * rows as JSON values (64-bit integers as decimal strings, so never through a float).
 */
import { DuckDBInstance, type Json } from '@duckdb/node-api';

export type JsonRow = Record<string, Json>;

export async function duckRows(sql: string): Promise<JsonRow[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    connection.closeSync();
  }
}

/** read_parquet over a table of a netrec export, the Hive columns typed as netrec writes them. */
export function tableScan(dir: string, table: string): string {
  return `read_parquet('${dir.replace(/'/g, "''")}/${table}/**/*.parquet', hive_partitioning = true, hive_types = {'host': VARCHAR, 'date': DATE})`;
}
