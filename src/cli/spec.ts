/**
 * The shape of netrec's command-line interface as data. One table (commands.ts) written in these
 * types drives argument parsing, `--help`, the man page and shell completion, so the four can
 * never disagree.
 */

/** What a shell should offer for an option's value or an operand. */
export type Completion = 'file' | 'directory' | 'none' | readonly string[];

export interface OptionSpec {
  /** Long name without dashes: `trace` is `--trace`. */
  readonly name: string;
  /** One-letter name: `t` is `-t`. */
  readonly short?: string;
  /** Other spellings accepted for the same option (Tracee's `--filter`, tcpdump's `-f`...). */
  readonly aliases?: readonly string[];
  readonly shortAliases?: readonly string[];
  /** Placeholder of the value in help (`EXPR`); an option without one is a flag. */
  readonly value?: string;
  /** May be given several times; the values are kept in order. */
  readonly multiple?: boolean;
  /** The only values accepted (checked by the parser, offered by completion). */
  readonly choices?: readonly string[];
  /** What completion offers for the value when there are no choices. */
  readonly complete?: Completion;
  /** Help text; wrapped to the terminal by the help printer. */
  readonly help: string;
}

export interface OperandSpec {
  /** Placeholder in the synopsis: `file...`. */
  readonly name: string;
  readonly min: number;
  /** Undefined: any number. */
  readonly max?: number;
  readonly complete?: Completion;
  /** The usage error when fewer than `min` (or more than `max`) are given. */
  readonly missing: string;
}

export interface CommandSpec {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Paragraphs of `--help` and the man page. */
  readonly description: readonly string[];
  readonly options: readonly OptionSpec[];
  readonly operands: OperandSpec;
  /** [command line, what it does]. */
  readonly examples: readonly (readonly [string, string])[];
}

/** What the parser hands a command: option values by long name, and the operands. */
export interface ParsedArgs {
  readonly command: CommandSpec;
  readonly operands: readonly string[];
  /** The last value of a value option, or undefined. */
  string(name: string): string | undefined;
  /** Every value of a repeatable option, in order. */
  strings(name: string): readonly string[];
  /** Was a flag given? */
  flag(name: string): boolean;
}
