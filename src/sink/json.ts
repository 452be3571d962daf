import { ARG_VALUES, CONTEXT_FIELD_NAMES, CONTEXT_FIELDS, EVENT_ARGS, EVENT_NAMES, type ArgSchema, type FieldType } from '../event/schema.ts';
import type { EventArg, TraceeEvent } from '../event/types.ts';
import { JsonWriter } from './json-writer.ts';

/**
 * Tracee v0.10 events as JSON, keys in the schema's (Tracee's) order. Written into a buffer by
 * code compiled from the schema rather than by JSON.stringify because timestamp, threadStartTime and cgroupId are 64-bit and must print as
 * exact integers (JSON.stringify cannot print a bigint, and a Number would round them), and
 * because this runs millions of times: bytes go straight into a buffer, and the process-context
 * part of the envelope, the same for every event of a task, is encoded once and copied.
 */
export function writeEvent(w: JsonWriter, e: TraceeEvent): void {
  w.ascii('{"timestamp":');
  w.bigint(e.timestamp);
  w.bytes(contextBytes(e));
  w.bytes(nameBytes(e));
  w.number(e.argsNum);
  if (e.returnValue === 0 && e.stackAddresses.length === 1 && e.stackAddresses[0] === 0 && !e.contextFlags.containerStarted) {
    w.bytes(COMMON_TAIL);
  } else {
    w.ascii(',"returnValue":');
    w.number(e.returnValue);
    w.ascii(',"stackAddresses":');
    if (e.stackAddresses.length === 1 && e.stackAddresses[0] === 0) w.ascii('[0]');
    else w.utf8(JSON.stringify(e.stackAddresses));
    w.ascii(e.contextFlags.containerStarted ? ',"contextFlags":{"containerStarted":true},"args":[' : ',"contextFlags":{"containerStarted":false},"args":[');
  }
  const args = e.args;
  const compiled = ARGS_WRITERS.get(e.eventName);
  if (compiled === undefined || !compiled(w, args)) {
    for (let i = 0; i < args.length; i++) {
      if (i > 0) w.ascii(',');
      writeArg(w, args[i]!);
    }
  }
  w.ascii(']}');
}

/** What follows argsNum in nearly every event (return value 0, no stack, no container), encoded once. */
const COMMON_TAIL = Buffer.from(',"returnValue":0,"stackAddresses":[0],"contextFlags":{"containerStarted":false},"args":[', 'latin1');

/** `,"eventId":"…","eventName":"…","argsNum":` per event name (of the schema's), encoded once with the id last seen. */
const NAME_BYTES = new Map<string, { id: string; bytes: Uint8Array }>(EVENT_NAMES.map((n) => [n, { id: '', bytes: new Uint8Array(0) }]));

function nameBytes(e: TraceeEvent): Uint8Array {
  const known = NAME_BYTES.get(e.eventName);
  if (known !== undefined && known.id === e.eventId) return known.bytes;
  const w = new JsonWriter(128);
  w.ascii(',"eventId":"');
  w.ascii(e.eventId);
  w.ascii('","eventName":"');
  w.ascii(e.eventName);
  w.ascii('","argsNum":');
  const bytes = w.buf.subarray(0, w.pos);
  if (known !== undefined) {
    known.id = e.eventId;
    known.bytes = bytes;
  }
  return bytes;
}

/** One event as a JSON string (tests, the TUI's detail pane). */
export function eventToJSON(e: TraceeEvent): string {
  const w = new JsonWriter(1024);
  writeEvent(w, e);
  return w.toString();
}

/**
 * Straight-line code generated once from the event schema (src/event/schema.ts), the same code
 * one would write by hand per struct: one `w.ascii` per run of constant text (keys and
 * punctuation merged), one typed write per member, no per-event lookups of key lists. The
 * generated source holds only the schema's own names (JSON.stringify-quoted), never input.
 */
class Codegen {
  private lines: string[] = [];
  private text = '';
  private vars = 0;
  /** Writers this code calls (the items of struct arrays), passed in as d0, d1, ... */
  private deps: ValueWriter[] = [];
  /** Constant text, encoded once, passed in as c0, c1, ... */
  private consts: Uint8Array[] = [];

  /** Constant JSON text, merged with the text next to it. */
  ascii(t: string): void {
    this.text += t;
  }

  emit(line: string): void {
    this.flush();
    this.lines.push(line);
  }

  fresh(prefix: string): string {
    return `${prefix}${this.vars++}`;
  }

  flush(): void {
    const t = this.text;
    // A copy of encoded bytes beats a loop over the characters from about this length on.
    if (t.length >= CONSTANT_BYTES) this.lines.push(`w.bytes(c${this.consts.push(Buffer.from(t, 'latin1')) - 1});`);
    else if (t !== '') this.lines.push(`w.ascii(${JSON.stringify(t)});`);
    this.text = '';
  }

  /** Writes the value of `expr`, of type `type`. */
  value(type: FieldType, expr: string): void {
    switch (type.kind) {
      case 'number':
        return this.emit(`w.number(${expr});`);
      case 'string':
      case 'ip':
        return this.emit(`w.string(${expr});`);
      case 'array': {
        const a = this.fresh('a');
        const i = this.fresh('i');
        this.emit(`const ${a} = ${expr};`);
        // Go prints a nil slice as null; any array may be one.
        this.emit(`if (${a} === null) w.ascii('null'); else {`);
        this.ascii('[');
        this.emit(`for (let ${i} = 0; ${i} < ${a}.length; ${i}++) {`);
        this.emit(`if (${i} > 0) w.ascii(',');`);
        // A struct item gets a function of its own, shared by every array of that struct:
        // DNS records are written from three arrays, and one function per event that inlined
        // them all would grow too large for V8 to optimise.
        if (type.of.kind === 'struct') this.emit(`${this.dep(itemWriter(type.of))}(w, ${a}[${i}]);`);
        else this.value(type.of, `${a}[${i}]`);
        this.emit('}');
        this.ascii(']');
        this.emit('}');
        return;
      }
      case 'struct': {
        const v = this.fresh('v');
        this.emit(`const ${v} = ${expr};`);
        let first = true;
        for (const [key, member] of Object.entries(type.fields)) {
          this.ascii(`${first ? '{' : ','}${JSON.stringify(key)}:`);
          first = false;
          this.value(member, `${v}[${JSON.stringify(key)}]`);
        }
        this.ascii('}');
        return;
      }
    }
  }

  private dep(write: ValueWriter): string {
    let k = this.deps.indexOf(write);
    if (k < 0) k = this.deps.push(write) - 1;
    return `d${k}`;
  }

  /** The function; `head` goes first (a guard that must run before the rest). */
  compile<F>(params: string[], head = ''): F {
    this.flush();
    const names = [...this.deps.map((_, k) => `d${k}`), ...this.consts.map((_, k) => `c${k}`)];
    const source = `return function (${params.join(', ')}) {\n${[head, ...this.lines].join('\n')}\n};`;
    return new Function(...names, source)(...this.deps, ...this.consts) as F;
  }
}

/** Constant text at least this long is copied as bytes (JsonWriter.bytes), shorter text written by JsonWriter.ascii. */
const CONSTANT_BYTES = 8;

type ValueWriter = (w: JsonWriter, v: unknown) => void;

function compileValue(type: FieldType): ValueWriter {
  const g = new Codegen();
  g.value(type, 'v');
  return g.compile<ValueWriter>(['w', 'v']);
}

const ITEM_WRITERS = new Map<FieldType, ValueWriter>();

/** The writer of one array item of struct type `type`, compiled once per struct. */
function itemWriter(type: FieldType): ValueWriter {
  let write = ITEM_WRITERS.get(type);
  if (write === undefined) {
    write = compileValue(type);
    ITEM_WRITERS.set(type, write);
  }
  return write;
}

/** One writer per arg name (an arg name has one shape in every event). */
const VALUE_WRITERS: ReadonlyMap<string, ValueWriter> = new Map(
  [...ARG_VALUES]
    .filter(([, type]) => type.kind !== 'string' && type.kind !== 'ip' && type.kind !== 'number')
    .map(([name, type]) => [name, compileValue(type)]),
);

/** Writes an event's args; false, having written nothing, when they are not the schema's. */
type ArgsWriter = (w: JsonWriter, args: readonly EventArg[]) => boolean;

/**
 * All args of one event in one function: names and Tracee types are constant text. The args
 * are checked against the schema first (count, names, types, leaf values' JS types), so an
 * event made elsewhere that differs takes the generic path and prints what it holds.
 */
function compileArgs(args: readonly ArgSchema[]): ArgsWriter {
  const g = new Codegen();
  const checks = [`args.length === ${args.length}`];
  args.forEach((a, i) => {
    g.emit(`const arg${i} = args[${i}];`);
    checks.push(`arg${i}.name === ${JSON.stringify(a.name)}`, `arg${i}.type === ${JSON.stringify(a.type)}`);
    const kind = a.value.kind;
    if (kind === 'number') checks.push(`typeof arg${i}.value === 'number'`);
    else if (kind === 'string' || kind === 'ip') checks.push(`typeof arg${i}.value === 'string'`);
    else checks.push(`typeof arg${i}.value === 'object'`);
  });
  // The count is checked first, before args[i] is read.
  const head = `if (!(${checks.shift()})) return false;`;
  g.emit(`if (!(${checks.join(' && ')})) return false;`);
  args.forEach((a, i) => {
    g.ascii(`${i > 0 ? ',' : ''}{"name":${JSON.stringify(a.name)},"type":${JSON.stringify(a.type)},"value":`);
    g.value(a.value, `arg${i}.value`);
    g.ascii('}');
  });
  g.emit('return true;');
  return g.compile<ArgsWriter>(['w', 'args'], head);
}

const ARGS_WRITERS: ReadonlyMap<string, ArgsWriter> = new Map(EVENT_NAMES.map((n) => [n, compileArgs(EVENT_ARGS[n])]));

type ContextWriter = (w: JsonWriter, e: TraceeEvent) => void;
type SameContext = (a: TraceeEvent, b: TraceeEvent) => boolean;

/** Everything from threadStartTime to podUID, in CONTEXT_FIELDS order. */
function compileContext(): ContextWriter {
  const g = new Codegen();
  for (const name of CONTEXT_FIELD_NAMES) {
    g.ascii(`,${JSON.stringify(name)}:`);
    const kind = CONTEXT_FIELDS[name].kind;
    g.emit(`w.${kind === 'u64' ? 'bigint' : kind}(e[${JSON.stringify(name)}]);`);
  }
  return g.compile<ContextWriter>(['w', 'e']);
}

/** Every context field compared, written out rather than looped: this runs for every event. */
function compileSameContext(): SameContext {
  const tests = CONTEXT_FIELD_NAMES.map((name) => `a[${JSON.stringify(name)}] === b[${JSON.stringify(name)}]`);
  return new Function('a', 'b', `return ${tests.join(' && ')};`) as SameContext;
}

const writeContext = compileContext();
const sameContext = compileSameContext();

/** The context part of the last event written, memoised: it is the same for every event of a task. */
let lastContext: TraceeEvent | undefined;
let lastBytes: Uint8Array = new Uint8Array(0);

function contextBytes(e: TraceeEvent): Uint8Array {
  if (lastContext !== undefined && sameContext(lastContext, e)) return lastBytes;
  const w = new JsonWriter(512);
  writeContext(w, e);
  lastContext = e;
  lastBytes = w.buf.subarray(0, w.pos);
  return lastBytes;
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
 * Numbers and strings directly; structs and lists by the writer compiled for the arg's name;
 * a value of an arg the schema does not know through JSON.stringify.
 */
function writeValue(w: JsonWriter, name: string, v: unknown): void {
  switch (typeof v) {
    case 'string':
      return w.string(v);
    case 'number':
      return w.number(v);
  }
  const write = VALUE_WRITERS.get(name);
  if (write !== undefined) write(w, v);
  else w.utf8(JSON.stringify(v));
}
