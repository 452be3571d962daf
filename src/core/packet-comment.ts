/**
 * netrec's packet context in a pcapng comment (docs/export.md, "The packet comment"): one line of
 * `key=value` fields that a person reads in Wireshark's packet list and netrec reads back, so
 * that a recording exported to pcapng replays with the same process context.
 *
 *   pid=9781 tid=9781 ppid=9700 comm=nc uid=0 cgroup=82 mntns=4026531841 pidns=4026531836
 *   start=1795909603000000000 cpu=1 cookie=4363
 *
 * The export writes it (src/sink/) and the pcapng reader parses it (src/replay/): it lives here,
 * below both. Values are bare when they are printable ASCII without space, quote, backslash or
 * '='; otherwise quoted, with \" and the escapes of escape.ts (\\ \n \r \t \u{HEX} for every
 * control, bidi or other invisible character), so a hostile comm cannot reorder or hide text in
 * a viewer.
 */
import { escapeText } from './escape.ts';
import type { TaskContext } from './packet.ts';

/** What a comment carries: the owning task and the packet fields only recordings have. */
export interface PacketContext {
  task?: TaskContext;
  cpu?: number;
  socketCookie?: bigint;
}

/** The comment for `ctx`, or undefined when there is nothing to say. */
export function formatPacketComment(ctx: PacketContext): string | undefined {
  const fields: string[] = [];
  const t = ctx.task;
  if (t !== undefined) {
    fields.push(`pid=${t.hostProcessId}`, `tid=${t.hostThreadId}`, `ppid=${t.hostParentProcessId}`, `comm=${quote(t.processName)}`, `uid=${t.userId}`);
    if (t.containerId !== '') fields.push(`container=${quote(t.containerId)}`);
    fields.push(`cgroup=${t.cgroupId}`);
    // Inside a pid namespace the ids differ from the host's; outside they are the same and the
    // comment stays short.
    if (t.processId !== t.hostProcessId) fields.push(`nspid=${t.processId}`);
    if (t.threadId !== t.hostThreadId) fields.push(`nstid=${t.threadId}`);
    if (t.parentProcessId !== t.hostParentProcessId) fields.push(`nsppid=${t.parentProcessId}`);
    fields.push(`mntns=${t.mountNamespace}`, `pidns=${t.pidNamespace}`);
    if (t.hostName !== '') fields.push(`uts=${quote(t.hostName)}`);
    fields.push(`start=${t.threadStartTime}`);
  }
  if (ctx.cpu !== undefined) fields.push(`cpu=${ctx.cpu}`);
  if (ctx.socketCookie !== undefined) fields.push(`cookie=${ctx.socketCookie}`);
  return fields.length === 0 ? undefined : fields.join(' ');
}

/**
 * The context in `text`; undefined when the comment is not netrec's (a person's note), a
 * problem when it is netrec-shaped but a value is out of range or a required key is missing.
 */
export function parsePacketComment(text: string): PacketContext | { problem: string } | undefined {
  const fields = splitFields(text);
  if (fields === undefined) return undefined;
  const first = fields.keys().next().value;
  if (first !== 'pid' && first !== 'cpu' && first !== 'cookie') return undefined;
  try {
    return readContext(fields);
  } catch (err) {
    if (err instanceof BadField) return { problem: `packet comment: ${err.message}` };
    throw err;
  }
}

class BadField extends Error {}

const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;
const U64_MAX = (1n << 64n) - 1n;

function readContext(f: Map<string, string>): PacketContext {
  const ctx: PacketContext = {};
  if (f.has('pid')) {
    const pid = int(f, 'pid', -(2 ** 31), INT32_MAX);
    const tid = int(f, 'tid', -(2 ** 31), INT32_MAX);
    const ppid = int(f, 'ppid', -(2 ** 31), INT32_MAX);
    ctx.task = {
      threadStartTime: u64(f, 'start'),
      processId: f.has('nspid') ? int(f, 'nspid', -(2 ** 31), INT32_MAX) : pid,
      threadId: f.has('nstid') ? int(f, 'nstid', -(2 ** 31), INT32_MAX) : tid,
      parentProcessId: f.has('nsppid') ? int(f, 'nsppid', -(2 ** 31), INT32_MAX) : ppid,
      hostProcessId: pid,
      hostThreadId: tid,
      hostParentProcessId: ppid,
      userId: int(f, 'uid', 0, UINT32_MAX),
      mountNamespace: int(f, 'mntns', 0, UINT32_MAX),
      pidNamespace: int(f, 'pidns', 0, UINT32_MAX),
      processName: required(f, 'comm'),
      hostName: f.get('uts') ?? '',
      cgroupId: u64(f, 'cgroup'),
      containerId: f.get('container') ?? '',
    };
  }
  if (f.has('cpu')) ctx.cpu = int(f, 'cpu', 0, UINT32_MAX);
  if (f.has('cookie')) ctx.socketCookie = u64(f, 'cookie');
  return ctx;
}

function required(f: Map<string, string>, key: string): string {
  const v = f.get(key);
  if (v === undefined) throw new BadField(`${key}= is missing`);
  return v;
}

function int(f: Map<string, string>, key: string, min: number, max: number): number {
  const text = required(f, key);
  const n = /^-?\d{1,20}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new BadField(`${key}=${quote(text)} is not an integer in ${min}..${max}`);
  return n;
}

function u64(f: Map<string, string>, key: string): bigint {
  const text = required(f, key);
  const n = /^\d{1,20}$/.test(text) ? BigInt(text) : -1n;
  if (n < 0n || n > U64_MAX) throw new BadField(`${key}=${quote(text)} is not an unsigned 64-bit integer`);
  return n;
}

/**
 * `key=value` fields separated by single spaces, in order; undefined for text of another shape
 * (which is then a person's comment, not netrec's).
 */
function splitFields(text: string): Map<string, string> | undefined {
  const fields = new Map<string, string>();
  let i = 0;
  while (i < text.length) {
    const key = /^([a-z]+)=/.exec(text.slice(i, i + 24));
    if (key === null || fields.has(key[1]!)) return undefined;
    i += key[0].length;
    let value: string;
    if (text[i] === '"') {
      const quoted = unquote(text, i);
      if (quoted === undefined) return undefined;
      [value, i] = quoted;
    } else {
      const end = text.indexOf(' ', i);
      value = text.slice(i, end < 0 ? text.length : end);
      if (!BARE.test(value)) return undefined;
      i += value.length;
    }
    fields.set(key[1]!, value);
    if (i === text.length) break;
    if (text[i] !== ' ') return undefined;
    i++;
  }
  return fields.size > 0 ? fields : undefined;
}

/** Printable ASCII other than space, quote, backslash and '='. */
const BARE = /^[!#-<>-[\]-~]+$/;

/** `value` bare when it can be, else quoted with escapes (src/core/escape.ts, and \"). */
export function quote(value: string): string {
  if (BARE.test(value)) return value;
  return `"${escapeText(value).replaceAll('"', '\\"')}"`;
}

const UNESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', n: '\n', r: '\r', t: '\t' };

/** The quoted value starting at `at` and the index after its closing quote. */
function unquote(text: string, at: number): [string, number] | undefined {
  let out = '';
  let i = at + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') return [out, i + 1];
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === 'u') {
      const hex = /^\{([0-9a-f]{1,6})\}/.exec(text.slice(i + 2, i + 10));
      const code = hex === null ? NaN : Number.parseInt(hex[1]!, 16);
      if (!(code <= 0x10ffff)) return undefined;
      out += String.fromCodePoint(code);
      i += 2 + hex![0].length;
      continue;
    }
    const plain = next === undefined ? undefined : UNESCAPES[next];
    if (plain === undefined) return undefined;
    out += plain;
    i += 2;
  }
  return undefined;
}
