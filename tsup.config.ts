import { defineConfig } from 'tsup';

// The entry points, built together so that ESM code splitting shares one copy of the
// core between them (one ExactDlnError class, one Snapshot class):
// - index:  the core library ('exact-dln'); it must depend on ml-matrix alone at run time
//           (pure-rand, for seeded random numbers, is bundled in; test/report/bundle-boundary.test.ts
//           checks this);
// - report: figures, the HTML report, the run-config schema and the CLI's run() ('exact-dln/report');
// - cli:    the `exact-dln` executable (package.json "bin" → dist/cli.js);
// - parallel: learning curves on worker threads ('exact-dln/parallel', Node.js only), whose
//           worker is its own entry (dist/parallel-worker.js, found next to parallel.js;
//           exported as 'exact-dln/parallel-worker' for applications that bundle the pool
//           and pass their copy as createDynamicsPool({ workerUrl })).
// The report, the CLI and the parallel pool are ESM-only (vega is ESM-only; package.json
// exports "./report" and "./parallel" for import only); their CommonJS files are a
// by-product of the shared build and are not exported (`shims` gives the pool's CommonJS
// copy an import.meta.url, so that it builds without warnings and still finds its worker).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    report: 'src/report/index.ts',
    cli: 'src/cli/bin.ts',
    parallel: 'src/parallel/index.ts',
    'parallel-worker': 'src/parallel/worker.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'node20',
  external: ['ml-matrix'],
  noExternal: ['pure-rand'],
});
