/** The help screen, from the key table itself. */
import { BINDINGS } from '../state/keymap.ts';
import { JUMP_SYNTAX } from '../store/jump.ts';

export function helpLines(): string[] {
  const keys = BINDINGS.filter((b) => b.keys !== '').map((b) => `  ${b.keys.padEnd(12)} ${b.help}`);
  return [
    'Keys',
    ...keys,
    '',
    'Filter (f): the --trace language of `netrec replay`, expressions separated by spaces, e.g.',
    '  event=net_packet_dns*   comm=curl follow   net_packet_tcp.args.proto_tcp.SYN=1',
    `Jump (:): ${JUMP_SYNTAX}`,
    'Prompts: Enter applies, Esc cancels, Ctrl-U clears.',
    'Any key closes this help.',
  ];
}
