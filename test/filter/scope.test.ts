/** Process scope filters: every field, Tracee's name prefixes, combinations, and pcap input. */
import { describe, expect, it } from 'vitest';
import type { TaskContext } from '../../src/core/packet.ts';
import { compileFilters } from '../../src/filter/compile.ts';
import { NC, dnsEvent, errorOf, ipv4Event, passes, tcpEvent, udpEvent } from './fixtures.ts';

/** One TCP event per task variant; scope filters apply to every event alike. */
const as = (...tasks: Partial<TaskContext>[]) => tasks.map((t) => tcpEvent({}, undefined, undefined, { ...NC, ...t }));

describe('scope fields', () => {
  const nc = { processName: 'nc' };
  const ping = { processName: 'ping' };
  const resolved = { processName: 'systemd-resolve' };
  it.each([
    [['comm=nc'], [true, false, false]],
    [['comm=nc,ping'], [true, true, false]],
    [
      ['comm=nc', 'comm=ping'],
      [true, true, false],
    ],
    [['comm!=nc'], [false, true, true]],
    [['comm=systemd*'], [false, false, true]],
    [['comm=*ing'], [false, true, false]],
    [['comm=*resol*'], [false, false, true]],
  ])('%j', (exprs, expected) => {
    expect(passes(exprs, as(nc, ping, resolved))).toEqual(expected);
  });

  it("comm matches the thread's name or its process's (dig's thread isc-net-0000)", () => {
    const digThread = { processName: 'isc-net-0000', leaderName: 'dig' };
    const digMain = { processName: 'dig', leaderName: 'dig' };
    const otherNet = { processName: 'isc-net-0000', leaderName: 'named' };
    const old = { processName: 'dig' }; // a recording made before leader names
    const events = as(digThread, digMain, otherNet, old);
    expect(passes(['comm=dig'], events)).toEqual([true, true, false, true]);
    expect(passes(['comm=isc-net-0000'], events)).toEqual([true, false, true, false]);
    expect(passes(['comm=di*'], events)).toEqual([true, true, false, true]);
    // != leaves out every packet of the process, whichever thread sent it.
    expect(passes(['comm!=dig'], events)).toEqual([false, false, true, false]);
    expect(passes(['comm!=named'], events)).toEqual([true, true, false, true]);
  });

  it('pid matches the host pid or the host thread id (Tracee: "the user might have given us a tid")', () => {
    const main = { hostProcessId: 500, hostThreadId: 500 };
    const thread = { hostProcessId: 500, hostThreadId: 501 };
    const other = { hostProcessId: 600, hostThreadId: 600 };
    expect(passes(['pid=500'], as(main, thread, other))).toEqual([true, true, false]);
    expect(passes(['pid=501'], as(main, thread, other))).toEqual([false, true, false]);
    // != excludes the whole process: no value of the event may match.
    expect(passes(['pid!=500'], as(main, thread, other))).toEqual([false, false, true]);
    expect(passes(['pid>=500', 'pid<600'], as(main, thread, other))).toEqual([true, true, false]);
  });

  it('takes any prefix of pid and uid', () => {
    const events = as({ hostProcessId: 7, hostThreadId: 7, userId: 0 }, { hostProcessId: 8, hostThreadId: 8, userId: 1000 });
    expect(passes(['p=7'], events)).toEqual([true, false]);
    expect(passes(['pi=8'], events)).toEqual([false, true]);
    expect(passes(['u=1000'], events)).toEqual([false, true]);
    expect(passes(['ui<1000'], events)).toEqual([true, false]);
  });

  it.each([
    ['tid=11', { hostThreadId: 11 }, { hostThreadId: 12 }],
    ['ppid=3101489', { hostParentProcessId: 3101489 }, { hostParentProcessId: 1 }],
    ['uid=1000', { userId: 1000 }, { userId: 0 }],
    ['uid>0', { userId: 1000 }, { userId: 0 }],
    ['mntns=4026531841', { mountNamespace: 4026531841 }, { mountNamespace: 4026532201 }],
    ['pidns<4026531837', { pidNamespace: 4026531836 }, { pidNamespace: 4026532204 }],
    ['uts=fujitsu', { hostName: 'fujitsu' }, { hostName: 'web-1' }],
    ['uts=web-*', { hostName: 'web-1' }, { hostName: 'fujitsu' }],
    ['cgroupId=20552', { cgroupId: 20552n }, { cgroupId: 20553n }],
    ['cgroupId>18446744073709551000', { cgroupId: 18446744073709551615n }, { cgroupId: 20552n }],
  ] as const)('%s', (expr, match, miss) => {
    expect(passes([expr], as(match, miss))).toEqual([true, false]);
  });

  it('ANDs different fields and ORs repeated ones', () => {
    const events = as({ processName: 'nc', userId: 1000 }, { processName: 'nc', userId: 0 }, { processName: 'ping', userId: 0 });
    expect(passes(['comm=nc', 'uid=0'], events)).toEqual([false, true, false]);
    expect(passes(['comm=nc', 'comm=ping', 'uid=0'], events)).toEqual([false, true, true]);
  });

  it('applies to every event', () => {
    const other = { ...NC, processName: 'curl' };
    const events = [tcpEvent(), udpEvent(), dnsEvent(), ipv4Event({}, other)];
    expect(passes(['comm=nc'], events)).toEqual([true, true, true, false]);
  });
});

describe('container scope', () => {
  const id = '0b8ac034ed5ff6913da44bc583ba89c3054644d5ab5fd1d2d7c6b2c8fb2e3f4a';
  const events = as({ containerId: '' }, { containerId: id }, { containerId: `ffff${id.slice(4)}` });
  it.each([
    [['container'], [false, true, true]],
    [['c'], [false, true, true]],
    [['!container'], [true, false, false]],
    [['host'], [true, false, false]],
    [
      ['container', 'host'],
      [true, true, true],
    ],
    [['container=0b8ac034ed5f'], [false, true, false]],
    [[`container=${id}`], [false, true, false]],
    [['co=0b8ac034ed5f'], [false, true, false]],
    [['container!=0b8ac034ed5f'], [true, false, true]],
    [['container=*2e3f4a'], [false, true, true]],
    [
      ['container', 'container!=0b8ac034ed5f'],
      [false, false, true],
    ],
  ])('%j', (exprs, expected) => {
    expect(passes(exprs, events)).toEqual(expected);
  });
});

describe('input without process context', () => {
  it('process filters match nothing: one warning, and no event is built', () => {
    const f = compileFilters(['event=net_packet_tcp', 'comm=nc', 'uid=0', 'follow', 'net_packet_tcp.args.proto_tcp.SYN=1'], { hasProcessContext: false });
    expect(f.warnings).toEqual(['process filters (comm=nc, uid=0, follow) match nothing: the input has no process context (a plain pcap carries none)']);
    expect(f.events).toBe(0);
    expect(f.accept).toBeUndefined();
    expect(f.needsProcessTree).toBe(false);
  });

  it('even those that zeroed fields would satisfy', () => {
    const pcapEvent = tcpEvent({}, undefined, undefined, { processName: '', userId: 0, hostProcessId: 0, hostThreadId: 0 });
    expect(passes(['uid=0'], [pcapEvent], { hasProcessContext: false })).toEqual([false]);
    expect(passes(['!container'], [pcapEvent], { hasProcessContext: false })).toEqual([false]);
  });

  it('follow alone filters nothing and draws no warning', () => {
    const f = compileFilters(['follow'], { hasProcessContext: false });
    expect(f.warnings).toEqual([]);
    expect(f.accept).toBeUndefined();
  });
});

describe('scope errors', () => {
  const valid =
    'event, set, comm, pid, tid, ppid, uid, mntns, pidns, uts, cgroupId, container, host, follow, !container, ' +
    '<event>.args.<arg>[.<field>...], <event>.context.<field>, <event>.retval';
  it.each([
    ['binary=/usr/bin/nc', `invalid filter 'binary=/usr/bin/nc': unknown field 'binary' (valid: ${valid})`],
    ['t=1', `invalid filter 't=1': unknown field 't' (valid: ${valid})`],
    ['pidn=1', `invalid filter 'pidn=1': unknown field 'pidn' (valid: ${valid})`],
    ['comm<nc', "invalid filter 'comm<nc': '<' does not apply to comm, a string (valid: = !=)"],
    ['uts>=a', "invalid filter 'uts>=a': '>=' does not apply to uts, a string (valid: = !=)"],
    ['container>abc', "invalid filter 'container>abc': '>' does not apply to container, a string (valid: = !=)"],
    ['comm', "invalid filter 'comm': comm needs an operator and values, e.g. comm=..."],
    ['net_packet_dns', "invalid filter 'net_packet_dns': unknown field 'net_packet_dns'; to select that event, write event=net_packet_dns"],
    ['net_packet_dns_*', "invalid filter 'net_packet_dns_*': unknown field 'net_packet_dns_*'; to select that event, write event=net_packet_dns_*"],
    ['!pid', "invalid filter '!pid': pid needs an operator and values, e.g. pid=..."],
    ['pid=new', "invalid filter 'pid=new': 'new' is not a number: pid is a number (decimal integers only)"],
    ['uid=-1', "invalid filter 'uid=-1': '-1' is not a number: uid is a number (decimal integers only)"],
    ['follow=1', "invalid filter 'follow=1': follow takes no value"],
    ['!follow', "invalid filter '!follow': follow takes no value"],
    ['host=1', "invalid filter 'host=1': host takes no value"],
    ['comm=*', "invalid filter 'comm=*': '*' is not a valid value (a wildcard needs text: abc*, *abc, *abc*)"],
    ['comm=**', "invalid filter 'comm=**': '**' is not a valid value (a wildcard needs text: abc*, *abc, *abc*)"],
    [
      'cgroupId=18446744073709551616',
      "invalid filter 'cgroupId=18446744073709551616': 18446744073709551616 is out of range for cgroupId (at most 18446744073709551615)",
    ],
  ])('%s', (expr, message) => {
    expect(errorOf([expr])).toBe(message);
  });
});
