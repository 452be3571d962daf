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
