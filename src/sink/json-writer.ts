/**
 * A growable byte buffer that JSON is written into directly. Building each event as a string
 * of many small pieces and letting the stream encode it cost more than decoding the packet
 * (rope flattening and garbage); writing bytes in place avoids both.
 */
export class JsonWriter {
  buf: Buffer;
  pos = 0;

  constructor(capacity = 1 << 16) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Makes room for n more bytes. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** Text known to need no escaping and to be ASCII (keys, punctuation, digits). */
  ascii(s: string): void {
    const n = s.length;
    this.reserve(n);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buf[pos++] = s.charCodeAt(i);
    this.pos = pos;
  }

  /** Copies pre-encoded bytes. */
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A JSON string literal. Printable ASCII is copied; anything else goes through JSON.stringify. */
  string(s: string): void {
    const n = s.length;
    this.reserve(n + 2);
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    buf[pos++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        this.pos = start;
        this.utf8(JSON.stringify(s));
        return;
      }
      buf[pos++] = c;
    }
    buf[pos++] = 0x22;
    this.pos = pos;
  }

  /** JSON text produced elsewhere (JSON.stringify), encoded as UTF-8. */
  utf8(text: string): void {
    this.reserve(text.length * 3);
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  /** A number as JSON prints it; non-negative integers skip the number-to-string conversion. */
  number(n: number): void {
    if (n >= 0 && n < 0x100000000 && Math.floor(n) === n) {
      this.uint(n);
      return;
    }
    this.ascii(String(n));
  }

  private uint(n: number): void {
    this.reserve(10);
    const buf = this.buf;
    if (n < 10) {
      buf[this.pos++] = 0x30 + n;
      return;
    }
    let digits = 1;
    for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
    let pos = this.pos + digits;
    this.pos = pos;
    for (let m = n; digits > 0; digits--) {
      const q = Math.floor(m / 10);
      buf[--pos] = 0x30 + (m - q * 10);
      m = q;
    }
  }

  /** Exact 64-bit (or larger) integers. */
  bigint(n: bigint): void {
    this.ascii(n.toString());
  }

  /** Hands out what was written and starts a new buffer (the old one may still be queued). */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.buf.length);
    this.pos = 0;
    return out;
  }

  toString(): string {
    return this.buf.toString('utf8', 0, this.pos);
  }
}
