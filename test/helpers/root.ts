import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/**
 * Tests that need root (mounting a small tmpfs, reading as another user): skipped with the reason
 * printed outside CI, failing on CI (CI=true), where they run as root.
 */
export function requireRoot(what: string): boolean {
  if (process.getuid?.() === 0) return true;
  const reason = `${what} needs root`;
  if (process.env.CI === 'true') throw new Error(`${reason} (required on CI)`);
  console.warn(`skipping: ${reason}`);
  return false;
}

/**
 * A tmpfs of `size` (mount's syntax: 1m, 2m) mounted for the enclosing describe block (root
 * only): returns a function giving its path once mounted.
 */
export function tmpfsForBlock(size: string): () => string {
  let mount = '';
  beforeAll(() => {
    mount = mkdtempSync(join(tmpdir(), 'netrec-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'netrec-test', mount]);
  });
  afterAll(() => {
    execFileSync('umount', [mount]);
    rmSync(mount, { recursive: true, force: true });
  });
  return () => mount;
}
