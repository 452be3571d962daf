/**
 * The stream screen's lines: the conversation's payload, chunk by chunk as sent, as text (bytes
 * outside printable ASCII shown as '.') or as a hex dump, each line tagged with its direction
 * so the screen colours client and server apart. Gaps in the capture are said where they are.
 */
import { STREAM_LIMIT, type FlowStream } from '../store/stream.ts';
import { ipString } from '../../event/ip-string.ts';
import { hexLine, hexLineCount } from './hex.ts';
import { bytesText } from './numbers.ts';

export interface StreamLine {
  text: string;
  /** undefined: a note, not payload. */
  fromClient?: boolean;
}

export function streamLines(stream: FlowStream, hex: boolean): StreamLine[] {
  const lines: StreamLine[] = [];
  for (const chunk of stream.chunks) {
    const fromClient = chunk.fromClient;
    if (chunk.gap > 0) lines.push({ text: `[${chunk.gap} bytes missing from the capture]` });
    if (hex) {
      for (let i = 0; i < hexLineCount(chunk.data.length); i++) {
        const line = hexLine(chunk.data, i, undefined);
        lines.push({
          text: `${fromClient ? '>' : '<'} ${line.offset}  ${line.hex.map((s) => s.text).join('')} ${line.ascii.map((s) => s.text).join('')}`,
          fromClient,
        });
      }
      continue;
    }
    const text = Array.from(chunk.data, (b) =>
      b === 0x0a ? '\n' : b === 0x09 ? ' ' : b === 0x0d ? '' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.',
    ).join('');
    const parts = text.split('\n');
    // A chunk that ends its last line leaves an empty part: not a line of its own.
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    for (const part of parts) lines.push({ text: part, fromClient });
  }
  if (stream.truncated) lines.push({ text: `[more than ${bytesText(STREAM_LIMIT)} in this stream: the rest is counted, not kept]` });
  return lines;
}

/** "TCP 172.16.17.1:38573 (dig/4242) ⇄ 172.16.17.2:53 (named/9719): 54 B → 241 B ←". */
export function streamTitle(stream: FlowStream): string {
  const [client, server] = stream.processes;
  const end = (e: FlowStream['client'], process: string | undefined): string => {
    const address = ipString(e.address);
    const text = e.address.length === 16 ? `[${address}]:${e.port}` : `${address}:${e.port}`;
    return process === undefined ? text : `${text} (${process})`;
  };
  const [up, down] = stream.bytes;
  const progress = stream.done ? '' : '  (reading…)';
  return `${stream.protocol.toUpperCase()} ${end(stream.client, client)} ⇄ ${end(stream.server, server)}: ${bytesText(up)} →, ${bytesText(down)} ←${progress}`;
}
