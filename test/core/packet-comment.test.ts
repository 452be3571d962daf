import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeText } from '../../src/core/escape.ts';
import type { TaskContext } from '../../src/core/packet.ts';
import { formatPacketComment, parsePacketComment, quote } from '../../src/core/packet-comment.ts';

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const uint32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
/** Any string: any code points, and any UTF-16 code units (lone surrogates, bidi controls). */
const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.array(fc.integer({ min: 0, max: 0xffff })).map((units) => String.fromCharCode(...units)),
  fc.array(fc.constantFrom('\u202e', '\u2066', '\ud800', '\udc00', '"', '\\', '=', ' ', '\n', 'a')).map((parts) => parts.join('')),
);

const task: fc.Arbitrary<TaskContext> = fc.record({
  threadStartTime: u64,
  processId: int32,
  threadId: int32,
  parentProcessId: int32,
  hostProcessId: int32,
  hostThreadId: int32,
  hostParentProcessId: int32,
  userId: uint32,
  mountNamespace: uint32,
  pidNamespace: uint32,
  processName: text,
  hostName: text,
  cgroupId: u64,
  containerId: text,
});

describe('the packet comment', () => {
  it('gives back every task, CPU and socket cookie exactly', () => {
    fc.assert(
      fc.property(fc.record({ task, cpu: uint32, socketCookie: u64 }, { requiredKeys: [] }), (ctx) => {
        const comment = formatPacketComment(ctx);
        if (comment === undefined) {
          expect(ctx).toEqual({});
          return;
        }
        expect(parsePacketComment(comment)).toEqual(ctx);
      }),
      { numRuns: 2000 },
    );
  });

  it('is one line of printable text, without bidi controls, whatever the names hold', () => {
    fc.assert(
      fc.property(task, (t) => {
        const comment = formatPacketComment({ task: t })!;
        expect(comment).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/);
        expect(comment).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      }),
    );
  });

  it('starts with what a person looks for and leaves out what equals the host’s', () => {
    const t: TaskContext = {
      threadStartTime: 5n,
      processId: 42,
      threadId: 42,
      parentProcessId: 1,
      hostProcessId: 42,
      hostThreadId: 42,
      hostParentProcessId: 1,
      userId: 0,
      mountNamespace: 1,
      pidNamespace: 2,
      processName: 'curl',
      hostName: '',
      cgroupId: 9n,
      containerId: '',
    };
    expect(formatPacketComment({ task: t, cpu: 3 })).toBe('pid=42 tid=42 ppid=1 comm=curl uid=0 cgroup=9 mntns=1 pidns=2 start=5 cpu=3');
    expect(formatPacketComment({ task: { ...t, processId: 7, hostName: 'web 1', containerId: 'abc' } })).toBe(
      'pid=42 tid=42 ppid=1 comm=curl uid=0 container=abc cgroup=9 nspid=7 mntns=1 pidns=2 uts="web 1" start=5',
    );
  });

  it('takes a person’s comment for what it is', () => {
    for (const note of ['pid 42 is the attacker', 'see ticket #12', '', 'pid=42 looks odd', 'comm=x pid=1', 'pid="unterminated']) {
      expect(parsePacketComment(note)).toBeUndefined();
    }
  });

  it('reports a netrec-shaped comment with a bad value instead of inventing a task', () => {
    expect(parsePacketComment('pid=99999999999 tid=1 ppid=1 comm=x uid=0 cgroup=1 mntns=1 pidns=1 start=1')).toEqual({
      problem: 'packet comment: pid=99999999999 is not an integer in -2147483648..2147483647',
    });
    expect(parsePacketComment('pid=1 tid=1 ppid=1 uid=0 cgroup=1 mntns=1 pidns=1 start=1')).toEqual({ problem: 'packet comment: comm= is missing' });
    expect(parsePacketComment('cpu=1 cookie=18446744073709551616')).toEqual({
      problem: 'packet comment: cookie=18446744073709551616 is not an unsigned 64-bit integer',
    });
  });

  it('quotes and escapes only what needs it', () => {
    expect(quote('isc-net-0000')).toBe('isc-net-0000');
    expect(quote('')).toBe('""');
    expect(quote('a=b')).toBe('"a=b"');
    expect(quote('Web Content')).toBe('"Web Content"');
    expect(quote('\u202eexe.pdf')).toBe('"\\u{202e}exe.pdf"');
    expect(escapeText('a\tb\\c\u0007\u2066')).toBe('a\\tb\\\\c\\u{7}\\u{2066}');
  });
});
