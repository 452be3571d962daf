/**
 * `netrec signatures list [--signatures DIR|FILE|builtin]... [--output text|json]`: what would be
 * loaded, with metadata. Loading problems are usage errors (exit 2), exactly as for replay.
 */
import { terminalText } from '../core/terminal-text.ts';
import { UsageError } from '../core/errors.ts';
import type { LoadedSignature } from '../signature/engine.ts';
import { severityName } from '../signature/finding.ts';
import { BUILTIN, loadSignatures } from '../signature/load.ts';
import { checkOperands } from './parse.ts';
import type { ParsedArgs } from './spec.ts';

export async function signaturesCommand(args: ParsedArgs): Promise<number> {
  checkOperands(args.command, args.operands);
  const [sub] = args.operands;
  if (sub !== 'list') throw new UsageError(`unknown signatures subcommand '${terminalText(sub!)}' (valid: list)`);
  const output = args.string('output') ?? 'text';
  const from = args.strings('signatures');
  const loaded = (await loadSignatures(from.length > 0 ? from : [BUILTIN])).sort((a, b) => (a.signature.metadata.id < b.signature.metadata.id ? -1 : 1));
  process.stdout.write(output === 'json' ? `${JSON.stringify(loaded.map(asJson), null, 2)}\n` : loaded.map(asText).join('\n'));
  return 0;
}

function asJson({ signature: s, origin }: LoadedSignature): unknown {
  const m = s.metadata;
  return {
    ID: m.id,
    Version: m.version,
    Name: m.name,
    EventName: m.eventName ?? '',
    Description: m.description,
    Tags: m.tags,
    Properties: m.properties ?? null,
    SelectedEvents: s.selectedEvents,
    Origin: origin,
  };
}

function asText({ signature: s, origin }: LoadedSignature): string {
  const m = s.metadata;
  const p = m.properties ?? {};
  const rows: [string, string][] = [['name', m.name]];
  if (p.Severity !== undefined) rows.push(['severity', `${p.Severity} (${severityName(p.Severity)})`]);
  const mitre = [p.Category, p.Technique].filter((x) => x !== undefined).join(' / ');
  if (mitre !== '') rows.push(['MITRE ATT&CK', `${mitre}${p.external_id !== undefined ? ` (${p.external_id})` : ''}`]);
  rows.push(['events', s.selectedEvents.join(', ')]);
  if (m.tags.length > 0) rows.push(['tags', m.tags.join(', ')]);
  rows.push(['description', m.description]);
  rows.push(['from', origin]);
  return `${terminalText(m.id)} ${terminalText(m.version)}\n${rows.map(([k, v]) => `  ${k.padEnd(13)}${terminalText(String(v))}\n`).join('')}`;
}
