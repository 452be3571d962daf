import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { terminalText } from '../../src/core/terminal-text.ts';
import { UNSAFE_FOR_TERMINAL } from '../helpers/terminal.ts';

describe('terminalText', () => {
  it('escapes the sequences of the issue: OSC retitle, RIS reset, DCS, 8-bit CSI, DEL, NUL', () => {
    expect(terminalText('\u001b]0;title\u0007')).toBe('\\x1b]0;title\\x07');
    expect(terminalText('\u001bc')).toBe('\\x1bc');
    expect(terminalText('\u001bP1$r\u001b\\')).toBe('\\x1bP1$r\\x1b\\');
    expect(terminalText('a\u009b31mb')).toBe('a\\x9b31mb');
    expect(terminalText('del\u007f')).toBe('del\\x7f');
    expect(terminalText('nul\u0000name.example')).toBe('nul\\x00name.example');
    expect(terminalText('tab\tnewline\ncr\r')).toBe('tab\\x09newline\\x0acr\\x0d');
  });

  it('escapes bidi overrides and invisible format characters', () => {
    expect(terminalText('invoice\u202Efdp.exe')).toBe('invoice\\u202efdp.exe');
    for (const c of [
      0x061c, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2060, 0x2066, 0x2067, 0x2068, 0x2069, 0xfeff,
    ]) {
      expect(terminalText(String.fromCharCode(c))).toBe(`\\u${c.toString(16).padStart(4, '0')}`);
    }
  });

  it('leaves printable text alone, other scripts and emoji included', () => {
    for (const s of ['dig', 'www.example.com', 'Grüße', 'пример.рф', '例え.テスト', 'a\\x1b', '🦀 ok', '\u00a0nbsp']) expect(terminalText(s)).toBe(s);
  });

  it('never lets an unsafe character through, and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const once = terminalText(s);
        expect(UNSAFE_FOR_TERMINAL.test(once)).toBe(false);
        expect(terminalText(once)).toBe(once);
      }),
      { seed: 12, numRuns: 2000 },
    );
  });
});
