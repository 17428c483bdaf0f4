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
import { loadRunConfig, type ResolvedRun } from '../io/run-config.js';
import type { DynamicsPool } from '../parallel/index.js';
import { assertNotAllZero, parsePositiveInteger, poolForOption, saddleWarning, UsageError, type CliIo } from './io.js';
import { checkOutPath, chooseFormat, emit, toCsv, toJson, type OutputFormat } from './output.js';

interface TrajectoryOptions {
  config: string;
  format?: OutputFormat;
  out?: string;
  matrices?: boolean;
  threads?: number;
}

/** What the output reports at every time (the representations only with --matrices). */
interface Points {
  loss: ArrayLike<number>;
  strengths: number[][];
  distance: number[];
  matrices?: { w2w1: Matrix[]; w1tw1: Matrix[]; w2w2t: Matrix[] };
}

/**
 * The points in this thread: each Snapshot's loss, its mode strengths (the diagonal of
 * Ũᵀ W2W1 Ṽ), then W2W1, W1ᵀW1, W2W2ᵀ — the order in which {@link pointsOnPool} has the
 * workers read them, so both give the same numbers.
 */
function pointsHere(run: ResolvedRun, matrices: boolean): Points {
  const { dynamics, times } = run;
  const snaps = dynamics.trajectory(times);
  const distance = kernelDistanceOfSnapshots(dynamics, times, (_, k) => snaps[k]).distance; // from the same factors, not solved again
  const strengths = snaps.map((snap) => modeStrengths(snap).strengths);
  return {
    loss: snaps.map((snap) => snap.loss),
    strengths,
    distance,
    ...(matrices ? { matrices: { w2w1: snaps.map((s) => s.w2w1), w1tw1: snaps.map((s) => s.w1tw1), w2w2t: snaps.map((s) => s.w2w2t) } } : {}),
  };
}

/** The points on the workers of `pool` (exact-dln/parallel): the same numbers as {@link pointsHere}. */
async function pointsOnPool(run: ResolvedRun, matrices: boolean, pool: DynamicsPool): Promise<Points> {
  const options = { w1: run.w1, w2: run.w2, sigmaYX: run.task.sigmaYX, tau: run.tau };
  const names = matrices ? (['singularProduct', 'w2w1', 'w1tw1', 'w2w2t'] as const) : (['singularProduct'] as const);
  const result = await pool.trajectory(options, run.times, names, { kernelDistance: true });
  const r = Math.min(run.dynamics.inputDim, run.dynamics.outputDim);
  const strengths = result.singularProduct.map((m) => Array.from({ length: r }, (_, a) => m.get(a, a)));
  const more = 'w2w1' in result ? { matrices: { w2w1: result.w2w1, w1tw1: result.w1tw1, w2w2t: result.w2w2t } } : {};
  return { loss: result.loss, strengths, distance: result.kernelDistance, ...more };
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
    .option('--threads <n>', 'compute the times on n worker threads (exact-dln/parallel; the same numbers); default 1: in this thread', parsePositiveInteger)
    .addHelpText('after', EXAMPLES)
    .action(async (options: TrajectoryOptions) => {
      const format = chooseFormat(options.format, options.out);
      if (options.matrices && format === 'csv') throw new UsageError('option --matrices needs JSON output (--format json): CSV has one number per column.');
      const out = await checkOutPath(io, options.out);
      const threads = options.threads ?? 1;
      // Started before the config is read, so the workers load the library meanwhile.
      const pool = threads > 1 ? poolForOption(threads) : undefined;
      let run: ResolvedRun;
      let points: Points;
      try {
        run = await loadRunConfig(resolve(io.cwd, options.config));
        assertNotAllZero(run, resolve(io.cwd, options.config));
        points = pool === undefined ? pointsHere(run, options.matrices === true) : await pointsOnPool(run, options.matrices === true, pool);
      } finally {
        await pool?.close();
      }
      const { dynamics, times } = run;
      let text: string;
      if (format === 'csv') {
        const k = Math.min(dynamics.inputDim, dynamics.outputDim);
        const header = ['t', 'loss', 'kernel_distance', ...Array.from({ length: k }, (_, i) => `mode_${i + 1}`)];
        text = toCsv(header, times.map((t, i) => [t, points.loss[i], points.distance[i], ...points.strengths[i]]));
      } else {
        const m = points.matrices;
        const json = times.map((t, i) => ({
          t,
          loss: points.loss[i],
          modeStrengths: points.strengths[i],
          kernelDistance: points.distance[i],
          ...(m !== undefined ? { w2w1: m.w2w1[i].to2DArray(), w1tw1: m.w1tw1[i].to2DArray(), w2w2t: m.w2w2t[i].to2DArray() } : {}),
        }));
        const result = {
          lambda: dynamics.lambda,
          tau: dynamics.tau,
          inputDim: dynamics.inputDim,
          hiddenDim: dynamics.hiddenDim,
          outputDim: dynamics.outputDim,
          sigma: dynamics.sigma,
          points: json,
        };
        text = toJson(result);
      }
      await emit(io, out, text);
      const saddle = saddleWarning(dynamics);
      if (saddle !== undefined) io.err(saddle);
    });
}
