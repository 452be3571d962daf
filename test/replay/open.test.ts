import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { openCapture } from '../../src/replay/open.ts';
import { epb, idb, packetsOf, payload, pcapFile, readAll, shb } from './capture-bytes.ts';

const directory = mkdtempSync(join(tmpdir(), 'netrec-open-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string, bytes: Buffer | string): string {
  const path = join(directory, name);
  writeFileSync(path, bytes);
  return path;
}

const pcapBytes = pcapFile({ linkTypeField: 101 }, [{ seconds: 3, fraction: 4, data: payload(20) }]);
const pcapngBytes = Buffer.concat([shb('be'), idb({ linkType: 228 }, 'be'), epb({ interfaceId: 0, ticks: 5n, data: payload(24) }, 'be')]);

async function openError(path: string): Promise<InputError> {
  const error = await openCapture(path).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('openCapture: format by content, not by name', () => {
  it.each([
    ['a pcap named .pcapng', 'capture.pcapng', pcapBytes, [[101, 3_000_004_000n]]],
    ['a pcapng named .pcap', 'capture.pcap', pcapngBytes, [[228, 5_000n]]],
    ['a pcapng without extension', 'capture', pcapngBytes, [[228, 5_000n]]],
  ])('reads %s', async (_, name, bytes, expected) => {
    const source = await openCapture(file(name, bytes));
    expect(source.name).toBe(join(directory, name));
    expect(source.hasProcessContext).toBe(false);
    expect(packetsOf(await readAll(source)).map((p) => [p.linkType, p.timestamp])).toEqual(expected);
  });

  it.each([
    ['big-endian microsecond', { order: 'be' as const }, 3_000_004_000n],
    ['little-endian nanosecond', { nanosecond: true }, 3_000_000_004n],
    ['big-endian nanosecond', { order: 'be' as const, nanosecond: true }, 3_000_000_004n],
  ])('recognises the %s pcap magic', async (label, options, timestamp) => {
    const path = file(`magic-${label.replace(/\W/g, '-')}`, pcapFile(options, [{ seconds: 3, fraction: 4, data: payload(4) }]));
    expect(packetsOf(await readAll(await openCapture(path))).map((p) => p.timestamp)).toEqual([timestamp]);
  });
});

describe('openCapture: inputs that are not captures', () => {
  it('names the file and the first bytes of an unknown format', async () => {
    const path = file('notes.pcap', 'hello, world\n');
    const error = await openError(path);
    expect(error.message).toBe(`${path}: not a pcap, pcapng or netrec recording (first bytes 68 65 6c 6c 6f 2c 20 77)`);
  });

  it('says when the file is empty', async () => {
    const path = file('empty.pcap', '');
    expect((await openError(path)).message).toBe(`${path}: not a pcap, pcapng or netrec recording (the file is empty)`);
  });

  it('reports a missing file in one line', async () => {
    const path = join(directory, 'missing.pcap');
    expect((await openError(path)).message).toBe(`${path}: cannot open: no such file or directory`);
  });

  it('reports a directory', async () => {
    expect((await openError(directory)).message).toBe(`${directory}: is a directory, not a pcap, pcapng or netrec recording`);
  });

  it('reports an unreadable file in one line', async () => {
    const path = file('locked.pcap', pcapBytes);
    chmodSync(path, 0o000);
    if (process.getuid?.() !== 0) {
      expect((await openError(path)).message).toBe(`${path}: cannot open: permission denied`);
      return;
    }
    // Root reads any file, so the open runs in a child as an unprivileged user.
    chmodSync(directory, 0o755);
    const script = fileURLToPath(new URL('./read-stdin.ts', import.meta.url));
    const out = spawnSync(process.execPath, ['--import', 'tsx', script, path], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: process.cwd() });
    expect(out.stdout.trim()).toBe(`InputError: ${path}: cannot open: permission denied`);
    expect(out.status).toBe(1);
  });
});

describe('openCapture: - reads stdin', () => {
  const script = fileURLToPath(new URL('./read-stdin.ts', import.meta.url));

  function runWithStdin(input: Buffer): Promise<{ status: number | null; lines: string[] }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'] });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, lines: output.split('\n').filter((line) => line !== '') }));
      // Written in pieces, as a pipe delivers them, so the format probe must wait for bytes.
      child.stdin.write(input.subarray(0, 2));
      setTimeout(() => child.stdin.end(input.subarray(2)), 50);
    });
  }

  it('reads a pcap from stdin', async () => {
    const { status, lines } = await runWithStdin(pcapBytes);
    expect(status).toBe(0);
    expect(lines.map((line) => JSON.parse(line))).toEqual([{ number: 1, offset: 24, timestamp: '3000004000', length: 20, linkType: 101 }]);
  });

  it('reads a pcapng from stdin', async () => {
    const { status, lines } = await runWithStdin(pcapngBytes);
    expect(status).toBe(0);
    expect(lines.map((line) => JSON.parse(line))).toEqual([{ number: 1, offset: 48, timestamp: '5000', length: 24, linkType: 228 }]);
  });

  it('reports a truncated stdin as an issue', async () => {
    const { status, lines } = await runWithStdin(pcapBytes.subarray(0, pcapBytes.length - 1));
    expect(status).toBe(0);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { kind: 'issue', file: '-', where: 'offset 24 (packet 1)', message: 'truncated record: needs 36 bytes, 35 present', severity: 'error' },
    ]);
  });

  it('refuses stdin that is not a capture', async () => {
    const { status, lines } = await runWithStdin(Buffer.from('GET / HTTP/1.1\r\n'));
    expect(status).toBe(1);
    expect(lines).toEqual(['InputError: -: not a pcap, pcapng or netrec recording (first bytes 47 45 54 20 2f 20 48 54)']);
  });
});
