/**
 * Opens an input named on the command line and picks its reader from its first bytes, never from
 * its name: captures are often misnamed (.pcap files that are pcapng, files without extension).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { InputError, systemMessage } from '../core/errors.ts';
import { ByteReader } from './byte-reader.ts';
import { isPcapMagic } from './pcap-header.ts';
import { pcapSource } from './pcap.ts';
import { BlockType, sectionUserApplication } from './pcapng-blocks.ts';
import { pcapngSource } from './pcapng.ts';
import { openNevIfRecording } from './nev-source.ts';
import type { PacketSource } from '../core/source.ts';
import { openOffsetReader } from './random-access.ts';
import type { ReadOptions } from '../nev/recording.ts';
import { hasMagic as hasNevMagic } from '../nev/layout.ts';

/** The name that reads standard input. */
const STDIN_NAME = '-';

/** Chunk size of file reads: large, so that per-chunk costs vanish on multi-GB files. */
const READ_CHUNK_BYTES = 1 << 20;
/** Bytes a format may look at to recognise a file. */
const PROBE_BYTES = 16;

/** A format recognised by the first bytes of the stream (a file or stdin). */
interface StreamFormat {
  matches(head: Buffer): boolean;
  /** `bytes` still holds the head: the reader sees the file from its first byte. */
  open(name: string, bytes: ByteReader): PacketSource | Promise<PacketSource>;
}

/** Tried in order. A new file format (netrec's .nev segments) joins this list. */
const streamFormats: readonly StreamFormat[] = [
  { matches: isPcapMagic, open: pcapSource },
  {
    matches: (head) => head.length >= 4 && head.readUInt32LE(0) === BlockType.SECTION_HEADER,
    open: async (name, bytes) => pcapngSource(name, bytes, await writtenByNetrec(bytes)),
  },
  // Files reach here only from stdin: a named .nev segment or directory is opened by path first.
  {
    matches: hasNevMagic,
    open: (name) => {
      throw new InputError(`${name}: a .nev segment is read by position; name its file instead of piping it`);
    },
  },
];

const NOT_A_CAPTURE = 'not a pcap, pcapng or netrec recording';

/**
 * The source for `path` ('-' for stdin). A path that cannot be opened or is not a capture throws
 * InputError with a one-line message naming it; problems inside the file come from the source.
 */
export async function openCapture(path: string, options: ReadOptions = {}): Promise<PacketSource> {
  // .nev recordings (directories, segment files) are read by position, not as a stream.
  const recording = path === STDIN_NAME ? undefined : await openNevIfRecording(path, options);
  if (recording) return recording;
  const stream = await openStream(path);
  const bytes = new ByteReader(stream.data, stream.size);
  try {
    const available = await bytes.request(PROBE_BYTES).catch((error: unknown) => {
      throw new InputError(`${path}: cannot read: ${systemMessage(error)}`);
    });
    const head = bytes.peek(Math.min(available, PROBE_BYTES));
    const format = streamFormats.find((candidate) => candidate.matches(head));
    if (format === undefined) {
      const seen = available === 0 ? 'the file is empty' : `first bytes ${hexBytes(head)}`;
      throw new InputError(`${path}: ${NOT_A_CAPTURE} (${seen})`);
    }
    const source = await format.open(path, bytes);
    // A file can be read again by offset; standard input cannot.
    if (path !== STDIN_NAME) source.randomAccess = (locations) => openOffsetReader(path, locations);
    return source;
  } catch (error) {
    bytes.close();
    throw error;
  }
}

/** A section header longer than this is not looked into for its writer (it is still read). */
const LARGEST_HEADER_PROBED = 1 << 16;

/**
 * Whether the first section header names netrec as the writer (shb_userappl "netrec ..."): its
 * packets then carry process context in their comments, and process filters apply to it.
 */
async function writtenByNetrec(bytes: ByteReader): Promise<boolean> {
  const head = bytes.peek(Math.min(bytes.buffered, 12));
  if (head.length < 12) return false;
  const littleEndian = head.readUInt32LE(8) === 0x1a2b3c4d;
  const length = littleEndian ? head.readUInt32LE(4) : head.readUInt32BE(4);
  if (length < 28 || length % 4 !== 0 || length > LARGEST_HEADER_PROBED) return false;
  // A read error here is the reader's to report, at its place in the file.
  if ((await bytes.request(length).catch(() => 0)) < length) return false;
  return sectionUserApplication(bytes.peek(length), littleEndian)?.startsWith('netrec') ?? false;
}

async function openStream(path: string): Promise<{ data: Readable; size?: number }> {
  if (path === STDIN_NAME) {
    if (process.stdin.isTTY === true) {
      throw new InputError(`${STDIN_NAME}: standard input is a terminal; pipe a capture into it`);
    }
    return { data: process.stdin };
  }
  let file: FileHandle | undefined;
  let isDirectory: boolean;
  let size: number;
  try {
    file = await open(path, 'r');
    const info = await file.stat();
    isDirectory = info.isDirectory();
    size = info.size;
  } catch (error) {
    await file?.close();
    throw new InputError(`${path}: cannot open: ${systemMessage(error)}`);
  }
  // Recording directories get their own detector here, before any byte is read.
  if (isDirectory) {
    await file.close();
    throw new InputError(`${path}: is a directory, ${NOT_A_CAPTURE}`);
  }
  return { data: file.createReadStream({ highWaterMark: READ_CHUNK_BYTES }), ...(size > 0 ? { size } : {}) };
}

function hexBytes(head: Buffer): string {
  return [...head.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
}
