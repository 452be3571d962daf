/** Task contexts and a reference time for tests that write recordings (no vitest import: the fuzz runner uses it too). */
import type { TaskContext } from '../../src/core/packet.ts';

/** 2023-11-14T22:13:20Z in epoch ns. */
export const T0 = 1_700_000_000_000_000_000n;

export function task(pid: number, comm = `proc${pid}`): TaskContext {
  return {
    threadStartTime: 5_000_000_000n + BigInt(pid),
    processId: pid,
    threadId: pid,
    parentProcessId: 1,
    hostProcessId: pid + 1000,
    hostThreadId: pid + 1000,
    hostParentProcessId: 1,
    userId: 1000,
    mountNamespace: 4026531840,
    pidNamespace: 4026531836,
    processName: comm,
    hostName: 'host',
    cgroupId: 1234n,
    containerId: '',
  };
}
