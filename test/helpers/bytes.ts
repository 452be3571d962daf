/** Byte builders shared by the decoder tests: hand-written packets, checked against the RFCs. */

/** Hex digits, whitespace ignored: 'de ad' → [0xde, 0xad]. */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '');
  return Uint8Array.from(digits.match(/../g) ?? [], (b) => parseInt(b, 16));
}

export type Part = number | string | Uint8Array | readonly number[];

/** Concatenates bytes, ASCII strings and byte lists. */
export function bytes(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}

export function u16(n: number): number[] {
  return [n >> 8, n & 0xff];
}

export function u32(n: number): number[] {
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** Uncompressed DNS wire name: 'a.bc' → 01 'a' 02 'bc' 00; '' → 00. */
export function wireName(name: string): Uint8Array {
  const parts: Part[] = [];
  if (name !== '') for (const label of name.split('.')) parts.push(label.length, label);
  parts.push(0);
  return bytes(...parts);
}

/** A DNS header with the four section counts. */
export function dnsHeader(counts: [number, number, number, number], flags = 0x0100, id = 0x1234): Uint8Array {
  const [qd, an, ns, ar] = counts;
  return bytes(...u16(id), ...u16(flags), ...u16(qd), ...u16(an), ...u16(ns), ...u16(ar));
}

export function dnsQuestion(name: Part, type = 1, klass = 1): Uint8Array {
  return bytes(name, ...u16(type), ...u16(klass));
}

/** A resource record whose RDLENGTH is the length of `rdata`. */
export function dnsRecord(name: Part, type: number, rdata: Part, ttl = 300, klass = 1): Uint8Array {
  const data = bytes(rdata);
  return bytes(name, ...u16(type), ...u16(klass), ...u32(ttl), ...u16(data.length), data);
}
