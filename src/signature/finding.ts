/**
 * A finding as the engine produces it, and the check that its data is JSON. The JSON form
 * (Tracee's detect.Finding) is written by src/sink/finding-json.ts.
 */
import type { TraceeEvent } from '../event/types.ts';
import type { FindingData, SignatureMetadata } from './api.ts';

export interface Finding {
  metadata: SignatureMetadata;
  /** The triggering event (Tracee's Finding.Event payload). */
  event: TraceeEvent;
  data: FindingData;
  /** The input and packet the event came from. */
  source: string;
  packetNumber: number;
}

const MAX_DEPTH = 32;

/**
 * Why `data` cannot be a finding's Data (a function, NaN, a cycle...), or undefined when it can.
 * Go's json.Marshal refuses the same things.
 */
export function findingDataProblem(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return 'data must be an object';
  return valueProblem(data, 'data', 0);
}

function valueProblem(v: unknown, path: string, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return `${path} nests deeper than ${MAX_DEPTH} levels (a cycle?)`;
  switch (typeof v) {
    case 'string':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return undefined;
    case 'number':
      return Number.isFinite(v) ? undefined : `${path} is ${v}, which JSON cannot hold`;
    case 'object': {
      if (v === null) return undefined;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const p = valueProblem(v[i], `${path}[${i}]`, depth + 1);
          if (p !== undefined) return p;
        }
        return undefined;
      }
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) return `${path} is a ${(v as object).constructor?.name ?? 'non-plain object'}, not a plain object`;
      for (const [k, x] of Object.entries(v)) {
        const p = valueProblem(x, `${path}.${k}`, depth + 1);
        if (p !== undefined) return p;
      }
      return undefined;
    }
    default:
      return `${path} is a ${typeof v}, which JSON cannot hold`;
  }
}

/** Tracee's Event.Origin(): container, container-init or host. */
export function eventOrigin(e: TraceeEvent): string {
  if (e.contextFlags.containerStarted) return 'container';
  return e.containerId !== '' ? 'container-init' : 'host';
}

const SEVERITY_NAMES = ['info', 'low', 'medium', 'high', 'critical'];

export function severityName(severity: unknown): string | undefined {
  return typeof severity === 'number' ? SEVERITY_NAMES[severity] : undefined;
}
