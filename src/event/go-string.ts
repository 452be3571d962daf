/**
 * Go's `string(bytes)` as it comes back from parsing Go's json.Marshal output: valid UTF-8 is
 * kept, and every byte that does not start a valid sequence (by utf8.DecodeRune: stray
 * continuation bytes, overlong forms, encoded surrogates, code points past U+10FFFF, cut
 * sequences) becomes its own U+FFFD. WHATWG decoders replace a cut sequence with a single
 * U+FFFD, so TextDecoder only handles input already known to be valid.
 */

// ignoreBOM: a leading EF BB BF is text (U+FEFF) to Go, not a byte-order mark.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Code units per String.fromCharCode call, well under engines' argument limits. */
const CHUNK = 4096;

/** UTF-16 code units of the slow path; one byte never yields more than one unit. */
let units = new Uint16Array(256);

export function goString(bytes: Uint8Array): string {
  return validUtf8(bytes) ? utf8.decode(bytes) : replaceInvalid(bytes);
}

/** Length of the valid sequence starting at `i`, or 0 (Go's utf8.DecodeRune acceptance). */
function sequenceLength(b: Uint8Array, i: number): number {
  const b0 = b[i]!;
  if (b0 < 0x80) return 1;
  const n = b.length;
  if (b0 < 0xc2) return 0;
  if (b0 < 0xe0) return i + 1 < n && isContinuation(b[i + 1]!) ? 2 : 0;
  if (b0 < 0xf0) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    if (i + 2 >= n) return 0;
    const b1 = b[i + 1]!;
    return b1 >= lo && b1 <= hi && isContinuation(b[i + 2]!) ? 3 : 0;
  }
  if (b0 < 0xf5) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    if (i + 3 >= n) return 0;
    const b1 = b[i + 1]!;
    return b1 >= lo && b1 <= hi && isContinuation(b[i + 2]!) && isContinuation(b[i + 3]!) ? 4 : 0;
  }
  return 0;
}

function isContinuation(b: number): boolean {
  return (b & 0xc0) === 0x80;
}

function validUtf8(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; ) {
    if (b[i]! < 0x80) {
      i++;
      continue;
    }
    const size = sequenceLength(b, i);
    if (size === 0) return false;
    i += size;
  }
  return true;
}

function replaceInvalid(b: Uint8Array): string {
  if (units.length < b.length) units = new Uint16Array(b.length);
  let u = 0;
  for (let i = 0; i < b.length; ) {
    const size = sequenceLength(b, i);
    let cp: number;
    switch (size) {
      case 0:
        units[u++] = 0xfffd;
        i++;
        continue;
      case 1:
        cp = b[i]!;
        break;
      case 2:
        cp = ((b[i]! & 0x1f) << 6) | (b[i + 1]! & 0x3f);
        break;
      case 3:
        cp = ((b[i]! & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f);
        break;
      default:
        cp = ((b[i]! & 0x07) << 18) | ((b[i + 1]! & 0x3f) << 12) | ((b[i + 2]! & 0x3f) << 6) | (b[i + 3]! & 0x3f);
    }
    i += size;
    if (cp < 0x10000) {
      units[u++] = cp;
    } else {
      cp -= 0x10000;
      units[u++] = 0xd800 | (cp >> 10);
      units[u++] = 0xdc00 | (cp & 0x3ff);
    }
  }
  let out = '';
  for (let at = 0; at < u; at += CHUNK) {
    out += String.fromCharCode.apply(null, units.subarray(at, Math.min(at + CHUNK, u)) as never);
  }
  return out;
}
