/**
 * `lazyRichStudy`: the computation behind `exact-dln demo` — exact trajectories over a λ
 * grid for one or more networks, next to the same networks trained with gradient descent.
 * Returns plain data; the figures and the HTML report are built from it.
 *
 * @module
 */
import { exactDynamics, type ExactDynamics } from '../core/exact-dynamics.js';
import { qqtOf } from '../core/qqt.js';
import { fullSvd } from '../core/svd.js';
import { randomTask, type Task } from '../core/task.js';
import { lambdaBalancedWeights } from '../core/weights.js';
import { kernelDistance } from '../analysis/kernel-distance.js';
import { kernelDistanceTrajectory } from '../analysis/kernel-distance-trajectory.js';
import { lazyRichSweep, type LazyRichRow } from '../analysis/lazy-rich-sweep.js';
import { modeStrengths } from '../analysis/mode-strengths.js';
import { simulateGradientDescent } from '../simulation/gradient-descent.js';
import { InvalidArgumentError } from '../errors.js';
import { assertObject, isObject } from './guards.js';
import { assertFiniteNumber, assertInteger, assertKnownOptions, assertPositiveNumber, assertSeed, describe, MAX_GRADIENT_STEPS } from '../validation.js';

/**
 * The layer widths of one network of a study.
 *
 * @example
 * ```ts
 * import type { NetworkWidths } from 'exact-dln/report';
 * const unequal: NetworkWidths = { inputDim: 4, hiddenDim: 4, outputDim: 8 };
 * ```
 */
export interface NetworkWidths {
  /** Ni. */
  inputDim: number;
  /** Nh. */
  hiddenDim: number;
  /** No. */
  outputDim: number;
}

/**
 * Settings of {@link lazyRichStudy}; every field has a default (see
 * {@link DEFAULT_LAZY_RICH_STUDY}).
 *
 * @example
 * ```ts
 * import type { LazyRichStudyOptions } from 'exact-dln/report';
 * const quick: LazyRichStudyOptions = { lambdas: [-4, 0, 4], duration: 4, learningRate: 0.01 };
 * ```
 */
export interface LazyRichStudyOptions {
  /** The networks (default 6×6×6 and 4×4×8). */
  networks?: readonly NetworkWidths[];
  /** The λ grid (default −10, −4, −1, 0, 1, 4, 10); λ impossible for a network's widths are skipped with a note. */
  lambdas?: readonly number[];
  /** Initial scale of the product's singular values (default 0.05: small, rich at λ = 0). */
  scale?: number;
  /** Samples of each network's random whitened task (default 60). */
  samples?: number;
  /** Seed of the tasks (default 1). */
  taskSeed?: number;
  /** Seed of the initial weights, the same for every λ (default 2). */
  weightSeed?: number;
  /** The trajectories run from t = 0 to `duration` (in units of τ; default 10). */
  duration?: number;
  /** Number of exact time points (default 201). */
  points?: number;
  /** Gradient-descent learning rate η (default 0.005); step k is t = k·η. */
  learningRate?: number;
  /** Number of recorded gradient-descent points (default 51). */
  simulatedPoints?: number;
  /** Initial scales of the λ × scale sweep (`lazyRichSweep`, read at t = duration; default 0.01, 0.05, 0.2, 1). */
  sweepScales?: readonly number[];
  /**
   * Draw the weights with `matchDeterminantSign: task.sigmaYX` (runs and sweep; default false):
   * for Ni = No ≤ Nh, at λ = 0 half of all weight seeds otherwise start on a saddle whose
   * weakest mode is never learned (docs/model.md, "Saddles"). The default seeds learn.
   */
  matchDeterminantSign?: boolean;
  /** Called after each (network, λ) with a count of completed runs, for progress bars. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * One λ of one network in a study: the exact trajectory and the simulation.
 *
 * @example
 * ```ts
 * import type { StudyRun } from 'exact-dln/report';
 * const lazy = (run: StudyRun) => run.finalKernelDistance < 1e-2;
 * ```
 */
export interface StudyRun {
  /** λ. */
  lambda: number;
  /** Exact times t/τ. */
  times: number[];
  /** Exact loss ½‖Σyx − W2W1‖²_F (= L − L*) at each time. */
  loss: number[];
  /** Mode strengths diag(Ũᵀ W2W1 Ṽ) at each time (min(Ni, No) of them). */
  modeStrengths: number[][];
  /** Kernel distance d(K(0), K(t)) at each time (whitened probes). */
  kernelDistance: number[];
  /** d(K(0), K(∞)): the kernel distance at convergence. */
  finalKernelDistance: number;
  /** The first time with loss ≤ 0.1·initial loss (90 % of the task learned), from the exact trajectory. */
  timeTo90: number;
  /** Gradient descent at the recorded steps: time t = k·η, loss L − L*, and ‖P_exact − P_gd‖_F/‖P_exact‖_F. */
  simulated: { times: number[]; loss: number[]; deviation: number[] };
  /** The largest relative deviation of gradient descent from the exact trajectory. */
  maxDeviation: number;
  /** W1ᵀW1 (Ni×Ni) and W2W2ᵀ (No×No) at convergence. */
  converged: { w1tw1: number[][]; w2w2t: number[][] };
}

/**
 * One network of a study.
 *
 * @example
 * ```ts
 * import type { StudyNetwork } from 'exact-dln/report';
 * const title = (n: StudyNetwork) => `${n.label}: ${n.runs.length} λ`;
 * ```
 */
export interface StudyNetwork extends NetworkWidths {
  /** "Ni×Nh×No", e.g. "4×4×8". */
  label: string;
  /** Singular values of the task's Σyx (the targets of the mode strengths). */
  sigma: number[];
  /** λ of the grid that the widths do not allow, with the reason. */
  skipped: { lambda: number; reason: string }[];
  /** One run per allowed λ, in grid order. */
  runs: StudyRun[];
  /** The λ × scale sweep over the allowed λ and `sweepScales` (`lazyRichSweep` rows). */
  sweep: LazyRichRow[];
}

/**
 * The result of {@link lazyRichStudy}.
 *
 * @example
 * ```ts
 * import { lazyRichStudy, type LazyRichStudy } from 'exact-dln/report';
 * const study: LazyRichStudy = lazyRichStudy({ networks: [{ inputDim: 3, hiddenDim: 3, outputDim: 3 }], lambdas: [0], duration: 2, points: 5, simulatedPoints: 3 });
 * console.log(study.networks[0].runs[0].times.length); // 5
 * ```
 */
export interface LazyRichStudy {
  /** The settings used (defaults filled in). */
  settings: Required<Omit<LazyRichStudyOptions, 'onProgress'>>;
  /** One entry per network. */
  networks: StudyNetwork[];
}

/**
 * The default settings of {@link lazyRichStudy} (those of `exact-dln demo`).
 *
 * @example
 * ```ts
 * import { DEFAULT_LAZY_RICH_STUDY } from 'exact-dln/report';
 * console.log(DEFAULT_LAZY_RICH_STUDY.lambdas); // [-10, -4, -1, 0, 1, 4, 10]
 * ```
 */
export const DEFAULT_LAZY_RICH_STUDY: Readonly<Required<Omit<LazyRichStudyOptions, 'onProgress'>>> = Object.freeze({
  networks: [
    { inputDim: 6, hiddenDim: 6, outputDim: 6 },
    { inputDim: 4, hiddenDim: 4, outputDim: 8 },
  ],
  lambdas: [-10, -4, -1, 0, 1, 4, 10],
  scale: 0.05,
  samples: 60,
  taskSeed: 1,
  weightSeed: 2,
  duration: 10,
  points: 201,
  learningRate: 0.005,
  simulatedPoints: 51,
  sweepScales: [0.01, 0.05, 0.2, 1],
  matchDeterminantSign: false,
});

/**
 * Why λ is impossible for the widths (MATH.md §2), or undefined if it is possible.
 *
 * @param lambda - λ.
 * @param widths - the network's widths.
 * @returns a one-line reason, or `undefined`.
 * @example
 * ```ts
 * import { impossibleLambdaReason } from 'exact-dln/report';
 * console.log(impossibleLambdaReason(1, { inputDim: 4, hiddenDim: 6, outputDim: 4 })); // λ > 0 needs hiddenDim ≤ outputDim (6 > 4)
 * ```
 */
export function impossibleLambdaReason(lambda: number, widths: NetworkWidths): string | undefined {
  assertFiniteNumber(lambda, 'lambda');
  assertObject(widths, 'widths', 'impossibleLambdaReason');
  for (const key of ['inputDim', 'hiddenDim', 'outputDim'] as const) assertInteger(widths[key], `widths.${key}`, 1);
  if (lambda > 0 && widths.hiddenDim > widths.outputDim) {
    return `λ > 0 needs hiddenDim ≤ outputDim (${widths.hiddenDim} > ${widths.outputDim})`;
  }
  if (lambda < 0 && widths.hiddenDim > widths.inputDim) {
    return `λ < 0 needs hiddenDim ≤ inputDim (${widths.hiddenDim} > ${widths.inputDim})`;
  }
  return undefined;
}

/**
 * The first time at which the exact loss falls to `fraction` of its initial value, found
 * by doubling then bisection to a relative precision of 1e-9 (the loss of the gradient
 * flow is non-increasing, MATH.md §11). Returns `Infinity` if it never does (e.g. a
 * saddle, or a bottleneck whose best loss is above the threshold).
 *
 * @param dynamics - the exact dynamics.
 * @param fraction - the fraction of the initial loss, in (0, 1) (0.1 for "90 % learned").
 * @returns the time t (in the units of τ).
 * @example
 * ```ts
 * import { exactDynamics, lambdaBalancedWeights } from 'exact-dln';
 * import { timeToLossFraction } from 'exact-dln/report';
 * const sigmaYX = [[2, 0], [0, 1]];
 * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 2, outputDim: 2, lambda: 0, scale: 0.01, seed: 1, matchDeterminantSign: sigmaYX });
 * const t = timeToLossFraction(exactDynamics({ w1, w2, sigmaYX }), 0.1);
 * console.log(t > 1 && t < 10); // true
 * ```
 */
export function timeToLossFraction(dynamics: ExactDynamics, fraction: number): number {
  if (!isObject(dynamics) || typeof (dynamics as Partial<ExactDynamics>).at !== 'function' || typeof (dynamics as Partial<ExactDynamics>).converged !== 'function') {
    throw new InvalidArgumentError(`invalid argument. timeToLossFraction expects the dynamics returned by exactDynamics(…). Value: ${describe(dynamics)}.`, 'dynamics');
  }
  if (!(fraction > 0 && fraction < 1)) {
    throw new InvalidArgumentError(`invalid argument. \`fraction\` must be in (0, 1). Value: ${fraction}.`, 'fraction');
  }
  const target = fraction * dynamics.at(0).loss;
  if (dynamics.converged().loss > target) return Infinity;
  let hi = dynamics.tau;
  while (dynamics.at(hi).loss > target) {
    hi *= 2;
    if (hi > 1e12 * dynamics.tau) return Infinity;
  }
  let lo = 0;
  while (hi - lo > 1e-9 * hi) {
    const mid = 0.5 * (lo + hi);
    if (dynamics.at(mid).loss > target) lo = mid;
    else hi = mid;
  }
  return hi;
}

function linspace(from: number, to: number, count: number): number[] {
  if (count === 1) return [from];
  return Array.from({ length: count }, (_, k) => (k === count - 1 ? to : from + ((to - from) * k) / (count - 1)));
}

function checkPositiveInteger(x: number, name: string, min = 1): void {
  if (!Number.isInteger(x) || x < min) {
    throw new InvalidArgumentError(`invalid argument. \`${name}\` must be an integer ≥ ${min}. Value: ${x}.`, name);
  }
}

function studyRun(task: Task, widths: NetworkWidths, lambda: number, s: LazyRichStudy['settings']): StudyRun {
  const { w1, w2 } = lambdaBalancedWeights({
    ...widths,
    lambda,
    scale: s.scale,
    seed: s.weightSeed,
    ...(s.matchDeterminantSign ? { matchDeterminantSign: task.sigmaYX } : {}),
  });
  const dyn = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX });
  const times = linspace(0, s.duration, s.points);
  const snaps = dyn.trajectory(times);
  const converged = dyn.converged();

  const steps = Math.round(s.duration / s.learningRate);
  const recordEvery = Math.max(1, Math.round(steps / (s.simulatedPoints - 1)));
  const sim = simulateGradientDescent({ w1, w2, X: task.X!, Y: task.Y!, learningRate: s.learningRate, steps, recordEvery });
  // The data loss of gradient descent includes the floor ½tr Σyy − ½‖Σyx‖²; report L − L*.
  let trYY = 0;
  for (let i = 0; i < task.sigmaYY.rows; i++) trYY += task.sigmaYY.get(i, i);
  const floor = 0.5 * (trYY - task.sigmaYX.norm('frobenius') ** 2);
  const deviation = sim.times.map((t, k) => {
    const exact = dyn.at(t).qqt;
    return exact.clone().sub(qqtOf(sim.w1[k], sim.w2[k])).norm('frobenius') / exact.norm('frobenius');
  });
  return {
    lambda,
    times,
    loss: snaps.map((snap) => snap.loss),
    modeStrengths: snaps.map((snap) => modeStrengths(snap).strengths),
    kernelDistance: kernelDistanceTrajectory(dyn, times).distance,
    finalKernelDistance: kernelDistance(snaps[0], converged),
    timeTo90: timeToLossFraction(dyn, 0.1),
    simulated: { times: sim.times, loss: sim.loss.map((l) => l - floor), deviation },
    maxDeviation: deviation.reduce((m, d) => Math.max(m, d), -Infinity),
    converged: { w1tw1: converged.w1tw1.to2DArray(), w2w2t: converged.w2w2t.to2DArray() },
  };
}

/**
 * The "lazy to rich" study (docs/lazy-rich.md): for each network, a random whitened task
 * (`randomTask` with `taskSeed`) and, for each λ of the grid that the widths allow,
 * λ-balanced weights of the given initial scale (the same seed for every λ, so only λ
 * differs), the exact trajectory (loss, mode strengths, kernel distance from the
 * initialisation), the converged representations, the time to learn 90 % of the task,
 * and full-batch gradient descent from the same weights with its deviation
 * ‖P_exact − P_gd‖_F/‖P_exact‖_F from the exact P = QQᵀ at each recorded step; plus a
 * λ × initial-scale grid (`lazyRichSweep`) of the kernel distance at convergence.
 *
 * Cost: dominated by gradient descent, duration/η steps per run at O(Ni·No·(Nh + Ni)) each
 * (the defaults take about a second in all).
 *
 * @param options - see {@link LazyRichStudyOptions}; defaults {@link DEFAULT_LAZY_RICH_STUDY}.
 * @returns the study: settings and one entry per network.
 * @throws `InvalidArgumentError` for invalid settings, or when no λ is possible for any
 *   network (nothing to study); library errors for invalid widths.
 * @example
 * ```ts
 * import { lazyRichStudy } from 'exact-dln/report';
 * const study = lazyRichStudy({ lambdas: [-4, 0, 4], duration: 4, points: 41, learningRate: 0.01 });
 * for (const net of study.networks) {
 *   for (const run of net.runs) console.log(net.label, run.lambda, run.finalKernelDistance.toExponential(2));
 * }
 * ```
 */
export function lazyRichStudy(options: LazyRichStudyOptions = {}): LazyRichStudy {
  assertObject(options as unknown, 'options', 'lazyRichStudy');
  assertKnownOptions(options, 'lazyRichStudy', {
    networks: true,
    lambdas: true,
    scale: true,
    samples: true,
    taskSeed: true,
    weightSeed: true,
    duration: true,
    points: true,
    learningRate: true,
    simulatedPoints: true,
    sweepScales: true,
    matchDeterminantSign: true,
    onProgress: true,
  } satisfies Record<keyof LazyRichStudyOptions, true>);
  const { onProgress, ...rest } = options;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const settings = { ...DEFAULT_LAZY_RICH_STUDY, ...defined } as LazyRichStudy['settings'];
  if (typeof settings.matchDeterminantSign !== 'boolean') {
    throw new InvalidArgumentError(`invalid argument. \`matchDeterminantSign\` must be true or false. Value: ${describe(settings.matchDeterminantSign)}.`, 'matchDeterminantSign');
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    // (It failed only after the first run, with "onProgress is not a function".)
    throw new InvalidArgumentError(`invalid argument. \`onProgress\` must be a function (done, total) => void. Value: ${describe(onProgress)}.`, 'onProgress');
  }
  checkPositiveInteger(settings.points, 'points', 2);
  checkPositiveInteger(settings.simulatedPoints, 'simulatedPoints', 2);
  // Numbers, not merely positive: a bigint (2n > 0) failed later with "Cannot mix BigInt".
  for (const key of ['duration', 'learningRate', 'scale'] as const) assertPositiveNumber(settings[key], key);
  assertSeed(settings.taskSeed, 'taskSeed');
  assertSeed(settings.weightSeed, 'weightSeed');
  if (Math.round(settings.duration / settings.learningRate) > MAX_GRADIENT_STEPS) {
    // Each run trains for duration/learningRate steps; the library's refusal named `steps`, which the study has not.
    throw new InvalidArgumentError(
      `invalid argument. \`duration\` / \`learningRate\` = ${settings.duration} / ${settings.learningRate} would be ` +
        `${Math.round(settings.duration / settings.learningRate)} gradient steps per run; at most ${MAX_GRADIENT_STEPS.toExponential(0)}: ` +
        'shorten the duration or raise the learning rate.',
      'duration',
    );
  }
  for (const [name, list] of [['lambdas', settings.lambdas], ['sweepScales', settings.sweepScales], ['networks', settings.networks]] as const) {
    if (!Array.isArray(list)) {
      throw new InvalidArgumentError(`invalid argument. \`${name}\` must be an array. Value: ${describe(list)}.`, name);
    }
  }
  settings.networks.forEach((w, i) => assertObject(w as unknown, `networks[${i}]`, 'lazyRichStudy'));
  if (settings.lambdas.length === 0 || settings.networks.length === 0) {
    throw new InvalidArgumentError('invalid argument. `lambdas` and `networks` must be non-empty.');
  }
  const total = settings.networks.reduce(
    (n, w) => n + settings.lambdas.filter((lambda) => impossibleLambdaReason(lambda, w) === undefined).length,
    0,
  );
  if (total === 0) {
    // Every cell would be skipped: a report of empty figures (whose rendering failed).
    const reasons = settings.networks.map((w) => `${w.inputDim}×${w.hiddenDim}×${w.outputDim}: ${impossibleLambdaReason(settings.lambdas[0], w)}`);
    throw new InvalidArgumentError(
      `invalid argument. None of \`lambdas\` = [${settings.lambdas.join(', ')}] is possible for any of the networks (${reasons.join('; ')}); ` +
        'add λ = 0, or widths that allow these λ.',
      'lambdas',
    );
  }
  let done = 0;
  const networks = settings.networks.map((widths): StudyNetwork => {
    const task = randomTask({ inputDim: widths.inputDim, outputDim: widths.outputDim, samples: settings.samples, seed: settings.taskSeed });
    const skipped: StudyNetwork['skipped'] = [];
    const runs: StudyRun[] = [];
    for (const lambda of settings.lambdas) {
      const reason = impossibleLambdaReason(lambda, widths);
      if (reason !== undefined) {
        skipped.push({ lambda, reason });
        continue;
      }
      runs.push(studyRun(task, widths, lambda, settings));
      onProgress?.(++done, total);
    }
    const sigma = fullSvd(task.sigmaYX).s.slice();
    const allowed = runs.map((r) => r.lambda);
    const sweep =
      allowed.length === 0 || settings.sweepScales.length === 0
        ? []
        : lazyRichSweep({
            lambdas: allowed,
            scales: settings.sweepScales,
            task,
            hiddenDim: widths.hiddenDim,
            time: settings.duration,
            seed: settings.weightSeed,
            matchDeterminantSign: settings.matchDeterminantSign,
          }).rows;
    return { ...widths, label: `${widths.inputDim}×${widths.hiddenDim}×${widths.outputDim}`, sigma, skipped, runs, sweep };
  });
  return {
    settings: { ...settings, networks: settings.networks.map((w) => ({ ...w })), lambdas: [...settings.lambdas], sweepScales: [...settings.sweepScales] },
    networks,
  };
}

const isNumber = (v: unknown): boolean => typeof v === 'number';
const isNumberArray = (v: unknown): boolean => Array.isArray(v) && v.every(isNumber);

/** Whether `run` has the fields of a {@link StudyRun} with the right types. */
function isStudyRun(run: unknown): boolean {
  return (
    isObject(run) &&
    isNumber(run.lambda) &&
    isNumberArray(run.times) &&
    isNumberArray(run.loss) &&
    Array.isArray(run.modeStrengths) &&
    run.modeStrengths.every(isNumberArray) &&
    isNumberArray(run.kernelDistance) &&
    isNumber(run.finalKernelDistance) &&
    isNumber(run.timeTo90) &&
    isObject(run.simulated) &&
    isNumberArray(run.simulated.times) &&
    isNumberArray(run.simulated.loss) &&
    isNumberArray(run.simulated.deviation) &&
    isNumber(run.maxDeviation) &&
    isObject(run.converged) &&
    Array.isArray(run.converged.w1tw1) &&
    Array.isArray(run.converged.w2w2t)
  );
}

/**
 * Throws an {@link InvalidArgumentError} unless `study` has the shape {@link lazyRichStudy}
 * returns (settings with every option of {@link DEFAULT_LAZY_RICH_STUDY}, networks with
 * their runs and sweeps), so that the figure and report functions refuse anything else with
 * a message instead of failing inside.
 *
 * @internal
 */
export function assertStudy(study: unknown, fn: string): asserts study is LazyRichStudy {
  const defaults = DEFAULT_LAZY_RICH_STUDY as unknown as Record<string, unknown>;
  const ok =
    isObject(study) &&
    isObject(study.settings) &&
    Object.keys(defaults).every((k) => {
      const want = defaults[k];
      const have = (study.settings as Record<string, unknown>)[k];
      return Array.isArray(want) ? Array.isArray(have) : typeof have === typeof want;
    }) &&
    Array.isArray(study.networks) &&
    study.networks.every(
      (n: unknown) =>
        isObject(n) &&
        typeof n.label === 'string' &&
        isNumberArray(n.sigma) &&
        Array.isArray(n.skipped) &&
        Array.isArray(n.runs) &&
        n.runs.every(isStudyRun) &&
        Array.isArray(n.sweep),
    );
  if (!ok) {
    throw new InvalidArgumentError(
      `invalid argument. ${fn} expects a study as returned by lazyRichStudy(…): { settings, networks: [{ label, sigma, skipped, runs, sweep }, …] }. ` +
        `Value: ${describe(study)}.`,
      'study',
    );
  }
}
