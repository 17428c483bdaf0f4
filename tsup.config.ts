import { defineConfig } from 'tsup';

// Three entry points, built together so that ESM code splitting shares one copy of the
// core between them (one ExactDlnError class, one Snapshot class):
// - index:  the core library ('exact-dln'); it must depend on ml-matrix alone at run time
//           (pure-rand, for seeded random numbers, is bundled in; test/report/bundle-boundary.test.ts
//           checks this);
// - report: figures, the HTML report, the run-config schema and the CLI's run() ('exact-dln/report');
// - cli:    the `exact-dln` executable (package.json "bin" → dist/cli.js).
// The report and the CLI are ESM-only (vega is ESM-only; package.json exports "./report" for
// import only); their CommonJS files are a by-product of the shared build and are not exported.
export default defineConfig({
  entry: { index: 'src/index.ts', report: 'src/report/index.ts', cli: 'src/cli/bin.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  external: ['ml-matrix'],
  noExternal: ['pure-rand'],
});
