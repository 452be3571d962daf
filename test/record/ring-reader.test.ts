/**
 * The ring-buffer consumer protocol, against memory laid out as the kernel lays it out (no BPF
 * needed): a consumer page, a producer page, the data area twice in a row.
 */
import { describe, expect, it } from 'vitest';
import type { Libc } from '../../src/record/libbpf.ts';
import { RingReader } from '../../src/record/ring-reader.ts';

const PAGE = 4096;
const SIZE = 4096; // data area: one page (the kernel's minimum)
const BUSY = 0x80000000;
const DISCARD = 0x40000000;

/** A fake mapping: mmap at offset 0 gives the consumer page, at PAGE the producer page + data ×2. */
class FakeRing {
  readonly consumer = new ArrayBuffer(PAGE);
  readonly producer = new ArrayBuffer(PAGE + 2 * SIZE);
  private position = 0n;
  readonly unmapped: bigint[] = [];

  libc(): Libc {
    const views = new Map<bigint, ArrayBuffer>([
      [1n, this.consumer],
      [2n, this.producer],
    ]);
    const fail = (): never => {
      throw new Error('not used by RingReader');
    };
    return {
      mmap: (_len, _prot, _flags, _fd, offset) => (offset === 0 ? 1n : 2n),
      munmap: (addr) => {
        this.unmapped.push(addr);
        return 0;
      },
      view: (addr) => views.get(addr)!,
      pageSize: () => PAGE,
      pidfdOpen: fail,
      pidfdGetfd: fail,
      socketDomain: fail,
      clockNs: fail,
      errno: () => 0,
    };
  }

  /**
   * Writes one record (header flags + payload) at the producer position, in both mappings, and
   * publishes the new position: the kernel advances it at reservation, BUSY until committed.
   */
  produce(payload: Uint8Array, flags = 0): void {
    const offset = Number(this.position % BigInt(SIZE));
    const bytes = new Uint8Array(8 + payload.length);
    new DataView(bytes.buffer).setUint32(0, (payload.length | flags) >>> 0, true);
    bytes.set(payload, 8);
    const data = new Uint8Array(this.producer, PAGE);
    for (let i = 0; i < bytes.length; i++) {
      data[(offset + i) % SIZE] = bytes[i]!;
      data[((offset + i) % SIZE) + SIZE] = bytes[i]!;
    }
    this.position += BigInt((8 + payload.length + 7) & ~7);
    new BigUint64Array(this.producer, 0, 1)[0] = this.position;
  }

  /** Commits a record produced BUSY: clears the flag. */
  commit(at: bigint, length: number): void {
    const offset = Number(at % BigInt(SIZE));
    new DataView(this.producer, PAGE).setUint32(offset, length, true);
    new DataView(this.producer, PAGE).setUint32(offset + SIZE, length, true);
  }

  get consumed(): bigint {
    return new BigUint64Array(this.consumer, 0, 1)[0]!;
  }
}

function collect(reader: RingReader, max?: number): string[] {
  const out: string[] = [];
  reader.drain((view, offset, size) => out.push(Buffer.from(view.buffer, view.byteOffset + offset, size).toString()), max);
  return out;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('RingReader', () => {
  it('hands over committed records in order and frees their space', () => {
    const ring = new FakeRing();
    const reader = new RingReader(ring.libc(), 3, SIZE);
    ring.produce(text('first'));
    ring.produce(text('second record'));
    expect(reader.backlog).toBe(16 + 24);
    expect(collect(reader)).toEqual(['first', 'second record']);
    expect(ring.consumed).toBe(40n); // 8-byte aligned: 8+5 → 16, 8+13 → 24
    expect(reader.backlog).toBe(0);
    expect(collect(reader)).toEqual([]);
  });

  it('skips discarded records and stops at one not yet committed', () => {
    const ring = new FakeRing();
    const reader = new RingReader(ring.libc(), 3, SIZE);
    ring.produce(text('dropped'), DISCARD);
    ring.produce(text('kept'));
    const busyAt = 32n;
    ring.produce(text('pending'), BUSY);
    ring.produce(text('later'));
    // A later record is committed, but the reader must not pass the busy one before it.
    expect(collect(reader)).toEqual(['kept']);
    expect(ring.consumed).toBe(busyAt);
    ring.commit(busyAt, 7);
    expect(collect(reader)).toEqual(['pending', 'later']);
  });

  it('reads a record that wraps past the end of the data area in one piece', () => {
    const ring = new FakeRing();
    const reader = new RingReader(ring.libc(), 3, SIZE);
    const filler = new Uint8Array(SIZE - 8 - 8 - 16); // leaves 16 bytes before the end
    ring.produce(filler);
    expect(collect(reader)).toHaveLength(1);
    ring.produce(text('this record crosses the end of the ring'));
    expect(collect(reader)).toEqual(['this record crosses the end of the ring']);
  });

  it('stops after maxRecords and resumes where it stopped', () => {
    const ring = new FakeRing();
    const reader = new RingReader(ring.libc(), 3, SIZE);
    for (const s of ['a', 'b', 'c']) ring.produce(text(s));
    expect(collect(reader, 2)).toEqual(['a', 'b']);
    expect(collect(reader)).toEqual(['c']);
  });

  it('keeps the records before a throwing handler consumed', () => {
    const ring = new FakeRing();
    const reader = new RingReader(ring.libc(), 3, SIZE);
    for (const s of ['a', 'b']) ring.produce(text(s));
    let calls = 0;
    expect(() =>
      reader.drain(() => {
        if (calls++ === 1) throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(ring.consumed).toBe(16n);
  });

  it('unmaps once', () => {
    const ring = new FakeRing();
    const reader = new RingReader(ring.libc(), 3, SIZE);
    reader.close();
    reader.close();
    expect(ring.unmapped).toEqual([2n, 1n]);
    expect(collect(reader)).toEqual([]);
  });
});
