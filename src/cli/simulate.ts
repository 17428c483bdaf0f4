/**
 * `exact-dln simulate`: gradient-descent training of a configured network, with its
 * deviation from the exact trajectory.
 *
 * @module
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { qqtOf } from '../core/qqt.js';
import { loadRunConfig, type ResolvedRun } from '../io/run-config.js';
import { firstLossRise, gradientDescentFromTask, recordedStates, simulateGradientDescent } from '../simulation/gradient-descent.js';
import { DivergenceError } from '../errors.js';
import { MAX_GRADIENT_STEPS, MAX_GRID_POINTS } from '../validation.js';
import { assertNotAllZero, UsageError, parsePositive, parsePositiveInteger, saddleWarning, type CliIo } from './io.js';
import { checkOutPath, chooseFormat, csvDocument, emit, jsonDocument, mapped, type OutputFormat } from './output.js';
import { LazyProgress } from './progress.js';

interface SimulateOptions {
  config: string;
  learningRate: number;
  steps?: number;
  until?: number;
  recordEvery?: number;
  format?: OutputFormat;
  out?: string;
  quiet?: boolean;
}

/** Default learning rate η of `simulate`. */
export const DEFAULT_LEARNING_RATE = 0.005;

const EXAMPLES = `
Step k of gradient descent with learning rate η is compared with the exact trajectory at t = k·η·τ.
The task's data are used when the config has them ("data" or "random" tasks); a "sigmaYX" task is
trained on its covariances (whitened inputs). Without --steps or --until the run lasts until the
last time of the config's "times".

Output:
  json: { "lambda", "learningRate", "tau", "steps", "recordEvery", "maxDeviation",
          "points": [ { "step", "t", "loss", "exactLoss", "deviation" } ] }
  csv:  step,t,loss,exact_loss,deviation
  loss and exactLoss are the loss above its minimum (L − L*) of the trained and the exact network;
  deviation is ‖P_exact − P_gd‖_F / ‖P_exact‖_F with P = [W1ᵀ; W2][W1ᵀ; W2]ᵀ.

Examples:
  $ exact-dln simulate --config run.json
  $ exact-dln simulate --config run.json --learning-rate 0.001 --until 20 --format csv --out gd.csv
  $ exact-dln simulate --config run.json --steps 5000 --record-every 50 --quiet
`;

/** The recorded points of a run, as columns: step, time, losses above their minimum, deviation. */
interface Points {
  step: number[];
  t: number[];
  loss: number[];
  exactLoss: number[];
  deviation: number[];
}

/**
 * Runs `steps` steps in chunks (so that a progress bar can follow), recording every
 * `recordEvery` steps and the last one — the result is identical to one long run — and
 * compares each recorded state with the exact one as its chunk ends, keeping only the
 * numbers (millions of recorded weight matrices do not fit in memory).
 */
function train(run: ResolvedRun, learningRate: number, steps: number, recordEvery: number, progress: LazyProgress): Points {
  const { task } = run;
  const data = task.X !== undefined && task.Y !== undefined;
  let floor = 0;
  if (data) {
    let trYY = 0;
    for (let i = 0; i < task.sigmaYY.rows; i++) trYY += task.sigmaYY.get(i, i);
    floor = 0.5 * (trYY - task.sigmaYX.norm('frobenius') ** 2);
  }
  const chunk = recordEvery * Math.max(1, Math.round(2000 / recordEvery));
  const out: Points = { step: [], t: [], loss: [], exactLoss: [], deviation: [] };
  let w1 = run.w1;
  let w2 = run.w2;
  let done = 0;
  try {
    do {
      const n = Math.min(chunk, steps - done);
      let part: ReturnType<typeof gradientDescentFromTask>;
      try {
        part = data
          ? simulateGradientDescent({ w1, w2, X: task.X!, Y: task.Y!, learningRate, steps: n, recordEvery })
          : gradientDescentFromTask({ w1, w2, sigmaYX: task.sigmaYX, learningRate, steps: n, recordEvery });
      } catch (error) {
        // The chunk counts its own steps; say where in the whole run it diverged.
        if (!(error instanceof DivergenceError)) throw error;
        throw new DivergenceError(
          `gradient descent diverged: the weights became non-finite (or overflowed) at step ${done + error.step} of ${steps} ` +
            `(t = ${Number(((done + error.step) * learningRate * run.tau).toPrecision(6))}). The learning rate ${learningRate} is too large for this network and task: use a smaller --learning-rate.`,
          done + error.step,
          steps,
          learningRate,
        );
      }
      part.steps.forEach((s, k) => {
        if (k === 0 && done > 0) return; // the previous chunk's last record
        const step = done + s;
        const t = step * learningRate * run.tau;
        const exact = run.dynamics.at(t);
        const p = exact.qqt;
        out.step.push(step);
        out.t.push(t);
        out.loss.push(Math.max(0, part.loss[k] - floor)); // L − L* ≥ 0, up to the rounding of L*
        out.exactLoss.push(exact.loss);
        out.deviation.push(p.clone().sub(qqtOf(part.w1[k], part.w2[k])).norm('frobenius') / p.norm('frobenius'));
      });
      w1 = part.w1[part.w1.length - 1];
      w2 = part.w2[part.w2.length - 1];
      done += n;
      progress.update(done);
    } while (done < steps);
  } finally {
    progress.stop(); // also when the run diverges: the bar is cleared and the cursor shown again
  }
  return out;
}

/** Row k of `points` in the order of the output's columns. */
function* rowsOf(points: Points): Generator<[number, number, number, number, number]> {
  for (let k = 0; k < points.step.length; k++) yield [points.step[k], points.t[k], points.loss[k], points.exactLoss[k], points.deviation[k]];
}

/** Registers `simulate` on the program. */
export function registerSimulate(program: Command, io: CliIo): void {
  program
    .command('simulate')
    .description('train the configured network with gradient descent and compare with the exact trajectory')
    .requiredOption('--config <file>', 'the run configuration (JSON)')
    .option('--learning-rate <eta>', 'learning rate η > 0', parsePositive, DEFAULT_LEARNING_RATE)
    .addOption(new Option('--steps <n>', 'number of gradient steps').argParser(parsePositiveInteger).conflicts('until'))
    .addOption(new Option('--until <t>', 'train until time t (in the unit of τ; steps = t/(η·τ), rounded)').argParser(parsePositive))
    .option('--record-every <k>', 'record every k steps (default: about 100 records)', parsePositiveInteger)
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv']))
    .option('--out <file>', 'write to this file instead of standard output')
    .option('--quiet', 'no progress bar and no summary on stderr')
    .addHelpText('after', EXAMPLES)
    .action(async (options: SimulateOptions) => {
      const format = chooseFormat(options.format, options.out);
      const out = await checkOutPath(io, options.out);
      const run = await loadRunConfig(resolve(io.cwd, options.config));
      assertNotAllZero(run, resolve(io.cwd, options.config));
      const eta = options.learningRate;
      const until = options.until ?? run.times.reduce((m, t) => Math.max(m, t), -Infinity);
      const steps = options.steps ?? Math.round(until / (eta * run.tau));
      if (steps > MAX_GRADIENT_STEPS) {
        throw new UsageError(
          `the run would take ${steps < 1e15 ? steps : steps.toExponential(2)} steps (t = ${options.steps === undefined ? until : Number((steps * eta * run.tau).toPrecision(6))} in steps of η·τ = ${eta * run.tau}); at most ` +
            `${MAX_GRADIENT_STEPS.toExponential(0)} are allowed: use a larger --learning-rate, a shorter --until or fewer --steps.`,
        );
      }
      if (steps < 1) {
        throw new UsageError(`the run would have no steps: t = ${until} is shorter than one step η·τ = ${eta * run.tau}; use --steps or a larger --until.`);
      }
      const recordEvery = options.recordEvery ?? Math.max(1, Math.round(steps / 100));
      const recorded = recordedStates(steps, recordEvery);
      if (recorded > MAX_GRID_POINTS) {
        throw new UsageError(`--record-every ${recordEvery} would record ${recorded} states of ${steps} steps; at most ${MAX_GRID_POINTS} are kept: use a larger --record-every.`);
      }
      const progress = new LazyProgress(options.quiet ? undefined : io.progress, steps, 'gradient descent');
      const points = train(run, eta, steps, recordEvery, progress);
      const maxDeviation = points.deviation.reduce((m, d) => Math.max(m, d), -Infinity);
      await emit(
        io,
        out,
        format === 'csv'
          ? csvDocument(['step', 't', 'loss', 'exact_loss', 'deviation'], rowsOf(points))
          : jsonDocument({ lambda: run.dynamics.lambda, learningRate: eta, tau: run.tau, steps, recordEvery, maxDeviation }, 'points', mapped(rowsOf(points), ([step, t, loss, exactLoss, deviation]) => ({ step, t, loss, exactLoss, deviation }))),
      );
      if (!options.quiet) {
        io.err(`simulated ${steps} steps (η = ${eta}, t = ${steps * eta * run.tau}); largest relative deviation from the exact trajectory: ${maxDeviation.toExponential(3)}\n`);
      }
      const saddle = saddleWarning(run.dynamics);
      if (saddle !== undefined) io.err(saddle);
      // Gradient descent with a small enough η never raises the loss; a rise means the run
      // oscillates or diverges, and its deviation measures that, not the O(η) error.
      // (A warning, shown with --quiet too.)
      const rise = firstLossRise(points.loss);
      if (rise > 0) {
        io.err(
          `warning: the training loss rose from ${points.loss[rise - 1].toExponential(3)} (step ${points.step[rise - 1]}) to ` +
            `${points.loss[rise].toExponential(3)} (step ${points.step[rise]}): η = ${eta} is too large for stable gradient descent on this ` +
            `network, and the deviation measures that, not the O(η) error. Use a smaller --learning-rate.\n`,
        );
      }
    });
}
