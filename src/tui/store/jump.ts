/**
 * The `:` prompt's targets: a packet number, a time of day, or an offset from the first packet.
 * Times are UTC, as the event list prints them.
 */
import type { PacketIndex } from './packet-index.ts';

export const JUMP_SYNTAX = 'N or #N (packet), HH:MM:SS[.frac] (UTC time), +S[.frac][s|ms] (after the first packet)';

const NS_PER_SECOND = 1_000_000_000n;
const NS_PER_DAY = 86_400n * NS_PER_SECOND;

/** The index position to show, or a one-line problem. */
export function jumpTarget(text: string, index: PacketIndex): { position: number } | { problem: string } {
  const target = text.trim();
  if (index.length === 0) return { problem: 'no packets yet' };
  const number = /^#?(\d+)$/.exec(target);
  if (number) return { position: Math.min(index.positionOfNumber(Number(number[1])), index.length - 1) };
  const clock = /^(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(target);
  if (clock) {
    const [, h, m, s, frac = ''] = clock;
    const inDay = (BigInt(h!) * 3600n + BigInt(m!) * 60n + BigInt(s!)) * NS_PER_SECOND + BigInt(frac.padEnd(9, '0'));
    const first = index.timestampAt(0);
    const day = first - (((first % NS_PER_DAY) + NS_PER_DAY) % NS_PER_DAY);
    return { position: clampPosition(index.positionAtTime(day + inDay), index) };
  }
  const offset = /^\+(\d+(?:\.\d{1,9})?)(s|ms)?$/.exec(target);
  if (offset) {
    const [whole, frac = ''] = offset[1]!.split('.');
    let ns = BigInt(whole!) * NS_PER_SECOND + BigInt(frac.padEnd(9, '0'));
    if (offset[2] === 'ms') ns /= 1000n;
    return { position: clampPosition(index.positionAtTime(index.timestampAt(0) + ns), index) };
  }
  return { problem: `cannot jump to '${target}': use ${JUMP_SYNTAX}` };
}

function clampPosition(position: number, index: PacketIndex): number {
  return Math.min(position, index.length - 1);
}
