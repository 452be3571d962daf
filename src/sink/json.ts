import type {
  EventArg,
  ProtoICMP,
  ProtoICMPv6,
  ProtoIPv4,
  ProtoIPv6,
  ProtoTCP,
  ProtoUDP,
  TraceeEvent,
} from '../event/types.ts';
import { JsonWriter } from './json-writer.ts';

/**
 * Tracee v0.10 events as JSON, keys in Tracee's order. Written by hand rather than by
 * JSON.stringify because timestamp, threadStartTime and cgroupId are 64-bit and must print as
 * exact integers (JSON.stringify cannot print a bigint, and a Number would round them), and
 * because this runs millions of times: bytes go straight into a buffer, and the process-context
 * part of the envelope, the same for every event of a task, is encoded once and copied.
 */
export function writeEvent(w: JsonWriter, e: TraceeEvent): void {
  w.ascii('{"timestamp":');
  w.bigint(e.timestamp);
  w.bytes(contextBytes(e));
  w.ascii(',"eventId":"');
  w.ascii(e.eventId);
  w.ascii('","eventName":"');
  w.ascii(e.eventName);
  w.ascii('","argsNum":');
  w.number(e.argsNum);
  w.ascii(',"returnValue":');
  w.number(e.returnValue);
  w.ascii(',"stackAddresses":');
  if (e.stackAddresses.length === 1 && e.stackAddresses[0] === 0) w.ascii('[0]');
  else w.utf8(JSON.stringify(e.stackAddresses));
  w.ascii(e.contextFlags.containerStarted ? ',"contextFlags":{"containerStarted":true},"args":[' : ',"contextFlags":{"containerStarted":false},"args":[');
  const args = e.args;
  for (let i = 0; i < args.length; i++) {
    if (i > 0) w.ascii(',');
    writeArg(w, args[i]!);
  }
  w.ascii(']}');
}

/** One event as a JSON string (tests, the TUI's detail pane). */
export function eventToJSON(e: TraceeEvent): string {
  const w = new JsonWriter(1024);
  writeEvent(w, e);
  return w.toString();
}

/** Everything from threadStartTime to podUID, memoised on the last event's context. */
let lastContext: TraceeEvent | undefined;
let lastBytes: Uint8Array = new Uint8Array(0);

function contextBytes(e: TraceeEvent): Uint8Array {
  if (lastContext !== undefined && sameContext(lastContext, e)) return lastBytes;
  const w = new JsonWriter(512);
  w.ascii(',"threadStartTime":');
  w.bigint(e.threadStartTime);
  w.ascii(',"processorId":');
  w.number(e.processorId);
  w.ascii(',"processId":');
  w.number(e.processId);
  w.ascii(',"cgroupId":');
  w.bigint(e.cgroupId);
  w.ascii(',"threadId":');
  w.number(e.threadId);
  w.ascii(',"parentProcessId":');
  w.number(e.parentProcessId);
  w.ascii(',"hostProcessId":');
  w.number(e.hostProcessId);
  w.ascii(',"hostThreadId":');
  w.number(e.hostThreadId);
  w.ascii(',"hostParentProcessId":');
  w.number(e.hostParentProcessId);
  w.ascii(',"userId":');
  w.number(e.userId);
  w.ascii(',"mountNamespace":');
  w.number(e.mountNamespace);
  w.ascii(',"pidNamespace":');
  w.number(e.pidNamespace);
  w.ascii(',"processName":');
  w.string(e.processName);
  w.ascii(',"hostName":');
  w.string(e.hostName);
  w.ascii(',"containerId":');
  w.string(e.containerId);
  w.ascii(',"containerImage":');
  w.string(e.containerImage);
  w.ascii(',"containerName":');
  w.string(e.containerName);
  w.ascii(',"podName":');
  w.string(e.podName);
  w.ascii(',"podNamespace":');
  w.string(e.podNamespace);
  w.ascii(',"podUID":');
  w.string(e.podUID);
  lastContext = e;
  lastBytes = w.buf.subarray(0, w.pos);
  return lastBytes;
}

/** Written out rather than looped over a key list: this runs for every event. */
function sameContext(a: TraceeEvent, b: TraceeEvent): boolean {
  return (
    a.threadStartTime === b.threadStartTime &&
    a.processorId === b.processorId &&
    a.processId === b.processId &&
    a.cgroupId === b.cgroupId &&
    a.threadId === b.threadId &&
    a.parentProcessId === b.parentProcessId &&
    a.hostProcessId === b.hostProcessId &&
    a.hostThreadId === b.hostThreadId &&
    a.hostParentProcessId === b.hostParentProcessId &&
    a.userId === b.userId &&
    a.mountNamespace === b.mountNamespace &&
    a.pidNamespace === b.pidNamespace &&
    a.processName === b.processName &&
    a.hostName === b.hostName &&
    a.containerId === b.containerId &&
    a.containerImage === b.containerImage &&
    a.containerName === b.containerName &&
    a.podName === b.podName &&
    a.podNamespace === b.podNamespace &&
    a.podUID === b.podUID
  );
}

function writeArg(w: JsonWriter, a: EventArg): void {
  w.ascii('{"name":');
  w.string(a.name);
  w.ascii(',"type":');
  w.string(a.type);
  w.ascii(',"value":');
  writeValue(w, a.name, a.value);
  w.ascii('}');
}

/**
 * Hand-written renderers for the flat header structs (most events carry one); their members are
 * numbers and plain strings, in the interface's key order. Other values (DNS, PktMeta, lists)
 * go through JSON.stringify.
 */
function writeValue(w: JsonWriter, name: string, v: unknown): void {
  switch (typeof v) {
    case 'string':
      return w.string(v);
    case 'number':
      return w.number(v);
  }
  switch (name) {
    case 'proto_ipv4': {
      const p = v as ProtoIPv4;
      w.ascii('{"version":');
      w.number(p.version);
      w.ascii(',"IHL":');
      w.number(p.IHL);
      w.ascii(',"TOS":');
      w.number(p.TOS);
      w.ascii(',"length":');
      w.number(p.length);
      w.ascii(',"id":');
      w.number(p.id);
      w.ascii(',"flags":');
      w.number(p.flags);
      w.ascii(',"fragOffset":');
      w.number(p.fragOffset);
      w.ascii(',"TTL":');
      w.number(p.TTL);
      w.ascii(',"protocol":');
      w.string(p.protocol);
      w.ascii(',"checksum":');
      w.number(p.checksum);
      w.ascii(',"srcIP":');
      w.string(p.srcIP);
      w.ascii(',"dstIP":');
      w.string(p.dstIP);
      return w.ascii('}');
    }
    case 'proto_ipv6': {
      const p = v as ProtoIPv6;
      w.ascii('{"version":');
      w.number(p.version);
      w.ascii(',"trafficClass":');
      w.number(p.trafficClass);
      w.ascii(',"flowLabel":');
      w.number(p.flowLabel);
      w.ascii(',"length":');
      w.number(p.length);
      w.ascii(',"nextHeader":');
      w.string(p.nextHeader);
      w.ascii(',"hopLimit":');
      w.number(p.hopLimit);
      w.ascii(',"srcIP":');
      w.string(p.srcIP);
      w.ascii(',"dstIP":');
      w.string(p.dstIP);
      return w.ascii('}');
    }
    case 'proto_tcp': {
      const p = v as ProtoTCP;
      w.ascii('{"srcPort":');
      w.number(p.srcPort);
      w.ascii(',"dstPort":');
      w.number(p.dstPort);
      w.ascii(',"seq":');
      w.number(p.seq);
      w.ascii(',"ack":');
      w.number(p.ack);
      w.ascii(',"dataOffset":');
      w.number(p.dataOffset);
      w.ascii(',"FIN":');
      w.number(p.FIN);
      w.ascii(',"SYN":');
      w.number(p.SYN);
      w.ascii(',"RST":');
      w.number(p.RST);
      w.ascii(',"PSH":');
      w.number(p.PSH);
      w.ascii(',"ACK":');
      w.number(p.ACK);
      w.ascii(',"URG":');
      w.number(p.URG);
      w.ascii(',"ECE":');
      w.number(p.ECE);
      w.ascii(',"CWR":');
      w.number(p.CWR);
      w.ascii(',"NS":');
      w.number(p.NS);
      w.ascii(',"window":');
      w.number(p.window);
      w.ascii(',"checksum":');
      w.number(p.checksum);
      w.ascii(',"urgent":');
      w.number(p.urgent);
      return w.ascii('}');
    }
    case 'proto_udp': {
      const p = v as ProtoUDP;
      w.ascii('{"srcPort":');
      w.number(p.srcPort);
      w.ascii(',"dstPort":');
      w.number(p.dstPort);
      w.ascii(',"length":');
      w.number(p.length);
      w.ascii(',"checksum":');
      w.number(p.checksum);
      return w.ascii('}');
    }
    case 'proto_icmp': {
      const p = v as ProtoICMP;
      w.ascii('{"typeCode":');
      w.string(p.typeCode);
      w.ascii(',"checksum":');
      w.number(p.checksum);
      w.ascii(',"id":');
      w.number(p.id);
      w.ascii(',"seq":');
      w.number(p.seq);
      return w.ascii('}');
    }
    case 'proto_icmpv6': {
      const p = v as ProtoICMPv6;
      w.ascii('{"typeCode":');
      w.string(p.typeCode);
      w.ascii(',"checksum":');
      w.number(p.checksum);
      return w.ascii('}');
    }
    default:
      return w.utf8(JSON.stringify(v));
  }
}
