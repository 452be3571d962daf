/** `<event>.context.<field>` and `<event>.retval`, under Tracee's names. */
import { describe, expect, it } from 'vitest';
import { compileFilters } from '../../src/filter/compile.ts';
import { NC, errorOf, passes, tcpEvent, udpEvent, type Envelope } from './fixtures.ts';

const tcp = (...envelopes: Envelope[]) => envelopes.map((e) => tcpEvent({}, undefined, undefined, { ...NC, ...e }));

describe('context fields', () => {
  it.each([
    ['timestamp', 'timestamp>1671041571396216461', { timestamp: 1671041571396216462n }, { timestamp: 1671041571396216461n }],
    ['processorId', 'processorId=13', { processorId: 13 }, { processorId: 2 }],
    ['p', 'p=42', { processId: 42 }, { processId: 43 }],
    ['pid', 'pid=42', { processId: 42 }, { processId: 43 }],
    ['processId', 'processId=42', { processId: 42 }, { processId: 43 }],
    ['tid', 'tid=42', { threadId: 42 }, { threadId: 43 }],
    ['threadId', 'threadId=42', { threadId: 42 }, { threadId: 43 }],
    ['ppid', 'ppid=42', { parentProcessId: 42 }, { parentProcessId: 43 }],
    ['parentProcessId', 'parentProcessId=42', { parentProcessId: 42 }, { parentProcessId: 43 }],
    ['hostTid', 'hostTid=42', { hostThreadId: 42 }, { hostThreadId: 43 }],
    ['hostThreadId', 'hostThreadId=42', { hostThreadId: 42 }, { hostThreadId: 43 }],
    ['hostPid', 'hostPid=42', { hostProcessId: 42 }, { hostProcessId: 43 }],
    ['hostProcessId', 'hostProcessId=42', { hostProcessId: 42 }, { hostProcessId: 43 }],
    ['hostPpid', 'hostPpid=42', { hostParentProcessId: 42 }, { hostParentProcessId: 43 }],
    ['hostParentProcessId', 'hostParentProcessId=42', { hostParentProcessId: 42 }, { hostParentProcessId: 43 }],
    ['uid', 'uid<1000', { userId: 0 }, { userId: 1000 }],
    ['userId', 'userId>=1000', { userId: 1000 }, { userId: 0 }],
    ['mntns', 'mntns=4026531841', { mountNamespace: 4026531841 }, { mountNamespace: 1 }],
    ['mountNamespace', 'mountNamespace!=1', { mountNamespace: 4026531841 }, { mountNamespace: 1 }],
    ['pidns', 'pidns=4026531836', { pidNamespace: 4026531836 }, { pidNamespace: 1 }],
    ['pidNamespace', 'pidNamespace=4026531836', { pidNamespace: 4026531836 }, { pidNamespace: 1 }],
    ['processName', 'processName=nc', { processName: 'nc' }, { processName: 'ping' }],
    ['comm', 'comm=n*', { processName: 'nc' }, { processName: 'ping' }],
    ['hostName', 'hostName=fujitsu', { hostName: 'fujitsu' }, { hostName: 'web' }],
    ['cgroupId', 'cgroupId=20552', { cgroupId: 20552n }, { cgroupId: 1n }],
    ['containerId', 'containerId=abc*', { containerId: 'abcdef' }, { containerId: '' }],
    ['containerImage', 'containerImage=nginx', { containerImage: 'nginx' }, { containerImage: '' }],
    ['containerName', 'containerName!=web', { containerName: '' }, { containerName: 'web' }],
    ['podName', 'podName=api-*', { podName: 'api-7' }, { podName: 'db-1' }],
    ['podNamespace', 'podNamespace=prod', { podNamespace: 'prod' }, { podNamespace: 'dev' }],
    ['podUid', 'podUid=*-42', { podUID: 'a-42' }, { podUID: 'a-43' }],
  ] as const)('%s', (_, expr, match, miss) => {
    expect(passes([`net_packet_tcp.context.${expr}`], tcp(match, miss))).toEqual([true, false]);
  });

  it('container and host flags', () => {
    const events = tcp({ containerId: '' }, { containerId: 'abc' });
    expect(passes(['net_packet_tcp.context.container'], events)).toEqual([false, true]);
    expect(passes(['net_packet_tcp.context.host'], events)).toEqual([true, false]);
    expect(passes(['!net_packet_tcp.context.container'], events)).toEqual([true, false]);
  });

  it('a range and repeated flags work as on header fields', () => {
    const T = 'net_packet_tcp.context.timestamp';
    const at = (...ts: bigint[]) => tcp(...ts.map((timestamp) => ({ timestamp })));
    expect(passes([`${T}>=1000`, `${T}<2000`], at(999n, 1000n, 1999n, 2000n))).toEqual([false, true, true, false]);
  });

  it('restricts its event only, and ANDs with other context fields', () => {
    const events = [...tcp({ processName: 'nc', userId: 0 }, { processName: 'nc', userId: 1000 }), udpEvent()];
    expect(passes(['net_packet_tcp.context.comm=nc', 'net_packet_tcp.context.uid=0'], events)).toEqual([true, false, true]);
  });

  it('retval: network events return 0', () => {
    expect(passes(['net_packet_tcp.retval=0'], tcp({}))).toEqual([true]);
    expect(passes(['net_packet_tcp.retval!=0'], tcp({}))).toEqual([false]);
  });

  it('without process context, a process context field removes its event; timestamp still works', () => {
    const f = compileFilters(['net_packet_tcp.context.comm=nc', 'net_packet_udp.context.timestamp>0'], { hasProcessContext: false });
    expect(f.warnings).toEqual([
      'process filters (net_packet_tcp.context.comm=nc) match nothing: the input has no process context (a plain pcap carries none)',
    ]);
    expect(passes(['net_packet_tcp.context.comm=nc', 'net_packet_udp.context.timestamp>0'], [tcpEvent(), udpEvent()], { hasProcessContext: false })).toEqual([
      false,
      true,
    ]);
  });
});

describe('context errors', () => {
  const valid =
    'timestamp, processorId, p, pid, processId, tid, threadId, ppid, parentProcessId, hostTid, hostThreadId, hostPid, ' +
    'hostProcessId, hostPpid, hostParentProcessId, uid, userId, mntns, mountNamespace, pidns, pidNamespace, processName, ' +
    'comm, hostName, cgroupId, containerId, containerImage, containerName, podName, podNamespace, podUid, container, host';
  it.each([
    ['net_packet_tcp.context.binary=x', `invalid filter 'net_packet_tcp.context.binary=x': unknown context field 'binary' (valid: ${valid})`],
    ['net_packet_tcp.context=x', `invalid filter 'net_packet_tcp.context=x': expected net_packet_tcp.context.<field> (fields: ${valid})`],
    ['net_packet_tcp.context.pid.x=1', `invalid filter 'net_packet_tcp.context.pid.x=1': expected net_packet_tcp.context.<field> (fields: ${valid})`],
    [
      'net_packet_tcp.context.comm>a',
      "invalid filter 'net_packet_tcp.context.comm>a': '>' does not apply to net_packet_tcp.context.comm, a string (valid: = !=)",
    ],
    [
      'net_packet_tcp.context.pid=x',
      "invalid filter 'net_packet_tcp.context.pid=x': 'x' is not a number: net_packet_tcp.context.pid is a number (decimal integers only)",
    ],
    ['net_packet_tcp.context.container=abc', "invalid filter 'net_packet_tcp.context.container=abc': net_packet_tcp.context.container takes no value"],
    [
      'net_packet_tcp.context.uid',
      "invalid filter 'net_packet_tcp.context.uid': net_packet_tcp.context.uid needs an operator and values, e.g. net_packet_tcp.context.uid=...",
    ],
    [
      'net_packet_tcp.retval.x=0',
      "invalid filter 'net_packet_tcp.retval.x=0': expected net_packet_tcp.args.<arg>[.<field>...], net_packet_tcp.context.<field> or net_packet_tcp.retval",
    ],
    [
      'net_packet_tcp.ctx.pid=1',
      "invalid filter 'net_packet_tcp.ctx.pid=1': expected net_packet_tcp.args.<arg>[.<field>...], net_packet_tcp.context.<field> or net_packet_tcp.retval",
    ],
  ])('%s', (expr, message) => {
    expect(errorOf([expr])).toBe(message);
  });
});
