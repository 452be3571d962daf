/**
 * System tools a test needs (capinfos, zsh, groff, tmux...). Outside CI a missing tool skips
 * the tests that need it, with the reason printed; on CI (CI=true) it fails the test file, since
 * .ci/run installs every tool the tests use.
 */
import { spawnSync } from 'node:child_process';

/** True when `name` is on PATH. */
export function requireTool(name: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
  if (found) return true;
  const reason = `${name} is not installed`;
  if (process.env.CI === 'true') throw new Error(`${reason} (required on CI; .ci/run installs it)`);
  console.warn(`skipping tests that need it: ${reason}`);
  return false;
}
