/**
 * The hex pane's lines: offset, 16 bytes in hex, the same bytes as ASCII, each split into
 * segments so that the highlighted range can be drawn inverse in both halves.
 */
import type { ByteRange } from './byte-ranges.ts';

export const BYTES_PER_LINE = 16;

export interface Segment {
  text: string;
  highlighted: boolean;
}

export interface HexLine {
  offset: string;
  hex: Segment[];
  ascii: Segment[];
}

export function hexLineCount(length: number): number {
  return Math.ceil(length / BYTES_PER_LINE);
}

export function hexLine(data: Uint8Array, line: number, highlight: ByteRange | undefined): HexLine {
  const start = line * BYTES_PER_LINE;
  const hex: Segment[] = [];
  const ascii: Segment[] = [];
  for (let i = 0; i < BYTES_PER_LINE; i++) {
    const at = start + i;
    const present = at < data.length;
    const on = present && highlight !== undefined && at >= highlight.start && at < highlight.end;
    const byte = data[at] ?? 0;
    // The gap after the 8th byte, as in tcpdump -X and Wireshark.
    const gap = i === BYTES_PER_LINE / 2 ? ' ' : '';
    append(hex, gap, false);
    append(hex, present ? byte.toString(16).padStart(2, '0') : '  ', on);
    append(hex, ' ', on && at + 1 < (highlight?.end ?? 0) && i !== BYTES_PER_LINE - 1 && i !== BYTES_PER_LINE / 2 - 1);
    if (present) append(ascii, byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.', on);
  }
  return { offset: start.toString(16).padStart(4, '0'), hex, ascii };
}

/** The line to scroll to so that `range` starts on screen. */
export function lineOf(offset: number): number {
  return Math.floor(offset / BYTES_PER_LINE);
}

function append(segments: Segment[], text: string, highlighted: boolean): void {
  if (text === '') return;
  const last = segments[segments.length - 1];
  if (last !== undefined && last.highlighted === highlighted) last.text += text;
  else segments.push({ text, highlighted });
}
