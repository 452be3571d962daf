/** The .nev writer options that `record` and `convert` share, from their parsed flags. */
import { UsageError } from '../core/errors.ts';
import type { RecordingWriterOptions } from '../nev/recording-writer.ts';
import { DEFAULT_ROTATE_SIZE, parseSize, SIZE_SYNTAX } from '../nev/size.ts';
import type { ParsedArgs } from './spec.ts';

export type WriterTarget = Pick<RecordingWriterOptions, 'dir' | 'force' | 'compress' | 'rotateSize' | 'rotateSeconds' | 'maxSegments'>;

export function writerOptionsFrom(args: ParsedArgs): WriterTarget {
  const dir = args.string('write');
  if (dir === undefined) throw new UsageError(`${args.command.name}: the output recording is missing (-o DIR.nev)`, `netrec ${args.command.name} --help`);
  // Segments stay bounded by default (the help promises 64 MiB): a reader, the TUI's jump to the
  // end and --max-segments work per segment, and one endless segment would defeat them.
  const opts: WriterTarget = { dir, force: args.flag('force'), compress: args.flag('compress'), rotateSize: DEFAULT_ROTATE_SIZE };
  const rotateSize = args.string('rotate-size');
  if (rotateSize !== undefined) {
    const size = parseSize(rotateSize);
    if (size === undefined) throw new UsageError(`invalid --rotate-size '${rotateSize}': expected ${SIZE_SYNTAX}`);
    opts.rotateSize = size;
  }
  const seconds = args.string('rotate-seconds');
  if (seconds !== undefined) opts.rotateSeconds = positive('--rotate-seconds', seconds, false);
  const max = args.string('max-segments');
  if (max !== undefined) opts.maxSegments = positive('--max-segments', max, true);
  return opts;
}

function positive(flag: string, text: string, integer: boolean): number {
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`invalid ${flag} '${text}': expected a positive ${integer ? 'integer' : 'number'}`);
  }
  return n;
}
