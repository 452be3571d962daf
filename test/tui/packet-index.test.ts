import { describe, expect, it } from 'vitest';
import { INDEX_BYTES_PER_PACKET, INDEX_CHUNK, PacketIndex } from '../../src/tui/store/packet-index.ts';
import { PositionList } from '../../src/tui/store/position-list.ts';

describe('PacketIndex', () => {
  it('keeps offset, exact timestamp and link type per packet', () => {
    const index = new PacketIndex();
    const t = 1_700_000_000_123_456_789n;
    index.push(1, 24, t, 1);
    index.push(2, 140, t + 1n, 101);
    index.push(3, 5_000_000_000_123, t + 2n, 1);
    expect(index.length).toBe(3);
    expect([index.offsetAt(2), index.timestampAt(1), index.linkTypeAt(1), index.linkTypeAt(2)]).toEqual([5_000_000_000_123, t + 1n, 101, 1]);
    expect(() => index.offsetAt(3)).toThrow(RangeError);
  });

  it('maps packet numbers when a source skips some (a damaged .nev segment)', () => {
    const index = new PacketIndex();
    for (const n of [1, 2, 3, 10, 11, 20]) index.push(n, n * 100, BigInt(n), 1);
    expect([0, 1, 2, 3, 4, 5].map((p) => index.numberAt(p))).toEqual([1, 2, 3, 10, 11, 20]);
    expect([1, 3, 4, 10, 11, 12, 20, 21].map((n) => index.positionOfNumber(n))).toEqual([0, 2, 3, 3, 4, 5, 5, 6]);
  });

  it('finds the first packet at or after a time', () => {
    const index = new PacketIndex();
    for (let i = 0; i < 100; i++) index.push(i + 1, i, BigInt(i * 10), 1);
    expect(index.positionAtTime(0n)).toBe(0);
    expect(index.positionAtTime(55n)).toBe(6);
    expect(index.positionAtTime(990n)).toBe(99);
    expect(index.positionAtTime(10_000n)).toBe(100);
  });

  it('costs 17 bytes a packet, allocated in fixed chunks (the memory bound)', () => {
    const index = new PacketIndex();
    const n = INDEX_CHUNK * 2 + 5;
    for (let i = 0; i < n; i++) index.push(i + 1, i * 64, BigInt(i), 1);
    expect(INDEX_BYTES_PER_PACKET).toBe(17);
    expect(index.bytesUsed()).toBe(3 * INDEX_CHUNK * INDEX_BYTES_PER_PACKET);
    expect(index.bytesUsed()).toBeLessThanOrEqual((n + INDEX_CHUNK) * INDEX_BYTES_PER_PACKET);
    expect(index.numberAt(n - 1)).toBe(n);
    expect(index.offsetAt(INDEX_CHUNK)).toBe(INDEX_CHUNK * 64);
  });
});

describe('PositionList', () => {
  it('holds ascending positions at 4 bytes each and finds rows by position', () => {
    const list = new PositionList();
    for (const p of [3, 7, 7000, 70_000, 140_000]) list.push(p);
    expect([list.at(0), list.at(4), list.length]).toEqual([3, 140_000, 5]);
    expect([0, 3, 4, 70_000, 200_000].map((p) => list.rowAtOrAfter(p))).toEqual([0, 0, 1, 3, 5]);
    expect(list.bytesUsed()).toBe(65_536 * 4);
  });
});
