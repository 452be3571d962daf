#!/usr/bin/env node
// Test-only entry until the lead's option table wires the signature flags into `netrec replay`
// and adds `netrec signatures`: the same as bin/netrec.mjs, plus those two.
import { register } from 'tsx/esm/api';

register();
const { cli } = await import('./cli-entry.ts');
process.exitCode = await cli(process.argv.slice(2));
