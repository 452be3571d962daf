/**
 * A finding as sinks print it: fresh from the engine, or as a recording stored it (its JSON as
 * printed then, read back). Both print the same: JSON output writes the finding JSON; the table
 * shows a row built from either.
 */
import { terminalText } from '../core/terminal-text.ts';
import type { FindingRecord } from '../nev/records.ts';
import { severityName, type Finding } from '../signature/finding.ts';
import { findingToJSON } from './finding-json.ts';

export type FindingOutput = Finding | FindingRecord;

export function isStored(f: FindingOutput): f is FindingRecord {
  return (f as FindingRecord).kind === 'finding';
}

export function findingJSONText(f: FindingOutput): string {
  return isStored(f) ? f.json : findingToJSON(f);
}

/** The columns of a table row; strings are made printable by the table sink. */
export interface FindingRow {
  timestamp: bigint;
  userId: string;
  processName: string;
  processId: string;
  threadId: string;
  signatureId: string;
  name: string;
  severity: string;
  trigger: string;
  data: unknown;
}

export function findingRow(f: FindingOutput): FindingRow {
  if (!isStored(f)) {
    const e = f.event;
    const severity = f.metadata.properties?.Severity;
    return {
      timestamp: e.timestamp,
      userId: String(e.userId),
      processName: e.processName,
      processId: String(e.processId),
      threadId: String(e.threadId),
      signatureId: f.metadata.id,
      name: f.metadata.name,
      severity: severity === undefined ? '' : `${severity} (${severityName(severity)})`,
      trigger: e.eventName,
      data: f.data,
    };
  }
  // A recording is input like any other: its JSON may be anything.
  let parsed: { Data?: unknown; Event?: { Payload?: Record<string, unknown> }; SigMetadata?: Record<string, unknown> } = {};
  try {
    const v = JSON.parse(f.json) as unknown;
    if (v !== null && typeof v === 'object') parsed = v as typeof parsed;
  } catch {
    // shown with what the record's own fields say
  }
  const p = parsed.Event?.Payload ?? {};
  const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '?');
  return {
    timestamp: f.timestamp,
    userId: text(p.userId),
    processName: typeof p.processName === 'string' ? p.processName : '?',
    processId: text(p.processId),
    threadId: text(p.threadId),
    signatureId: f.signatureId,
    name: typeof parsed.SigMetadata?.Name === 'string' ? parsed.SigMetadata.Name : '?',
    severity: f.severity === undefined ? '' : `${f.severity} (${severityName(f.severity) ?? '?'})`,
    trigger: typeof p.eventName === 'string' ? p.eventName : '?',
    data: parsed.Data,
  };
}

/** `severity: 3 (high), name: ..., trigger: ..., data: {...}` for the ARGS column. */
export function findingArgs(row: FindingRow, readable: (v: unknown) => string | undefined): string {
  const parts = [`signature: ${readable(row.name) ?? '""'}`];
  if (row.severity !== '') parts.push(`severity: ${row.severity}`);
  parts.push(`trigger: ${row.trigger}`, `data: ${readable(row.data) ?? '{}'}`);
  return terminalText(parts.join(', '));
}
