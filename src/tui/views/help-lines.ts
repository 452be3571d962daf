/** The help screen, from the key table itself. */
import { BINDINGS } from '../state/keymap.ts';
import { JUMP_SYNTAX } from '../store/jump.ts';
import { TONES } from './row-tone.ts';

export function helpLines(): string[] {
  const keys = BINDINGS.filter((b) => b.keys !== '').map((b) => `  ${b.keys.padEnd(12)} ${b.help}`);
  return [
    'Keys',
    ...keys,
    '',
    'Filter (f): the --trace language of `netrec replay`, expressions separated by spaces, e.g.',
    '  event=net_packet_dns*   comm=curl follow   net_packet_tcp.args.proto_tcp.SYN=1',
    `Jump (:): ${JUMP_SYNTAX}`,
    'Prompts: Enter applies, Esc cancels, Ctrl-U clears, ↑↓ recall what was entered before.',
    '',
    'Row colours (off with --no-color or NO_COLOR), first rule that applies:',
    ...TONES.map((t) => `  ${(t.color ?? 'default').padEnd(12)} ${t.legend}`),
    'Any key closes this help.',
  ];
}
