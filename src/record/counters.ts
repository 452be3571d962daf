/**
 * The kernel side's per-CPU counters (struct nr_counters in the `counters` PERCPU_ARRAY), read
 * as totals and as per-CPU increases since the previous read, which become loss records.
 */
import { COUNTERS, decodeCounters, type Counters } from './abi.ts';
import { NativeError, type Libbpf } from './libbpf.ts';

const ZERO_COUNTERS: Counters = { packets: 0n, lostPackets: 0n, lostLifecycle: 0n, truncated: 0n, filtered: 0n };

export class CounterReader {
  private readonly key = Buffer.alloc(4);
  private readonly value: Buffer;
  private previous: Counters[];

  constructor(
    private readonly libbpf: Libbpf,
    private readonly mapFd: number,
    /** libbpf_num_possible_cpus(): a per-CPU lookup returns one value per possible CPU. */
    readonly cpus: number,
  ) {
    // Per-CPU values are laid out 8-byte aligned; struct nr_counters already is.
    this.value = Buffer.alloc(cpus * COUNTERS.size);
    this.previous = Array.from({ length: cpus }, () => ZERO_COUNTERS);
  }

  /** Current per-CPU values. */
  read(): Counters[] {
    const err = this.libbpf.mapLookup(this.mapFd, this.key, this.value);
    if (err < 0) throw new NativeError('read BPF counters', -err);
    const view = new DataView(this.value.buffer, this.value.byteOffset, this.value.length);
    return Array.from({ length: this.cpus }, (_, cpu) => decodeCounters(view, cpu * COUNTERS.size));
  }

  /** Per-CPU increases since the last call (the first call: since loading). */
  delta(): Counters[] {
    const now = this.read();
    const out = now.map((c, cpu) => {
      const p = this.previous[cpu]!;
      return {
        packets: c.packets - p.packets,
        lostPackets: c.lostPackets - p.lostPackets,
        lostLifecycle: c.lostLifecycle - p.lostLifecycle,
        truncated: c.truncated - p.truncated,
        filtered: c.filtered - p.filtered,
      };
    });
    this.previous = now;
    return out;
  }
}

export function sumCounters(list: readonly Counters[]): Counters {
  return list.reduce(
    (a, c) => ({
      packets: a.packets + c.packets,
      lostPackets: a.lostPackets + c.lostPackets,
      lostLifecycle: a.lostLifecycle + c.lostLifecycle,
      truncated: a.truncated + c.truncated,
      filtered: a.filtered + c.filtered,
    }),
    ZERO_COUNTERS,
  );
}
