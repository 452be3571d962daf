import type { TraceeEvent } from '../event/types.ts';

/**
 * One Tracee v0.10 event as a JSON line, keys in Tracee's order. Written by hand rather than by
 * JSON.stringify because timestamp, threadStartTime and cgroupId are 64-bit and must print as
 * exact integers (JSON.stringify cannot print a bigint, and a Number would round them).
 */
export function eventToJSON(e: TraceeEvent): string {
  return (
    '{"timestamp":' + e.timestamp +
    ',"threadStartTime":' + e.threadStartTime +
    ',"processorId":' + e.processorId +
    ',"processId":' + e.processId +
    ',"cgroupId":' + e.cgroupId +
    ',"threadId":' + e.threadId +
    ',"parentProcessId":' + e.parentProcessId +
    ',"hostProcessId":' + e.hostProcessId +
    ',"hostThreadId":' + e.hostThreadId +
    ',"hostParentProcessId":' + e.hostParentProcessId +
    ',"userId":' + e.userId +
    ',"mountNamespace":' + e.mountNamespace +
    ',"pidNamespace":' + e.pidNamespace +
    ',"processName":' + JSON.stringify(e.processName) +
    ',"hostName":' + JSON.stringify(e.hostName) +
    ',"containerId":' + JSON.stringify(e.containerId) +
    ',"containerImage":' + JSON.stringify(e.containerImage) +
    ',"containerName":' + JSON.stringify(e.containerName) +
    ',"podName":' + JSON.stringify(e.podName) +
    ',"podNamespace":' + JSON.stringify(e.podNamespace) +
    ',"podUID":' + JSON.stringify(e.podUID) +
    ',"eventId":"' + e.eventId +
    '","eventName":"' + e.eventName +
    '","argsNum":' + e.argsNum +
    ',"returnValue":' + e.returnValue +
    ',"stackAddresses":' + JSON.stringify(e.stackAddresses) +
    ',"contextFlags":{"containerStarted":' + e.contextFlags.containerStarted +
    '},"args":' + JSON.stringify(e.args) +
    '}'
  );
}
