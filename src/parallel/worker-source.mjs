// Starts src/parallel/worker.ts from the TypeScript sources (tests, benchmarks, `tsx`
// scripts), through tsx's loader (a dev dependency); the published package runs the built
// dist/parallel-worker.js instead. Not part of the package.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
