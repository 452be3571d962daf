/**
 * The CLI tests run bin/netrec.mjs, which runs the build (dist/): build it once from the current
 * sources before any test, so that every CLI test exercises what a user installs.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}
