/**
 * What a source hands to the pipeline, and how it is read: every input (pcap, pcapng, a .nev
 * recording, a live capture) offers its items in file order, in batches; a file whose format
 * allows it also offers random access by packet position, for readers that page back and forth
 * (the TUI). Implemented in src/replay/ (pcap, pcapng) and src/nev/ (recordings).
 */
import type { InputIssue } from './errors.ts';
import type { CapturedPacket } from './packet.ts';

export type SourceItem = CapturedPacket | InputIssue;

export function isIssue(item: SourceItem): item is InputIssue {
  return (item as InputIssue).kind === 'issue';
}

/**
 * One input. Items come in file order, in batches so that a million packets do not cost a
 * million promise round trips. A damaged record yields an InputIssue and reading goes on; a file
 * that cannot be read at all yields one issue and ends.
 */
export interface PacketSource {
  readonly name: string;
  /** Does the source carry process context (recordings) or not (pcap)? */
  readonly hasProcessContext: boolean;
  batches(): AsyncIterable<SourceItem[]>;
  /** What the file declared so far (format, sections, interfaces): for `netrec info`. */
  layout?(): CaptureLayout;
  /** How far reading got, for a progress line: bytes read and the input's size when known. */
  progress?(): { bytes: number; totalBytes: number | undefined };
  /**
   * Random access to the packets `locations` lists (learnt from a pass over batches()); absent
   * where the input cannot be read twice (a pipe) or read by position.
   */
  randomAccess?: (locations: PacketLocations) => Promise<PacketReader>;
}

/** A capture file's declarations, as capinfos shows them. */
export interface CaptureLayout {
  /** "pcap (nanosecond, little-endian)", "pcapng". */
  format: string;
  sections: number;
  interfaces: { section: number; linkType: number; snaplen: number }[];
}

/**
 * Where the packets of an input are, by position (0-based, in file order), as a pass over its
 * batches saw them: the packet's number, the offset of its record, its timestamp and link type.
 */
export interface PacketLocations {
  readonly length: number;
  numberAt(position: number): number;
  offsetAt(position: number): number;
  timestampAt(position: number): bigint;
  linkTypeAt(position: number): number;
}

/** Packets read back by position. */
export interface PacketReader {
  /**
   * The packets at positions [first, first + count), in order. Their bytes may be views into one
   * buffer for the whole read: whoever keeps a packet copies its bytes.
   */
  read(first: number, count: number): Promise<CapturedPacket[]>;
  close(): Promise<void>;
}
