/** The findings screen's lines: what the recorder's signatures found, one line each, in recording order. */
import { readable } from '../../format/readable.ts';
import type { ScannedFinding } from '../store/index-scan.ts';
import { fit } from './columns.ts';
import { shortTime } from './time-format.ts';

export function findingHeader(width: number): string {
  return findingLine(width, 'Severity', 'Time (UTC)', 'Packet', 'Signature', 'Process', 'Data');
}

export function findingLines(findings: readonly ScannedFinding[], width: number): string[] {
  return findings.map(({ packetNumber, row }) =>
    findingLine(
      width,
      row.severity === '' ? '-' : row.severity,
      shortTime(row.timestamp, 6),
      String(packetNumber),
      row.signatureId,
      row.processName === '' ? '' : `${row.processName}/${row.processId}`,
      readable(row.data) ?? '{}',
    ),
  );
}

function findingLine(width: number, severity: string, time: string, packet: string, signature: string, process: string, text: string): string {
  const fixed = `${fit(severity, 12)} ${fit(time, 15)} ${fit(packet, 7, 'right')} ${fit(signature, 26)} ${fit(process, 16)}`;
  return `${fixed} ${fit(text, Math.max(0, width - fixed.length - 1))}`;
}
