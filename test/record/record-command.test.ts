/**
 * `netrec record` command line: bad options are usage errors (exit 2) found before anything
 * touches the kernel, and a missing privilege is one line and exit 1.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { parseDuration } from '../../src/cli/values.ts';

const NETREC = fileURLToPath(new URL('../../bin/netrec.mjs', import.meta.url));

async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stderr };
  } finally {
    spy.mockRestore();
  }
}

describe('netrec record options', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    [['record'], /the output recording is missing/],
    [['record', '-o', 'x.nev', '--snaplen', '0'], /invalid --snaplen '0'/],
    [['record', '-o', 'x.nev', '--snaplen', '70000'], /from 1 to 65535/],
    [['record', '-o', 'x.nev', '--duration', 'soon'], /invalid --duration 'soon'/],
    [['record', '-o', 'x.nev', '--buffer-size', '3MiB'], /power of two/],
    [['record', '-o', 'x.nev', '--rotate-size', 'big'], /invalid --rotate-size/],
    [['record', '-o', 'x.nev', '--print', '--output', 'xml'], /invalid value 'xml' for '--output' \(valid: json, table, format:json, format:table\)/],
    [['record', '-o', 'x.nev', '--output', 'table'], /add --print/],
    [['record', '-o', 'x.nev', '--trace', 'event=net_packet_dns'], /give it to replay/],
    [['record', '-o', 'x.nev', 'extra'], /record takes no operands/],
  ])('%j is a usage error', async (args, message) => {
    const { code, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    // One line: the message, then where to read more.
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/; see 'netrec record --help'\n$/);
  });

  it('parses durations', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2')).toBe(2000);
    expect(() => parseDuration('0s')).toThrow(/invalid --duration/);
  });
});

describe('netrec record without privileges', () => {
  const root = process.getuid?.() === 0;
  const hasSetpriv = spawnSync('sh', ['-c', 'command -v setpriv']).status === 0;

  it.skipIf(root && !hasSetpriv)('says what is missing in one line and exits 1', () => {
    // As root, drop every capability (staying uid 0, so the checkout stays readable); otherwise
    // we are unprivileged already.
    const argv = [process.execPath, NETREC, 'record', '-o', '/tmp/netrec-unprivileged.nev'];
    const cmd = root ? ['setpriv', '--inh-caps=-all', '--bounding-set=-all', ...argv] : argv;
    const result = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', timeout: 60_000 });
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^netrec: error: recording needs root \(missing CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN\): run it with sudo\n$/);
  });
});
