/**
 * Big-endian reads from a byte array. The caller has checked the bounds: these are on the hot
 * path of every packet, so they do not check again.
 */

export function readU16(data: Uint8Array, at: number): number {
  return (data[at]! << 8) | data[at + 1]!;
}

export function readU32(data: Uint8Array, at: number): number {
  // `>>> 0` keeps values with the top bit set positive.
  return ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
}
