import type { CapturedPacket } from '../core/packet.ts';
import type { InputIssue } from '../core/errors.ts';

export type SourceItem = CapturedPacket | InputIssue;

export function isIssue(item: SourceItem): item is InputIssue {
  return (item as InputIssue).kind === 'issue';
}

/**
 * One input file. Items come in file order, in batches so that a million packets do not cost a
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
}

/** A capture file's declarations, as capinfos shows them. */
export interface CaptureLayout {
  /** "pcap (nanosecond, little-endian)", "pcapng". */
  format: string;
  sections: number;
  interfaces: { section: number; linkType: number; snaplen: number }[];
}
