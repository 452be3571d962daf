/**
 * netrec(1), in roff, generated from the command table at build time (scripts/build.mjs writes
 * dist/netrec.1, which package.json's "man" installs).
 */
import { COMMANDS, optionsOf } from './commands.ts';
import { synopsis } from './help.ts';
import type { OptionSpec } from './spec.ts';

/** roff treats a leading '.' or "'" as a request and '\' as an escape. */
function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .replace(/^([.'])/gm, '\\&$1');
}

function optionTag(o: OptionSpec): string {
  const names = [o.short ? `\\fB\\-${o.short}\\fR` : undefined, `\\fB\\-\\-${o.name}\\fR`].filter((n) => n !== undefined);
  const aliases = [...(o.aliases ?? []).map((a) => `\\fB\\-\\-${a}\\fR`), ...(o.shortAliases ?? []).map((s) => `\\fB\\-${s}\\fR`)];
  return [...names, ...aliases].join(', ') + (o.value ? ` \\fI${roff(o.value)}\\fR` : '');
}

export function manPage(version: string, date: string): string {
  const out: string[] = [
    `.TH NETREC 1 "${date}" "netrec ${version}" "User Commands"`,
    // Filter examples are long unbreakable words: left-adjusted text never has to stretch.
    '.ad l',
    '.SH NAME',
    'netrec \\- record and replay network packets with the process that owns them',
    '.SH SYNOPSIS',
    ...COMMANDS.flatMap((c) => ['.br', `\\fB${roff(synopsis(c))}\\fR`]),
    '.SH DESCRIPTION',
    roff(
      'netrec answers, after the fact, which process sent or received a packet and what was in it. It records packets with eBPF together with their owning process into crash-safe .nev recordings, and replays recordings, pcap and pcapng files as the network events Tracee v0.10 emits live (JSON or a table), with the same filters.',
    ),
  ];
  for (const command of COMMANDS) {
    out.push(`.SH COMMAND: ${command.name.toUpperCase()}`, `\\fB${roff(synopsis(command))}\\fR`, '.PP');
    for (const paragraph of command.description) out.push(roff(paragraph), '.PP');
    for (const o of optionsOf(command)) {
      out.push('.TP', optionTag(o), roff(o.help + (o.choices ? ` Values: ${o.choices.join(', ')}.` : '')));
    }
    if (command.examples.length > 0) {
      out.push('.PP', 'Examples:', '.RS');
      for (const [line, what] of command.examples) out.push('.PP', `${roff(what)}:`, '.br', `\\fB${roff(line)}\\fR`);
      out.push('.RE');
    }
  }
  out.push(
    '.SH EXIT STATUS',
    '.TP',
    '0',
    'Success.',
    '.TP',
    '1',
    roff(
      'An input error was reported (a file that is not a capture, a damaged record, a packet that fails to decode), or the recorder could not start. Processing of the other inputs goes on.',
    ),
    '.TP',
    '2',
    'Usage error.',
    '.TP',
    '70',
    'Internal error: a bug in netrec (please report it).',
    '.TP',
    '130',
    roff('Interrupted (Ctrl-C); what was written is complete.'),
    '.SH ENVIRONMENT',
    '.TP',
    'NO_COLOR',
    roff('Turns off progress lines and colour.'),
    '.TP',
    'NETREC_DEBUG',
    roff('Prints the stack of an internal error.'),
    '.SH FILES',
    roff('docs/ in the installed package: filters, the .nev format, decoding decisions, recording, performance.'),
    '.SH SEE ALSO',
    '\\fBtcpdump\\fR(1), \\fBtshark\\fR(1), \\fBmergecap\\fR(1), \\fBcapinfos\\fR(1)',
    '',
  );
  return out.join('\n');
}
