import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goString } from '../../src/event/go-string.ts';

// Expected values follow Go's utf8.DecodeRune (one U+FFFD per byte that does not start a
// valid sequence) as encoding/json writes it, not WHATWG's "maximal subpart" replacement.

const R = '\uFFFD';

function b(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

/**
 * Independent oracle: at each byte, the shortest prefix of up to 4 bytes that a strict UTF-8
 * decoder accepts as exactly one code point is a valid sequence; otherwise the byte is replaced.
 */
function oracle(bytes: Uint8Array): string {
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    let taken = 0;
    for (let n = 1; n <= 4 && i + n <= bytes.length && taken === 0; n++) {
      try {
        const s = strict.decode(bytes.subarray(i, i + n));
        if ([...s].length === 1) {
          out += s;
          taken = n;
        }
      } catch {
        // not a complete valid sequence of n bytes
      }
    }
    if (taken === 0) {
      out += R;
      taken = 1;
    }
    i += taken;
  }
  return out;
}

describe('goString', () => {
  it('keeps ASCII, control bytes and NUL as they are', () => {
    expect(goString(b())).toBe('');
    expect(goString(new TextEncoder().encode('www.example.com'))).toBe('www.example.com');
    expect(goString(b(0x00, 0x01, 0x0a, 0x1f, 0x7f))).toBe('\x00\x01\n\x1f\x7f');
  });

  it('decodes valid multi-byte UTF-8, a leading BOM included', () => {
    expect(goString(b(0xc3, 0xa9))).toBe('é');
    expect(goString(b(0xe2, 0x82, 0xac))).toBe('€');
    expect(goString(b(0xf0, 0x9d, 0x84, 0x9e))).toBe('𝄞');
    expect(goString(b(0xf4, 0x8f, 0xbf, 0xbf))).toBe('\u{10FFFF}');
    expect(goString(b(0xef, 0xbb, 0xbf, 0x61))).toBe('\uFEFFa');
    // A literal U+FFFD in the input is valid text.
    expect(goString(b(0xef, 0xbf, 0xbd))).toBe(R);
  });

  it('replaces each byte of an invalid sequence separately', () => {
    expect(goString(b(0x80))).toBe(R);
    expect(goString(b(0xbf, 0x80))).toBe(R + R);
    // Overlong forms.
    expect(goString(b(0xc0, 0x80))).toBe(R + R);
    expect(goString(b(0xc1, 0xbf))).toBe(R + R);
    expect(goString(b(0xe0, 0x80, 0x80))).toBe(R + R + R);
    expect(goString(b(0xf0, 0x80, 0x80, 0x80))).toBe(R + R + R + R);
    // Encoded surrogates.
    expect(goString(b(0xed, 0xa0, 0x80))).toBe(R + R + R);
    expect(goString(b(0xed, 0xbf, 0xbf))).toBe(R + R + R);
    // Past U+10FFFF, and bytes that never start a sequence.
    expect(goString(b(0xf4, 0x90, 0x80, 0x80))).toBe(R + R + R + R);
    expect(goString(b(0xf5, 0x80, 0x80, 0x80))).toBe(R + R + R + R);
    expect(goString(b(0xfe, 0xff))).toBe(R + R);
  });

  it('replaces a cut sequence byte by byte, unlike WHATWG decoders', () => {
    expect(goString(b(0xe2, 0x82))).toBe(R + R);
    expect(goString(b(0x61, 0xe2, 0x82, 0x62))).toBe(`a${R}${R}b`);
    expect(goString(b(0xf0, 0x9d, 0x84))).toBe(R + R + R);
    expect(goString(b(0xe2, 0x28, 0xa1))).toBe(`${R}(${R}`);
    expect(new TextDecoder().decode(b(0xe2, 0x82))).toBe(R);
  });

  it('resumes valid text right after an invalid byte', () => {
    expect(goString(b(0xc3, 0xa9, 0xff, 0xc3, 0xa9, 0xf0, 0x9d, 0x84, 0x9e, 0xc3))).toBe(`é${R}é𝄞${R}`);
    // A DNS TXT RDATA: its length byte and a Latin-1 byte.
    expect(goString(b(0x04, 0x63, 0x61, 0x66, 0xe9))).toBe(`\x04caf${R}`);
  });

  it('handles long input on both paths', () => {
    expect(goString(new Uint8Array(20000).fill(0xff))).toBe(R.repeat(20000));
    const long = b(...new Array(9000).fill([0xf0, 0x9f, 0x98, 0x80, 0x80]).flat());
    expect(goString(long)).toBe(`😀${R}`.repeat(9000));
    expect(goString(new Uint8Array(70000).fill(0x41))).toBe('A'.repeat(70000));
  });

  it('round-trips any well-formed text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        // TextEncoder writes each lone surrogate as EF BF BD.
        expect(goString(new TextEncoder().encode(s))).toBe(s.replace(/\p{Cs}/gu, R));
      }),
      { numRuns: 2000 },
    );
  });

  it('matches the per-byte oracle on random bytes', () => {
    const weighted = fc.oneof(
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0x80, max: 0xbf }),
      fc.constantFrom(0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5),
    );
    fc.assert(
      fc.property(fc.array(weighted, { maxLength: 40 }), (values) => {
        const bytes = Uint8Array.from(values);
        expect(goString(bytes)).toBe(oracle(bytes));
      }),
      { numRuns: 3000 },
    );
  });
});
