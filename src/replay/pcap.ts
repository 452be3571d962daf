/**
 * Classic pcap files, read through pcap-parser. pcap-parser splits the stream into records; this
 * module validates what it does not (header, absurd record lengths, truncation), converts
 * timestamps exactly, and locates every record by number and byte offset.
 */
import { Readable } from 'node:stream';
import pcapParser from 'pcap-parser';
import type { PcapRecord, PcapRecordHeader } from 'pcap-parser';
import { inputIssue, type InputIssue } from '../core/errors.ts';
import type { CapturedPacket } from '../core/packet.ts';
import { BatchQueue } from './batch-queue.ts';
import type { ByteReader } from './byte-reader.ts';
import { offsetLocation, packetLocation, readErrorMessage } from './issue-wording.ts';
import {
  PCAP_HEADER_LENGTH,
  microsecondMagicBytes,
  parsePcapHeader,
  type PcapHeader,
} from './pcap-header.ts';
import type { PacketSource, SourceItem } from './source.ts';

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
    return inputIssue(
      name,
      offsetLocation(0),
      `truncated file header: needs ${PCAP_HEADER_LENGTH} bytes, ${available} present`,
    );
  }
  const parsed = parsePcapHeader(bytes.peek(PCAP_HEADER_LENGTH));
  return 'problem' in parsed ? inputIssue(name, offsetLocation(0), parsed.problem) : parsed.header;
}

/** Feeds pcap-parser the file with a microsecond magic, which is all it accepts. */
async function* withMicrosecondMagic(bytes: ByteReader, littleEndian: boolean) {
  const header = Buffer.from(bytes.take(PCAP_HEADER_LENGTH));
  microsecondMagicBytes(littleEndian).copy(header, 0);
  yield header;
  yield* bytes.remainingChunks();
}

function readRecords(
  name: string,
  bytes: ByteReader,
  header: PcapHeader,
): AsyncGenerator<SourceItem[]> {
  const input = Readable.from(withMicrosecondMagic(bytes, header.littleEndian), {
    objectMode: false,
  });
  const queue = new BatchQueue((paused) => (paused ? input.pause() : input.resume()));
  const records = new RecordConverter(name, header);
  let stopped = false;
  const stop = () => {
    stopped = true;
    input.destroy();
    queue.finish();
  };

  const parser = pcapParser.parse(input);
  parser.on('packetHeader', (recordHeader) => {
    if (stopped) return;
    const absurd = records.checkLength(recordHeader);
    if (absurd !== undefined) {
      queue.push(absurd);
      stop();
    }
  });
  parser.on('packet', (record) => {
    if (!stopped) records.convert(record, queue);
  });
  parser.on('end', () => {
    if (stopped) return;
    const truncated = records.checkEnd(bytes.offset);
    if (truncated !== undefined) queue.push(truncated);
    stop();
  });
  parser.on('error', (error) => {
    if (stopped) return;
    queue.push(inputIssue(name, offsetLocation(bytes.offset), readErrorMessage(error)));
    stop();
  });

  return drain(queue, input);
}

async function* drain(queue: BatchQueue, input: Readable): AsyncGenerator<SourceItem[]> {
  try {
    yield* queue.batches();
  } finally {
    input.destroy();
  }
}

/** Per-file record state: numbering, offsets and the conversion to CapturedPacket. */
class RecordConverter {
  private nextNumber = 1;
  private nextOffset = PCAP_HEADER_LENGTH;
  /** Captured length of a record whose header pcap-parser has read but whose body it has not. */
  private pendingCapturedLength: number | undefined;
  private readonly fractionScale: bigint;
  private readonly fractionLimit: number;
  private readonly fractionUnit: string;
  private readonly maximumCapturedLength: number;

  constructor(
    private readonly name: string,
    private readonly header: PcapHeader,
  ) {
    this.fractionScale = header.nanosecond ? 1n : 1000n;
    this.fractionLimit = header.nanosecond ? 1_000_000_000 : 1_000_000;
    this.fractionUnit = header.nanosecond ? 'nanosecond' : 'microsecond';
    this.maximumCapturedLength = Math.max(
      Math.min(header.snaplen, LARGEST_CREDIBLE_SNAPLEN),
      LIBPCAP_MAXIMUM_SNAPLEN,
    );
  }

  /** An error when the record cannot be believed: nothing after it can be found again. */
  checkLength(recordHeader: PcapRecordHeader): SourceItem | undefined {
    this.pendingCapturedLength = recordHeader.capturedLength;
    if (recordHeader.capturedLength <= this.maximumCapturedLength) return undefined;
    return inputIssue(
      this.name,
      packetLocation(this.nextOffset, this.nextNumber),
      `captured length ${recordHeader.capturedLength} is larger than ${this.maximumCapturedLength} ` +
        `(the larger of the snaplen and ${LIBPCAP_MAXIMUM_SNAPLEN}): the record is corrupt and ` +
        `the rest of the file cannot be read`,
    );
  }

  convert({ header: recordHeader, data }: PcapRecord, queue: BatchQueue): void {
    const seconds = recordHeader.timestampSeconds;
    const fraction = recordHeader.timestampMicroseconds;
    const offset = this.nextOffset;
    const number = this.nextNumber;
    if (fraction >= this.fractionLimit) {
      queue.push(
        inputIssue(
          this.name,
          packetLocation(offset, number),
          `${this.fractionUnit} field ${fraction} is out of range (0-${this.fractionLimit - 1}); ` +
            `the timestamp keeps it, past second ${seconds}`,
          'warning',
        ),
      );
    }
    const packet: CapturedPacket = {
      timestamp: BigInt(seconds) * NANOS_PER_SECOND + BigInt(fraction) * this.fractionScale,
      linkType: this.header.linkType,
      data,
      originalLength: recordHeader.originalLength,
      number,
      offset,
    };
    queue.push(packet);
    this.nextOffset += RECORD_HEADER_LENGTH + data.length;
    this.nextNumber += 1;
    this.pendingCapturedLength = undefined;
  }

  /** An error when the file ends inside a record. */
  checkEnd(fileLength: number): SourceItem | undefined {
    const present = fileLength - this.nextOffset;
    if (present <= 0) return undefined;
    const needed =
      present < RECORD_HEADER_LENGTH || this.pendingCapturedLength === undefined
        ? RECORD_HEADER_LENGTH
        : RECORD_HEADER_LENGTH + this.pendingCapturedLength;
    return inputIssue(
      this.name,
      packetLocation(this.nextOffset, this.nextNumber),
      `truncated record: needs ${needed} bytes, ${present} present`,
    );
  }
}
