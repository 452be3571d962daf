import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonWriter } from '../../src/sink/json-writer.ts';

function written(f: (w: JsonWriter) => void, capacity = 4): string {
  const w = new JsonWriter(capacity);
  f(w);
  return w.toString();
}

describe('JsonWriter', () => {
  it('prints numbers as JSON.stringify does', () => {
    for (const n of [0, 7, 9, 10, 99, 100, 65535, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, -1, -(2 ** 31), 0.5, 1e21]) {
      expect(written((w) => w.number(n))).toBe(JSON.stringify(n));
    }
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n) => written((w) => w.number(n)) === String(n)));
  });

  it('prints 64-bit integers exactly', () => {
    expect(written((w) => w.bigint(18446744073709551615n))).toBe('18446744073709551615');
    expect(written((w) => w.bigint(1671040290192938971n))).toBe('1671040290192938971');
  });

  it('writes string literals that parse back to the same string', () => {
    const cases = ['', 'plain', 'quote " and \\ backslash', 'tab\tnew\nline', '\u0000\u001f', 'é 中 😀', '\ufffd', 'x'.repeat(5000)];
    for (const s of cases) {
      const text = written((w) => w.string(s));
      expect(JSON.parse(text)).toBe(s);
    }
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => JSON.parse(written((w) => w.string(s))) === s));
  });

  it('grows past its initial capacity and hands out what was written', () => {
    const w = new JsonWriter(2);
    w.ascii('{"a":');
    w.number(1234567);
    w.ascii('}');
    expect(w.take().toString()).toBe('{"a":1234567}');
    expect(w.pos).toBe(0);
    w.string('next');
    expect(w.toString()).toBe('"next"');
  });
});
