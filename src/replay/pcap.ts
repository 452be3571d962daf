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

const RECORD_HEADER_LENGTH = 16;
const NANOS_PER_SECOND = 1_000_000_000n;
/** libpcap's per-packet maximum for almost every link type (MAXIMUM_SNAPLEN). */
const LIBPCAP_MAXIMUM_SNAPLEN = 262_144;
/**
 * A snaplen above this is not believed when bounding record lengths (Wireshark's largest
 * per-packet maximum, for USB and D-Bus), so a corrupt header cannot make us buffer gigabytes.
 */
const LARGEST_CREDIBLE_SNAPLEN = 128 * 1024 * 1024;

export function pcapSource(name: string, bytes: ByteReader): PacketSource {
  let iterated = false;
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
      if (iterated) throw new Error(`pcap source ${name}: batches() can be iterated only once`);
      iterated = true;
      return readPcap(name, bytes);
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

/** Per-file record state: numbering, offsets and the conversion to CapturedPacket. */
class RecordConverter {
  private nextNumber = 1;
  private nextOffset = PCAP_HEADER_LENGTH;
  /** Captured length of a record whose header has been read but whose body has not. */
  private pendingCapturedLength: number | undefined;
  private readonly fractionScale: number;
  private second = -1;
  private secondNanos = 0n;
  private readonly fractionLimit: number;
  private readonly fractionUnit: string;
  private readonly maximumCapturedLength: number;

  constructor(
    private readonly name: string,
    private readonly header: PcapHeader,
  ) {
    this.fractionScale = header.nanosecond ? 1 : 1000;
    this.fractionLimit = header.nanosecond ? 1_000_000_000 : 1_000_000;
    this.fractionUnit = header.nanosecond ? 'nanosecond' : 'microsecond';
    this.maximumCapturedLength = Math.max(Math.min(header.snaplen, LARGEST_CREDIBLE_SNAPLEN), LIBPCAP_MAXIMUM_SNAPLEN);
  }

  /** An error when the record cannot be believed: nothing after it can be found again. */
  checkLength(capturedLength: number): SourceItem | undefined {
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
    // Neighbouring records share their second: its nanoseconds are computed once.
    if (seconds !== this.second) {
      this.second = seconds;
      this.secondNanos = BigInt(seconds) * NANOS_PER_SECOND;
    }
    const packet: CapturedPacket = {
      // Below 2^53 even with an out-of-range fraction (2^32 * 1000): exact as a double.
      timestamp: this.secondNanos + BigInt(fraction * this.fractionScale),
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

  /** An error when the file ends inside a record. */
  checkEnd(fileLength: number): SourceItem | undefined {
    const present = fileLength - this.nextOffset;
    if (present <= 0) return undefined;
    const needed =
      present < RECORD_HEADER_LENGTH || this.pendingCapturedLength === undefined ? RECORD_HEADER_LENGTH : RECORD_HEADER_LENGTH + this.pendingCapturedLength;
    return inputIssue(this.name, packetLocation(this.nextOffset, this.nextNumber), `truncated record: needs ${needed} bytes, ${present} present`);
  }
}
