/**
 * Writes classic pcap files for tests: little endian, nanosecond-resolution magic (0xa1b23c4d)
 * by default so epoch-nanosecond timestamps survive exactly, or the microsecond magic
 * (0xa1b2c3d4) on request. Link type defaults to LINKTYPE_RAW (101): records start at the IP header.
 */

export interface PcapRecord {
  /** Epoch nanoseconds. */
  timestampNs: bigint;
  data: Uint8Array;
  /** Length on the wire; default data.length. */
  originalLength?: number;
}

export interface PcapOptions {
  /** Default 101 (LINKTYPE_RAW). */
  linkType?: number;
  /** Default 'ns'. With 'us' a timestamp that is not a whole microsecond is an error. */
  resolution?: 'ns' | 'us';
  /** Default 262144. */
  snaplen?: number;
}

export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const LINKTYPE_RAW = 101;

export function pcapFile(records: readonly PcapRecord[], opts: PcapOptions = {}): Uint8Array {
  const ns = (opts.resolution ?? 'ns') === 'ns';
  let size = 24;
  for (const r of records) size += 16 + r.data.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, ns ? PCAP_MAGIC_NS : PCAP_MAGIC_US, true);
  view.setUint16(4, 2, true); // version 2.4
  view.setUint16(6, 4, true);
  view.setInt32(8, 0, true); // thiszone
  view.setUint32(12, 0, true); // sigfigs
  view.setUint32(16, opts.snaplen ?? 262144, true);
  view.setUint32(20, opts.linkType ?? LINKTYPE_RAW, true);
  let at = 24;
  for (const r of records) {
    if (r.timestampNs < 0n) throw new RangeError('negative timestamp');
    const sec = r.timestampNs / 1_000_000_000n;
    const frac = r.timestampNs % 1_000_000_000n;
    if (sec > 0xffffffffn) throw new RangeError(`timestamp beyond 32-bit seconds: ${r.timestampNs}`);
    if (!ns && frac % 1000n !== 0n) throw new RangeError(`timestamp ${r.timestampNs} is not a whole microsecond`);
    view.setUint32(at, Number(sec), true);
    view.setUint32(at + 4, Number(ns ? frac : frac / 1000n), true);
    view.setUint32(at + 8, r.data.length, true);
    view.setUint32(at + 12, r.originalLength ?? r.data.length, true);
    out.set(r.data, at + 16);
    at += 16 + r.data.length;
  }
  return out;
}
