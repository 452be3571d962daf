/**
 * Attacker-shaped inputs for the terminal-safety tests: DNS packets whose names and TXT strings
 * carry terminal control sequences, and a recording whose processes chose hostile comms
 * (prctl(PR_SET_NAME) lets any process pick one). Built with the shared byte builders; no
 * vitest import, so the standalone fuzz runner uses them too.
 */
import { writeFileSync } from 'node:fs';
import type { TaskContext } from '../../src/core/packet.ts';
import { LinkType } from '../../src/core/packet.ts';
import { RecordingWriter } from '../../src/nev/recording-writer.ts';
import { bytes, dnsHeader, dnsQuestion, dnsRecord, type Part } from '../helpers/bytes.ts';
import { ipv4, udp } from '../helpers/packet-builder.ts';
import { pcapFile } from '../helpers/pcap-writer.ts';
import { T0, task } from '../helpers/task.ts';

/** Labels as raw bytes: each JS char is one byte (charCode < 256), so UTF-8 is written byte by byte. */
export const HOSTILE_LABELS = [
  'evil\u001b]0;pwned\u0007', // OSC: retitles the terminal
  'reset\u001bc', // RIS: resets it
  'nul\u0000x',
  'csi\u00c2\u009b31m', // U+009B, the 8-bit CSI, in UTF-8
  'rlo\u00e2\u0080\u00aegnp', // U+202E RIGHT-TO-LEFT OVERRIDE in UTF-8
  'del\u007f',
  'example',
];

/** A TXT string holding a DCS sequence (ESC P ... ESC \). */
export const HOSTILE_TXT = '\u001bP0;1|17/ab\u001b\\';

export const HOSTILE_COMMS = ['\u001b]0;title\u0007', '\u001bc', 'x\u202egnp.exe', 'bel\u0007\u009b2J'];

function wire(labels: string[]): Uint8Array {
  const parts: Part[] = [];
  for (const l of labels) parts.push(l.length, l);
  parts.push(0);
  return bytes(...parts);
}

/** A DNS query and its response carrying the hostile name and TXT string, over UDP/IPv4. */
export function hostileDnsPackets(): Uint8Array[] {
  const name = wire(HOSTILE_LABELS);
  const query = bytes(dnsHeader([1, 0, 0, 0], 0x0100, 0xbeef), dnsQuestion(name, 16));
  const txt = bytes(HOSTILE_TXT.length, HOSTILE_TXT);
  const response = bytes(dnsHeader([1, 1, 0, 0], 0x8180, 0xbeef), dnsQuestion(name, 16), dnsRecord(name, 16, txt));
  const packet = (src: string, dst: string, sport: number, dport: number, payload: Uint8Array): Uint8Array =>
    ipv4({ protocol: 'UDP', srcIP: src, dstIP: dst, payload: udp({ srcPort: sport, dstPort: dport, payload }) });
  return [packet('10.0.0.1', '10.0.0.53', 40000, 53, query), packet('10.0.0.53', '10.0.0.1', 53, 40000, response)];
}

export function writeHostilePcap(path: string): void {
  const packets = hostileDnsPackets();
  writeFileSync(path, pcapFile(packets.map((data, i) => ({ timestampNs: T0 + BigInt(i) * 1000n, data }))));
}

/** A recording whose packets belong to processes with the hostile comms. */
export function writeHostileRecording(dir: string): void {
  const tasks: TaskContext[] = HOSTILE_COMMS.map((comm, i) => ({ ...task(100 + i, comm), hostName: `host\u001b[2J${i}` }));
  let clock = T0;
  const writer = new RecordingWriter({
    dir,
    snaplen: 65535,
    origin: 'netrec test \u001b]0;origin\u0007',
    hostName: 'lab\u202e',
    kernelRelease: '6.1.0',
    now: () => clock,
  });
  const packets = hostileDnsPackets();
  for (let i = 0; i < 8; i++) {
    clock = T0 + BigInt(i) * 1_000_000n;
    const data = packets[i % 2]!;
    writer.writePacket({ timestamp: clock, linkType: LinkType.RAW, originalLength: data.length, data, task: tasks[i % tasks.length]! });
  }
  writer.close();
}
