import { describe, expect, it } from 'vitest';
import { canonicalIp, inAnyCidr, parseCidr, parseIp } from '../../src/filter/ip.ts';

const bytesOf = (text: string): number[] | undefined => {
  const out = new Uint8Array(16);
  const length = parseIp(text, out);
  return length === 0 ? undefined : [...out.subarray(0, length)];
};

describe('parseIp', () => {
  it.each([
    ['0.0.0.0', [0, 0, 0, 0]],
    ['8.8.8.8', [8, 8, 8, 8]],
    ['255.255.255.255', [255, 255, 255, 255]],
    ['::', new Array(16).fill(0)],
    ['::1', [...new Array(15).fill(0), 1]],
    ['fd6e::', [0xfd, 0x6e, ...new Array(14).fill(0)]],
    ['fd6e:a63d:71f:2000::2', [0xfd, 0x6e, 0xa6, 0x3d, 0x07, 0x1f, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 2]],
    ['FD6E:0:0:0:0:0:0:1', [0xfd, 0x6e, ...new Array(13).fill(0), 1]],
    ['::ffff:10.1.2.3', [...new Array(10).fill(0), 0xff, 0xff, 10, 1, 2, 3]],
    ['64:ff9b::1.2.3.4', [0, 0x64, 0xff, 0x9b, ...new Array(8).fill(0), 1, 2, 3, 4]],
  ])('%s', (text, bytes) => {
    expect(bytesOf(text)).toEqual(bytes);
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3.',
    '.1.2.3',
    '1..2.3',
    'a.b.c.d',
    '1.2.3.4/8',
    ':',
    ':1',
    '1:',
    '1:::2',
    '1::2::3',
    '12345::',
    '1:2:3:4:5:6:7:8:9',
    '1::2:3:4:5:6:7:8',
    '1:2:3:4:5:6:7',
    'fe80::1%eth0',
    'g::',
    '::1.2.3',
    '1:2:3:4:5:6:7:1.2.3.4',
  ])('rejects %j', (text) => {
    expect(bytesOf(text)).toBeUndefined();
  });
});

describe('canonicalIp', () => {
  it('gives the text Go prints, as events hold it', () => {
    expect(canonicalIp('FD6E:0:0::0001')).toBe('fd6e::1');
    expect(canonicalIp('::ffff:8.8.8.8')).toBe('8.8.8.8');
    expect(canonicalIp('10.0.0.1')).toBe('10.0.0.1');
    expect(canonicalIp('nope')).toBeUndefined();
  });
});

describe('parseCidr / inAnyCidr', () => {
  it('clears host bits, as Go does', () => {
    expect(parseCidr('10.1.2.3/8')).toEqual({ bytes: new Uint8Array([10, 0, 0, 0]), prefix: 8 });
    expect(parseCidr('192.168.100.77/26')).toEqual({ bytes: new Uint8Array([192, 168, 100, 64]), prefix: 26 });
  });

  it('reads a v4-mapped network as the IPv4 one, since Go prints mapped addresses as IPv4', () => {
    expect(parseCidr('::ffff:10.0.0.0/104')).toEqual({ bytes: new Uint8Array([10, 0, 0, 0]), prefix: 8 });
  });

  it.each(['10.0.0.0', '10.0.0.0/', '10.0.0.0/33', 'fd00::/129', '10.0.0/8', 'x/8', '10.0.0.0/8/8', '10.0.0.0/-1', '10.0.0.0/a'])('rejects %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it('matches addresses inside the prefix only, and never across families', () => {
    const test = inAnyCidr([parseCidr('10.0.0.0/8')!, parseCidr('fd6e::/16')!, parseCidr('192.168.100.64/26')!]);
    expect(test('10.255.0.1')).toBe(true);
    expect(test('11.0.0.1')).toBe(false);
    expect(test('fd6e:a63d:71f:2000::2')).toBe(true);
    expect(test('fd6f::1')).toBe(false);
    expect(test('192.168.100.127')).toBe(true);
    expect(test('192.168.100.128')).toBe(false);
    expect(test('::ffff:10.0.0.1')).toBe(false);
    expect(test('not an address')).toBe(false);
    expect(test(10)).toBe(false);
  });

  it('/0 matches the whole family', () => {
    const test = inAnyCidr([parseCidr('0.0.0.0/0')!]);
    expect(test('1.2.3.4')).toBe(true);
    expect(test('::1')).toBe(false);
  });
});
