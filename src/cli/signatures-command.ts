/**
 * `netrec signatures list [--signatures DIR|FILE|builtin]... [--output text|json]`: what would be
 * loaded, with metadata. Loading problems are usage errors (exit 2), exactly as for replay.
 */
import { parseArgs } from 'node:util';
import { printable } from '../core/printable.ts';
import { UsageError } from '../core/errors.ts';
import type { LoadedSignature } from '../signature/engine.ts';
import { severityName } from '../signature/finding.ts';
import { BUILTIN, loadSignatures } from '../signature/load.ts';

export const SIGNATURES_HELP = `Usage: netrec signatures list [--signatures DIR|FILE|builtin]... [--output text|json]

Lists the signatures --signatures would load (default: the builtin set), sorted by id, with
their metadata: version, name, severity, MITRE ATT&CK category and technique, selected
events, tags, description and the file each comes from. A file that does not load, or two
signatures with one id, is a usage error (exit 2). --output json prints one JSON array of
Tracee's SignatureMetadata objects (ID, Version, Name, EventName, Description, Tags,
Properties) plus SelectedEvents and Origin.
`;

export async function signaturesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      signatures: { type: 'string', multiple: true },
      output: { type: 'string', short: 'o', default: 'text' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(SIGNATURES_HELP);
    return 0;
  }
  const [sub, ...extra] = positionals;
  if (sub !== 'list') throw new UsageError(sub === undefined ? "signatures needs a subcommand: 'list'" : `unknown signatures subcommand '${printable(sub)}' (valid: list)`);
  if (extra.length > 0) throw new UsageError(`signatures list takes no arguments ('${printable(extra[0]!)}'); give directories with --signatures`);
  if (values.output !== 'text' && values.output !== 'json') throw new UsageError(`unknown output format '${printable(values.output)}' (valid: text, json)`);
  const loaded = (await loadSignatures(values.signatures ?? [BUILTIN])).sort((a, b) => (a.signature.metadata.id < b.signature.metadata.id ? -1 : 1));
  process.stdout.write(values.output === 'json' ? `${JSON.stringify(loaded.map(asJson), null, 2)}\n` : loaded.map(asText).join('\n'));
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
  return `${printable(m.id)} ${printable(m.version)}\n${rows.map(([k, v]) => `  ${k.padEnd(13)}${printable(String(v))}\n`).join('')}`;
}
