#!/usr/bin/env node
// Builds dist/ from src/: one ES module bundle with code splitting (each command and the TUI in
// chunks of their own, loaded only when run), plus the man page and shell completions rendered
// from the command table. Run by `npm run build`, `npm ci` (prepare) and `npm pack` (prepack).
//
// esbuild rather than tsc: the bundle starts faster (docs/performance.md, "Start-up"), and Ink
// and React bundled into the TUI's chunk load in a fraction of the time Node needs to resolve
// their hundreds of files. Native and data-heavy packages stay external.
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

rmSync(dist, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  // Workers are loaded by path (new Worker), so each is an entry point of its own; what they share
  // with the CLI lands in common chunks. write-worker: the recording writer's thread
  // (src/nev/write-thread.ts loads it by this name); replay-worker: parallel replay's.
  entryPoints: {
    main: 'src/cli/main.ts',
    'cli-docs': 'src/cli/docs-entry.ts',
    'write-worker': 'src/nev/write-worker.ts',
    'replay-worker': 'src/pipeline/parallel/worker.ts',
  },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  jsx: 'automatic',
  // Runtime dependencies are installed with the package and loaded from node_modules.
  external: Object.keys(pkg.dependencies ?? {}),
  // Ink imports the React devtools only in development mode, which netrec never runs.
  alias: { 'react-devtools-core': './scripts/devtools-stub.mjs' },
  define: {
    __NETREC_VERSION__: JSON.stringify(pkg.version),
    'process.env.NODE_ENV': '"production"',
  },
  // CommonJS code bundled into ES modules (Ink's dependencies) still calls require().
  banner: { js: "import { createRequire as __netrecRequire } from 'node:module'; const require = __netrecRequire(import.meta.url);" },
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
});

const docs = await import(pathToFileURL(join(dist, 'cli-docs.js')).href);
const date = new Date(Number(process.env.SOURCE_DATE_EPOCH ?? 0) * 1000 || Date.now()).toISOString().slice(0, 10);
writeFileSync(join(dist, 'netrec.1'), docs.manPage(pkg.version, date));
mkdirSync(join(dist, 'completion'), { recursive: true });
writeFileSync(join(dist, 'completion', 'netrec.bash'), docs.bashCompletion());
writeFileSync(join(dist, 'completion', '_netrec'), docs.zshCompletion());

// Types for signature authors (`import type { Signature } from 'netrec/signature'`, package.json
// "exports"): tsc emits the API's declarations; their imports name .ts files, which a consumer
// resolves through the .js spelling to the .d.ts beside it.
const types = join(dist, 'types');
const tsconfig = join(dist, 'tsconfig.types.json');
writeFileSync(
  tsconfig,
  JSON.stringify({
    extends: join(root, 'tsconfig.json'),
    compilerOptions: { noEmit: false, declaration: true, emitDeclarationOnly: true, outDir: types, rootDir: join(root, 'src') },
    include: [],
    files: [join(root, 'src', 'signature', 'api.ts')],
  }),
);
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], { stdio: 'inherit' });
rmSync(tsconfig);
for (const entry of readdirSync(types, { recursive: true })) {
  const file = join(types, String(entry));
  if (!file.endsWith('.d.ts')) continue;
  writeFileSync(file, readFileSync(file, 'utf8').replace(/(from '\.{1,2}\/[^']*)\.ts'/g, "$1.js'"));
}

// The frame checksums' native library (native/frame-crc.c, loaded by src/nev/native-frames.ts):
// x86-64 only (SSE4.2). Built here rather than committed: it links nothing, so the package built
// on any x86-64 Linux carries one that loads on all of them. Without a C compiler the build goes
// on and the recorder computes the same checksums in JavaScript, slower (docs/performance.md).
if (process.platform === 'linux' && process.arch === 'x64') {
  const library = join(dist, 'native', `frame-crc-${process.platform}-${process.arch}.so`);
  mkdirSync(dirname(library), { recursive: true });
  const onPath = (name) => name !== '' && spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name]).status === 0;
  const cc = [process.env.CC ?? '', 'cc', 'clang', 'gcc'].find(onPath) ?? 'cc';
  try {
    execFileSync(
      cc,
      ['-O2', '-fPIC', '-shared', '-nostdlib', '-s', '-Wall', '-Wextra', '-Werror', '-Wl,--build-id=none', '-o', library, join(root, 'native', 'frame-crc.c')],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
  } catch (err) {
    console.warn(`netrec build: ${cc} could not build ${library} (${err.code ?? `exit ${err.status}`}): frame checksums will be computed in JavaScript`);
  }
}
