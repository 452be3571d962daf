/**
 * Real ClickHouse servers for tests: `startCluster(2)` starts that many clickhouse-server
 * processes, server i on loopback address 127.0.0.(i+1), all on the same free HTTP port
 * (as the shards of a real cluster share their ports: netrec reaches each shard's HTTP at its
 * address and the port of the URL it was given), each with its config in a temporary directory,
 * declared to each other as the shards of one cluster (`fleet`) in remote_servers. `stop()` kills them and
 * removes the directories; call it in afterAll (it also runs on process exit, so a failed test
 * leaves no server behind). Written for Debian 12's clickhouse-server 18.16 (config root
 * <yandex>), which current releases also accept.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLUSTER = 'fleet';
/** A user with a password, for --user/--password-file. */
export const PASSWORD_USER = { name: 'shipper', password: 'not-on-the-command-line' };

export interface ClickHouseServer {
  address: string;
  http: number;
  tcp: number;
  dir: string;
  url: string;
  process: ChildProcess;
}

export interface Cluster {
  servers: ClickHouseServer[];
  stop(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function config(dir: string, address: string, http: number, tcp: number, shards: { address: string; tcp: number }[]): string {
  const remote = shards.map((s) => `<shard><replica><host>${s.address}</host><port>${s.tcp}</port></replica></shard>`).join('');
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/error.log</errorlog><console>0</console></logger>
  <http_port>${http}</http_port>
  <tcp_port>${tcp}</tcp_port>
  <listen_host>${address}</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
  <remote_servers><${CLUSTER}>${remote}</${CLUSTER}></remote_servers>
</yandex>
`;
}

const USERS = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>1000000000</max_memory_usage></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.0/8</ip></networks><profile>default</profile><quota>default</quota></default>
    <${PASSWORD_USER.name}><password>${PASSWORD_USER.password}</password><networks><ip>127.0.0.0/8</ip></networks><profile>default</profile><quota>default</quota></${PASSWORD_USER.name}>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

async function ready(url: string, child: ChildProcess, dir: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`clickhouse-server exited (${child.exitCode}); see ${dir}/error.log`);
    if (await ping(url)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`clickhouse-server did not answer on ${url} within 60 s; see ${dir}/error.log`);
}

export async function startCluster(count: number): Promise<Cluster> {
  const http = await freePort();
  // TCP ports differ: a server takes a shard on one of its own addresses with its own TCP port for
  // itself, and every 127.x address is its own.
  const shards: { address: string; tcp: number }[] = [];
  for (let i = 0; i < count; i++) shards.push({ address: `127.0.0.${i + 1}`, tcp: await freePort() });
  const servers: ClickHouseServer[] = [];
  const stop = (): void => {
    for (const s of servers) if (s.process.exitCode === null) s.process.kill('SIGKILL');
    for (const s of servers) rmSync(s.dir, { recursive: true, force: true });
    servers.length = 0;
  };
  process.once('exit', stop);
  try {
    for (const { address, tcp } of shards) {
      const dir = mkdtempSync(join(tmpdir(), 'netrec-clickhouse-'));
      for (const sub of ['data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(join(dir, sub));
      writeFileSync(join(dir, 'config.xml'), config(dir, address, http, tcp, shards));
      writeFileSync(join(dir, 'users.xml'), USERS);
      const child = spawn('clickhouse-server', [`--config-file=${join(dir, 'config.xml')}`], { cwd: dir, stdio: 'ignore' });
      servers.push({ address, http, tcp, dir, url: `http://${address}:${http}`, process: child });
    }
    for (const s of servers) await ready(s.url, s.process, s.dir);
  } catch (err) {
    stop();
    throw err;
  }
  return { servers, stop };
}

/**
 * A query's text result over HTTP (TabSeparated), for the test's own checks: POST (so that it may
 * change data) on a connection of its own (the server closes idle keep-alive connections).
 */
export async function chQuery(url: string, sql: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/`, { method: 'POST', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`ClickHouse: ${text}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(sql);
  });
}

async function ping(url: string): Promise<boolean> {
  return chQuery(url, 'SELECT 1').then(
    () => true,
    () => false,
  );
}
