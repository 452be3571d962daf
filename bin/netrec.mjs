#!/usr/bin/env node
// netrec ships TypeScript sources; tsx compiles them on load so `npx netrec` needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
