/**
 * Process context in pcapng files: netrec's packet comments (src/core/packet-comment.ts) and
 * Apple's Darwin process event blocks, as the reader takes them back; interface names and the
 * ifindex netrec notes in an interface's comment. Files are built byte by byte here.
 */
import { describe, expect, it } from 'vitest';
import { pcapngSource } from '../../src/replay/pcapng.ts';
import { block, chunkedReader, epb, idb, issuesOf, option, packetsOf, payload, readAll, shb, u32, type Order } from './capture-bytes.ts';

function read(bytes: Buffer) {
  return readAll(pcapngSource('test.pcapng', chunkedReader(bytes, 7)));
}

const text = (s: string): Buffer => Buffer.from(s, 'utf8');
const COMMENT = 1;
const DPEB_ID = 32769;

/** A Darwin process event block: type 0x80000001, the pid, then darwin_proc_name (2). */
function dpeb(pid: number, name: string, order: Order = 'le'): Buffer {
  return block(0x80000001, Buffer.concat([u32(pid, order), option(2, text(name), order), option(0, Buffer.alloc(0), order)]), order);
}

const NETREC_COMMENT =
  'pid=40 tid=41 ppid=1 comm="my app" uid=1000 container=abc cgroup=18446744073709551615 nspid=4 nstid=5 nsppid=0 mntns=11 pidns=12 uts=web start=99 cpu=3 cookie=77';

describe('pcapng reader: process context', () => {
  it('takes the task, CPU and socket cookie from netrec’s comment', async () => {
    const file = Buffer.concat([
      shb(),
      idb({ linkType: 101 }),
      epb({ interfaceId: 0, ticks: 1n, data: payload(20), options: [option(COMMENT, text('a note first')), option(COMMENT, text(NETREC_COMMENT))] }),
    ]);
    const items = await read(file);
    expect(issuesOf(items)).toEqual([]);
    const [p] = packetsOf(items);
    expect(p).toMatchObject({
      cpu: 3,
      socketCookie: 77n,
      task: {
        threadStartTime: 99n,
        processId: 4,
        threadId: 5,
        parentProcessId: 0,
        hostProcessId: 40,
        hostThreadId: 41,
        hostParentProcessId: 1,
        userId: 1000,
        mountNamespace: 11,
        pidNamespace: 12,
        processName: 'my app',
        hostName: 'web',
        cgroupId: 18446744073709551615n,
        containerId: 'abc',
      },
    });
  });

  it('falls back to the Darwin process the packet names: its pid and name', async () => {
    for (const order of ['le', 'be'] as const) {
      const file = Buffer.concat([
        shb(order),
        idb({ linkType: 1 }, order),
        dpeb(100, 'mDNSResponder', order),
        dpeb(200, 'curl', order),
        epb({ interfaceId: 0, ticks: 1n, data: payload(20), options: [option(DPEB_ID, u32(1, order), order)] }, order),
        epb({ interfaceId: 0, ticks: 2n, data: payload(20), options: [option(DPEB_ID, u32(0, order), order)] }, order),
        epb({ interfaceId: 0, ticks: 3n, data: payload(20) }, order),
      ]);
      const items = await read(file);
      expect(issuesOf(items)).toEqual([]);
      expect(packetsOf(items).map((p) => p.task && [p.task.hostProcessId, p.task.processId, p.task.processName])).toEqual([
        [200, 200, 'curl'],
        [100, 100, 'mDNSResponder'],
        undefined,
      ]);
    }
  });

  it('prefers the comment to the Darwin process', async () => {
    const file = Buffer.concat([
      shb(),
      idb({ linkType: 101 }),
      dpeb(7, 'other'),
      epb({ interfaceId: 0, ticks: 1n, data: payload(20), options: [option(DPEB_ID, u32(0, 'le')), option(COMMENT, text(NETREC_COMMENT))] }),
    ]);
    expect(packetsOf(await read(file))[0]!.task?.processName).toBe('my app');
  });

  it('warns about a Darwin process the section lacks and a netrec comment it cannot believe, and reads the packet', async () => {
    const file = Buffer.concat([
      shb(),
      idb({ linkType: 101 }),
      dpeb(7, 'one'),
      epb({ interfaceId: 0, ticks: 1n, data: payload(20), options: [option(DPEB_ID, u32(3, 'le'))] }),
      epb({
        interfaceId: 0,
        ticks: 2n,
        data: payload(20),
        options: [option(COMMENT, text('pid=1 tid=1 ppid=1 comm=x uid=-5 cgroup=1 mntns=1 pidns=1 start=1'))],
      }),
    ]);
    const items = await read(file);
    // SHB 28 + IDB 20 + DPEB 28 (12 + pid 4 + name option 8 + end 4) = 76; the first EPB is
    // 12 + 20 + 20 bytes of data + 12 of options = 64 long.
    expect(issuesOf(items).map((i) => `${i.severity} ${i.where}: ${i.message}`)).toEqual([
      'warning offset 76 (packet 1): names Darwin process 3, which the section does not define (it has 1)',
      "warning offset 140 (packet 2): packet comment: uid=-5 is not an integer in 0..4294967295; the packet is read without the comment's context",
    ]);
    expect(packetsOf(items).map((p) => p.task)).toEqual([undefined, undefined]);
  });

  it('gives packets their interface’s name and the ifindex netrec noted', async () => {
    const file = Buffer.concat([
      shb(),
      idb({ linkType: 101, options: [option(2, text('eth0')), option(COMMENT, text('ifindex=7'))] }),
      idb({ linkType: 101, options: [option(COMMENT, text('ifindex=x'))] }),
      epb({ interfaceId: 0, ticks: 1n, data: payload(20) }),
      epb({ interfaceId: 1, ticks: 1n, data: payload(20) }),
    ]);
    const packets = packetsOf(await read(file));
    expect(packets.map((p) => [p.interfaceName, p.ifindex])).toEqual([
      ['eth0', 7],
      [undefined, undefined],
    ]);
  });
});
