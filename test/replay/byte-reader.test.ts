import { describe, expect, it } from 'vitest';
import { BatchQueue } from '../../src/replay/batch-queue.ts';
import { ByteReader } from '../../src/replay/byte-reader.ts';
import { inputIssue } from '../../src/core/errors.ts';

function readerOf(...chunks: number[][]): ByteReader {
  return new ByteReader(
    (async function* () {
      for (const chunk of chunks) yield Buffer.from(chunk);
    })(),
  );
}

describe('ByteReader', () => {
  it('takes bytes within one chunk as a view of it, without copying', async () => {
    const chunk = Buffer.from([1, 2, 3, 4, 5]);
    const reader = new ByteReader(
      (async function* () {
        yield chunk;
      })(),
    );
    await reader.request(3);
    const taken = reader.take(3);
    expect([...taken]).toEqual([1, 2, 3]);
    expect(taken.buffer).toBe(chunk.buffer);
    expect(reader.offset).toBe(3);
    expect(reader.buffered).toBe(2);
  });

  it('takes bytes across chunks as one copy', async () => {
    const reader = readerOf([1, 2], [3], [4, 5, 6]);
    expect(await reader.request(5)).toBeGreaterThanOrEqual(5);
    expect([...reader.take(1)]).toEqual([1]);
    expect([...reader.take(4)]).toEqual([2, 3, 4, 5]);
    expect(reader.offset).toBe(5);
    expect([...reader.take(1)]).toEqual([6]);
  });

  it('says how much there is at the end of the stream', async () => {
    const reader = readerOf([1, 2], [3]);
    expect(await reader.request(10)).toBe(3);
    expect(reader.ended).toBe(true);
    expect(() => reader.take(4)).toThrow(RangeError);
  });

  it('peeks without consuming, also across chunks', async () => {
    const reader = readerOf([0x0a, 0x0d], [0x0d, 0x0a, 0x1c, 0x00], [0, 0]);
    await reader.request(8);
    expect([...reader.peek(3)]).toEqual([0x0a, 0x0d, 0x0d]);
    expect(reader.peekUint32(0, true)).toBe(0x0a0d0d0a);
    expect(reader.peekUint32(4, true)).toBe(28);
    expect(reader.peekUint32(4, false)).toBe(0x1c000000);
    expect(reader.offset).toBe(0);
  });

  it('hands over the unread bytes and then the rest of the stream', async () => {
    const reader = readerOf([1, 2, 3], [4], [5, 6]);
    await reader.request(2);
    reader.take(2);
    const rest: number[] = [];
    for await (const chunk of reader.remainingChunks()) rest.push(...chunk);
    expect(rest).toEqual([3, 4, 5, 6]);
    expect(reader.offset).toBe(6);
  });

  it('passes a read error of the stream on', async () => {
    const reader = new ByteReader(
      (async function* () {
        yield Buffer.from([1]);
        throw new Error('EIO: i/o error, read');
      })(),
    );
    await expect(reader.request(4)).rejects.toThrow('EIO');
  });
});

describe('BatchQueue', () => {
  const item = (n: number) => inputIssue('f', `offset ${n}`, 'x');

  it('hands a partial batch to a waiting consumer without waiting for more', async () => {
    const queue = new BatchQueue(() => {});
    const batches = queue.batches();
    const first = batches.next();
    queue.push(item(1));
    queue.push(item(2));
    expect((await first).value).toEqual([item(1), item(2)]);
  });

  it('asks the producer to pause when the consumer falls behind, and to resume', async () => {
    const calls: boolean[] = [];
    const queue = new BatchQueue((paused) => calls.push(paused));
    for (let n = 0; n < 8 * 1024; n++) queue.push(item(n));
    expect(calls).toEqual([true]);
    queue.finish();
    const sizes: number[] = [];
    for await (const batch of queue.batches()) sizes.push(batch.length);
    expect(sizes).toEqual(Array(8).fill(1024));
    expect(calls).toEqual([true, false]);
  });
});
