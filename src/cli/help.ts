/** `netrec --help` and `netrec <command> --help`, rendered from the command table. */
import { COMMANDS, optionsOf } from './commands.ts';
import type { CommandSpec, OptionSpec } from './spec.ts';

/** Help is wrapped for an 80-column terminal whatever the terminal: the text is stable. */
const WIDTH = 80;
const OPTION_COLUMN = 24;

export function synopsis(command: CommandSpec): string {
  return `netrec ${command.name}${command.options.length > 0 ? ' [options]' : ''}${operandText(command)}`;
}

/** " <file...>", " [file]" when optional, or nothing. */
function operandText(command: CommandSpec): string {
  const { name, min } = command.operands;
  return name === '' ? '' : min === 0 ? ` [${name}]` : ` <${name}>`;
}

/**
 * Every option of a command in one synopsis, wrapped to `width` with continuation lines indented
 * under the first option: README's usage block is this text (a test keeps the two equal).
 */
export function fullSynopsis(command: CommandSpec, width = 100): string {
  const head = `netrec ${command.name}${operandText(command)}`;
  const words = command.options.map((o) => {
    const flag = o.short ? `-${o.short}` : `--${o.name}`;
    const value = o.value ? ` ${o.choices && o.choices.length <= 4 ? o.choices.filter((c) => !c.includes(':')).join('|') : o.value}` : '';
    return `[${flag}${value}]${o.multiple ? '...' : ''}`;
  });
  const lines = [head];
  const indent = ' '.repeat(Math.min(head.length + 1, 14));
  for (const w of words) {
    const last = lines.length - 1;
    if (lines[last]!.length + 1 + w.length <= width) lines[last] += ` ${w}`;
    else lines.push(indent + w);
  }
  return lines.join('\n');
}

/** "-t, --trace EXPR", or "    --from TIME" for an option without a letter. */
export function optionLabel(o: OptionSpec): string {
  return `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.value ? ` ${o.value}` : ''}`;
}

function aliasNote(o: OptionSpec): string {
  const others = [...(o.aliases ?? []).map((a) => `--${a}`), ...(o.shortAliases ?? []).map((s) => `-${s}`)];
  return others.length > 0 ? ` Also ${others.join(', ')}.` : '';
}

export function commandHelp(command: CommandSpec): string {
  const out: string[] = [`Usage: ${synopsis(command)}`, ''];
  for (const paragraph of command.description) out.push(...wrap(paragraph, WIDTH), '');
  out.push('Options:');
  for (const o of optionsOf(command)) {
    const label = `  ${optionLabel(o)}`;
    const text = wrap(o.help + aliasNote(o), WIDTH - OPTION_COLUMN);
    if (label.length < OPTION_COLUMN - 1) {
      out.push(label.padEnd(OPTION_COLUMN) + text[0]);
    } else {
      out.push(label, ' '.repeat(OPTION_COLUMN) + text[0]);
    }
    for (const line of text.slice(1)) out.push(' '.repeat(OPTION_COLUMN) + line);
  }
  if (command.examples.length > 0) {
    out.push('', 'Examples:');
    for (const [line, what] of command.examples) out.push(`  # ${what}`, `  ${line}`);
  }
  return `${out.join('\n')}\n`;
}

export function overview(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const out = [
    `netrec ${version} — record and replay network packets with the process that owns them`,
    '',
    'Usage: netrec <command> [options] [operands]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help      Show this help; netrec <command> --help or netrec help <command>',
    "                  shows a command's options and examples.",
    "  -V, -v, --version  Show netrec's version.",
    '',
    'Exit status: 0 success, 1 an input error was reported, 2 usage error.',
    'Documentation: man netrec, and the docs/ folder of the package.',
  ];
  return `${out.join('\n')}\n`;
}

/** Greedy word wrap; a word longer than the width stands on its own line. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line.length > 0 ? `${line} ${word}` : word;
    }
  }
  if (line.length > 0 || lines.length === 0) lines.push(line);
  return lines;
}
