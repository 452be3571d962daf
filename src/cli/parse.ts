/**
 * Parses a command's arguments against its OptionSpec table. Every mistake is a UsageError
 * worded the same way for every command, with a "did you mean" where a spelling is close.
 *
 * Accepted forms: --name value, --name=value, -n value, -nvalue, grouped flags (-hV), `--` ends
 * the options, and a lone `-` is an operand (standard input).
 */
import { UsageError } from '../core/errors.ts';
import { optionsOf } from './commands.ts';
import type { CommandSpec, OptionSpec, ParsedArgs } from './spec.ts';

export function parseCommandLine(command: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options = optionsOf(command);
  const byLong = new Map<string, OptionSpec>();
  const byShort = new Map<string, OptionSpec>();
  for (const o of options) {
    for (const name of [o.name, ...(o.aliases ?? [])]) byLong.set(name, o);
    for (const s of [o.short, ...(o.shortAliases ?? [])]) if (s !== undefined) byShort.set(s, o);
  }
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const operands: string[] = [];
  const usage = (message: string): UsageError => new UsageError(`${command.name}: ${message}`, `netrec ${command.name} --help`);

  const take = (option: OptionSpec, spelled: string, value: string | undefined): void => {
    if (option.value === undefined) {
      if (value !== undefined) throw usage(`option '${spelled}' takes no value`);
      flags.add(option.name);
      return;
    }
    if (value === undefined) throw usage(`option '${spelled}' needs a value (${option.value})`);
    if (option.choices && !option.choices.includes(value)) {
      throw usage(`invalid value '${value}' for '${spelled}' (valid: ${option.choices.join(', ')})${suggest(value, option.choices, '')}`);
    }
    const list = values.get(option.name) ?? [];
    if (!option.multiple && list.length > 0) throw usage(`option '${spelled}' is given twice`);
    list.push(value);
    values.set(option.name, list);
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const option = byLong.get(name);
      if (option === undefined) {
        throw usage(`unknown option '--${name}'${suggest(name, [...byLong.keys()], '--')}`);
      }
      const inline = eq < 0 ? undefined : arg.slice(eq + 1);
      const value = option.value !== undefined && inline === undefined ? argv[++i] : inline;
      take(option, `--${name}`, value);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // -abc: flags a and b, then c; a short option that takes a value ends the group.
      for (let k = 1; k < arg.length; k++) {
        const letter = arg[k]!;
        const option = byShort.get(letter);
        if (option === undefined) {
          const longs = [...byLong.keys()];
          throw usage(`unknown option '-${letter}'${suggest(arg.slice(1), longs, '--') || shortHint(byShort)}`);
        }
        if (option.value === undefined) {
          take(option, `-${letter}`, undefined);
          continue;
        }
        const rest = arg.slice(k + 1);
        take(option, `-${letter}`, rest.length > 0 ? rest : argv[++i]);
        break;
      }
      continue;
    }
    operands.push(arg);
  }

  return {
    command,
    operands,
    string: (name) => values.get(name)?.at(-1),
    strings: (name) => values.get(name) ?? [],
    flag: (name) => flags.has(name),
  };
}

/** Checks the operand count (after -r values were added by the command). */
export function checkOperands(command: CommandSpec, operands: readonly string[]): void {
  const { min, max, missing } = command.operands;
  if (operands.length < min || (max !== undefined && operands.length > max)) {
    throw new UsageError(`${command.name} ${missing}`, `netrec ${command.name} --help`);
  }
}

/** " (did you mean '--trace'?)" for the closest candidate, or "" when none is close. */
export function suggest(word: string, candidates: readonly string[], prefix: string): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = c.startsWith(word) && word.length >= 2 ? 0.5 : editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= limit ? ` (did you mean '${prefix}${best}'?)` : '';
}

function shortHint(byShort: Map<string, OptionSpec>): string {
  const letters = [...byShort.keys()].sort();
  return letters.length > 0 ? ` (short options here: ${letters.map((l) => `-${l}`).join(' ')})` : '';
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
