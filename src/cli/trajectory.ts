/**
 * `exact-dln trajectory`: the exact trajectory of a configured network, as JSON or CSV.
 *
 * @module
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { kernelDistanceOfSnapshots } from '../analysis/kernel-distance-trajectory.js';
import { modeStrengths } from '../analysis/mode-strengths.js';
import type { Matrix } from 'ml-matrix';
import type { ExactDynamics } from '../core/exact-dynamics.js';
import type { Snapshot } from '../core/snapshot.js';
import { loadRunConfig, type ResolvedRun } from '../io/run-config.js';
import type { DynamicsPool } from '../parallel/index.js';
import { assertNotAllZero, parsePositiveInteger, poolForOption, saddleWarning, UsageError, type CliIo } from './io.js';
import { checkOutPath, chooseFormat, csvDocument, emit, jsonDocument, mapped, type OutputFormat } from './output.js';
import { LazyProgress } from './progress.js';

interface TrajectoryOptions {
  config: string;
  format?: OutputFormat;
  out?: string;
  matrices?: boolean;
  threads?: number;
  quiet?: boolean;
}

/** What the output reports at the times of one part of the grid (the representations only with --matrices). */
interface Points {
  loss: ArrayLike<number>;
  strengths: number[][];
  distance: number[];
  matrices?: { w2w1: Matrix[]; w1tw1: Matrix[]; w2w2t: Matrix[] };
}

/**
 * The points at `times` in this thread: each Snapshot's loss, its mode strengths (the
 * diagonal of Ũᵀ W2W1 Ṽ), then W2W1, W1ᵀW1, W2W2ᵀ — the order in which
 * {@link pointsOnPool} has the workers read them, so both give the same numbers — and the
 * kernel distance from the same factor. Each Snapshot is read as the kernel distance
 * reaches its time and then dropped.
 */
function pointsHere(dynamics: ExactDynamics, times: number[], matrices: boolean, progress: LazyProgress, done: number): Points {
  const n = times.length;
  const loss = new Float64Array(n);
  const strengths: number[][] = new Array<number[]>(n);
  const more = matrices ? { w2w1: new Array<Matrix>(n), w1tw1: new Array<Matrix>(n), w2w2t: new Array<Matrix>(n) } : undefined;
  const read = (snap: Snapshot, k: number): Snapshot => {
    loss[k] = snap.loss;
    strengths[k] = modeStrengths(snap).strengths;
    if (more !== undefined) {
      more.w2w1[k] = snap.w2w1;
      more.w1tw1[k] = snap.w1tw1;
      more.w2w2t[k] = snap.w2w2t;
    }
    progress.update(done + k + 1);
    return snap;
  };
  // kernelDistanceOfSnapshots asks for every time except 0 (whose distance is 0), in order.
  const distance = kernelDistanceOfSnapshots(dynamics, times, (t, k) => read(dynamics.at(t), k)).distance;
  times.forEach((t, k) => {
    if (t === 0) read(dynamics.at(0), k);
  });
  return { loss, strengths, distance, ...(more !== undefined ? { matrices: more } : {}) };
}

/** The points at `times` on the workers of `pool` (exact-dln/parallel): the same numbers as {@link pointsHere}. */
async function pointsOnPool(run: ResolvedRun, times: number[], matrices: boolean, pool: DynamicsPool): Promise<Points> {
  const options = { w1: run.w1, w2: run.w2, sigmaYX: run.task.sigmaYX, tau: run.tau };
  const names = matrices ? (['singularProduct', 'w2w1', 'w1tw1', 'w2w2t'] as const) : (['singularProduct'] as const);
  const result = await pool.trajectory(options, times, names, { kernelDistance: true });
  const r = Math.min(run.dynamics.inputDim, run.dynamics.outputDim);
  const strengths = result.singularProduct.map((m) => Array.from({ length: r }, (_, a) => m.get(a, a)));
  const more = 'w2w1' in result ? { matrices: { w2w1: result.w2w1, w1tw1: result.w1tw1, w2w2t: result.w2w2t } } : {};
  return { loss: result.loss, strengths, distance: result.kernelDistance, ...more };
}

/**
 * How many times are computed and written at once: the matrices of --matrices, about
 * 32 MB of them (the whole grid's may be far more than memory: 1000 times of a
 * 128×128×128 network are 0.4 GB), or 1024 times without them; on worker threads 4 such
 * parts per thread at once, so that each worker's set-up is shared by many times.
 */
function partSize(dynamics: ExactDynamics, matrices: boolean, threads: number): number {
  const { inputDim: ni, outputDim: no } = dynamics;
  const serial = matrices ? Math.min(1024, Math.max(1, Math.floor(2 ** 22 / (ni * ni + no * no + ni * no)))) : 1024;
  return threads > 1 ? serial * 4 * threads : serial;
}

/** One output record per time, part by part ({@link partSize}), computed as the output is written. */
async function* pointRecords(run: ResolvedRun, matrices: boolean, pool: DynamicsPool | undefined, progress: LazyProgress): AsyncGenerator<PointRecord> {
  const { dynamics, times } = run;
  const size = partSize(dynamics, matrices, pool?.threads ?? 1);
  try {
    for (let start = 0; start < times.length; start += size) {
      const part = times.slice(start, start + size);
      const points = pool === undefined ? pointsHere(dynamics, part, matrices, progress, start) : await pointsOnPool(run, part, matrices, pool);
      progress.update(start + part.length);
      const m = points.matrices;
      for (let k = 0; k < part.length; k++) {
        yield { t: part[k], loss: points.loss[k], strengths: points.strengths[k], distance: points.distance[k], ...(m !== undefined ? { w2w1: m.w2w1[k], w1tw1: m.w1tw1[k], w2w2t: m.w2w2t[k] } : {}) };
      }
    }
  } finally {
    progress.stop(); // also when a part fails: the bar is cleared and the cursor shown again
  }
}

/** The output at one time. */
interface PointRecord {
  t: number;
  loss: number;
  strengths: number[];
  distance: number;
  w2w1?: Matrix;
  w1tw1?: Matrix;
  w2w2t?: Matrix;
}

const EXAMPLES = `
Output:
  json: { "lambda", "tau", "inputDim", "hiddenDim", "outputDim", "sigma",
          "points": [ { "t", "loss", "modeStrengths": [..], "kernelDistance" } ] }
        (--matrices adds "w2w1", "w1tw1", "w2w2t" to every point)
  csv:  t,loss,kernel_distance,mode_1,...,mode_k   (one row per time; k = min(Ni, No))
  loss is ½‖Σyx − W2W1‖² (the loss above its minimum); kernelDistance is d(K(0), K(t)).
  The format defaults to csv for --out *.csv, json otherwise.

Examples:
  $ exact-dln trajectory --config run.json
  $ exact-dln trajectory --config run.json --format csv --out trajectory.csv
  $ exact-dln trajectory --config run.json --matrices --out trajectory.json
  $ exact-dln trajectory --config big.json --threads 4    # times split over 4 worker threads, same output

The config file format is in docs/cli.md and schema/run-config.schema.json.
`;

/** Registers `trajectory` on the program. */
export function registerTrajectory(program: Command, io: CliIo): void {
  program
    .command('trajectory')
    .description('the exact learning trajectory of the network in a JSON config file (output: JSON or CSV)')
    .requiredOption('--config <file>', 'the run configuration (JSON)')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv']))
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--matrices', 'include W2W1, W1ᵀW1 and W2W2ᵀ at every time (JSON only)')
    .option('--quiet', 'no progress bar')
    .option('--threads <n>', 'compute the times on n worker threads (exact-dln/parallel; the same numbers); default 1: in this thread', parsePositiveInteger)
    .addHelpText('after', EXAMPLES)
    .action(async (options: TrajectoryOptions) => {
      const format = chooseFormat(options.format, options.out);
      if (options.matrices && format === 'csv') throw new UsageError('option --matrices needs JSON output (--format json): CSV has one number per column.');
      const out = await checkOutPath(io, options.out);
      const threads = options.threads ?? 1;
      // Started before the config is read, so the workers load the library meanwhile.
      const pool = threads > 1 ? poolForOption(threads) : undefined;
      let dynamics: ExactDynamics;
      try {
        const run = await loadRunConfig(resolve(io.cwd, options.config));
        assertNotAllZero(run, resolve(io.cwd, options.config));
        dynamics = run.dynamics;
        const progress = new LazyProgress(options.quiet ? undefined : io.progress, run.times.length, 'exact trajectory');
        const records = pointRecords(run, options.matrices === true, pool, progress);
        if (format === 'csv') {
          const k = Math.min(dynamics.inputDim, dynamics.outputDim);
          const header = ['t', 'loss', 'kernel_distance', ...Array.from({ length: k }, (_, i) => `mode_${i + 1}`)];
          await emit(io, out, csvDocument(header, mapped(records, (p) => [p.t, p.loss, p.distance, ...p.strengths])));
        } else {
          const head = {
            lambda: dynamics.lambda,
            tau: dynamics.tau,
            inputDim: dynamics.inputDim,
            hiddenDim: dynamics.hiddenDim,
            outputDim: dynamics.outputDim,
            sigma: dynamics.sigma,
          };
          const points = mapped(records, (p) => ({
            t: p.t,
            loss: p.loss,
            modeStrengths: p.strengths,
            kernelDistance: p.distance,
            ...(p.w2w1 !== undefined ? { w2w1: p.w2w1.to2DArray(), w1tw1: p.w1tw1!.to2DArray(), w2w2t: p.w2w2t!.to2DArray() } : {}),
          }));
          await emit(io, out, jsonDocument(head, 'points', points));
        }
      } finally {
        await pool?.close();
      }
      const saddle = saddleWarning(dynamics);
      if (saddle !== undefined) io.err(saddle);
    });
}
