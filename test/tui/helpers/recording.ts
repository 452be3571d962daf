/**
 * A .nev recording with process context, made from a real capture: the packets of
 * fixtures/pcap/dns-udp.pcap, owned by `dig` (the first 30) and `curl` (the rest), both
 * children of a `bash` under `sshd` under `systemd`, with their fork/exec/exit records. Until
 * recordings from `netrec record` are committed under fixtures/recordings/, this is what the
 * process view is tested on.
 */
import type { CapturedPacket, TaskContext } from '../../../src/core/packet.ts';
import { RecordingWriter } from '../../../src/nev/recording-writer.ts';
import { openCapture } from '../../../src/replay/open.ts';
import { isIssue } from '../../../src/core/source.ts';

export const DNS_UDP = 'fixtures/pcap/dns-udp.pcap';
/** Packets 1-30 belong to dig, the others to curl. */
export const DIG_PACKETS = 30;

export function task(hostPid: number, comm: string, parent: number, extra: Partial<TaskContext> = {}): TaskContext {
  return {
    threadStartTime: BigInt(hostPid) * 1_000_000n,
    processId: hostPid,
    threadId: hostPid,
    parentProcessId: parent,
    hostProcessId: hostPid,
    hostThreadId: hostPid,
    hostParentProcessId: parent,
    userId: 1000,
    mountNamespace: 4026531840,
    pidNamespace: 4026531836,
    processName: comm,
    hostName: 'lab',
    cgroupId: 7n,
    containerId: '',
    ...extra,
  };
}

export const SYSTEMD = task(1, 'systemd', 0, { userId: 0 });
export const SSHD = task(900, 'sshd', 1, { userId: 0 });
export const BASH = task(4200, 'bash', 900);
export const DIG = task(4242, 'dig', 4200);
export const CURL = task(4300, 'curl', 4200);

/** Writes the recording into directory `dir` (which must not exist or be empty). */
export async function writeRecording(dir: string): Promise<void> {
  const packets: CapturedPacket[] = [];
  for await (const batch of (await openCapture(DNS_UDP)).batches()) {
    for (const item of batch) if (!isIssue(item)) packets.push(item);
  }
  let clock = packets[0]!.timestamp - 1_000_000n;
  const writer = new RecordingWriter({
    dir,
    snaplen: 262_144,
    origin: 'netrec tui test',
    hostName: 'lab',
    kernelRelease: '6.1.0',
    processes: [
      { task: SYSTEMD, exePath: '/usr/lib/systemd/systemd' },
      { task: SSHD, exePath: '/usr/sbin/sshd' },
      { task: BASH, exePath: '/usr/bin/bash' },
    ],
    now: () => clock,
  });
  const born = (child: TaskContext, exePath: string, at: bigint): void => {
    const ref = writer.defineTask(child, exePath);
    writer.writeLifecycle({
      kind: 'lifecycle',
      event: 'fork',
      timestamp: at,
      hostProcessId: BASH.hostProcessId,
      hostThreadId: BASH.hostThreadId,
      childHostProcessId: child.hostProcessId,
      childHostThreadId: child.hostThreadId,
      taskRef: ref,
    });
    writer.writeLifecycle({
      kind: 'lifecycle',
      event: 'exec',
      timestamp: at,
      hostProcessId: child.hostProcessId,
      hostThreadId: child.hostThreadId,
      path: exePath,
      taskRef: ref,
    });
  };
  born(DIG, '/usr/bin/dig', clock);
  packets.forEach((p, i) => {
    clock = p.timestamp;
    if (i === DIG_PACKETS) born(CURL, '/usr/bin/curl', clock);
    const owner = i < DIG_PACKETS ? DIG : CURL;
    writer.writePacket({ timestamp: p.timestamp, linkType: p.linkType, originalLength: p.originalLength, data: p.data, cpu: i % 2, task: owner });
  });
  writer.writeLifecycle({
    kind: 'lifecycle',
    event: 'exit',
    timestamp: clock,
    hostProcessId: CURL.hostProcessId,
    hostThreadId: CURL.hostThreadId,
    exitCode: 0,
  });
  writer.close();
}
