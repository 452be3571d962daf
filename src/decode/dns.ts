/**
 * DNS wire format, decoded exactly as gopacket v1.1.19's `layers.DNS` does, because Tracee's DNS
 * events are whatever that decoder makes of a packet. We do not use `dns-packet` here (it stays
 * in the tests as an independent encoder and a differential check on well-formed messages):
 * its decode frames A/AAAA/MX/PTR/SOA RDATA by content instead of RDLENGTH, so one record with
 * an odd RDLENGTH misaligns every record after it; it rejects forward compression pointers,
 * which gopacket and Wireshark follow; it caps the whole name at 254 bytes across pointers where
 * gopacket limits each pointer hop to 255 wire bytes; it decodes labels with WHATWG UTF-8
 * replacement instead of keeping the raw bytes for Go's per-byte replacement; it spells the root
 * "." where gopacket gives ""; it strips the top (mDNS cache-flush) bit of CLASS, which gopacket
 * keeps; it does not fold an OPT record's extended RCODE into the header's RCODE; and it reports
 * malformed input by throwing, which costs too much on millions of packets.
 *
 * gopacket quirks kept on purpose (read in gopacket v1.1.19 layers/dns.go):
 * - RDATA is decoded against the message cut at the end of its own record (`data[:end]`), so a
 *   name inside RDATA may point backwards or into its own record, never past it.

 * One departure: gopacket decodes RDATA even when RDLENGTH is 0, so the empty records of an
 * RFC 2136 UPDATE (delete an RRset: class ANY or NONE, no RDATA) fail the whole message and
 * Tracee shows nothing. netrec keeps such a record with its type-specific fields empty.
 * - Each section is decoded for exactly its header count: the first failure fails the message
 *   (its "not the right number of ..." checks can never fire) and bytes after the last record
 *   are ignored.
 * - Where v1.1.19 slices past the end of a question or record header it panics, which
 *   gopacket's packet decoder recovers as a decode failure; we return the error that later
 *   gopacket versions give for the same check. The panic can only differ when the payload
 *   slice's capacity runs past its length, in which case Go reads bytes beyond the payload.
 */

import { DecodeError } from './types.ts';
import type {
  DNSMessage,
  DNSOption,
  DNSQuestion,
  DNSResourceRecord,
} from './types.ts';

export type { DNSMessage } from './types.ts';

const TYPE_A = 1;
const TYPE_NS = 2;
const TYPE_CNAME = 5;
const TYPE_SOA = 6;
const TYPE_PTR = 12;
const TYPE_HINFO = 13;
const TYPE_MX = 15;
const TYPE_TXT = 16;
const TYPE_AAAA = 28;
const TYPE_SRV = 33;
const TYPE_OPT = 41;
const TYPE_URI = 256;

/** gopacket's maxRecursionLevel: the name itself is level 1, each pointer followed adds one. */
const MAX_NAME_LEVEL = 255;

/**
 * Scratch space for the name being decoded. Each level adds at most 255 bytes (gopacket's
 * per-level length check), so 255 levels always fit.
 */
const nameBuf = new Uint8Array(65536);
let nameLen = 0;

/**
 * Overlapping compression pointers let a 16 KB message expand into tens of MB of names
 * (gopacket decodes them all). netrec departs from gopacket here: past this many name bytes in
 * one message it stops with an error, so a hostile capture cannot exhaust memory or time.
 * Real messages stay far below it (at most 64 KiB of wire bytes).
 */
const MAX_NAME_BYTES_PER_MESSAGE = 1 << 20;
let nameBudget = 0;

const EMPTY = new Uint8Array(0);

export function decodeDNS(msg: Uint8Array): DNSMessage | DecodeError {
  if (msg.length < 12) return new DecodeError('dns', 'DNS packet too short', true);
  nameBudget = MAX_NAME_BYTES_PER_MESSAGE;
  const flags = msg[2]!;
  const flags2 = msg[3]!;
  const qdCount = u16(msg, 4);
  const anCount = u16(msg, 6);
  const nsCount = u16(msg, 8);
  const arCount = u16(msg, 10);

  let offset = 12;
  const questions: DNSQuestion[] = [];
  for (let i = 0; i < qdCount; i++) {
    const end = decodeName(msg, offset, msg.length, false);
    if (typeof end !== 'number') return end;
    if (end + 4 > msg.length) return new DecodeError('dns', 'DNS question too small', true);
    questions.push({ name: takeName(), type: u16(msg, end), class: u16(msg, end + 2) });
    offset = end + 4;
  }

  const answers: DNSResourceRecord[] = [];
  for (let i = 0; i < anCount; i++) {
    const next = decodeRecord(msg, offset, answers);
    if (typeof next !== 'number') return next;
    offset = next;
  }
  const authorities: DNSResourceRecord[] = [];
  for (let i = 0; i < nsCount; i++) {
    const next = decodeRecord(msg, offset, authorities);
    if (typeof next !== 'number') return next;
    offset = next;
  }
  let responseCode = flags2 & 0x0f;
  const additionals: DNSResourceRecord[] = [];
  for (let i = 0; i < arCount; i++) {
    const next = decodeRecord(msg, offset, additionals);
    if (typeof next !== 'number') return next;
    offset = next;
    const rr = additionals[i]!;
    // RFC 6891 §6.1.3 extended RCODE; gopacket keeps only what fits its uint8 RCODE.
    if (rr.type === TYPE_OPT) responseCode |= (rr.ttl >>> 20) & 0xf0;
  }

  return {
    id: u16(msg, 0),
    qr: (flags & 0x80) !== 0,
    opcode: (flags >> 3) & 0x0f,
    aa: (flags & 0x04) !== 0,
    tc: (flags & 0x02) !== 0,
    rd: (flags & 0x01) !== 0,
    ra: (flags2 & 0x80) !== 0,
    z: (flags2 >> 4) & 0x07,
    responseCode,
    qdCount,
    anCount,
    nsCount,
    arCount,
    questions,
    answers,
    authorities,
    additionals,
  };
}

/**
 * DNS over TCP (RFC 1035 §4.2.2): every message is preceded by its 2-byte length, and one
 * segment may carry several. `rest` counts the trailing bytes that do not hold a whole message
 * (a cut length prefix or body). Messages spread over several segments are not reassembled in
 * this version: the caller reports the rest. A zero length prefix yields an empty message,
 * which decodeDNS rejects as too short.
 */
export function splitTCPDNS(payload: Uint8Array): { messages: Uint8Array[]; rest: number } {
  const messages: Uint8Array[] = [];
  let offset = 0;
  while (offset + 2 <= payload.length) {
    const end = offset + 2 + u16(payload, offset);
    if (end > payload.length) break;
    messages.push(payload.subarray(offset + 2, end));
    offset = end;
  }
  return { messages, rest: payload.length - offset };
}

/** Decodes one resource record into `into`; returns the offset after it. */
function decodeRecord(
  msg: Uint8Array,
  offset: number,
  into: DNSResourceRecord[],
): number | DecodeError {
  const nameEnd = decodeName(msg, offset, msg.length, false);
  if (typeof nameEnd !== 'number') return nameEnd;
  if (nameEnd + 10 > msg.length) return new DecodeError('dns', 'DNS record too small', true);
  const name = takeName();
  const rdStart = nameEnd + 10;
  const end = rdStart + u16(msg, nameEnd + 8);
  if (end > msg.length) {
    return new DecodeError('dns', 'resource record length exceeds data', true);
  }
  const rr: DNSResourceRecord = {
    name,
    type: u16(msg, nameEnd),
    class: u16(msg, nameEnd + 2),
    ttl: u32(msg, nameEnd + 4),
    data: msg.subarray(rdStart, end),
    ip: null,
    ns: null,
    cname: null,
    ptr: null,
    txts: null,
    soa: null,
    srv: null,
    mx: null,
    uri: null,
    opt: null,
  };
  const err = decodeRData(rr, msg, rdStart, end);
  if (err) return err;
  into.push(rr);
  return end;
}

/** Fills the decoded RDATA fields of `rr`; `end` (its record's end) bounds every read. */
function decodeRData(
  rr: DNSResourceRecord,
  msg: Uint8Array,
  offset: number,
  end: number,
): DecodeError | null {
  // A and AAAA keep their empty IP (printed "<nil>", as gopacket's empty slice is).
  if (offset === end && rr.type !== TYPE_A && rr.type !== TYPE_AAAA) return null;
  switch (rr.type) {
    case TYPE_A:
    case TYPE_AAAA:
      rr.ip = rr.data;
      return null;
    case TYPE_TXT:
    case TYPE_HINFO: {
      const txts = characterStrings(rr.data);
      if (!txts) {
        return new DecodeError('dns', 'Insufficient data for a <character-string>');
      }
      rr.txts = txts;
      return null;
    }
    case TYPE_NS:
    case TYPE_CNAME:
    case TYPE_PTR: {
      const nameEnd = decodeName(msg, offset, end, true);
      if (typeof nameEnd !== 'number') return nameEnd;
      const name = takeName();
      if (rr.type === TYPE_NS) rr.ns = name;
      else if (rr.type === TYPE_CNAME) rr.cname = name;
      else rr.ptr = name;
      return null;
    }
    case TYPE_SOA: {
      const mnameEnd = decodeName(msg, offset, end, true);
      if (typeof mnameEnd !== 'number') return mnameEnd;
      const mname = takeName();
      const rnameEnd = decodeName(msg, mnameEnd, end, true);
      if (typeof rnameEnd !== 'number') return rnameEnd;
      if (end < rnameEnd + 20) return new DecodeError('dns', 'SOA too small');
      rr.soa = {
        mname,
        rname: takeName(),
        serial: u32(msg, rnameEnd),
        refresh: u32(msg, rnameEnd + 4),
        retry: u32(msg, rnameEnd + 8),
        expire: u32(msg, rnameEnd + 12),
        minimum: u32(msg, rnameEnd + 16),
      };
      return null;
    }
    case TYPE_MX: {
      if (end < offset + 2) return new DecodeError('dns', 'MX too small');
      const nameEnd = decodeName(msg, offset + 2, end, true);
      if (typeof nameEnd !== 'number') return nameEnd;
      rr.mx = { preference: u16(msg, offset), name: takeName() };
      return null;
    }
    case TYPE_URI:
      if (rr.data.length < 4) return new DecodeError('dns', 'URI too small');
      rr.uri = {
        priority: u16(msg, offset),
        weight: u16(msg, offset + 2),
        target: rr.data.subarray(4),
      };
      return null;
    case TYPE_SRV: {
      if (end < offset + 6) return new DecodeError('dns', 'SRV too small');
      const nameEnd = decodeName(msg, offset + 6, end, true);
      if (typeof nameEnd !== 'number') return nameEnd;
      rr.srv = {
        priority: u16(msg, offset),
        weight: u16(msg, offset + 2),
        port: u16(msg, offset + 4),
        name: takeName(),
      };
      return null;
    }
    case TYPE_OPT: {
      const options = decodeOptions(msg, offset, end);
      if (options instanceof DecodeError) return options;
      rr.opt = options;
      return null;
    }
    default:
      return null;
  }
}

/** RFC 1035 <character-string>s filling `data` exactly; null when the last one overruns. */
function characterStrings(data: Uint8Array): Uint8Array[] | null {
  const strings: Uint8Array[] = [];
  for (let index = 0; index !== data.length; ) {
    const next = index + 1 + data[index]!;
    if (next > data.length) return null;
    strings.push(data.subarray(index + 1, next));
    index = next;
  }
  return strings;
}

/** gopacket's decodeOPTs, error texts included. */
function decodeOptions(msg: Uint8Array, offset: number, end: number): DNSOption[] | DecodeError {
  const options: DNSOption[] = [];
  if (offset === end) return options;
  if (offset + 4 > end) {
    return new DecodeError(
      'dns',
      `DNSOPT record is of length ${end - offset}, it should be at least length 4`,
    );
  }
  for (let i = offset; i < end; ) {
    if (end < i + 4) {
      return new DecodeError('dns', `Malformed DNSOPT record.  Length ${end} < ${i + 4}`);
    }
    const length = u16(msg, i + 2);
    if (i + 4 + length > end) {
      return new DecodeError(
        'dns',
        `Malformed DNSOPT record. The length (${length}) field implies a packet larger than the one received`,
      );
    }
    options.push({ code: u16(msg, i), data: msg.subarray(i + 4, i + 4 + length) });
    i += 4 + length;
  }
  return options;
}

/**
 * gopacket's decodeName, unrolled from recursion into levels: reads the name at `start` with
 * every byte at or past `limit` out of reach, leaves it in nameBuf (with a leading '.', as
 * gopacket builds it) and returns the offset after the name where it started (after the first
 * pointer, if any). `inRData` only decides whether running out of bytes counts as `short`:
 * inside RDATA it means a bad RDLENGTH or name, not a cut capture.
 */
function decodeName(
  msg: Uint8Array,
  start: number,
  limit: number,
  inRData: boolean,
): number | DecodeError {
  nameLen = 0;
  let after = -1;
  let offset = start;
  for (let level = 1; ; level++) {
    if (level > MAX_NAME_LEVEL) return new DecodeError('dns', 'max DNS recursion level hit');
    if (offset >= limit) {
      return new DecodeError('dns', 'dns name offset too high', level === 1 && !inRData);
    }
    let index = offset;
    labels: for (;;) {
      const length = msg[index]!;
      if (length === 0) {
        nameBudget -= nameLen;
        if (nameBudget < 0) {
          return new DecodeError('dns', `names decode to more than ${MAX_NAME_BYTES_PER_MESSAGE} bytes (compression-pointer amplification)`);
        }
        return after < 0 ? index + 1 : after;
      }
      switch (length & 0xc0) {
        case 0x00: {
          const next = index + length + 1;
          if (next - offset > 255) return new DecodeError('dns', 'dns name is too long');
          if (next > limit) {
            return new DecodeError('dns', 'dns name uncomputable: invalid index', !inRData);
          }
          nameBuf[nameLen++] = 0x2e;
          for (let i = index + 1; i < next; i++) nameBuf[nameLen++] = msg[i]!;
          index = next;
          if (index >= limit) {
            return new DecodeError('dns', 'dns index walked out of range', !inRData);
          }
          break;
        }
        case 0xc0: {
          if (index + 2 > limit) {
            return new DecodeError('dns', 'dns offset pointer too high', !inRData);
          }
          const target = ((length & 0x3f) << 8) | msg[index + 1]!;
          if (target > limit) return new DecodeError('dns', 'dns offset pointer too high');
          if (after < 0) after = index + 2;
          offset = target;
          break labels;
        }
        case 0x40:
          return new DecodeError(
            'dns',
            `qname '0x40' - RFC 2673 unsupported yet (data=${length.toString(16)} index=${index})`,
          );
        default:
          return new DecodeError(
            'dns',
            `qname '0x80' unsupported yet (data=${length.toString(16)} index=${index})`,
          );
      }
    }
  }
}

/** The name decodeName left in nameBuf, without its leading '.'. */
function takeName(): Uint8Array {
  return nameLen === 0 ? EMPTY : nameBuf.slice(1, nameLen);
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
