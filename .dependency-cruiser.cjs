/**
 * The layer rule of docs/architecture.md, checked on every `npm test`: a folder of src/ may
 * import only from the folders below it. Order, bottom up:
 *
 *   core → decode, nev → event → format, traffic → filter → signature → sink, table → replay, stats, query, ship → pipeline → record, tui → cli
 *
 * (folders on one line may not import each other). Plus: no import cycles anywhere.
 */
const LAYERS = [
  ['core'],
  ['decode', 'nev'],
  ['event'],
  ['format', 'traffic'],
  ['filter'],
  ['signature'],
  ['sink', 'table'],
  ['replay', 'stats', 'query', 'ship'],
  ['pipeline'],
  ['record', 'tui'],
  ['cli'],
];

const level = Object.fromEntries(LAYERS.flatMap((names, i) => names.map((n) => [n, i])));
// Every folder of src/ must have a layer: a new one fails the check until it is placed.
const unplaced = {
  name: 'unplaced-folder',
  comment: `every folder of src/ has a layer in .dependency-cruiser.cjs (${Object.keys(level).join(', ')})`,
  severity: 'error',
  from: { path: `^src/(?!(${Object.keys(level).join('|')})/)[^/]+/` },
  to: {},
};
const forbidden = Object.keys(level).map((name) => {
  const notBelow = Object.keys(level).filter((other) => other !== name && level[other] >= level[name]);
  return {
    name: `layer-${name}`,
    comment: `src/${name}/ may import only from layers below it (docs/architecture.md): not from ${notBelow.join(', ')}`,
    severity: 'error',
    from: { path: `^src/${name}/` },
    to: { path: `^src/(${notBelow.join('|')})/` },
  };
});

module.exports = {
  forbidden: [
    unplaced,
    ...forbidden,
    { name: 'no-cycles', comment: 'import cycles make layers meaningless', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'src-not-from-tests',
      comment: 'product code never imports tests or benchmarks',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs'] },
  },
};
