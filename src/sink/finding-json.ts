/**
 * A finding as Tracee's tracee-rules prints it with its rawjson-style toJson: json.Marshal of
 * detect.Finding, so keys in Go's declaration order (Data, Event, SigMetadata), the Event as
 * protocol.Event {Headers: {Selector}, Payload: the trace.Event}, and Go maps (Data, Properties)
 * with their keys sorted. The payload is the event exactly as the event JSON sink writes it.
 */
import type { FindingValue } from '../signature/api.ts';
import { eventOrigin, type Finding } from '../signature/finding.ts';
import { writeEvent } from './json.ts';
import { JsonWriter } from './json-writer.ts';

export function writeFinding(w: JsonWriter, f: Finding): void {
  w.ascii('{"Data":');
  writeValue(w, f.data);
  w.ascii(',"Event":{"Headers":{"Selector":{"Name":');
  w.string(f.event.eventName);
  w.ascii(',"Origin":');
  w.string(eventOrigin(f.event));
  w.ascii(',"Source":"tracee"}},"Payload":');
  writeEvent(w, f.event);
  const m = f.metadata;
  w.ascii('},"SigMetadata":{"ID":');
  w.string(m.id);
  w.ascii(',"Version":');
  w.string(m.version);
  w.ascii(',"Name":');
  w.string(m.name);
  w.ascii(',"EventName":');
  w.string(m.eventName ?? '');
  w.ascii(',"Description":');
  w.string(m.description);
  w.ascii(',"Tags":');
  writeValue(w, m.tags);
  w.ascii(',"Properties":');
  // A Go map left nil prints null.
  writeValue(w, m.properties === undefined ? null : (m.properties as FindingValue));
  w.ascii('}}');
}

export function findingToJSON(f: Finding): string {
  const w = new JsonWriter(2048);
  writeFinding(w, f);
  return w.toString();
}

/** A checked finding value (signature/finding.ts): undefined members are left out, as JSON.stringify does. */
function writeValue(w: JsonWriter, v: unknown): void {
  if (v === null || v === undefined) w.ascii('null');
  else if (typeof v === 'string') w.string(v);
  else if (typeof v === 'number') w.number(v);
  else if (typeof v === 'bigint') w.bigint(v);
  else if (typeof v === 'boolean') w.ascii(v ? 'true' : 'false');
  else if (Array.isArray(v)) {
    w.ascii('[');
    v.forEach((x, i) => {
      if (i > 0) w.ascii(',');
      writeValue(w, x);
    });
    w.ascii(']');
  } else {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort();
    w.ascii('{');
    keys.forEach((k, i) => {
      if (i > 0) w.ascii(',');
      w.string(k);
      w.ascii(':');
      writeValue(w, o[k]);
    });
    w.ascii('}');
  }
}
