/**
 * A small recording written with netrec's own RecordingWriter, for what the fixture recordings
 * do not hold: losses, tasks inside pid namespaces and containers, hostile process names, 64-bit
 * values past 2^53. Packets are real UDP/IPv4 datagrams (tshark decodes them) whose payload
 * encodes their number.
 */
import type { TaskContext } from '../../src/core/packet.ts';
import { LinkType } from '../../src/core/packet.ts';
import { RecordingWriter } from '../../src/nev/recording-writer.ts';
import { ipv4, udp, utf8 } from '../helpers/packet-builder.ts';

export const BASE_TIME = 1_795_000_000_123_456_789n;

export function syntheticTask(pid: number, comm: string, extra: Partial<TaskContext> = {}): TaskContext {
  return {
    threadStartTime: 7_000_000_000n + BigInt(pid),
    processId: pid,
    threadId: pid,
    parentProcessId: 1,
    hostProcessId: pid,
    hostThreadId: pid,
    hostParentProcessId: 1,
    userId: 1000,
    mountNamespace: 4026531841,
    pidNamespace: 4026531836,
    processName: comm,
    hostName: 'box',
    cgroupId: 4242n,
    containerId: '',
    ...extra,
  };
}

/** Names an attacker controls: spaces, quotes, '=', control and bidi characters, a path. */
export const HOSTILE_COMM = 'a b"c=d\\e\n\u202efdp.exe../../x';

export const TASKS: readonly TaskContext[] = [
  syntheticTask(3001, 'curl'),
  // In a container and a pid namespace: namespace ids differ from the host's.
  syntheticTask(3002, 'nginx', {
    processId: 7,
    threadId: 8,
    parentProcessId: 1,
    hostThreadId: 3003,
    hostParentProcessId: 2999,
    containerId: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    cgroupId: (1n << 63n) + 5n,
    threadStartTime: (1n << 62n) + 17n,
    hostName: 'web-1',
  }),
  syntheticTask(3004, HOSTILE_COMM, { userId: 4294967295 }),
];

export interface SyntheticSpec {
  dir: string;
  /** Losses written before packet i (kernel, recorder). */
  lossesBefore?: ReadonlyMap<number, [bigint, bigint]>;
  packets?: number;
}

/** Writes the recording; packet i is owned by TASKS[i % 4] (every fourth has no task). */
export function writeSyntheticRecording(spec: SyntheticSpec): void {
  const writer = new RecordingWriter({
    dir: spec.dir,
    snaplen: 65535,
    origin: 'netrec record',
    hostName: 'box',
    kernelRelease: '6.1.0-test',
    interfaces: [
      { ifindex: 1, name: 'lo', linkType: 772 },
      { ifindex: 7, name: 'eth0', linkType: 1 },
    ],
    now: () => BASE_TIME,
  });
  const count = spec.packets ?? 12;
  for (let i = 0; i < count; i++) {
    const loss = spec.lossesBefore?.get(i);
    if (loss !== undefined) {
      writer.writeLoss({
        start: BASE_TIME + BigInt(i) * 1000n - 500n,
        end: BASE_TIME + BigInt(i) * 1000n - 1n,
        cpu: 1,
        kernelLost: loss[0],
        userDropped: loss[1],
      });
    }
    const egress = i % 2 === 0;
    const payload = utf8(`packet ${i}`);
    const data = ipv4({
      protocol: 'UDP',
      srcIP: egress ? '10.9.0.1' : '10.9.0.2',
      dstIP: egress ? '10.9.0.2' : '10.9.0.1',
      id: i,
      payload: udp({ srcPort: egress ? 40000 : 7000, dstPort: egress ? 7000 : 40000, payload }),
    });
    const task = TASKS[i % 4];
    writer.writePacket({
      timestamp: BASE_TIME + BigInt(i) * 1000n + BigInt(i % 7),
      linkType: LinkType.RAW,
      cpu: i % 2,
      ifindex: i % 3 === 0 ? 1 : 7,
      direction: egress ? 'egress' : 'ingress',
      originalLength: data.length,
      data,
      socketCookie: i === 5 ? (1n << 64n) - 1n : BigInt(1000 + i),
      ...(task !== undefined ? { task } : {}),
    });
  }
  writer.close();
}
