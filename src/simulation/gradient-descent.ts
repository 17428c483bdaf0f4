/**
 * Full-batch gradient descent on a two-layer linear network (MATH.md §1): what a
 * network trained in practice does, to compare with the exact gradient flow (MATH.md §11).
 *
 * Both exported functions run the same update, one explicit Euler step of the gradient
 * flow's vector field per step (the `VectorField` kernel of ./gradient-flow.ts).
 *
 * @module
 */
import { Matrix } from 'ml-matrix';
import { fromArray, toArray } from '../linalg/dense.js';
import { DivergenceError, InvalidArgumentError } from '../errors.js';
import { assertInteger, assertKnownOptions, assertNotTransposed, assertPositiveNumber, assertShape, MAX_GRADIENT_STEPS, MAX_GRID_POINTS, type MatrixLike, toMatrix } from '../validation.js';
import { assertOptionsObject, prepareProblem, VectorField, type TwoLayerProblem } from './gradient-flow.js';
import type { Task } from '../core/task.js';

/**
 * Options of {@link simulateGradientDescent}.
 *
 * @example
 * ```ts
 * import type { GradientDescentOptions } from 'exact-dln';
 * const opts: GradientDescentOptions = {
 *   w1: [[0.1, 0]], w2: [[0.1]], X: [[1, -1], [1, 1]], Y: [[1, 0]], learningRate: 0.05, steps: 100,
 * };
 * ```
 */
export interface GradientDescentOptions {
  /** Input-to-hidden weights W1(0), hidden×input (Nh×Ni). */
  w1: MatrixLike;
  /** Hidden-to-output weights W2(0), output×hidden (No×Nh). */
  w2: MatrixLike;
  /** Inputs, input×samples (Ni×P), one column per sample. */
  X: MatrixLike;
  /** Targets, output×samples (No×P), column p belongs to column p of X. */
  Y: MatrixLike;
  /** Learning rate η > 0. */
  learningRate: number;
  /** Number of gradient steps, an integer ≥ 0. */
  steps: number;
  /** Record every this many steps (integer ≥ 1, default 1); step 0 and the last step are always recorded. */
  recordEvery?: number;  /**
   * The time constant τ of the gradient flow this run is compared with (default 1): step k is
   * at time t = k·η·τ in `times`, the time of `exactDynamics({ …, tau })`. It changes nothing
   * else (a step is W ← W − η∇L whatever τ).
   */
  tau?: number;
}

/**
 * Options of {@link gradientDescentFromTask}: the task is given by its covariances.
 *
 * @example
 * ```ts
 * import type { TaskGradientDescentOptions } from 'exact-dln';
 * const opts: TaskGradientDescentOptions = { w1: [[0.1, 0]], w2: [[0.1]], sigmaYX: [[1, 0.5]], learningRate: 0.05, steps: 100 };
 * ```
 */
export interface TaskGradientDescentOptions {
  /** Input-to-hidden weights W1(0), hidden×input (Nh×Ni). */
  w1: MatrixLike;
  /** Hidden-to-output weights W2(0), output×hidden (No×Nh). */
  w2: MatrixLike;
  /**
   * Input–output covariance Σyx = YXᵀ/P, output×input (No×Ni) — or a {@link Task}, whose Σyx
   * and Σxx are used (then without `sigmaXX`).
   */
  sigmaYX: MatrixLike | Task;
  /** Input covariance Σxx = XXᵀ/P, input×input (Ni×Ni), symmetric; default the identity. */
  sigmaXX?: MatrixLike;
  /** Learning rate η > 0. */
  learningRate: number;
  /** Number of gradient steps, an integer ≥ 0. */
  steps: number;
  /** Record every this many steps (integer ≥ 1, default 1); step 0 and the last step are always recorded. */
  recordEvery?: number;  /**
   * The time constant τ of the gradient flow this run is compared with (default 1): step k is
   * at time t = k·η·τ in `times`, the time of `exactDynamics({ …, tau })`. It changes nothing
   * else (a step is W ← W − η∇L whatever τ).
   */
  tau?: number;
}

/**
 * A recorded gradient-descent run: entry k of every array belongs to step `steps[k]`.
 *
 * @example
 * ```ts
 * import { gradientDescentFromTask, type GradientDescentResult } from 'exact-dln';
 * const r: GradientDescentResult = gradientDescentFromTask({ w1: [[0.1]], w2: [[0.1]], sigmaYX: [[1]], learningRate: 0.1, steps: 10 });
 * console.log(r.steps.length); // 11
 * ```
 */
export interface GradientDescentResult {
  /** The recorded step numbers: 0, recordEvery, 2·recordEvery, …, and always the last step. */
  steps: number[];
  /** The matching gradient-flow times t = step·η·τ (MATH.md §1; τ = 1 unless `tau` is given). */
  times: number[];
  /** W1 after each recorded step, Nh×Ni, fresh matrices. */
  w1: Matrix[];
  /** W2 after each recorded step, No×Nh, fresh matrices. */
  w2: Matrix[];
  /**
   * The loss after each recorded step. {@link simulateGradientDescent}: the data loss
   * 1/(2P)‖W2W1X − Y‖²_F (formed from the covariances, to ≈ ε·tr Σyy; never below 0). {@link gradientDescentFromTask}: ½‖Σyx − W2W1‖²_F +
   * ½tr(W2W1(Σxx − I)(W2W1)ᵀ), i.e. ½‖Σyx − W2W1‖²_F (= L − L*) for whitened inputs,
   * and in general the data loss minus the weight-independent ½tr Σyy − ½‖Σyx‖²_F.
   */
  loss: number[];
}

/**
 * Full-batch gradient descent on the data loss L = 1/(2P)‖W2W1X − Y‖²_F of a two-layer
 * linear network (MATH.md §1). With Σxx = XXᵀ/P, Σyx = YXᵀ/P and W = W2W1, each step is
 *
 *     W1 ← W1 − η W2ᵀ(WΣxx − Σyx),   W2 ← W2 − η (WΣxx − Σyx) W1ᵀ,
 *
 * both gradients taken at the old weights. Step k corresponds to time t = k·η of the
 * gradient flow with τ = 1, which it follows with an O(η) error (MATH.md §11); the balance
 * W2ᵀW2 − W1W1ᵀ changes by exactly η²(W1EᵀEW1ᵀ − W2ᵀEEᵀW2) per step (E = Σyx − WΣxx),
 * so it drifts by O(η²) per step (MATH.md §2).
 *
 * The covariances are computed once; the loss is evaluated from them as
 * ½tr(WΣxxWᵀ) − tr(ΣyxᵀW) + ½tr Σyy, which equals the data loss exactly in exact
 * arithmetic (absolute rounding error ~1e-16·(tr Σyy + ‖Σyx‖²_F)).
 *
 * Cost: O(P·Ni·(Ni + No)) once for the covariances, then O(Ni·No·(Nh + Ni)) per step and
 * per recorded loss; memory O(Nh·(Ni + No)) per recorded step. Inputs are never mutated.
 *
 * @param options - see {@link GradientDescentOptions}.
 * @returns the recorded steps, times, weights and losses, see {@link GradientDescentResult}.
 * @throws {@link ShapeError} if `Y` has a different number of columns than `X`, or `w1`
 *   is not Nh×Ni (Ni = rows of X), or `w2` is not No×Nh (No = rows of Y).
 * @throws {@link NonFiniteError} if an entry or `learningRate` is NaN or infinite.
 * @throws {@link InvalidArgumentError} if `learningRate` is not positive, `steps` is not an
 *   integer in [0, 1e9] or `recordEvery` is not an integer ≥ 1, or more than 1e7 states would
 *   be recorded (steps/recordEvery).
 * @throws {@link DivergenceError} if the weights become non-finite: the learning rate is too
 *   large and the iteration diverged (the error gives the step).
 * @example
 * ```ts
 * import { simulateGradientDescent } from 'exact-dln';
 * const X = [[1, 1, -1, -1], [1, -1, 1, -1]]; // Σxx = I
 * const Y = [[2, 0, 0, -2]];                 // y = x1 + x2
 * const run = simulateGradientDescent({ w1: [[0.1, 0.1]], w2: [[0.1]], X, Y, learningRate: 0.05, steps: 400, recordEvery: 100 });
 * console.log(run.steps); // [0, 100, 200, 300, 400]
 * console.log(run.loss[4] < 1e-6); // true
 * ```
 */
export function simulateGradientDescent(options: GradientDescentOptions): GradientDescentResult {
  assertOptionsObject(options, 'simulateGradientDescent');
  assertKnownOptions(options, 'simulateGradientDescent', {
    w1: true,
    w2: true,
    X: true,
    Y: true,
    learningRate: true,
    steps: true,
    recordEvery: true,
    tau: true,
  } satisfies Record<keyof GradientDescentOptions, true>);
  const x = toMatrix(options.X, 'X');
  const y = toMatrix(options.Y, 'Y');
  const w1 = toMatrix(options.w1, 'w1');
  const w2 = toMatrix(options.w2, 'w2');
  assertNotTransposed(
    [['X', x, 'inputs×samples'], ['Y', y, 'outputs×samples'], ['w1', w1, 'hidden×input'], ['w2', w2, 'output×hidden']],
    ([xd, yd, a, b]) => yd[1] === xd[1] && a[1] === xd[0] && b[1] === a[0] && b[0] === yd[0],
  );
  assertShape(y, undefined, x.columns, 'Y', `output×samples, with as many columns (samples) as X, which is ${x.rows}×${x.columns}`);
  const ni = x.rows;
  const no = y.rows;
  const samples = x.columns;
  assertShape(w1, undefined, ni, 'w1', `hidden×input; its columns must match the ${ni} rows (inputs) of X, which is ${ni}×${samples}`);
  const nh = w1.rows;
  assertShape(w2, no, nh, 'w2', `output×hidden: ${no} rows as Y (${no}×${samples}) has, ${nh} columns as w1 (${nh}×${ni}) has rows`);
  const { learningRate, steps, recordEvery, tau } = checkSchedule(options);

  // Covariances, once: Σxx = XXᵀ/P (Ni×Ni), Σyx = YXᵀ/P (No×Ni), tr Σyy = ‖Y‖²_F/P.
  const xa = toArray(x);
  const ya = toArray(y);
  const sxx = new Float64Array(ni * ni);
  const syx = new Float64Array(no * ni);
  for (let i = 0; i < ni; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = 0; p < samples; p++) s += xa[i * samples + p] * xa[j * samples + p];
      sxx[i * ni + j] = s / samples;
      sxx[j * ni + i] = s / samples;
    }
  }
  for (let o = 0; o < no; o++) {
    for (let i = 0; i < ni; i++) {
      let s = 0;
      for (let p = 0; p < samples; p++) s += ya[o * samples + p] * xa[i * samples + p];
      syx[o * ni + i] = s / samples;
    }
  }
  let yy = 0;
  for (let k = 0; k < ya.length; k++) yy += ya[k] * ya[k];
  let syxNorm2 = 0;
  for (let k = 0; k < syx.length; k++) syxNorm2 += syx[k] * syx[k];
  // The field's loss is L − (½tr Σyy − ½‖Σyx‖²_F); add the constant back.
  const lossOffset = 0.5 * (yy / samples - syxNorm2);
  const problem: TwoLayerProblem = { ni, nh, no, w1: toArray(w1), w2: toArray(w2), syx, sxx };
  const result = runGradientDescent(problem, learningRate, steps, recordEvery, tau, lossOffset, 'simulateGradientDescent');
  // The data loss is ≥ 0, but formed from the covariances it carries their rounding,
  // ≈ ε·tr Σyy, which near a perfect fit can leave it a few ε below 0 (a NaN on a log axis).
  for (let k = 0; k < result.loss.length; k++) result.loss[k] = Math.max(0, result.loss[k]);
  return result;
}

/**
 * Full-batch gradient descent from the task's covariances instead of a data matrix: the
 * same update as {@link simulateGradientDescent} (MATH.md §1), for a task known only
 * through Σyx (and optionally Σxx, default the identity, i.e. whitened inputs). Without
 * Y the constant ½tr Σyy is unknown, so `loss` is ½‖Σyx − W2W1‖²_F + ½tr(W(Σxx − I)Wᵀ):
 * ½‖Σyx − W2W1‖²_F, the excess loss L − L*, for whitened inputs.
 *
 * Cost: O(Ni·No·(Nh + Ni)) per step (O(Ni·Nh·No) with Σxx = I) and per recorded loss.
 * Inputs are never mutated.
 *
 * @param options - see {@link TaskGradientDescentOptions}.
 * @returns the recorded steps, times, weights and losses, see {@link GradientDescentResult}.
 * @throws {@link ShapeError} if `sigmaYX` does not have Ni columns, `w2` is not No×Nh or
 *   `sigmaXX` is not Ni×Ni (Nh×Ni from `w1`, No from `sigmaYX`).
 * @throws {@link NonFiniteError} if an entry or `learningRate` is NaN or infinite.
 * @throws {@link InvalidArgumentError} if `learningRate` is not positive, `steps` is not an
 *   integer in [0, 1e9], `recordEvery` is not an integer ≥ 1, more than 1e7 states would be
 *   recorded (steps/recordEvery), or `sigmaXX` is not symmetric.
 * @throws {@link DivergenceError} if the weights become non-finite (learning rate too large).
 * @example
 * ```ts
 * import { gradientDescentFromTask } from 'exact-dln';
 * const run = gradientDescentFromTask({
 *   w1: [[0.01, 0], [0, 0.01]], w2: [[0.01, 0], [0, 0.01]], sigmaYX: [[2, 0], [0, 1]],
 *   learningRate: 0.01, steps: 1000, recordEvery: 250,
 * });
 * console.log(run.times); // [0, 2.5, 5, 7.5, 10]
 * console.log(run.loss.map((l) => l.toFixed(4))); // ['2.4997', '0.9766', '0.0510', '0.0000', '0.0000']
 * ```
 */
export function gradientDescentFromTask(options: TaskGradientDescentOptions): GradientDescentResult {
  assertOptionsObject(options, 'gradientDescentFromTask');
  assertKnownOptions(options, 'gradientDescentFromTask', {
    w1: true,
    w2: true,
    sigmaYX: true,
    sigmaXX: true,
    learningRate: true,
    steps: true,
    recordEvery: true,
    tau: true,
  } satisfies Record<keyof TaskGradientDescentOptions, true>);
  const problem = prepareProblem(options.w1, options.w2, options.sigmaYX, options.sigmaXX);
  const { learningRate, steps, recordEvery, tau } = checkSchedule(options);
  return runGradientDescent(problem, learningRate, steps, recordEvery, tau, 0, 'gradientDescentFromTask');
}

/**
 * How many states a run of `steps` steps records: step 0, every `recordEvery`-th, and the
 * last one if it is not among them.
 *
 * @internal
 */
export function recordedStates(steps: number, recordEvery: number): number {
  return Math.floor(steps / recordEvery) + (steps % recordEvery === 0 ? 1 : 2);
}

function checkSchedule(options: { learningRate: unknown; steps: unknown; recordEvery?: unknown; tau?: unknown }): {
  learningRate: number;
  steps: number;
  recordEvery: number;
  tau: number;
} {
  const { learningRate, steps } = options;
  const recordEvery = options.recordEvery ?? 1;
  const tau = options.tau ?? 1;
  assertPositiveNumber(learningRate, 'learningRate');
  assertPositiveNumber(tau, 'tau');
  assertInteger(steps, 'steps', 0);
  assertInteger(recordEvery, 'recordEvery', 1);
  if (steps > MAX_GRADIENT_STEPS) {
    throw new InvalidArgumentError(
      `invalid argument. \`steps\` = ${steps}: at most ${MAX_GRADIENT_STEPS.toExponential(0)} gradient steps are allowed in one call ` +
        '(hours of computing at any size); reach long times with a larger learningRate, or with the exact dynamics.',
      'steps',
    );
  }
  const records = recordedStates(steps, recordEvery);
  if (records > MAX_GRID_POINTS) {
    throw new InvalidArgumentError(
      `invalid argument. \`steps\` = ${steps} with \`recordEvery\` = ${recordEvery} would record ${records} states; at most ` +
        `${MAX_GRID_POINTS} are kept (each holds both weight matrices): pass a larger recordEvery.`,
      'recordEvery',
    );
  }
  return { learningRate, steps, recordEvery, tau };
}

/**
 * The one gradient-descent loop: W ← W + η·(−∇L(W)), the explicit Euler step of the flow's
 * vector field, recording step 0, every `recordEvery`-th step and the last step.
 */
function runGradientDescent(
  problem: TwoLayerProblem,
  learningRate: number,
  steps: number,
  recordEvery: number,
  tau: number,
  lossOffset: number,
  fn: string,
): GradientDescentResult {
  const { ni, nh, no } = problem;
  const field = new VectorField(problem);
  const w1 = problem.w1.slice();
  const w2 = problem.w2.slice();
  const d1 = new Float64Array(w1.length);
  const d2 = new Float64Array(w2.length);
  const out: GradientDescentResult = { steps: [], times: [], w1: [], w2: [], loss: [] };
  const record = (step: number): void => {
    out.steps.push(step);
    out.times.push(step * learningRate * tau);
    out.w1.push(fromArray(w1, nh, ni));
    out.w2.push(fromArray(w2, no, nh));
    out.loss.push(field.loss(w1, w2) + lossOffset);
  };
  record(0);
  for (let step = 1; step <= steps; step++) {
    field.evaluate(w1, w2, d1, d2); // both directions at the old weights
    let norm2 = 0;
    for (let k = 0; k < w1.length; k++) {
      w1[k] += learningRate * d1[k];
      norm2 += w1[k] * w1[k];
    }
    for (let k = 0; k < w2.length; k++) {
      w2[k] += learningRate * d2[k];
      norm2 += w2[k] * w2[k];
    }
    if (!Number.isFinite(norm2)) {
      throw new DivergenceError(
        `${fn} diverged: the weights became non-finite (or overflowed) at step ${step} of ${steps}. ` +
          `The learning rate ${learningRate} is too large for this network and task; reduce \`learningRate\`.`,
        step,
        steps,
        learningRate,
      );
    }
    if (step % recordEvery === 0 || step === steps) record(step);
  }
  return out;
}

/**
 * The index k of the first recorded loss that rose above the one before it (k ≥ 1), or −1:
 * gradient descent with a small enough η never raises the loss, so a rise means η is too
 * large (an oscillation, or divergence). Rises within 1e-9 relative, and among losses below
 * 1e-12 of the first one (the rounding jitter of a converged run, ≈ 1e-31), do not count.
 * Shared by `exact-dln simulate` and the explorer.
 *
 * @internal
 */
export function firstLossRise(losses: ArrayLike<number>): number {
  const floor = 1e-12 * losses[0];
  for (let k = 1; k < losses.length; k++) {
    if (losses[k] > floor && losses[k] > losses[k - 1] * (1 + 1e-9) + 1e-300) return k;
  }
  return -1;
}
