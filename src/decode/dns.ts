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

import { readU16, readU32 } from './read-be.ts';
import { DecodeError } from './types.ts';
import type { DNSMessage, DNSOption, DNSQuestion, DNSResourceRecord } from './types.ts';

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
 * Overlapping compression pointers let a 16 KB message expand into tens of MB of names
 * (gopacket decodes them all). netrec departs from gopacket here: past this many name bytes in
 * one message it stops with an error, so a hostile capture cannot exhaust memory or time.
 * Real messages stay far below it (at most 64 KiB of wire bytes).
 */
const MAX_NAME_BYTES_PER_MESSAGE = 1 << 20;

const EMPTY = new Uint8Array(0);

/**
 * The state of reading one message's names, passed explicitly so that decodeDNS keeps nothing
 * between calls (and could run on several messages at once).
 */
interface NameReader {
  readonly msg: Uint8Array;
  /** Name bytes the message may still decode to (MAX_NAME_BYTES_PER_MESSAGE at its start). */
  budget: number;
  /** The name the last successful decodeName read, without gopacket's leading '.'. */
  name: Uint8Array;
}

const malformed = { kind: 'malformed' } as const;
const short = { kind: 'short' } as const;

export function decodeDNS(msg: Uint8Array): DNSMessage | DecodeError {
  if (msg.length < 12) return new DecodeError('dns', 'DNS packet too short', short);
  const r: NameReader = { msg, budget: MAX_NAME_BYTES_PER_MESSAGE, name: EMPTY };
  const flags = msg[2]!;
  const flags2 = msg[3]!;
  const qdCount = readU16(msg, 4);
  const anCount = readU16(msg, 6);
  const nsCount = readU16(msg, 8);
  const arCount = readU16(msg, 10);

  let offset = 12;
  const questions: DNSQuestion[] = [];
  for (let i = 0; i < qdCount; i++) {
    const end = decodeName(r, offset, msg.length, false);
    if (typeof end !== 'number') return end;
    if (end + 4 > msg.length) return new DecodeError('dns', 'DNS question too small', short);
    questions.push({ name: r.name, type: readU16(msg, end), class: readU16(msg, end + 2) });
    offset = end + 4;
  }

  const answers: DNSResourceRecord[] = [];
  for (let i = 0; i < anCount; i++) {
    const next = decodeRecord(r, offset, answers);
    if (typeof next !== 'number') return next;
    offset = next;
  }
  const authorities: DNSResourceRecord[] = [];
  for (let i = 0; i < nsCount; i++) {
    const next = decodeRecord(r, offset, authorities);
    if (typeof next !== 'number') return next;
    offset = next;
  }
  let responseCode = flags2 & 0x0f;
  const additionals: DNSResourceRecord[] = [];
  for (let i = 0; i < arCount; i++) {
    const next = decodeRecord(r, offset, additionals);
    if (typeof next !== 'number') return next;
    offset = next;
    const rr = additionals[i]!;
    // RFC 6891 §6.1.3 extended RCODE; gopacket keeps only what fits its uint8 RCODE.
    if (rr.type === TYPE_OPT) responseCode |= (rr.ttl >>> 20) & 0xf0;
  }

  return {
    id: readU16(msg, 0),
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
    const end = offset + 2 + readU16(payload, offset);
    if (end > payload.length) break;
    messages.push(payload.subarray(offset + 2, end));
    offset = end;
  }
  return { messages, rest: payload.length - offset };
}

/** Decodes one resource record into `into`; returns the offset after it. */
function decodeRecord(r: NameReader, offset: number, into: DNSResourceRecord[]): number | DecodeError {
  const msg = r.msg;
  const nameEnd = decodeName(r, offset, msg.length, false);
  if (typeof nameEnd !== 'number') return nameEnd;
  if (nameEnd + 10 > msg.length) return new DecodeError('dns', 'DNS record too small', short);
  const rdStart = nameEnd + 10;
  const end = rdStart + readU16(msg, nameEnd + 8);
  if (end > msg.length) {
    return new DecodeError('dns', 'resource record length exceeds data', short);
  }
  const rr: DNSResourceRecord = {
    name: r.name,
    type: readU16(msg, nameEnd),
    class: readU16(msg, nameEnd + 2),
    ttl: readU32(msg, nameEnd + 4),
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
  const err = decodeRData(rr, r, rdStart, end);
  if (err) return err;
  into.push(rr);
  return end;
}

/**
 * Fills the type-specific fields of `rr` from RDATA at [offset, end); `end` (its record's end)
 * bounds every read. Null when it decoded.
 */
type RDataDecoder = (rr: DNSResourceRecord, r: NameReader, offset: number, end: number) => DecodeError | null;

const decodeAddress: RDataDecoder = (rr) => {
  rr.ip = rr.data;
  return null;
};

const decodeCharacterStrings: RDataDecoder = (rr) => {
  const txts = characterStrings(rr.data);
  if (!txts) return new DecodeError('dns', 'Insufficient data for a <character-string>', malformed);
  rr.txts = txts;
  return null;
};

/** NS, CNAME and PTR: one name, stored in the field `key`. */
function decodeNameInto(key: 'ns' | 'cname' | 'ptr'): RDataDecoder {
  return (rr, r, offset, end) => {
    const nameEnd = decodeName(r, offset, end, true);
    if (typeof nameEnd !== 'number') return nameEnd;
    rr[key] = r.name;
    return null;
  };
}

const decodeSOA: RDataDecoder = (rr, r, offset, end) => {
  const mnameEnd = decodeName(r, offset, end, true);
  if (typeof mnameEnd !== 'number') return mnameEnd;
  const mname = r.name;
  const rnameEnd = decodeName(r, mnameEnd, end, true);
  if (typeof rnameEnd !== 'number') return rnameEnd;
  if (end < rnameEnd + 20) return new DecodeError('dns', 'SOA too small', malformed);
  const msg = r.msg;
  rr.soa = {
    mname,
    rname: r.name,
    serial: readU32(msg, rnameEnd),
    refresh: readU32(msg, rnameEnd + 4),
    retry: readU32(msg, rnameEnd + 8),
    expire: readU32(msg, rnameEnd + 12),
    minimum: readU32(msg, rnameEnd + 16),
  };
  return null;
};

const decodeMX: RDataDecoder = (rr, r, offset, end) => {
  if (end < offset + 2) return new DecodeError('dns', 'MX too small', malformed);
  const nameEnd = decodeName(r, offset + 2, end, true);
  if (typeof nameEnd !== 'number') return nameEnd;
  rr.mx = { preference: readU16(r.msg, offset), name: r.name };
  return null;
};

const decodeUri: RDataDecoder = (rr, r, offset) => {
  if (rr.data.length < 4) return new DecodeError('dns', 'URI too small', malformed);
  rr.uri = { priority: readU16(r.msg, offset), weight: readU16(r.msg, offset + 2), target: rr.data.subarray(4) };
  return null;
};

const decodeSRV: RDataDecoder = (rr, r, offset, end) => {
  if (end < offset + 6) return new DecodeError('dns', 'SRV too small', malformed);
  const nameEnd = decodeName(r, offset + 6, end, true);
  if (typeof nameEnd !== 'number') return nameEnd;
  const msg = r.msg;
  rr.srv = { priority: readU16(msg, offset), weight: readU16(msg, offset + 2), port: readU16(msg, offset + 4), name: r.name };
  return null;
};

const decodeOPT: RDataDecoder = (rr, r, offset, end) => {
  const options = decodeOptions(r.msg, offset, end);
  if (options instanceof DecodeError) return options;
  rr.opt = options;
  return null;
};

/** The RDATA types gopacket decodes; every other type keeps its raw `data` only. */
const RDATA_DECODERS = new Map<number, RDataDecoder>([
  [TYPE_A, decodeAddress],
  [TYPE_AAAA, decodeAddress],
  [TYPE_TXT, decodeCharacterStrings],
  [TYPE_HINFO, decodeCharacterStrings],
  [TYPE_NS, decodeNameInto('ns')],
  [TYPE_CNAME, decodeNameInto('cname')],
  [TYPE_PTR, decodeNameInto('ptr')],
  [TYPE_SOA, decodeSOA],
  [TYPE_MX, decodeMX],
  [TYPE_URI, decodeUri],
  [TYPE_SRV, decodeSRV],
  [TYPE_OPT, decodeOPT],
]);

function decodeRData(rr: DNSResourceRecord, r: NameReader, offset: number, end: number): DecodeError | null {
  const decode = RDATA_DECODERS.get(rr.type);
  // Unknown type: the raw RDATA in `data` is all there is.
  if (decode === undefined) return null;
  // Empty RDATA (see the departure above) leaves the fields empty, except that A and AAAA keep
  // their empty IP (printed "<nil>", as gopacket's empty slice is).
  if (offset === end && decode !== decodeAddress) return null;
  return decode(rr, r, offset, end);
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
    return new DecodeError('dns', `DNSOPT record is of length ${end - offset}, it should be at least length 4`, malformed);
  }
  for (let i = offset; i < end; ) {
    if (end < i + 4) {
      return new DecodeError('dns', `Malformed DNSOPT record.  Length ${end} < ${i + 4}`, malformed);
    }
    const length = readU16(msg, i + 2);
    if (i + 4 + length > end) {
      return new DecodeError('dns', `Malformed DNSOPT record. The length (${length}) field implies a packet larger than the one received`, malformed);
    }
    options.push({ code: readU16(msg, i), data: msg.subarray(i + 4, i + 4 + length) });
    i += 4 + length;
  }
  return options;
}

/**
 * gopacket's decodeName, unrolled from recursion into levels: checks the name at `start` with
 * every byte at or past `limit` out of reach, leaves it in `r.name` and returns the offset after
 * the name where it started (after the first pointer, if any). `inRData` only decides whether
 * running out of bytes counts as `short`: inside RDATA it means a bad RDLENGTH or name, not a
 * cut capture. This pass only measures (gopacket's name has a '.' before each label); copyName
 * then walks the same, now checked, path once more to fill a name of exactly that length, which
 * needs no scratch buffer.
 */
function decodeName(r: NameReader, start: number, limit: number, inRData: boolean): number | DecodeError {
  const msg = r.msg;
  let length = 0;
  let after = -1;
  let offset = start;
  for (let level = 1; ; level++) {
    if (level > MAX_NAME_LEVEL) return new DecodeError('dns', 'max DNS recursion level hit', malformed);
    if (offset >= limit) {
      return new DecodeError('dns', 'dns name offset too high', level === 1 && !inRData ? short : malformed);
    }
    let index = offset;
    labels: for (;;) {
      const label = msg[index]!;
      if (label === 0) {
        r.budget -= length;
        if (r.budget < 0) {
          return new DecodeError('dns', `names decode to more than ${MAX_NAME_BYTES_PER_MESSAGE} bytes (compression-pointer amplification)`, malformed);
        }
        r.name = length === 0 ? EMPTY : copyName(msg, start, length - 1);
        return after < 0 ? index + 1 : after;
      }
      switch (label & 0xc0) {
        case 0x00: {
          const next = index + label + 1;
          if (next - offset > 255) return new DecodeError('dns', 'dns name is too long', malformed);
          if (next > limit) {
            return new DecodeError('dns', 'dns name uncomputable: invalid index', inRData ? malformed : short);
          }
          length += label + 1;
          index = next;
          if (index >= limit) {
            return new DecodeError('dns', 'dns index walked out of range', inRData ? malformed : short);
          }
          break;
        }
        case 0xc0: {
          if (index + 2 > limit) {
            return new DecodeError('dns', 'dns offset pointer too high', inRData ? malformed : short);
          }
          const target = ((label & 0x3f) << 8) | msg[index + 1]!;
          if (target > limit) return new DecodeError('dns', 'dns offset pointer too high', malformed);
          if (after < 0) after = index + 2;
          offset = target;
          break labels;
        }
        case 0x40:
          return new DecodeError('dns', `qname '0x40' - RFC 2673 unsupported yet (data=${label.toString(16)} index=${index})`, malformed);
        default:
          return new DecodeError('dns', `qname '0x80' unsupported yet (data=${label.toString(16)} index=${index})`, malformed);
      }
    }
  }
}

/** The labels of the name at `start` (already checked by decodeName) joined with '.'. */
function copyName(msg: Uint8Array, start: number, length: number): Uint8Array {
  const name = new Uint8Array(length);
  let at = 0;
  let index = start;
  for (;;) {
    const label = msg[index]!;
    if (label === 0) return name;
    if (label >= 0xc0) {
      index = ((label & 0x3f) << 8) | msg[index + 1]!;
      continue;
    }
    if (at !== 0) name[at++] = 0x2e;
    const next = index + label + 1;
    for (let i = index + 1; i < next; i++) name[at++] = msg[i]!;
    index = next;
  }
}
