/**
 * Classic pcap files, read record by record from the stream: each record's header is checked
 * (absurd lengths, truncation), its timestamp converted exactly, and the record located by
 * number and byte offset. Records are read straight from the ByteReader's chunks, so a packet's
 * bytes are a view into a chunk, not a copy.
 */
import { inputIssue, type InputIssue } from '../core/errors.ts';
import type { CapturedPacket } from '../core/packet.ts';
import { BATCH_SIZE } from './batch-queue.ts';
import type { ByteReader } from './byte-reader.ts';
import { offsetLocation, packetLocation, readErrorMessage } from './issue-wording.ts';
import { PCAP_HEADER_LENGTH, parsePcapHeader, type PcapHeader } from './pcap-header.ts';
import type { PacketSource, SourceItem } from '../core/source.ts';

export const RECORD_HEADER_LENGTH = 16;
const NANOS_PER_SECOND = 1_000_000_000n;
/** libpcap's per-packet maximum for almost every link type (MAXIMUM_SNAPLEN). */
const LIBPCAP_MAXIMUM_SNAPLEN = 262_144;
/**
 * A snaplen above this is not believed when bounding record lengths (Wireshark's largest
 * per-packet maximum, for USB and D-Bus), so a corrupt header cannot make us buffer gigabytes.
 */
const LARGEST_CREDIBLE_SNAPLEN = 128 * 1024 * 1024;

/**
 * Consecutive whole records of one pcap file, headers included, as they lie in the file: what
 * parallel replay hands to a worker without taking the packets apart on the main thread.
 */
export interface PcapRecords {
  header: PcapHeader;
  /** The records' bytes (a view into the reader's chunk or a copy: valid until the next call). */
  records: Buffer;
  /** Number and file offset of the first record. */
  number: number;
  offset: number;
  packets: number;
}

/** A pcap input read as runs of records (see PcapRecords) instead of packets. */
export interface PcapSource extends PacketSource {
  /**
   * The next run of at most `maxPackets` records and `maxBytes` bytes (one record more when a
   * single record is larger), an issue (the file's header, a corrupt or truncated record, a read
   * error: nothing follows it), or undefined at the end. Instead of batches(), not beside it.
   */
  records(): RecordRuns;
}

export interface RecordRuns {
  next(maxPackets: number, maxBytes: number): Promise<PcapRecords | InputIssue | undefined>;
  /** Stops reading early (the file is closed); reading to the end closes it too. */
  close(): void;
}

export function isPcapSource(source: PacketSource): source is PcapSource {
  return 'records' in source;
}

export function pcapSource(name: string, bytes: ByteReader): PcapSource {
  let iterated = false;
  const claim = (): void => {
    if (iterated) throw new Error(`pcap source ${name}: batches() can be iterated only once`);
    iterated = true;
  };
  const head = bytes.peek(Math.min(bytes.buffered, PCAP_HEADER_LENGTH));
  const parsed = head.length === PCAP_HEADER_LENGTH ? parsePcapHeader(head) : undefined;
  return {
    layout: () => {
      if (parsed === undefined || 'problem' in parsed) return { format: 'pcap', sections: 0, interfaces: [] };
      const { nanosecond, littleEndian, linkType, snaplen } = parsed.header;
      const format = `pcap (${nanosecond ? 'nanosecond' : 'microsecond'} timestamps, ${littleEndian ? 'little' : 'big'}-endian)`;
      return { format, sections: 1, interfaces: [{ section: 1, linkType, snaplen }] };
    },
    name,
    hasProcessContext: false,
    progress: () => ({ bytes: bytes.offset, totalBytes: bytes.totalBytes }),
    batches() {
      claim();
      return readPcap(name, bytes);
    },
    records() {
      claim();
      return recordRuns(name, bytes);
    },
  };
}

async function* readPcap(name: string, bytes: ByteReader): AsyncGenerator<SourceItem[]> {
  try {
    const header = await readHeader(name, bytes);
    if ('kind' in header) {
      yield [header];
      return;
    }
    bytes.skip(PCAP_HEADER_LENGTH);
    yield* readRecords(name, bytes, header);
  } finally {
    bytes.close();
  }
}

async function readHeader(name: string, bytes: ByteReader): Promise<PcapHeader | InputIssue> {
  let available: number;
  try {
    available = await bytes.request(PCAP_HEADER_LENGTH);
  } catch (error) {
    return inputIssue(name, offsetLocation(0), readErrorMessage(error));
  }
  if (available < PCAP_HEADER_LENGTH) {
    return inputIssue(name, offsetLocation(0), `truncated file header: needs ${PCAP_HEADER_LENGTH} bytes, ${available} present`);
  }
  const parsed = parsePcapHeader(bytes.peek(PCAP_HEADER_LENGTH));
  return 'problem' in parsed ? inputIssue(name, offsetLocation(0), parsed.problem) : parsed.header;
}

async function* readRecords(name: string, bytes: ByteReader, header: PcapHeader): AsyncGenerator<SourceItem[]> {
  const records = new RecordConverter(name, header);
  const le = header.littleEndian;
  let batch: SourceItem[] = [];
  for (;;) {
    // What the next record needs buffered: its header, then its header and data.
    let needs = RECORD_HEADER_LENGTH;
    if (bytes.buffered >= RECORD_HEADER_LENGTH) {
      // The header's fields, read in place when the header lies in one chunk (nearly always).
      const chunk = bytes.contiguous(RECORD_HEADER_LENGTH);
      const at = bytes.head;
      const field =
        chunk === undefined
          ? (i: number) => bytes.peekUint32(i, le)
          : le
            ? (i: number) => chunk.readUInt32LE(at + i)
            : (i: number) => chunk.readUInt32BE(at + i);
      const capturedLength = field(8);
      const absurd = records.checkLength(capturedLength);
      if (absurd !== undefined) {
        batch.push(absurd);
        break;
      }
      needs += capturedLength;
      if (bytes.buffered >= needs) {
        const seconds = field(0);
        const fraction = field(4);
        const originalLength = field(12);
        bytes.skip(RECORD_HEADER_LENGTH);
        records.convert(seconds, fraction, originalLength, bytes.take(capturedLength), batch);
        if (batch.length >= BATCH_SIZE) {
          yield batch;
          batch = [];
        }
        continue;
      }
    }
    if (bytes.ended) {
      const truncated = records.checkEnd(bytes.offset + bytes.buffered);
      if (truncated !== undefined) batch.push(truncated);
      break;
    }
    // Hand over what is ready before waiting on the stream, so that a live pipe flows.
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
    try {
      await bytes.request(needs);
    } catch (error) {
      batch.push(inputIssue(name, offsetLocation(bytes.offset + bytes.buffered), readErrorMessage(error)));
      break;
    }
  }
  if (batch.length > 0) yield batch;
}

/** The reader behind PcapSource.records(). */
function recordRuns(name: string, bytes: ByteReader): RecordRuns {
  let records: RecordConverter | undefined;
  let done = false;
  const finish = (item: InputIssue | undefined): InputIssue | undefined => {
    done = true;
    bytes.close();
    return item;
  };
  const next = async (maxPackets: number, maxBytes: number): Promise<PcapRecords | InputIssue | undefined> => {
    if (done) return undefined;
    if (records === undefined) {
      const header = await readHeader(name, bytes);
      if ('kind' in header) return finish(header);
      bytes.skip(PCAP_HEADER_LENGTH);
      records = new RecordConverter(name, header);
    }
    const header = records.header;
    for (;;) {
      // Whole records that lie in the first chunk: walked by their headers, handed over as one view.
      const chunk = bytes.contiguous(RECORD_HEADER_LENGTH);
      let needs = RECORD_HEADER_LENGTH;
      let whole = false; // needs covers the next record's data too
      if (chunk !== undefined) {
        const start = bytes.head;
        const end = Math.min(chunk.length, start + bytes.buffered);
        let at = start;
        let count = 0;
        while (count < maxPackets && at + RECORD_HEADER_LENGTH <= end) {
          const capturedLength = header.littleEndian ? chunk.readUInt32LE(at + 8) : chunk.readUInt32BE(at + 8);
          const absurd = records.checkLength(capturedLength);
          if (absurd !== undefined) {
            if (count > 0) break; // the runs before it first
            return finish(absurd);
          }
          const next = at + RECORD_HEADER_LENGTH + capturedLength;
          if (next > end || (count > 0 && next - start > maxBytes)) {
            needs = next - at;
            whole = true;
            break;
          }
          at = next;
          count++;
        }
        if (count > 0) {
          const run = { header, number: records.number, offset: records.offset, packets: count, records: bytes.take(at - start) };
          records.skip(count, at - start);
          return run;
        }
      } else if (bytes.buffered >= RECORD_HEADER_LENGTH) {
        // The next record's header straddles chunks.
        const capturedLength = bytes.peekUint32(8, header.littleEndian);
        const absurd = records.checkLength(capturedLength);
        if (absurd !== undefined) return finish(absurd);
        needs += capturedLength;
        whole = true;
      }
      // The next record straddles chunks: one record, copied out of them.
      if (whole && bytes.buffered >= needs) {
        const run = { header, number: records.number, offset: records.offset, packets: 1, records: bytes.take(needs) };
        records.skip(1, needs);
        return run;
      }
      if (bytes.ended) return finish(records.checkEnd(bytes.offset + bytes.buffered));
      try {
        await bytes.request(needs);
      } catch (error) {
        return finish(inputIssue(name, offsetLocation(bytes.offset + bytes.buffered), readErrorMessage(error)));
      }
    }
  };
  return { next, close: () => finish(undefined) };
}

/**
 * The packets (and out-of-range timestamp warnings) of whole records read by records(), as
 * batches() would have given them.
 */
export function recordsToItems(name: string, run: Omit<PcapRecords, 'records'>, records: Uint8Array, out: SourceItem[]): void {
  const converter = new RecordConverter(name, run.header, run.number, run.offset);
  const data = Buffer.from(records.buffer, records.byteOffset, records.byteLength);
  forEachRecord(run, records, (view, at, capturedLength) => {
    const body = at + RECORD_HEADER_LENGTH;
    const le = run.header.littleEndian;
    converter.convert(view.getUint32(at, le), view.getUint32(at + 4, le), view.getUint32(at + 12, le), data.subarray(body, body + capturedLength), out);
  });
}

/** Calls `visit` with each record's offset in `records` (its header's) and its captured length. */
export function forEachRecord(
  run: Pick<PcapRecords, 'header' | 'packets'>,
  records: Uint8Array,
  visit: (view: DataView, at: number, capturedLength: number) => void,
): void {
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  const le = run.header.littleEndian;
  let at = 0;
  for (let i = 0; i < run.packets; i++) {
    const capturedLength = view.getUint32(at + 8, le);
    visit(view, at, capturedLength);
    at += RECORD_HEADER_LENGTH + capturedLength;
  }
}

/** A record's timestamp in ns from its seconds and fraction fields; neighbours share their second, computed once. */
export function recordClock(header: PcapHeader): (seconds: number, fraction: number) => bigint {
  const scale = header.nanosecond ? 1 : 1000;
  let second = -1;
  let secondNanos = 0n;
  return (seconds, fraction) => {
    if (seconds !== second) {
      second = seconds;
      secondNanos = BigInt(seconds) * NANOS_PER_SECOND;
    }
    // Below 2^53 even with an out-of-range fraction (2^32 * 1000): exact as a double.
    return secondNanos + BigInt(fraction * scale);
  };
}

/** Per-file record state: numbering, offsets and the conversion to CapturedPacket. */
class RecordConverter {
  /** Captured length of a record whose header has been read but whose body has not. */
  private pendingCapturedLength: number | undefined;
  private readonly clock: (seconds: number, fraction: number) => bigint;
  private readonly fractionLimit: number;
  private readonly fractionUnit: string;
  private readonly maximumCapturedLength: number;

  constructor(
    private readonly name: string,
    readonly header: PcapHeader,
    private nextNumber = 1,
    private nextOffset = PCAP_HEADER_LENGTH,
  ) {
    this.clock = recordClock(header);
    this.fractionLimit = header.nanosecond ? 1_000_000_000 : 1_000_000;
    this.fractionUnit = header.nanosecond ? 'nanosecond' : 'microsecond';
    this.maximumCapturedLength = Math.max(Math.min(header.snaplen, LARGEST_CREDIBLE_SNAPLEN), LIBPCAP_MAXIMUM_SNAPLEN);
  }

  /** An error when the record cannot be believed: nothing after it can be found again. */
  checkLength(capturedLength: number): InputIssue | undefined {
    this.pendingCapturedLength = capturedLength;
    if (capturedLength <= this.maximumCapturedLength) return undefined;
    return inputIssue(
      this.name,
      packetLocation(this.nextOffset, this.nextNumber),
      `captured length ${capturedLength} is larger than ${this.maximumCapturedLength} ` +
        `(the larger of the snaplen and ${LIBPCAP_MAXIMUM_SNAPLEN}): the record is corrupt and ` +
        `the rest of the file cannot be read`,
    );
  }

  convert(seconds: number, fraction: number, originalLength: number, data: Uint8Array, out: SourceItem[]): void {
    const offset = this.nextOffset;
    const number = this.nextNumber;
    if (fraction >= this.fractionLimit) {
      out.push(
        inputIssue(
          this.name,
          packetLocation(offset, number),
          `${this.fractionUnit} field ${fraction} is out of range (0-${this.fractionLimit - 1}); ` + `the timestamp keeps it, past second ${seconds}`,
          'warning',
        ),
      );
    }
    const packet: CapturedPacket = {
      timestamp: this.clock(seconds, fraction),
      linkType: this.header.linkType,
      data,
      originalLength,
      number,
      offset,
    };
    out.push(packet);
    this.nextOffset += RECORD_HEADER_LENGTH + data.length;
    this.nextNumber += 1;
    this.pendingCapturedLength = undefined;
  }

  /** Number and offset of the next record. */
  get number(): number {
    return this.nextNumber;
  }

  get offset(): number {
    return this.nextOffset;
  }

  /** Moves past `count` records of `length` bytes (headers included) that are converted elsewhere. */
  skip(count: number, length: number): void {
    this.nextOffset += length;
    this.nextNumber += count;
    this.pendingCapturedLength = undefined;
  }

  /** An error when the file ends inside a record. */
  checkEnd(fileLength: number): InputIssue | undefined {
    const present = fileLength - this.nextOffset;
    if (present <= 0) return undefined;
    const needed =
      present < RECORD_HEADER_LENGTH || this.pendingCapturedLength === undefined ? RECORD_HEADER_LENGTH : RECORD_HEADER_LENGTH + this.pendingCapturedLength;
    return inputIssue(this.name, packetLocation(this.nextOffset, this.nextNumber), `truncated record: needs ${needed} bytes, ${present} present`);
  }
}
