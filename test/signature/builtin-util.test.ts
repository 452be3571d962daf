/** The measures the builtin signatures share. */
import { describe, expect, it } from 'vitest';
import { looksGenerated } from '../../src/signature/builtin/dns-nxdomain.ts';
import { isPingPattern } from '../../src/signature/builtin/icmp-tunnel.ts';
import { baseDomain, BoundedMap, entropy } from '../../src/signature/builtin/util.ts';

describe('builtin signature measures', () => {
  it('baseDomain: the last two labels, three under a country second level', () => {
    expect(baseDomain('mx.uol.com.br')).toBe('uol.com.br');
    expect(baseDomain('a.b.Example.CO.UK.')).toBe('example.co.uk');
    expect(baseDomain('s1.c.tunnel.test')).toBe('tunnel.test');
    expect(baseDomain('tunnel.test')).toBe('tunnel.test');
    expect(baseDomain('localhost')).toBe('localhost');
    expect(baseDomain('')).toBe('');
  });

  it('entropy in bits per symbol', () => {
    expect(entropy('aaaa')).toBe(0);
    expect(entropy('abcd')).toBe(2);
    expect(entropy(Uint8Array.from({ length: 256 }, (_, i) => i))).toBe(8);
    expect(entropy('')).toBe(0);
  });

  it('isPingPattern: iputils, BSD, Windows and constant fills; not chosen bytes', () => {
    const iputils = Uint8Array.from({ length: 56 }, (_, i) => (i < 16 ? 0xa0 ^ i : i));
    const eightThenSixteen = Uint8Array.from({ length: 56 }, (_, i) => (i < 8 ? 0x5a ^ i : i + 8));
    const windows = Buffer.from('abcdefghijklmnopqrstuvwabcdefghi');
    const zeros = new Uint8Array(48);
    expect([iputils, eightThenSixteen, windows, zeros].map(isPingPattern)).toEqual([true, true, true, true]);
    const patterned = Buffer.concat([Buffer.alloc(16, 7), Buffer.from('exfiltrationexfiltrationexfiltration')]);
    expect(isPingPattern(patterned)).toBe(false);
    const wrapped = Uint8Array.from({ length: 300 }, (_, i) => (i < 16 ? 0 : i & 0xff));
    expect(isPingPattern(wrapped)).toBe(true);
  });

  it('looksGenerated: long random-looking leftmost labels', () => {
    expect(looksGenerated('qxvbzkrtplmwhn.example.com')).toBe(true);
    expect(looksGenerated('x7f3k9q2m8w1.example.com')).toBe(true);
    expect(looksGenerated('www.example.com')).toBe(false);
    expect(looksGenerated('documentation.example.com')).toBe(false);
  });

  it('BoundedMap forgets the oldest key past its limit and counts it', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.set('a', 3); // refreshed: b is now the oldest
    m.set('c', 4);
    expect([m.has('a'), m.has('b'), m.has('c'), m.forgotten, m.size]).toEqual([true, false, true, 1, 2]);
    m.add('a', 9);
    expect(m.get('a')).toBe(3);
  });
});
