/**
 * `transfer`: exact transfer learning — pretrain on a source task, then train on a target
 * task, compared with training on the target from the original initialisation
 * (MATH.md §9, with the task-switch machinery of §7).
 *
 * @module
 */
import type { Matrix } from 'ml-matrix';
import { exactDynamics, type ExactDynamics } from '../core/exact-dynamics.js';
import type { Snapshot } from '../core/snapshot.js';
import { fullSvd } from '../core/svd.js';
import type { Task } from '../core/task.js';
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { toArray } from '../linalg/dense.js';
import { extremeScale } from '../analysis/network-representations.js';
import {
  assertGridPoints,
  assertInteger,
  assertKnownOptions,
  assertOptions,
  assertPositiveNumber,
  type MatrixLike,
  optionalNumber,
  toTimes,
} from '../validation.js';
import { firstCrossing } from './crossing-time.js';
import { halfSquaredDistance, trainSequence, type TaskSequence } from './task-sequence.js';
import { sigmaYXOf } from '../core/task-input.js';

/**
 * Fraction of the scratch run's initial target loss that counts as "learned" for `timeTo90`
 * (0.1: 90 % of the loss reduction).
 *
 * @example
 * ```ts
 * import { TRANSFER_LOSS_FRACTION } from 'exact-dln';
 * console.log(TRANSFER_LOSS_FRACTION); // 0.1
 * ```
 */
export const TRANSFER_LOSS_FRACTION = 0.1;

/**
 * Options of {@link transfer}.
 *
 * @example
 * ```ts
 * import type { TransferOptions } from 'exact-dln';
 * const o: TransferOptions = { w1: [[0.1]], w2: [[0.1]], source: [[1]], target: [[2]], pretrainTime: 10, time: 10 };
 * ```
 */
export interface TransferOptions {
  /** W1(0), hidden×input (Nh×Ni); with `w2` λ-balanced. Both runs start here. */
  w1: MatrixLike;
  /** W2(0), output×hidden (No×Nh). */
  w2: MatrixLike;
  /** The source (pretraining) task: a whitened Task or its Σyx (No×Ni). */
  source: Task | MatrixLike;
  /** The target task: a whitened Task or its Σyx (No×Ni). */
  target: Task | MatrixLike;
  /** How long the source is trained (> 0). */
  pretrainTime: number;
  /** How long the target is trained in both runs (> 0). */
  time: number;
  /** Times in [0, time], measured from the start of target training, at which to record. Default: `points` evenly spaced. */
  times?: readonly number[];
  /** Number of default recording points (integer ≥ 2); default 101. */
  points?: number;
  /** Time constant τ; default 1. */
  tau?: number;
}

/**
 * One run of a {@link transfer} comparison, on the target task.
 *
 * @example
 * ```ts
 * import { transfer, type TransferRun } from 'exact-dln';
 * const r = transfer({ w1: [[0.1]], w2: [[0.1]], source: [[1]], target: [[2]], pretrainTime: 10, time: 10 });
 * const scratch: TransferRun = r.scratch;
 * console.log(scratch.times.length); // 101
 * ```
 */
export interface TransferRun {
  /** Recorded times, measured from the start of target training (0 … `time`). */
  times: number[];
  /** ½‖Σyx_target − W2W1‖²_F at each time (the target's excess loss). */
  targetLoss: number[];
  /** ½‖Σyx_source − W2W1‖²_F at each time (how much of the source is kept). */
  sourceLoss: number[];
  /** The exact dynamics of the target phase (`at(s)` takes s from the start of target training). */
  dynamics: ExactDynamics;
  /**
   * The state when target training starts (after pretraining, or the initialisation). Its
   * `t` is global: `pretrainTime` for the pretrained run (the time in its `sequence`), 0 for
   * the scratch run.
   */
  start: Snapshot;
  /** The state at the end of target training (`t` = `pretrainTime + time`, or `time`). */
  end: Snapshot;
  /**
   * Cosine similarity ⟨W1ᵀW1, ṼS̃Ṽᵀ⟩_F/(‖W1ᵀW1‖_F‖ṼS̃Ṽᵀ‖_F) of the input representation
   * with the target's (see {@link transfer}) at the start and end of target training.
   */
  similarity: { start: number; end: number };
}

/**
 * The result of {@link transfer}.
 *
 * @example
 * ```ts
 * import { transfer, type TransferResult } from 'exact-dln';
 * const r: TransferResult = transfer({ w1: [[0.1]], w2: [[0.1]], source: [[1]], target: [[2]], pretrainTime: 10, time: 10 });
 * console.log(r.timeTo90.pretrained < r.timeTo90.scratch); // true
 * ```
 */
export interface TransferResult {
  /** λ, conserved by both runs. */
  lambda: number;
  /** Pretrained run: source for `pretrainTime`, then target for `time`. `sequence` is the whole two-stage run (global times). */
  pretrained: TransferRun & { sequence: TaskSequence };
  /** Scratch run: target for `time` from the original weights. */
  scratch: TransferRun;
  /**
   * Time (from the start of target training) to reach a target loss ≤ `threshold` =
   * 0.1 × the scratch run's initial target loss, i.e. 90 % of the loss reduction the
   * scratch run has ahead of it; 0 if a run starts below it, `Infinity` if not reached by `time`.
   * Meaningless when the initial weights already solve the target (the scratch run's
   * initial loss is then rounding, ≈ (ε·‖Σyx‖)², and so is the threshold).
   */
  timeTo90: { pretrained: number; scratch: number; threshold: number };
  /**
   * The pretrained run's representation similarity: `before` at the start of target
   * training, `after` at its end; `isotropic` is what W1ᵀW1 ∝ I would score,
   * Σσ_α/(sqrt(Ni)·‖σ‖) — the baseline to compare with for full-rank targets.
   */
  representationSimilarity: { before: number; after: number; isotropic: number };
}

/** ṼS̃Ṽᵀ = (ΣyxᵀΣyx)^{1/2} (Ni×Ni, row-major): the input representation a task asks for. */
function inputStructure(sigmaYX: Matrix): Float64Array {
  const { s, v } = fullSvd(sigmaYX);
  const ni = v.rows;
  const out = new Float64Array(ni * ni);
  s.forEach((sigma, a) => {
    if (sigma === 0) return;
    for (let i = 0; i < ni; i++) {
      const vi = sigma * v.get(i, a);
      for (let j = 0; j < ni; j++) out[i * ni + j] += vi * v.get(j, a);
    }
  });
  return out;
}

/** I_n, row-major. */
function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}

/** Frobenius cosine ⟨a, b⟩/(‖a‖‖b‖); 0 if either is zero. */
function cosine(a: Float64Array, b: Float64Array): number {
  // Each side of extreme size scaled by a power of two (exact) bringing its largest entry near 1: the sums of
  // squares of entries beyond ~1e154 overflowed, and below ~1e-162 vanished (both gave 0).
  const pa = extremeScale(a);
  const pb = extremeScale(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let k = 0; k < a.length; k++) {
    const x = a[k] * pa;
    const y = b[k] * pb;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}


/**
 * Exact transfer learning (MATH.md §9): from the same λ-balanced weights, compares
 * - **pretrained**: train on `source` for `pretrainTime`, then on `target` for `time`
 *   (a two-stage {@link trainSequence}: λ is conserved and the target phase restarts exactly
 *   from the reached state, MATH.md §7);
 * - **scratch**: train on `target` for `time` from the original weights (`exactDynamics`).
 *
 * Both runs are recorded at the same times s ∈ [0, time] measured from the start of target
 * training: target loss L_T(s) = ½‖Σyx_T − W2W1‖²_F and source loss (whitened inputs,
 * MATH.md §1). Summaries:
 * - `timeTo90`: with threshold = 0.1·L_T of the initial weights (the scratch run's start),
 *   the first s at which each run's target loss is ≤ threshold — 90 % of the scratch run's
 *   loss reduction. Found on the exact trajectory by a 64-interval scan and bisection on
 *   the closed form (to 1e-12·time; the loss is non-increasing along gradient flow, so the
 *   first crossing is found). 0 if the run starts below the threshold, `Infinity` if it does
 *   not reach it by s = `time`. `pretrained < scratch` means pretraining helped.
 * - `representationSimilarity`: the cosine ⟨W1ᵀW1, ṼS̃Ṽᵀ⟩_F/(‖W1ᵀW1‖_F‖ṼS̃Ṽᵀ‖_F)
 *   between the network's input representation W1ᵀW1 (Ni×Ni) and the target's input
 *   structure ṼS̃Ṽᵀ = (Σyx_Tᵀ Σyx_T)^{1/2} (Σyx_T = Ũ S̃ Ṽᵀ), for the pretrained run: `before` =
 *   at the start of target training (what pretraining left), `after` = at its end. 1 means
 *   W1ᵀW1 ∝ ṼS̃Ṽᵀ — the shape a λ = 0 network converges to (MATH.md §5); 0 if W1ᵀW1 = 0.
 *   For a full-rank target even an isotropic W1ᵀW1 ∝ I scores Σσ_α/(sqrt(Ni)‖σ‖)
 *   (reported as `isotropic`; 0.957 for the depth-3 hierarchy), so compare with that.
 *   Each run also reports `similarity.start/end`.
 * λ decides how the learned structure is shared between the layers (MATH.md §5, §9): after
 * convergence W1ᵀW1 = Ṽ diag(κ_α − λ/2) Ṽᵀ, i.e. ≈ |λ|I + ΣᵀΣ/|λ| for λ ≪ 0 (large, nearly
 * isotropic) and ≈ ΣᵀΣ/λ for λ ≫ 0 (small but shaped by the task). For square networks (Ni = Nh = No,
 * invertible weights) the network function — hence both loss curves and `timeTo90` —
 * depends on λ only through λ² for a given initial product W2W1(0): balanced weights have
 * W2W2ᵀ = (WWᵀ + λ²/4)^{1/2} + λ/2 and W1ᵀW1 = (WᵀW + λ²/4)^{1/2} − λ/2, and the ±λ/2 cancel
 * in τ dW/dt = W2W2ᵀE + EW1ᵀW1 (E = Σyx − W). The sign of λ shows only in the
 * representations (`representationSimilarity`).
 *
 * Shapes: w1 Nh×Ni, w2 No×Nh, source and target No×Ni (Σxx = I).
 * Cost: two SVDs per task and O(N·Nh²) set-up; then per recorded time and run
 * O(N·Nh² + Nh³ + Ni·No·Nh); ≤ 144 more state evaluations per run for `timeTo90`.
 * Inputs are never mutated.
 *
 * @param options - see {@link TransferOptions}.
 * @returns the {@link TransferResult}.
 * @throws {@link InvalidArgumentError} if `pretrainTime` or `time` is not > 0, a time lies
 *   outside [0, time], or `points` is not an integer ≥ 2.
 * @throws {@link ShapeError} if source and target differ in shape or do not fit the weights.
 * @throws {@link NotWhitenedError}, {@link NotBalancedError}, {@link NonFiniteError} as
 *   {@link trainSequence} does.
 * @example
 * ```ts
 * import { transfer, hierarchicalTask, featureFlip, lambdaBalancedWeights } from 'exact-dln';
 * const source = hierarchicalTask({ depth: 2 });
 * const target = featureFlip(source, [3]); // reverse one fine distinction
 * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 4, hiddenDim: 4, outputDim: 4, lambda: -1, scale: 0.01, seed: 1 });
 * const r = transfer({ w1, w2, source, target, pretrainTime: 30, time: 30 });
 * console.log(r.timeTo90.pretrained < r.timeTo90.scratch); // true: pretraining helps
 * console.log(r.representationSimilarity.before > 0.9); // true: W1ᵀW1 already fits
 * ```
 */
export function transfer(options: TransferOptions): TransferResult {
  assertOptions(options, 'transfer', '{ w1, w2, source, target, pretrainTime, time, times?, points?, tau? }');
  assertKnownOptions(options, 'transfer', {
    w1: true,
    w2: true,
    source: true,
    target: true,
    pretrainTime: true,
    time: true,
    times: true,
    points: true,
    tau: true,
  } satisfies Record<keyof TransferOptions, true>);
  const source = sigmaYXOf(options.source, 'source');
  const target = sigmaYXOf(options.target, 'target');
  if (source.rows !== target.rows || source.columns !== target.columns) {
    throw new ShapeError(
      `invalid argument. \`target\` must have the shape of \`source\` (Σyx ${source.rows}×${source.columns}). ` +
        `Value: ${target.rows}×${target.columns}.`,
      'target',
    );
  }
  assertPositiveNumber(options.pretrainTime, 'pretrainTime');
  assertPositiveNumber(options.time, 'time');
  const { pretrainTime, time } = options;
  const tau = optionalNumber(options.tau, 1, 'tau', assertPositiveNumber);
  let times: number[];
  if (options.times !== undefined) {
    times = toTimes(options.times, 'times');
    times.forEach((t, i) => {
      if (t > time) {
        throw new InvalidArgumentError(`invalid argument. \`times[${i}]\` must lie in [0, time = ${time}]. Value: ${t}.`, 'times');
      }
    });
  } else {
    const points = optionalNumber(options.points, 101, 'points', (x, n) => assertGridPoints(x, n, 2));
    times = Array.from({ length: points }, (_, k) => (k === points - 1 ? time : (time * k) / (points - 1)));
  }

  const sequence = trainSequence({
    w1: options.w1,
    w2: options.w2,
    tasks: [
      { sigmaYX: source, duration: pretrainTime },
      { sigmaYX: target, duration: time },
    ],
    tau,
    pointsPerSegment: 2,
  });
  const scratchDynamics = exactDynamics({ w1: options.w1, w2: options.w2, sigmaYX: target, tau });
  const targetArr = toArray(target);
  const sourceArr = toArray(source);
  const structure = inputStructure(target);

  const record = (dynamics: ExactDynamics): TransferRun => {
    const targetLoss: number[] = [];
    const sourceLoss: number[] = [];
    for (const s of times) {
      const w = toArray(dynamics.at(s).w2w1);
      targetLoss.push(halfSquaredDistance(targetArr, w));
      sourceLoss.push(halfSquaredDistance(sourceArr, w));
    }
    const start = dynamics.at(0);
    const end = dynamics.at(time);
    return {
      times: times.slice(),
      targetLoss,
      sourceLoss,
      dynamics,
      start,
      end,
      similarity: { start: cosine(toArray(start.w1tw1), structure), end: cosine(toArray(end.w1tw1), structure) },
    };
  };
  const pretrainedRun = record(sequence.segments[1].dynamics);
  const scratchRun = record(scratchDynamics);

  const threshold = TRANSFER_LOSS_FRACTION * scratchRun.start.loss;
  const timeTo = (dynamics: ExactDynamics): number => firstCrossing((s) => dynamics.at(s).loss <= threshold, time);
  return {
    lambda: sequence.lambda,
    pretrained: { ...pretrainedRun, sequence },
    scratch: scratchRun,
    timeTo90: { pretrained: timeTo(sequence.segments[1].dynamics), scratch: timeTo(scratchDynamics), threshold },
    representationSimilarity: {
      before: pretrainedRun.similarity.start,
      after: pretrainedRun.similarity.end,
      isotropic: cosine(identity(target.columns), structure),
    },
  };
}
