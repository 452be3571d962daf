/**
 * Consumer side of a BPF ring buffer, read in JavaScript from the map's memory mapping.
 *
 * Why not libbpf's ring_buffer__consume(): it calls a C callback per record, and each callback
 * into JavaScript through koffi costs more than decoding the record itself. Mapped directly, a
 * record is read in place with a DataView; only the packet bytes are copied (by the caller).
 *
 * Layout and protocol (kernel/bpf/ringbuf.c): page 0 holds the consumer position (we write it),
 * page 1 the producer position, then the data area mapped twice in a row so a record that wraps
 * is contiguous. Each record has an 8-byte header: u32 length with BUSY (bit 31, not committed
 * yet) and DISCARD (bit 30) flags, u32 page offset; records are 8-byte aligned. Positions grow
 * forever; offset = position & (size - 1). Atomics give the acquire/release ordering the kernel
 * pairs with (smp_load_acquire / smp_store_release).
 */
import { MAP_SHARED, NativeError, PROT_READ, PROT_WRITE, type Libc, type Pointer } from './libbpf.ts';

const BUSY = 0x80000000;
const DISCARD = 0x40000000;
const LENGTH_MASK = 0x3fffffff;
const HEADER = 8;

/** Called for each committed record: its bytes are view[offset, offset + size) until it returns. */
export type RecordHandler = (view: DataView, offset: number, size: number) => void;

export class RingReader {
  private readonly consumerMap: Pointer;
  private readonly producerMap: Pointer;
  private readonly producerLength: number;
  private readonly consumer: BigUint64Array;
  private readonly producer: BigUint64Array;
  private readonly headers: Uint32Array;
  private readonly data: DataView;
  private readonly mask: number;
  private readonly pageSize: number;
  private closed = false;

  constructor(
    private readonly libc: Libc,
    mapFd: number,
    /** max_entries of the ring buffer map: a power of two, a multiple of the page size. */
    readonly size: number,
  ) {
    const page = libc.pageSize();
    this.mask = size - 1;
    this.producerLength = page + 2 * size;
    const consumerMap = libc.mmap(page, PROT_READ | PROT_WRITE, MAP_SHARED, mapFd, 0);
    if (consumerMap === null) throw new NativeError('mmap ring buffer consumer page', libc.errno());
    const producerMap = libc.mmap(this.producerLength, PROT_READ, MAP_SHARED, mapFd, page);
    if (producerMap === null) {
      const errno = libc.errno();
      libc.munmap(consumerMap, page);
      throw new NativeError('mmap ring buffer data', errno);
    }
    this.consumerMap = consumerMap;
    this.producerMap = producerMap;
    this.consumer = new BigUint64Array(libc.view(consumerMap, page), 0, 1);
    const producerArea = libc.view(producerMap, this.producerLength);
    this.producer = new BigUint64Array(producerArea, 0, 1);
    this.headers = new Uint32Array(producerArea, page, (2 * size) / 4);
    this.data = new DataView(producerArea, page, 2 * size);
    this.pageSize = page;
  }

  /** Bytes written by the kernel and not consumed yet. */
  get backlog(): number {
    return Number(Atomics.load(this.producer, 0) - Atomics.load(this.consumer, 0));
  }

  /**
   * Hands every committed record to `handle`, at most `maxRecords` of them, and frees their
   * space. Stops at a record the kernel has reserved but not yet submitted. Returns the number of
   * records handled.
   */
  drain(handle: RecordHandler, maxRecords = Number.POSITIVE_INFINITY): number {
    if (this.closed) return 0;
    // Positions are 64-bit and grow forever, but what one drain covers is at most the ring's
    // size (≤ 1 GiB): counted as numbers from `start`, so no record costs a bigint.
    const start = Atomics.load(this.consumer, 0);
    const available = Number(Atomics.load(this.producer, 0) - start);
    const base = Number(start & BigInt(this.mask));
    const mask = this.mask;
    let consumed = 0;
    let handled = 0;
    try {
      while (consumed < available && handled < maxRecords) {
        const offset = (base + consumed) & mask;
        const header = Atomics.load(this.headers, offset >>> 2)!;
        if (header & BUSY) break;
        const length = header & LENGTH_MASK;
        if (!(header & DISCARD)) {
          handle(this.data, offset + HEADER, length);
          handled++;
        }
        consumed += (length + HEADER + 7) & ~7;
      }
    } finally {
      // Also when a handler throws: the records before that one are done and must not come again.
      if (consumed > 0) Atomics.store(this.consumer, 0, start + BigInt(consumed));
    }
    return handled;
  }

  /** Unmaps the ring. Views handed out before are invalid afterwards. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.libc.munmap(this.producerMap, this.producerLength);
    this.libc.munmap(this.consumerMap, this.pageSize);
  }
}
