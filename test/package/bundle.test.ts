/**
 * What each command loads, read from the build's import graph: start-up stays small because
 * only the TUI's chunk holds Ink and React, and no other command reaches it through static
 * imports (dynamic imports load only when their command runs).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.ts';

const DIST = join(REPO, 'dist');

/** Every file `entry` loads through static imports, itself included. */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\b[^;]*?from\s+"(\.[^"]+)";|^import\s+"(\.[^"]+)";/gms)) {
      visit(join(dirname(file), (m[1] ?? m[2])!));
    }
  };
  visit(entry);
  return seen;
}

function commandChunk(name: string): string {
  const main = readFileSync(join(DIST, 'main.js'), 'utf8');
  const m = new RegExp(`import\\("(\\./chunks/${name}-command-[^"]+)"\\)`).exec(main);
  return join(DIST, m![1]!);
}

const holdsReact = (file: string): boolean => readFileSync(file, 'utf8').includes('Symbol.for("react.');

describe('the build (dist/, made by the test set-up)', () => {
  it('start-up (main.js) loads no command and no React', () => {
    const files = [...staticClosure(join(DIST, 'main.js'))];
    expect(files.filter(holdsReact)).toEqual([]);
    expect(files.some((f) => /-command-/.test(f))).toBe(false);
  });

  it.each(['replay', 'record', 'info', 'verify', 'convert'])('%s never loads Ink or React', (name) => {
    expect([...staticClosure(commandChunk(name))].filter(holdsReact)).toEqual([]);
  });

  it("record's write thread has its own module (dist/write-worker.js), without Ink or React", () => {
    const files = [...staticClosure(join(DIST, 'write-worker.js'))];
    expect(files.filter(holdsReact)).toEqual([]);
    expect(readFileSync(join(DIST, 'write-worker.js'), 'utf8')).toContain('src/nev/write-worker.ts');
  });

  it('tui loads them, bundled (no Ink or React from node_modules at run time)', () => {
    const tui = readFileSync(commandChunk('tui'), 'utf8');
    const run = /import\("(\.\/[^"]+)"\)/.exec(tui)![1]!;
    const closure = [...staticClosure(join(DIST, 'chunks', run))];
    expect(closure.some(holdsReact)).toBe(true);
    for (const f of closure) expect(readFileSync(f, 'utf8')).not.toMatch(/from "(ink|react)"/);
  });
});
