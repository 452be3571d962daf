/**
 * The shared test data (public captures and their manifest) lives next to the repository, in
 * ../shared, and is never copied into it. Tests that need it call requireShared() while they are
 * collected: on CI a missing directory fails the run, elsewhere those tests are skipped with the
 * reason printed.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** `../shared` from the repository root. */
export function sharedDir(): string {
  return fileURLToPath(new URL('../../../shared', import.meta.url));
}

/**
 * The path of `parts` inside the shared directory, or undefined when it is missing and this is
 * not CI (use with describe.skipIf). On CI (CI=true) a missing path throws, failing the test file.
 */
export function requireShared(...parts: string[]): string | undefined {
  const path = join(sharedDir(), ...parts);
  if (existsSync(path)) return path;
  const reason = `shared test data not found: ${path}`;
  if (process.env.CI === 'true') throw new Error(`${reason} (required on CI)`);
  console.warn(`skipping tests that need it: ${reason}`);
  return undefined;
}
