/**
 * Entry point of the benchmarks: `npm run bench` (full sizes; tables, and JSON under
 * bench/results/) or `npm run bench:smoke` (tiny sizes and iterations, nothing written,
 * < 30 s; exits non-zero if anything throws; skips the numpy part with a notice when
 * python3 or numpy is missing).
 *
 * Flags: --smoke, --only=<name>[,<name>…] with names closed-form-vs-simulation, scaling,
 * kernel-distance, numpy-reference, wide-network, parallel; --kernels=js|wasm|auto chooses the dense kernels
 * (default auto: WebAssembly SIMD where available). With --kernels=js nothing is written:
 * that run is for comparing against the committed results.
 */
import { pathToFileURL } from 'node:url';
import { runClosedFormVsSimulation } from './closed-form-vs-simulation.js';
import { setKernelBackend } from '../src/linalg/wasm.js';
import { machineInfo, type BenchRunOptions } from './harness.js';
import { runKernelDistance } from './kernel-distance.js';
import { runNumpyReference } from './numpy-reference.js';
import { runParallel } from './parallel.js';
import { runScaling } from './scaling.js';
import { runWideNetwork } from './wide-network.js';

const BENCHMARKS: Record<string, (options: BenchRunOptions) => unknown> = {
  'closed-form-vs-simulation': runClosedFormVsSimulation,
  scaling: runScaling,
  'kernel-distance': runKernelDistance,
  'numpy-reference': runNumpyReference,
  'wide-network': runWideNetwork,
  parallel: runParallel,
};

/** Runs the selected benchmarks in order (each finished before the next); returns the wall time in ms. */
export async function runAll(options: BenchRunOptions & { only?: string[] } = {}): Promise<number> {
  const names = options.only ?? Object.keys(BENCHMARKS);
  for (const name of names) {
    if (!(name in BENCHMARKS)) throw new Error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  }
  const start = performance.now();
  for (const name of names) await BENCHMARKS[name]({ smoke: options.smoke, print: options.print, write: options.write });
  return performance.now() - start;
}

async function main(argv: string[]): Promise<void> {
  const smoke = argv.includes('--smoke');
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const kernels = argv.find((a) => a.startsWith('--kernels='))?.slice('--kernels='.length) ?? 'auto';
  if (kernels !== 'js' && kernels !== 'wasm' && kernels !== 'auto') throw new Error(`--kernels must be js, wasm or auto, not "${kernels}"`);
  setKernelBackend(kernels);
  const write = !smoke && kernels !== 'js';
  const m = machineInfo();
  console.log(`exact-dln benchmarks${smoke ? ' (smoke)' : ''} — ${m.cpu}, ${m.cores} cores, node ${m.node}, ${m.kernels} kernels, load ${m.loadAverage.join(' ')}`);
  const ms = await runAll({ smoke, only, write });
  console.log(`\ndone in ${(ms / 1000).toFixed(1)} s${write ? '; results in bench/results/' : ''}`);
}

// Run only when executed (`tsx bench/run.ts`), not when imported (test/bench/smoke.test.ts).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
