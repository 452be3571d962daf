/**
 * The one msgpackr configuration .nev uses, so writer and reader cannot drift apart: plain
 * msgpack (no record extension, whose structures a fresh reader would not have), 64-bit ints
 * decoded as bigint, and binary values copied out so a packet never pins a whole read buffer.
 */
import { Packr, Unpackr } from 'msgpackr';

const packr = new Packr({ useRecords: false, int64AsType: 'bigint' });
const unpackr = new Unpackr({ useRecords: false, int64AsType: 'bigint', copyBuffers: true, mapsAsObjects: false });

export function pack(value: unknown): Uint8Array {
  return packr.pack(value);
}

export type Unpacked = { ok: true; value: unknown } | { ok: false; message: string };

/** A payload that is not exactly one msgpack value is a value too, never a throw. */
export function unpack(bytes: Uint8Array): Unpacked {
  try {
    return { ok: true, value: unpackr.unpack(bytes) };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}
