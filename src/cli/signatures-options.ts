/**
 * The signature flags of `replay` and `record`, and what they set up: loading (usage errors,
 * exit 2, before any input is opened), the engine, findings into the sink, recorded findings,
 * and the end-of-run report. The commands call these; the option table is shared.
 */
import { readFileSync } from 'node:fs';
import { terminalText } from '../core/terminal-text.ts';
import { UsageError, type InputIssue, inputIssue } from '../core/errors.ts';
import { compileFilters, type FilterContext } from '../filter/compile.ts';
import { isSelection } from '../filter/events.ts';
import { parseExpression } from '../filter/expression.ts';
import type { FindingRecord } from '../nev/records.ts';
import { SignatureObserver, type SignatureObserverOptions } from '../pipeline/signatures.ts';
import { NevSource } from '../replay/nev-source.ts';
import type { PacketSource } from '../core/source.ts';
import { SignatureEngine, SignatureFailure, SignatureInitError, type LoadedSignature } from '../signature/engine.ts';
import type { Finding } from '../signature/finding.ts';
import { loadSignatures } from '../signature/load.ts';
import type { EventSink } from '../sink/sink.ts';
import type { ParsedArgs } from './spec.ts';

/** parseArgs options shared by replay and record. */
export const SIGNATURE_OPTIONS = {
  signatures: { type: 'string', multiple: true },
  'signatures-strict': { type: 'boolean' },
  'signatures-config': { type: 'string' },
} as const;

/** replay's: the shared ones plus --findings-only. */
export const REPLAY_SIGNATURE_OPTIONS = {
  ...SIGNATURE_OPTIONS,
  'findings-only': { type: 'boolean' },
} as const;

export const SIGNATURE_OPTIONS_HELP = `Signatures (replay and record; docs/signatures.md):
  --signatures DIR|FILE|builtin  Run signatures over the events (repeatable): the .ts, .mts,
                        .js and .mjs files of DIR, one FILE, or the builtin set. Findings are
                        printed in Tracee's finding JSON (or as table rows) after the event
                        that triggered them; record also stores them in the recording.
  --signatures-config FILE  JSON object: settings per signature id (see docs/signatures.md).
  --signatures-strict   A signature that throws ends the run (exit 1); by default it is
                        reported once, counted and kept running.
  --findings-only       replay: print findings only, no events. Without --signatures it
                        prints the findings a recording stored.
`;

export interface SignatureFlags {
  signatures: string[];
  strict: boolean;
  config?: string;
  findingsOnly: boolean;
}

/** From parseArgs values holding REPLAY_SIGNATURE_OPTIONS (or SIGNATURE_OPTIONS). */
export function signatureFlags(values: {
  signatures?: string[] | undefined;
  'signatures-strict'?: boolean | undefined;
  'signatures-config'?: string | undefined;
  'findings-only'?: boolean | undefined;
}): SignatureFlags {
  const flags: SignatureFlags = {
    signatures: values.signatures ?? [],
    strict: values['signatures-strict'] ?? false,
    findingsOnly: values['findings-only'] ?? false,
  };
  if (values['signatures-config'] !== undefined) flags.config = values['signatures-config'];
  if (flags.signatures.length === 0) {
    if (flags.strict) throw new UsageError('--signatures-strict needs --signatures');
    if (flags.config !== undefined) throw new UsageError('--signatures-config needs --signatures');
  }
  return flags;
}

/** The signature flags of a command's parsed arguments (replay, record). */
export function signatureFlagsOf(args: ParsedArgs): SignatureFlags {
  const config = args.string('signatures-config');
  return signatureFlags({
    signatures: [...args.strings('signatures')],
    'signatures-strict': args.flag('signatures-strict'),
    'findings-only': args.flag('findings-only'),
    ...(config !== undefined ? { 'signatures-config': config } : {}),
  });
}

export const NO_SIGNATURES: SignatureFlags = { signatures: [], strict: false, findingsOnly: false };

/** Loaded and initialised signatures; findings go wherever `route.onFinding` points when they come. */
export interface PreparedSignatures {
  engine: SignatureEngine;
  loaded: LoadedSignature[];
  route: { onFinding: (f: Finding) => void };
}

/** Loads, reads the config, runs every init(). UsageError for any problem (exit 2). */
export async function prepareSignatures(flags: SignatureFlags, warn: (line: string) => void): Promise<PreparedSignatures | undefined> {
  if (flags.signatures.length === 0) return undefined;
  const loaded = await loadSignatures(flags.signatures);
  const config = flags.config === undefined ? undefined : readConfig(flags.config);
  const ids = new Set(loaded.map((l) => l.signature.metadata.id));
  for (const id of Object.keys(config ?? {})) if (!ids.has(id)) warn(`--signatures-config: no loaded signature has id '${terminalText(id)}'`);
  const route = { onFinding: (_: Finding): void => undefined };
  const engine = new SignatureEngine(loaded, {
    strict: flags.strict,
    ...(config !== undefined ? { config } : {}),
    onFinding: (f) => route.onFinding(f),
    warn,
  });
  try {
    engine.init();
  } catch (err) {
    if (err instanceof SignatureInitError) throw new UsageError(err.message);
    throw err;
  }
  return { engine, loaded, route };
}

function readConfig(path: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`--signatures-config ${terminalText(path)}: ${terminalText((err as Error).message)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new UsageError(`--signatures-config ${terminalText(path)}: expected a JSON object of signature ids`);
  for (const [id, entry] of Object.entries(value)) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new UsageError(`--signatures-config ${terminalText(path)}: the entry for '${terminalText(id)}' must be an object`);
    }
  }
  return value as Record<string, unknown>;
}

/** What replay needs from the signature flags. */
export interface ReplaySignatures {
  /** The printed events' mask applies (false with --findings-only). */
  printEvents: boolean;
  observer?: SignatureObserver;
  /** Sends findings (fresh, or the recordings' stored ones) to the sink. Call once sources and sink exist. */
  attach(sink: EventSink, sources: readonly PacketSource[], trace: readonly string[], filterContext: FilterContext, report: (issue: InputIssue) => void): void;
  /** After the run: per-signature error counts on stderr. */
  finish(): void;
}

/**
 * Sets up replay's side: with --signatures the engine runs and recordings' stored findings are
 * not repeated (the signatures find them again); without it a recording's stored findings are
 * printed where they were recorded.
 */
export async function replaySignatures(flags: SignatureFlags, warn = stderrWarning): Promise<ReplaySignatures> {
  const prepared = await prepareSignatures(flags, warn);
  const result: ReplaySignatures = {
    printEvents: !flags.findingsOnly,
    attach(sink, sources, trace, filterContext, report) {
      if (prepared === undefined) {
        for (const s of sources) if (s instanceof NevSource) s.feedFindings((rec) => writeStored(sink, s.name, rec, report));
        return;
      }
      prepared.route.onFinding = (f) => sink.writeFinding?.(f);
      const scope = trace.filter((t) => !isSelection(parseExpression(t)));
      const accept = scope.length === 0 ? undefined : compileFilters(scope, filterContext).accept;
      const opts: SignatureObserverOptions = accept !== undefined ? { accept } : {};
      result.observer = new SignatureObserver(prepared.engine, opts);
    },
    finish() {
      if (prepared !== undefined) reportErrors(prepared.engine, warn);
    },
  };
  return result;
}

/** A stored finding is recording content, so hostile: its JSON must be one line of JSON. */
function writeStored(sink: EventSink, file: string, rec: FindingRecord, report: (issue: InputIssue) => void): void {
  let ok = !/[\r\n]/.test(rec.json);
  try {
    if (ok) JSON.parse(rec.json);
  } catch {
    ok = false;
  }
  if (!ok) {
    report(
      inputIssue(
        file,
        `finding record after packet ${rec.packetNumber}`,
        `signature ${terminalText(rec.signatureId)}: the stored finding is not one line of JSON; left out`,
      ),
    );
    return;
  }
  sink.writeFinding?.(rec);
}

export function reportErrors(engine: SignatureEngine, warn: (line: string) => void): void {
  for (const s of engine.stats) {
    if (s.errors > 1) warn(`signature ${s.id} (${terminalText(s.origin)}) threw ${s.errors} times in all (the first is reported above)`);
  }
}

/** Strict mode's stop, as the one error line. */
export function isSignatureFailure(err: unknown): err is SignatureFailure {
  return err instanceof SignatureFailure;
}

function stderrWarning(line: string): void {
  process.stderr.write(`netrec: warning: ${line}\n`);
}
