/**
 * What a split export groups packets by (`--split-by`), and the file name each group gets.
 * Names come from recorded data (comm, container id) and so from whoever controlled the traced
 * processes: they are reduced to [A-Za-z0-9._-], never start with a dot and are bounded in
 * length, so no key can name a path outside the export directory or a hidden file.
 */
import type { CapturedPacket } from '../core/packet.ts';
import { flowOf } from '../decode/flow.ts';
import type { DecodedPacket } from '../decode/packet.ts';
import { ipString } from '../event/ip-string.ts';

export const SPLIT_KINDS = ['process', 'comm', 'container', 'cgroup', 'flow'] as const;
export type SplitBy = (typeof SPLIT_KINDS)[number];

export interface SplitKey {
  /** Identity of the group, as listed in the index. */
  key: string;
  /** Readable base of the file name (not yet sanitised). */
  label: string;
}

const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6' };

/** Packets without process context (pcap input, kernel packets) share one group. */
const NO_PROCESS: SplitKey = { key: '(none)', label: 'no-process' };

export function splitKey(by: SplitBy, p: CapturedPacket, d: DecodedPacket): SplitKey {
  if (by === 'flow') return flowKey(d);
  const t = p.task;
  if (t === undefined) return NO_PROCESS;
  switch (by) {
    case 'process':
      return { key: String(t.hostProcessId), label: `pid-${t.hostProcessId}-${t.processName}` };
    case 'comm':
      return { key: t.processName, label: `comm-${t.processName}` };
    case 'container':
      return t.containerId === '' ? { key: '(host)', label: 'host' } : { key: t.containerId, label: `container-${t.containerId}` };
    case 'cgroup':
      return { key: String(t.cgroupId), label: `cgroup-${t.cgroupId}` };
  }
}

function flowKey(d: DecodedPacket): SplitKey {
  const flow = flowOf(d);
  if (flow === undefined) return { key: '(not IP)', label: 'not-ip' };
  const name = PROTOCOL_NAMES[flow.protocol] ?? `ip-proto-${flow.protocol}`;
  const ported = d.tcp !== undefined || d.udp !== undefined;
  const end = (addr: Uint8Array, port: number): string => {
    const text = ipString(addr);
    if (!ported) return text;
    return addr.length === 16 && text.includes(':') ? `[${text}]:${port}` : `${text}:${port}`;
  };
  const a = end(flow.a, flow.aPort);
  const b = end(flow.b, flow.bPort);
  return { key: `${name} ${a} ${b}`, label: `${name}_${a}_${b}` };
}

/** Longest file name base; with ".pcapng" and a "-N" suffix it stays far below NAME_MAX. */
const MAX_BASE_LENGTH = 120;

/** A safe file name base for `label`: [A-Za-z0-9._-] only, no leading dot, never empty. */
export function safeFileBase(label: string): string {
  const base = label
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, MAX_BASE_LENGTH);
  return base === '' ? 'key' : base;
}
