/**
 * The kernel side's per-CPU counters (struct nr_counters in the `counters` PERCPU_ARRAY), read
 * as totals and as per-CPU increases since the previous read, which become loss records.
 */
import { COUNTERS, decodeCounters, type Counters } from './abi.ts';
import { NativeError, type Libbpf } from './libbpf.ts';

const ZERO_COUNTERS: Counters = { packets: 0n, lostPackets: 0n, lostLifecycle: 0n, truncated: 0n, filtered: 0n, lostClaims: 0n };
const FIELDS = Object.keys(ZERO_COUNTERS) as (keyof Counters)[];

function combine(a: Counters, b: Counters, sign: 1n | -1n): Counters {
  const out = { ...ZERO_COUNTERS };
  for (const f of FIELDS) out[f] = a[f] + sign * b[f];
  return out;
}

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
    const out = now.map((c, cpu) => combine(c, this.previous[cpu]!, -1n));
    this.previous = now;
    return out;
  }
}

export function sumCounters(list: readonly Counters[]): Counters {
  return list.reduce((a, c) => combine(a, c, 1n), ZERO_COUNTERS);
}
