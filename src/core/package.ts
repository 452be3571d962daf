/**
 * Where netrec is installed and which version it is. Both work from the sources (src/core/) and
 * from the build (dist/), whose depths differ: the root is found by walking up to package.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Set by the build (scripts/build.mjs); absent when running from the sources. */
declare const __NETREC_VERSION__: string | undefined;

let root: string | undefined;

/** The directory holding netrec's package.json (the checkout, or the installed package). */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`netrec's package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  root = dir;
  return dir;
}

export function netrecVersion(): string {
  if (typeof __NETREC_VERSION__ === 'string') return __NETREC_VERSION__;
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
