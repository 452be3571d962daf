/**
 * `netrec info` for pcap and pcapng files, as capinfos shows them: format, sections, interfaces
 * with link type and snaplen, packets, bytes, time span, and what could not be read.
 */
import { formatIssue } from '../core/errors.ts';
import { terminalText } from '../core/terminal-text.ts';
import { linkTypeName } from '../decode/link.ts';
import { isIssue, type PacketSource } from '../core/source.ts';
import { bytes, isoTime, plural, seconds } from './info-format.ts';

export async function captureInfo(path: string, source: PacketSource): Promise<number> {
  let packets = 0;
  let captured = 0;
  let wire = 0;
  let cut = 0;
  let first: bigint | undefined;
  let last: bigint | undefined;
  let outOfOrder = 0;
  let previous: bigint | undefined;
  let errors = 0;
  let warnings = 0;
  const linkTypes = new Map<number, number>();
  for await (const batch of source.batches()) {
    for (const item of batch) {
      if (isIssue(item)) {
        process.stderr.write(`${formatIssue(item)}\n`);
        if (item.severity === 'error') errors++;
        else warnings++;
        continue;
      }
      packets++;
      captured += item.data.length;
      wire += item.originalLength;
      if (item.data.length < item.originalLength) cut++;
      linkTypes.set(item.linkType, (linkTypes.get(item.linkType) ?? 0) + 1);
      if (first === undefined || item.timestamp < first) first = item.timestamp;
      if (last === undefined || item.timestamp > last) last = item.timestamp;
      if (previous !== undefined && item.timestamp < previous) outOfOrder++;
      previous = item.timestamp;
    }
  }
  const layout = source.layout?.();
  const lines: [string, string][] = [['file', path]];
  if (layout) {
    lines.push(['format', layout.format]);
    if (layout.format === 'pcapng') lines.push(['sections', String(layout.sections)]);
    const listed = layout.interfaces.map(
      (i) => `${layout.sections > 1 ? `section ${i.section}: ` : ''}${linkTypeName(i.linkType)}, snaplen ${i.snaplen === 0 ? 'none' : i.snaplen}`,
    );
    lines.push(['interfaces', listed.length === 0 ? 'none' : `${listed.length}: ${listed.join('; ')}`]);
  }
  lines.push(['link types', [...linkTypes].map(([t, n]) => `${linkTypeName(t)} ${n}`).join(', ') || 'none (no packets)']);
  lines.push([
    'packets',
    `${packets} (${bytes(captured)} captured, ${bytes(wire)} on the wire${cut > 0 ? `, ${plural(cut, 'packet')} cut by the snaplen` : ''})`,
  ]);
  if (first !== undefined && last !== undefined) {
    lines.push(['time span', `${isoTime(first)} .. ${isoTime(last)} (${seconds(last - first)})`]);
    lines.push(['time order', outOfOrder === 0 ? 'in order' : `${plural(outOfOrder, 'packet')} earlier than the one before`]);
  }
  if (errors + warnings > 0) lines.push(['issues', `${plural(errors, 'error')}, ${plural(warnings, 'warning')} (above)`]);
  const width = Math.max(...lines.map(([k]) => k.length));
  // The file name is the user's, but may hold anything a file name can.
  process.stdout.write(lines.map(([k, v]) => `${k.padEnd(width)}  ${terminalText(v)}\n`).join(''));
  return errors > 0 ? 1 : 0;
}
