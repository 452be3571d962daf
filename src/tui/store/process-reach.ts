/**
 * How far each process reached: the distinct DNS names it asked for and the distinct remote
 * addresses its packets went to or came from, counted by the stats pass for the processes
 * screen's orders. The remote end of a packet is its destination on egress and its source on
 * ingress (both ends when the direction is unknown). Sets are capped per process so that a
 * scanner's process cannot take the memory: a capped count shows as "at least".
 */
import type { CapturedPacket } from '../../core/packet.ts';
import type { DecodedPacket } from '../../decode/packet.ts';
import { goString } from '../../event/go-string.ts';
import { ipString } from '../../event/ip-string.ts';

/** Distinct values kept per process and kind; past it the count is a lower bound. */
export const REACH_CAP = 4096;

interface Reach {
  names: Set<string>;
  remotes: Set<string>;
}

export interface ReachCount {
  count: number;
  /** The cap was hit: the process reached at least `count`. */
  capped: boolean;
}

export class ProcessReach {
  readonly #byPid = new Map<number, Reach>();

  add(packet: CapturedPacket, d: DecodedPacket): void {
    if (packet.task === undefined) return;
    const ip = d.ipv4 ?? d.ipv6;
    const questions = d.dns.filter((m) => !m.qr).flatMap((m) => m.questions);
    if (ip === undefined && questions.length === 0) return;
    const pid = packet.task.hostProcessId;
    let reach = this.#byPid.get(pid);
    if (reach === undefined) {
      reach = { names: new Set(), remotes: new Set() };
      this.#byPid.set(pid, reach);
    }
    if (ip !== undefined) {
      if (packet.direction !== 'egress') capped(reach.remotes, ipString(ip.src));
      if (packet.direction !== 'ingress') capped(reach.remotes, ipString(ip.dst));
    }
    for (const q of questions) capped(reach.names, goString(q.name));
  }

  /** Distinct DNS names `hostPid` asked for. */
  names(hostPid: number): ReachCount {
    return countOf(this.#byPid.get(hostPid)?.names);
  }

  /** Distinct remote addresses of `hostPid`'s packets. */
  remotes(hostPid: number): ReachCount {
    return countOf(this.#byPid.get(hostPid)?.remotes);
  }
}

function capped(set: Set<string>, value: string): void {
  if (set.size < REACH_CAP) set.add(value);
}

function countOf(set: Set<string> | undefined): ReachCount {
  return { count: set?.size ?? 0, capped: (set?.size ?? 0) >= REACH_CAP };
}
