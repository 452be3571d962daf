import type {
  EventArg,
  ProtoDNS,
  ProtoDNSResourceRecord,
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
    case 'proto_dns':
      return writeProtoDNS(w, v as ProtoDNS);
    default:
      return w.utf8(JSON.stringify(v));
  }
}

function writeProtoDNS(w: JsonWriter, p: ProtoDNS): void {
  w.ascii('{"ID":');
  w.number(p.ID);
  w.ascii(',"QR":');
  w.number(p.QR);
  w.ascii(',"opCode":');
  w.string(p.opCode);
  w.ascii(',"AA":');
  w.number(p.AA);
  w.ascii(',"TC":');
  w.number(p.TC);
  w.ascii(',"RD":');
  w.number(p.RD);
  w.ascii(',"RA":');
  w.number(p.RA);
  w.ascii(',"Z":');
  w.number(p.Z);
  w.ascii(',"responseCode":');
  w.string(p.responseCode);
  w.ascii(',"QDCount":');
  w.number(p.QDCount);
  w.ascii(',"ANCount":');
  w.number(p.ANCount);
  w.ascii(',"NSCount":');
  w.number(p.NSCount);
  w.ascii(',"ARCount":');
  w.number(p.ARCount);
  w.ascii(',"questions":[');
  for (let i = 0; i < p.questions.length; i++) {
    const q = p.questions[i]!;
    w.ascii(i === 0 ? '{"name":' : ',{"name":');
    w.string(q.name);
    w.ascii(',"type":');
    w.string(q.type);
    w.ascii(',"class":');
    w.string(q.class);
    w.ascii('}');
  }
  w.ascii('],"answers":');
  writeRecords(w, p.answers);
  w.ascii(',"authorities":');
  writeRecords(w, p.authorities);
  w.ascii(',"additionals":');
  writeRecords(w, p.additionals);
  w.ascii('}');
}

function writeRecords(w: JsonWriter, rrs: ProtoDNSResourceRecord[]): void {
  w.ascii('[');
  for (let i = 0; i < rrs.length; i++) {
    const r = rrs[i]!;
    w.ascii(i === 0 ? '{"name":' : ',{"name":');
    w.string(r.name);
    w.ascii(',"type":');
    w.string(r.type);
    w.ascii(',"class":');
    w.string(r.class);
    w.ascii(',"TTL":');
    w.number(r.TTL);
    w.ascii(',"IP":');
    w.string(r.IP);
    w.ascii(',"NS":');
    w.string(r.NS);
    w.ascii(',"CNAME":');
    w.string(r.CNAME);
    w.ascii(',"PTR":');
    w.string(r.PTR);
    w.ascii(',"TXTs":');
    if (r.TXTs === null) w.ascii('null');
    else {
      w.ascii('[');
      for (let j = 0; j < r.TXTs.length; j++) {
        if (j > 0) w.ascii(',');
        w.string(r.TXTs[j]!);
      }
      w.ascii(']');
    }
    w.ascii(',"SOA":{"MName":');
    w.string(r.SOA.MName);
    w.ascii(',"RName":');
    w.string(r.SOA.RName);
    w.ascii(',"serial":');
    w.number(r.SOA.serial);
    w.ascii(',"refresh":');
    w.number(r.SOA.refresh);
    w.ascii(',"retry":');
    w.number(r.SOA.retry);
    w.ascii(',"expire":');
    w.number(r.SOA.expire);
    w.ascii(',"minimum":');
    w.number(r.SOA.minimum);
    w.ascii('},"SRV":{"priority":');
    w.number(r.SRV.priority);
    w.ascii(',"weight":');
    w.number(r.SRV.weight);
    w.ascii(',"port":');
    w.number(r.SRV.port);
    w.ascii(',"name":');
    w.string(r.SRV.name);
    w.ascii('},"MX":{"preference":');
    w.number(r.MX.preference);
    w.ascii(',"name":');
    w.string(r.MX.name);
    w.ascii('},"OPT":[');
    for (let j = 0; j < r.OPT.length; j++) {
      w.ascii(j === 0 ? '{"code":' : ',{"code":');
      w.string(r.OPT[j]!.code);
      w.ascii(',"data":');
      w.string(r.OPT[j]!.data);
      w.ascii('}');
    }
    w.ascii('],"URI":{"priority":');
    w.number(r.URI.priority);
    w.ascii(',"weight":');
    w.number(r.URI.weight);
    w.ascii(',"target":');
    w.string(r.URI.target);
    w.ascii('},"TXT":');
    w.string(r.TXT);
    w.ascii('}');
  }
  w.ascii(']');
}
