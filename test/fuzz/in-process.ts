/**
 * Runs the CLI's main() in this process with fresh stdout and stderr streams that capture what
 * is written: thousands of fuzz runs cost milliseconds each instead of a Node start-up each, and
 * an exception that escapes main() is caught here, with its stack, instead of ending a child.
 * No vitest import: the standalone runner (run.ts) uses it too.
 */
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';

export interface InProcessRun {
  /** Undefined when main() threw: `thrown` says what. */
  code?: number;
  thrown?: string;
  /** Rejections nobody handled while main() ran. */
  unhandled: string[];
  out: string;
  err: string;
  /** Set when the output passed the capture limit (its text is cut there). */
  outTruncated: boolean;
  ms: number;
  /** main() had not settled after the hang limit (it may still be waiting, on a FIFO say). */
  hung?: true;
}

/** Output kept per stream; more is counted, not stored (a run must not exhaust the harness). */
const CAPTURE_LIMIT = 16 * 1024 * 1024;

class Capture extends Writable {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.size + bytes.length > CAPTURE_LIMIT) this.truncated = true;
    else this.chunks.push(Buffer.from(bytes));
    this.size += bytes.length;
    done();
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function swap(name: 'stdout' | 'stderr', stream: Writable): () => void {
  const original = Object.getOwnPropertyDescriptor(process, name)!;
  Object.defineProperty(process, name, { configurable: true, enumerable: true, get: () => stream });
  return () => Object.defineProperty(process, name, original);
}

/** Runs main(args); a run still pending after `hangMs` is given up on and marked `hung`. */
export async function runInProcess(args: string[], hangMs = 120_000): Promise<InProcessRun> {
  const out = new Capture();
  const err = new Capture();
  const unhandled: string[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason instanceof Error ? (reason.stack ?? reason.message) : String(reason));
  process.on('unhandledRejection', onUnhandled);
  const restore = [swap('stdout', out), swap('stderr', err)];
  const started = performance.now();
  let code: number | undefined;
  let thrown: string | undefined;
  let hung = false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const gaveUp = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), hangMs)));
    const result = await Promise.race([main(args), gaveUp]);
    if (result === undefined) hung = true;
    else code = result;
  } catch (error) {
    thrown = error instanceof Error ? (error.stack ?? error.message) : String(error);
  } finally {
    clearTimeout(timer);
    for (const r of restore) r();
    // Let rejections raised during the run surface before the listener goes.
    await new Promise((resolve) => setImmediate(resolve));
    process.off('unhandledRejection', onUnhandled);
  }
  const run: InProcessRun = { unhandled, out: out.text(), err: err.text(), outTruncated: out.truncated, ms: performance.now() - started };
  if (code !== undefined) run.code = code;
  if (thrown !== undefined) run.thrown = thrown;
  if (hung) run.hung = true;
  return run;
}
