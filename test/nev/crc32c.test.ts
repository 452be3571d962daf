import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32c } from '../../src/nev/crc32c.ts';

describe('crc32c', () => {
  // RFC 3720 (iSCSI) appendix B.4 vectors and the usual check value.
  it.each([
    ['the check string', new TextEncoder().encode('123456789'), 0xe3069283],
    ['32 zero bytes', new Uint8Array(32), 0x8a9136aa],
    ['32 bytes of 0xff', new Uint8Array(32).fill(0xff), 0x62a8ab43],
    ['32 incrementing bytes', Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e],
    ['32 decrementing bytes', Uint8Array.from({ length: 32 }, (_, i) => 31 - i), 0x113fdb5c],
    ['no bytes', new Uint8Array(0), 0],
  ])('%s', (_, bytes, expected) => {
    expect(crc32c(bytes)).toBe(expected);
  });

  it('continues across pieces and ranges like one pass', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, cut) => {
        const at = bytes.length === 0 ? 0 : cut % bytes.length;
        expect(crc32c(bytes, crc32c(bytes, 0, 0, at), at)).toBe(crc32c(bytes));
      }),
    );
  });

  it('matches the bitwise definition (the slicing tables are right)', () => {
    const bitwise = (bytes: Uint8Array): number => {
      let c = 0xffffffff;
      for (const b of bytes) {
        c ^= b;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(crc32c(bytes)).toBe(bitwise(bytes));
      }),
    );
  });
});

describe('crc32cBulk', () => {
  it('gives what the table-driven code gives, for every size around the native threshold and offset', async () => {
    const { crc32c, crc32cBulk } = await import('../../src/nev/crc32c.ts');
    const bytes = new Uint8Array(9000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    for (const [start, end] of [
      [0, 9000],
      [3, 515],
      [1, 511],
      [7, 8193],
      [100, 100],
    ] as const) {
      for (const crc of [0, 0xdeadbeef]) expect(crc32cBulk(bytes, crc, start, end)).toBe(crc32c(bytes, crc, start, end));
    }
  });
});
