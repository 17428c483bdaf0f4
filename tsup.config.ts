import { defineConfig } from 'tsup';

// The core entry point must depend on ml-matrix alone: pure-rand (seeded random
// numbers) is bundled into the output rather than imported at run time.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  external: ['ml-matrix'],
  noExternal: ['pure-rand'],
});
