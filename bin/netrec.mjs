#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm run build`; npm ci and npm pack build it).
let main;
try {
  ({ main } = await import('../dist/main.js'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/main.js')) throw err;
  process.stderr.write('netrec: not built: run `npm run build` in the checkout (npm ci and npm pack build it)\n');
  process.exit(70);
}
process.exitCode = await main(process.argv.slice(2));
