import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { TraceeEvent } from '../../src/event/types.ts';
import { readable } from '../../src/format/readable.ts';
import { clockTime } from '../../src/format/time.ts';
import { tableSink } from '../../src/sink/table-sink.ts';

const event = {
  timestamp: 1671040290192938971n,
  userId: 1000,
  processName: 'nc',
  processId: 3120261,
  threadId: 3120262,
  returnValue: 0,
  eventName: 'net_packet_tcp',
  args: [
    { name: 'src', type: 'const char*', value: 'fd6e:a63d:71f:2000::1' },
    { name: 'dst_port', type: 'u16', value: 8090 },
    { name: 'proto_tcp', type: 'trace.ProtoTCP', value: { srcPort: 51594, SYN: 1, FIN: 0, opt: '' } },
  ],
} as unknown as TraceeEvent;

describe('table output', () => {
  it('prints UTC time of day with exact nanoseconds', () => {
    expect(clockTime(1671040290192938971n)).toBe('17:51:30.192938971');
    expect(clockTime(0n)).toBe('00:00:00.000000000');
  });

  it('renders values compactly, leaving out empty members and quoting only ambiguous text', () => {
    expect(readable({ a: '', b: null, c: [], d: { x: 0, y: '' }, e: 'plain', f: 'two words', g: 3 })).toBe('{e: plain, f: "two words", g: 3}');
    expect(readable([])).toBeUndefined();
  });

  it('writes the header, then one fixed-column row per event', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const sink = tableSink(out);
    sink.write(event);
    await sink.end();
    const [header, row] = text.split('\n');
    expect(header).toBe('TIME               UID    COMM             PID     TID     RET  EVENT                     ARGS');
    expect(row).toBe(
      '17:51:30.192938971 1000   nc               3120261 3120262 0    net_packet_tcp            ' +
        'src: fd6e:a63d:71f:2000::1, dst_port: 8090, proto_tcp: {srcPort: 51594, SYN: 1, FIN: 0}',
    );
  });

  it("shows the process's name after the thread's where they differ", async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const sink = tableSink(out);
    sink.write({ ...event, processName: 'isc-net-0000', leaderName: 'dig', processId: 9735, threadId: 9737 });
    await sink.end();
    expect(text.split('\n')[1]).toMatch(/^17:51:30\.192938971 1000 {3}isc-net-0000 \(dig\) 9735 {4}9737 /);
  });
});
