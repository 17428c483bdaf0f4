/**
 * Shared pieces of the benchmarks in bench/: the benchmark configuration (one network and
 * task per width n), timing through tinybench, the machine description, tables, the
 * log-log fit and the results files. Not part of the library.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Bench } from 'tinybench';
import type { Matrix } from 'ml-matrix';
import { lambdaBalancedWeights, randomTask } from '../src/index.js';
import { kernelBackend, type KernelBackend } from '../src/linalg/wasm.js';

/** Directory of the committed results (bench/results). */
export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'results');

/** Common options of every benchmark function. */
export interface BenchRunOptions {
  /** Tiny sizes and few iterations (CI); nothing is written. */
  smoke?: boolean;
  /** Print tables (default true). */
  print?: boolean;
  /** Write bench/results/<name>.json (default: true unless smoke). */
  write?: boolean;
}

/**
 * The benchmark network of width n: Ni = Nh = No = n, a random whitened task whose Σyx has
 * entries of standard deviation 0.15/√n (singular values up to ≈ 0.3) and λ-balanced
 * weights with λ = 0.25 and product singular values 0.05·|N(0, 1)| in random (unaligned)
 * directions. γ_max = √(σ_max² + λ²/4) ≈ 0.33, so e^{2γ_max·s} ≈ 5e5 at s = 20: the naive
 * formula of MATH.md §4 (numpy reference) stays well conditioned, and the strongest modes
 * are learned well before t = 20τ.
 */
export interface BenchConfig {
  n: number;
  lambda: number;
  sigmaYX: Matrix;
  w1: Matrix;
  w2: Matrix;
}

export const BENCH_LAMBDA = 0.25;

export function benchConfig(n: number, seed = 1): BenchConfig {
  const task = randomTask({ inputDim: n, outputDim: n, samples: n, seed, scale: 0.15 / Math.sqrt(n) });
  const { w1, w2 } = lambdaBalancedWeights({ inputDim: n, hiddenDim: n, outputDim: n, lambda: BENCH_LAMBDA, scale: 0.05, seed: seed + 1000 });
  return { n, lambda: BENCH_LAMBDA, sigmaYX: task.sigmaYX, w1, w2 };
}

/** `count` equally spaced times t_k = k·tEnd/count, k = 1..count (τ = 1). */
export function timeGrid(count: number, tEnd = 20): Float64Array {
  return Float64Array.from({ length: count }, (_, k) => ((k + 1) * tEnd) / count);
}

/** One measured task: latencies in milliseconds per call of the measured function. */
export interface Timing {
  /** Median latency (ms). */
  median: number;
  /** Smallest latency (ms). */
  min: number;
  /** Number of timed calls. */
  samples: number;
}

/** Options of {@link measure} and {@link measureAsync}. */
export interface MeasureOptions {
  time?: number;
  iterations?: number;
  warmup?: number;
  warmupTime?: number;
}

/** A tinybench run of one task with {@link MeasureOptions}. */
function benchOf(options: MeasureOptions): Bench {
  const warmup = options.warmup ?? 1;
  return new Bench({
    time: options.time ?? 200,
    iterations: options.iterations ?? 5,
    warmup: warmup > 0,
    warmupIterations: warmup,
    // Cheap tasks are warmed up for a while (JIT); a slow task gets `warmup` calls only.
    warmupTime: warmup > 0 ? (options.warmupTime ?? Math.min(50, options.time ?? 200)) : 0,
    throws: true,
  });
}

/** The {@link Timing} of a finished tinybench task; `sink` is read so that nothing is optimised away. */
function timingOf(task: Bench['tasks'][number], sink: unknown): Timing {
  const result = task.result;
  if (result.state !== 'completed') throw new Error(`benchmark task did not complete (state ${result.state})`);
  if (sink === Symbol.for('never')) console.log(sink);
  return { median: result.latency.p50, min: result.latency.min, samples: result.latency.samplesCount };
}

/**
 * Times `fn` with tinybench: at least `iterations` calls and `time` ms, after at least
 * `warmup` untimed calls and `warmupTime` ms (default 1 call and min(50, time) ms; pass
 * warmup 0 for very slow tasks and warm them up on a smaller case instead). The result keeps a reference to each call's return value so that nothing is
 * optimised away.
 */
export function measure(fn: () => unknown, options: MeasureOptions = {}): Timing {
  let sink: unknown;
  const bench = benchOf(options);
  bench.add('task', () => {
    sink = fn();
  });
  const [task] = bench.runSync();
  return timingOf(task, sink);
}

/** {@link measure} for an asynchronous task: each call is awaited before the next starts. */
export async function measureAsync(fn: () => Promise<unknown>, options: MeasureOptions = {}): Promise<Timing> {
  let sink: unknown;
  const bench = benchOf(options);
  bench.add('task', async () => {
    sink = await fn();
  });
  const [task] = await bench.run();
  return timingOf(task, sink);
}

let gcFunction: (() => void) | undefined;
let retained: unknown;

/** Two full garbage collections (V8's `gc`, exposed for this process on first use). */
function collectGarbage(): void {
  if (gcFunction === undefined) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  }
  gcFunction();
  gcFunction();
}

/**
 * The memory kept alive by what `make` returns, in bytes: the growth of V8's heap and of
 * the ArrayBuffers' storage (Float64Arrays) between full garbage collections before and
 * after the call. Whatever `make` allocates and drops is not counted.
 */
export function retainedBytes(make: () => unknown): { heap: number; arrayBuffers: number } {
  collectGarbage();
  const before = process.memoryUsage();
  retained = make();
  collectGarbage();
  const after = process.memoryUsage();
  retained = undefined;
  return { heap: after.heapUsed - before.heapUsed, arrayBuffers: after.arrayBuffers - before.arrayBuffers };
}

/** Bytes as kB or MB (decimal), three significant digits. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toPrecision(3)} MB`;
  return `${(bytes / 1e3).toPrecision(3)} kB`;
}

/** The machine the numbers were measured on. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  loadAverage: number[];
  date: string;
  /** The dense kernels in use: WebAssembly SIMD or JavaScript (`--kernels=`). */
  kernels: KernelBackend;
}

export function machineInfo(): MachineInfo {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const line = execFileSync('lscpu', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .find((l) => l.startsWith('Model name:'));
    if (line) cpu = line.slice('Model name:'.length).trim();
  } catch {
    // lscpu is not available everywhere; os.cpus() is.
  }
  return {
    cpu,
    cores: cpus().length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage: loadavg().map((x) => round(x, 3)),
    date: new Date().toISOString(),
    kernels: kernelBackend(),
  };
}

/** Least-squares slope of log(y) against log(x): the exponent p of y ∝ x^p. */
export function fitExponent(xs: readonly number[], ys: readonly number[]): number {
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < lx.length; i++) {
    sxy += (lx[i] - mx) * (ly[i] - my);
    sxx += (lx[i] - mx) ** 2;
  }
  return sxy / sxx;
}

/** x rounded to `digits` significant digits (keeps the results files small). */
export function round(x: number, digits = 4): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(digits));
}

/** Formats a duration given in milliseconds with a unit that suits it. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  if (ms >= 1e-3) return `${(ms * 1e3).toFixed(2)} µs`;
  return `${(ms * 1e6).toFixed(0)} ns`;
}

/** Prints a table: a title line, then aligned columns. */
export function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string => r.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(line(r));
}

/** Writes bench/results/<name>.json (pretty-printed, numbers as given). */
export function writeResults(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 1)}\n`);
  return file;
}

/** PASS/FAIL marker for a target. */
export function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'FAIL';
}
