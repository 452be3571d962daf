import { readFileSync } from 'node:fs';

/** netrec's version, from package.json: recordings and exports name the version that wrote them. */
export const NETREC_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
