/**
 * Go's net.IP.String(), which Tracee uses for every address it prints:
 * 4 bytes or IPv4-mapped IPv6 → dotted quad; other 16 bytes → RFC 5952 text;
 * empty → "<nil>"; any other length → "?" + hex.
 */

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

export function ipString(ip: Uint8Array): string {
  if (ip.length === 4) return ipv4String(ip, 0);
  if (ip.length === 16) {
    if (isV4Mapped(ip)) return ipv4String(ip, 12);
    return ipv6String(ip);
  }
  if (ip.length === 0) return '<nil>';
  let out = '?';
  for (const b of ip) out += HEX[b];
  return out;
}

function ipv4String(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

function ipv6String(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  // Longest run of two or more zero groups, first one on a tie (RFC 5952, as Go does).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.map((g) => g.toString(16)).join(':');
  const head = groups
    .slice(0, bestStart)
    .map((g) => g.toString(16))
    .join(':');
  const tail = groups
    .slice(bestStart + bestLen)
    .map((g) => g.toString(16))
    .join(':');
  return `${head}::${tail}`;
}
