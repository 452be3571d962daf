/**
 * What identifies an input across runs of `ship`: the SHA-256 of its content (a recording
 * directory: of its file names and contents, in name order), with the host name and filters it
 * was shipped with, which change its rows. The same recording shipped again, from any path, has
 * the same key and adds nothing.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

async function hashFile(path: string, hash: ReturnType<typeof createHash>): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

export async function inputKey(path: string, hostName: string | undefined, trace: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      const file = join(path, name);
      if (!statSync(file).isFile()) continue;
      hash.update(`${name}\0`);
      await hashFile(file, hash);
    }
  } else {
    await hashFile(path, hash);
  }
  return `${hash.digest('hex')}:${JSON.stringify([hostName ?? null, trace])}`;
}
