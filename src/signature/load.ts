/**
 * `--signatures DIR|FILE|builtin`: finds signature files, compiles and imports them, and checks
 * what they export. Any problem is a UsageError naming the file (exit 2): running with a
 * signature set other than the one asked for would give silently different findings.
 *
 * Every file (.ts, .mts, .js, .mjs) goes through esbuild: TypeScript is stripped, the file's own
 * relative imports are bundled in, and the result is imported from a data: URL. That needs
 * neither tsx nor a writable directory, works the same from the compiled package, and a
 * `import type` from netrec costs nothing at run time. Loading a signature runs its code: only
 * load signatures you trust, as with Tracee's Go plugins.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { terminalText } from '../core/terminal-text.ts';
import { UsageError } from '../core/errors.ts';
import { EventIds } from '../event/types.ts';
import type { Signature } from './api.ts';
import { builtinSignatures } from './builtin/index.ts';
import type { LoadedSignature } from './engine.ts';

/** The --signatures value that names the builtin set. */
export const BUILTIN = 'builtin';

const EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs']);

/** Loads every signature the specs name, in order; ids must be unique across all of them. */
export async function loadSignatures(specs: readonly string[]): Promise<LoadedSignature[]> {
  const out: LoadedSignature[] = [];
  const seen = new Map<string, string>();
  const add = (signature: Signature, origin: string): void => {
    const id = signature.metadata.id;
    const first = seen.get(id);
    if (first !== undefined)
      throw new UsageError(`${terminalText(origin)}: duplicate signature id '${terminalText(id)}' (already loaded from ${terminalText(first)})`);
    seen.set(id, origin);
    out.push({ signature, origin });
  };
  for (const spec of specs) {
    if (spec === BUILTIN) {
      for (const s of builtinSignatures()) add(s, BUILTIN);
      continue;
    }
    for (const file of signatureFiles(spec)) {
      for (const s of await loadFile(file)) add(s, file);
    }
  }
  return out;
}

/** A file as given, or a directory's signature files (not recursive; `_x.ts`, `.x.ts` and `.d.ts` are skipped), sorted. */
function signatureFiles(spec: string): string[] {
  let isDir: boolean;
  try {
    isDir = statSync(spec).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`--signatures ${terminalText(spec)}: ${code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  if (!isDir) {
    if (!EXTENSIONS.has(extname(spec))) throw new UsageError(`--signatures ${terminalText(spec)}: not a .ts, .mts, .js or .mjs file`);
    return [spec];
  }
  return readdirSync(spec, { withFileTypes: true })
    .filter((d) => d.isFile() && EXTENSIONS.has(extname(d.name)) && !d.name.endsWith('.d.ts') && !/^[._]/.test(d.name))
    .map((d) => d.name)
    .sort()
    .map((name) => join(spec, name));
}

async function loadFile(file: string): Promise<Signature[]> {
  const fail = (why: string): never => {
    throw new UsageError(`cannot load signatures from ${terminalText(file)}: ${terminalText(why)}`);
  };
  const code = await compile(file).catch((err: unknown) => fail(esbuildMessage(err)));
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as Record<string, unknown>;
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  const found: Signature[] = [];
  for (const [name, value] of Object.entries(namespace)) {
    const candidates = Array.isArray(value) ? value : [value];
    for (const [i, v] of candidates.entries()) {
      if (!looksLikeSignature(v) || found.includes(v as Signature)) continue;
      const problem = signatureProblem(v);
      if (problem !== undefined) fail(`export '${name}'${Array.isArray(value) ? `[${i}]` : ''}: ${problem}`);
      found.push(v as Signature);
    }
  }
  if (found.length === 0) fail('exports no signature (an object with metadata and onEvent)');
  return found;
}

async function compile(file: string): Promise<string> {
  const esbuild = await import('esbuild');
  try {
    const result = await esbuild.build({
      entryPoints: [resolve(file)],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      absWorkingDir: resolve(file, '..'),
    });
    return result.outputFiles[0]!.text;
  } finally {
    await esbuild.stop();
  }
}

/** esbuild's first error as `file:line:column: text`. */
function esbuildMessage(err: unknown): string {
  const first = (err as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors?.[0];
  if (first === undefined) return err instanceof Error ? err.message : String(err);
  const at = first.location ? `${basename(first.location.file)}:${first.location.line}:${first.location.column + 1}: ` : '';
  return `${at}${first.text}`;
}

function looksLikeSignature(v: unknown): boolean {
  return v !== null && typeof v === 'object' && 'metadata' in v && 'onEvent' in v;
}

const METADATA_STRINGS = ['version', 'name', 'description'] as const;
const OPTIONAL_METHODS = ['init', 'onSignal', 'close'] as const;

/** What is wrong with an object exported as a signature, or undefined. */
export function signatureProblem(v: unknown): string | undefined {
  const s = v as Record<string, unknown>;
  const m = s.metadata as Record<string, unknown> | null;
  if (m === null || typeof m !== 'object') return 'metadata must be an object';
  if (typeof m.id !== 'string' || !/^[\x21-\x7e]+$/.test(m.id)) return 'metadata.id must be a non-empty printable string without spaces';
  for (const key of METADATA_STRINGS) if (typeof m[key] !== 'string') return `metadata.${key} must be a string`;
  if (m.eventName !== undefined && typeof m.eventName !== 'string') return 'metadata.eventName must be a string';
  if (!Array.isArray(m.tags) || !m.tags.every((t) => typeof t === 'string')) return 'metadata.tags must be an array of strings';
  if (m.properties !== undefined) {
    const p = m.properties as Record<string, unknown> | null;
    if (p === null || typeof p !== 'object' || Array.isArray(p)) return 'metadata.properties must be an object';
    for (const [k, x] of Object.entries(p)) {
      if (x !== undefined && !['string', 'number', 'boolean'].includes(typeof x)) return `metadata.properties.${k} must be a string, number or boolean`;
    }
    if (p.Severity !== undefined && !(Number.isInteger(p.Severity) && (p.Severity as number) >= 0 && (p.Severity as number) <= 4)) {
      return 'metadata.properties.Severity must be an integer from 0 (info) to 4 (critical)';
    }
  }
  const events = s.selectedEvents;
  if (!Array.isArray(events) || events.length === 0) return "selectedEvents must be a non-empty array of event names or '*'";
  for (const e of events) {
    if (e !== '*' && !(typeof e === 'string' && Object.hasOwn(EventIds, e)))
      return `selectedEvents: unknown event '${String(e)}' (valid: ${Object.keys(EventIds).join(', ')}, *)`;
  }
  if (typeof s.onEvent !== 'function') return 'onEvent must be a function';
  for (const key of OPTIONAL_METHODS) if (s[key] !== undefined && typeof s[key] !== 'function') return `${key} must be a function`;
  return undefined;
}
