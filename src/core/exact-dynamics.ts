/**
 * `exactDynamics`: the closed-form learning trajectory of a two-layer linear network
 * from a λ-balanced initialisation (MATH.md §3–§5).
 *
 * @module
 */
import { Matrix } from 'ml-matrix';
import { copyMatrix, toArray } from '../linalg/dense.js';
import { symmetricEigen } from '../linalg/symmetric-eigen.js';
import { pivotedCholeskyFactor } from '../linalg/low-rank-factor.js';
import {
  assertFiniteNumber,
  assertInteger,
  assertMatrixSizes,
  assertKnownOptions,
  assertPositiveNumber,
  assertLayersNotTransposed,
  assertShape,
  assertTime,
  toMatrix,
  toTimes,
  type MatrixLike,
} from '../validation.js';
import { ExactDlnError, InvalidArgumentError, NotBalancedError } from '../errors.js';
import type { Task } from './task.js';
import { sigmaYXOf } from './task-input.js';
import { assertBalanced, balanceOfFactor } from './balance.js';
import { RiccatiSolution } from './riccati.js';
import { Snapshot } from './snapshot.js';
import { spectrumOf } from './spectrum.js';
import { summariesOf, type TrajectorySummaries } from './trajectory-summaries.js';

/** Default relative balance residual accepted by {@link exactDynamics}. */
export const DEFAULT_BALANCE_TOLERANCE = 1e-8;

/**
 * Options of {@link exactDynamics}.
 *
 * @example
 * ```ts
 * import type { ExactDynamicsOptions } from 'exact-dln';
 * const opts: ExactDynamicsOptions = { w1: [[0.1, 0]], w2: [[0.1], [0]], sigmaYX: [[1, 0], [0, 0.5]] };
 * ```
 */
export interface ExactDynamicsOptions {
  /** Input-to-hidden weights W1(0), hidden×input (Nh×Ni). */
  w1: MatrixLike;
  /** Hidden-to-output weights W2(0), output×hidden (No×Nh). */
  w2: MatrixLike;
  /**
   * Input–output covariance Σyx = YXᵀ/P of a whitened task, output×input (No×Ni) — or the
   * {@link Task} itself (from `randomTask`, `taskFromData`, …), whose Σxx must then be the
   * identity to 1e-8 ({@link NotWhitenedError} otherwise): a Σyx alone cannot be checked.
   */
  sigmaYX: MatrixLike | Task;
  /** Time constant τ of the gradient flow (t = step·η·τ for gradient descent); default 1. */
  tau?: number;
  /**
   * Largest accepted relative balance residual ‖B − λ̂I‖_F/(‖B‖_F + 1) with
   * B = W2ᵀW2 − W1W1ᵀ; default 1e-8. The closed form is exact only for balanced weights.
   */
  balanceTolerance?: number;
}

/**
 * The exact learning trajectory of one network on one task: factor once, evaluate at
 * any time.
 *
 * @example
 * ```ts
 * import { exactDynamics, lambdaBalancedWeights, randomTask } from 'exact-dln';
 * const task = randomTask({ inputDim: 4, outputDim: 3, samples: 40, seed: 3 });
 * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 4, hiddenDim: 3, outputDim: 3, lambda: -2, scale: 0.05, seed: 4 });
 * const dyn = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX });
 * const losses = dyn.trajectory([0, 1, 2, 4, 8]).map((s) => s.loss);
 * ```
 */
export interface ExactDynamics {
  /** λ of the initial weights (conserved along the trajectory). */
  readonly lambda: number;
  /** The time constant τ. */
  readonly tau: number;
  /** Ni, Nh, No. */
  readonly inputDim: number;
  readonly hiddenDim: number;
  readonly outputDim: number;
  /** Σyx (No×Ni): a fresh copy at every read. */
  readonly sigmaYX: Matrix;
  /** Singular values of Σyx, descending (a frozen array). */
  readonly sigma: readonly number[];
  /** Left (No×No) and right (Ni×Ni) singular vectors of Σyx, completed to full bases (fresh copies at every read). */
  readonly singularVectors: { u: Matrix; v: Matrix };
  /**
   * The state at time t ≥ 0. Cost O((Ni+No)·Nh² + Nh³) plus whatever matrices of the
   * snapshot are read. Throws for t < 0, NaN or ±Infinity.
   */
  at(t: number): Snapshot;
  /** The states at each of `times` (any order; each ≥ 0 and finite). */
  trajectory(times: readonly number[]): Snapshot[];
  /**
   * Loss, mode-strength and off-diagonal curves at each of `times` (any order; each ≥ 0
   * and finite), as Float64Arrays: the same numbers as `at(t).loss` and the diagonal and
   * off-diagonal part of `at(t).singularProduct`, computed without Snapshots and without
   * rotating back from the task's singular basis (no (Ni+No)×(Ni+No) matrix is formed).
   * Cost per time: O((Ni+No)·Nh² + Nh³) for the factor plus O(Ni·No·Nh) for Ũᵀ W2W1 Ṽ —
   * except for a decoupled (aligned) initialisation, where each task mode carries at most
   * one hidden direction of its own (e.g. `lambdaBalancedWeights({ …, alignTo: sigmaYX })`):
   * the modes then evolve independently, and each comes from its closed form
   * (`alignedMode`, MATH.md §5) in O(1), with an off-diagonal part of exactly 0 (128×128×128:
   * 2.9 µs per time instead of 0.8 ms). A reversed mode near its saddle, or a mode whose
   * rate is near zero, keeps the general evaluator, whose tolerances decide those cases.
   * Throws as `at` does: {@link InvalidArgumentError} for a time < 0 (or `times` not an
   * array), {@link NonFiniteError} for NaN or ±Infinity.
   *
   * @example
   * ```ts
   * import { exactDynamics, lambdaBalancedWeights, randomTask } from 'exact-dln';
   * const task = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 1 });
   * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0, scale: 0.01, seed: 2 });
   * const dyn = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX });
   * const times = Float64Array.from({ length: 1000 }, (_, k) => (20 * k) / 999);
   * const { loss, modeStrengths } = dyn.summaries(times);
   * console.log(loss[0] > loss[999]);                              // true: the loss falls
   * console.log(Math.abs(loss[500] - dyn.at(times[500]).loss) < 1e-12); // true: same numbers as at(t)
   * console.log(modeStrengths.length, modeStrengths[0].length);     // 3 1000
   * ```
   */
  summaries(times: readonly number[] | Float64Array): TrajectorySummaries;
  /**
   * The loss curve alone: `lossCurve(times)[k]` = `at(times[k]).loss` = ½‖Σyx − W2W1‖²_F
   * (MATH.md §1). Same cost as {@link ExactDynamics.summaries}.
   *
   * @example
   * ```ts
   * import { exactDynamics } from 'exact-dln';
   * const dyn = exactDynamics({ w1: [[0.1, 0]], w2: [[0.1]], sigmaYX: [[1, 0]] });
   * const loss = dyn.lossCurve([0, 5, 50]);
   * console.log(loss[0], loss[2] < 1e-12); // 0.49005 true: ½(1 − 0.1·0.1)², then learned
   * ```
   */
  lossCurve(times: readonly number[] | Float64Array): Float64Array;
  /**
   * The mode-strength curves alone: `modeStrengthCurves(times)[α][k]` = a_α(times[k]) =
   * (Ũᵀ W2W1 Ṽ)_αα for α < min(Ni, No) (MATH.md §5). Cheaper than the loss: only the
   * diagonal of Ũᵀ W2W1 Ṽ is formed, O(min(Ni, No)·Nh) per time after the factor.
   *
   * @example
   * ```ts
   * import { exactDynamics } from 'exact-dln';
   * const dyn = exactDynamics({ w1: [[0.1, 0], [0, 0.1]], w2: [[0.1, 0], [0, 0.1]], sigmaYX: [[2, 0], [0, 1]] });
   * const [a1, a2] = dyn.modeStrengthCurves([0, 2, 20]);
   * console.log(a1[0].toFixed(2), a1[2].toFixed(6), a2[2].toFixed(6)); // 0.01 2.000000 1.000000
   * ```
   */
  modeStrengthCurves(times: readonly number[] | Float64Array): Float64Array[];
  /**
   * The state as t → ∞ (MATH.md §5): P(∞) = Σ 2γᵢ oᵢoᵢᵀ over the Nh fastest-growing
   * directions reachable from Q(0). Its `t` is `Infinity`.
   *
   * @throws {@link ExactDlnError} when the hidden layer must choose between two growth rates
   *   that double precision cannot tell apart — distinct singular values whose σ²/|λ| is
   *   subnormal (below 2.2e-308, e.g. σ = 1e-160 at λ = 1) and whose rates differ by less than
   *   5.6e-309, with a hidden layer narrower than the large side (docs/model.md); `at(t)` and
   *   the summaries throw the same error once that choice would have gone 1e-6 of its way
   *   (t/τ > 1e-6/gap, beyond 1.8e302).
   */
  converged(): Snapshot;
}

/**
 * The inputs of {@link exactDynamics}, validated in the order it checks them (options
 * object, matrices, shapes, τ, tolerance, balance): the same errors, thrown before any
 * set-up. Shared with the worker pool of 'exact-dln/parallel', which checks a call in the
 * calling thread before it sends work out.
 *
 * @internal
 */
export function validatedDynamicsInputs(options: ExactDynamicsOptions): {
  w1: Matrix;
  w2: Matrix;
  sigmaYX: Matrix;
  tau: number;
  balanceTolerance: number;
  lambda: number;
} {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('invalid argument. exactDynamics expects an options object { w1, w2, sigmaYX, tau?, balanceTolerance? }.');
  }
  if ('task' in options) {
    throw new InvalidArgumentError(
      'invalid argument. exactDynamics takes the task as `sigmaYX`: pass `sigmaYX: task` (a whitened Task, checked) or `sigmaYX: task.sigmaYX`.',
      'task',
    );
  }
  assertKnownOptions(options, 'exactDynamics', { w1: true, w2: true, sigmaYX: true, tau: true, balanceTolerance: true } satisfies Record<keyof ExactDynamicsOptions, true>);
  const w1 = toMatrix(options.w1, 'w1');
  const w2 = toMatrix(options.w2, 'w2');
  const sigmaYX = sigmaYXOf(options.sigmaYX, 'sigmaYX');
  assertLayersNotTransposed(w1, w2, sigmaYX);
  const ni = w1.columns;
  const nh = w1.rows;
  // The task's full singular bases (MATH.md §4) are Ni×Ni and No×No.
  assertMatrixSizes([[ni, ni, "the task's input singular basis"], [w2.rows, w2.rows, "the task's output singular basis"], [ni + w2.rows, nh, 'the factor Q']], 'w1, w2');
  assertShape(w2, undefined, nh, 'w2', `output×hidden, hidden = w1.rows = ${nh}`);
  const no = w2.rows;
  assertShape(sigmaYX, no, ni, 'sigmaYX', `output×input = w2.rows × w1.columns`);
  const tau = options.tau ?? 1;
  assertPositiveNumber(tau, 'tau');
  const balanceTolerance = options.balanceTolerance ?? DEFAULT_BALANCE_TOLERANCE;
  assertPositiveNumber(balanceTolerance, 'balanceTolerance');
  const lambda = assertBalanced(w1, w2, balanceTolerance);
  return { w1, w2, sigmaYX, tau, balanceTolerance, lambda };
}

/**
 * Builds the exact learning dynamics of y = W2·W1·x under gradient flow
 * τ dW1/dt = W2ᵀ(Σyx − W2W1), τ dW2/dt = (Σyx − W2W1)W1ᵀ from λ-balanced weights
 * (W2ᵀW2 − W1W1ᵀ = λI) on a whitened task (Σxx = I), MATH.md §3–§4.
 *
 * Uses the overflow-free evaluation of MATH.md §4, which covers every configuration the
 * λ constraints allow: bottlenecked networks (Nh < min(Ni, No), converging to the best
 * rank-Nh approximation of Σyx), Nh between Ni and No, Nh above both at λ = 0,
 * rank-deficient Σyx, repeated singular values, and degenerate initialisations (e.g. the
 * reversal-learning saddle of MATH.md §8: projections on a growing direction that are zero
 * up to rounding are taken as exactly zero; at λ ≠ 0 above its rounding level,
 * |λ| > 32·(Ni + No)·ε·‖W‖², such saddles are gone and even projections of order
 * |λ|/‖W‖ are kept — docs/model.md). Finite for any t up to 1e8·τ and beyond, and
 * exact to rounding for small and large initialisations too: weights from about 1e-240
 * (initial products far below the smallest double) up to about 1.3e154 (products near the
 * largest) are evaluated without subnormal or overflowing arithmetic (the initial factor
 * scaled by a power of two, which changes no digit); others are refused.
 *
 * Cost: one SVD of Σyx and O((Ni+No)·Nh²) set-up; then O((Ni+No)·Nh² + Nh³) per time.
 *
 * @throws {@link ShapeError} if the shapes do not fit (w1 Nh×Ni, w2 No×Nh, Σyx No×Ni).
 * @throws {@link NonFiniteError} for NaN or infinite entries.
 * @throws {@link NotBalancedError} if the weights are not λ-balanced within `balanceTolerance`.
 * @throws {@link NotWhitenedError} if `sigmaYX` is a Task whose Σxx is not the identity.
 * @throws {@link InvalidArgumentError} for a non-positive τ or tolerance, initial weights
 *   below about 1e-240 (not zero) or above about 1.3e154, widths whose singular bases
 *   (Ni×Ni, No×No) or factor ((Ni+No)×Nh) would have more than 2²⁷ entries, or an unknown
 *   option (`task` included: the task goes in `sigmaYX`); `at` throws for bad t.
 * @example
 * ```ts
 * import { exactDynamics, lambdaBalancedWeights, randomTask } from 'exact-dln';
 * const task = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 1 });
 * // Small and balanced (λ = 0: the rich regime), with det W2W1 of det Σyx's sign — at λ = 0
 * // the other sign, half of all random starts, stops on a saddle with the weakest mode
 * // never learned (docs/model.md, "Saddles").
 * const { w1, w2 } = lambdaBalancedWeights({
 *   inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0, scale: 0.01, seed: 2, matchDeterminantSign: task.sigmaYX,
 * });
 * const dyn = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX, tau: 1 });
 * console.log(Math.abs(dyn.lambda) < 1e-15);                          // true: λ = 0
 * console.log(dyn.at(20).loss > 1e-3);   // true: the weakest mode (σ ≈ 0.07) is still on its plateau
 * console.log(dyn.at(200).loss < 1e-20); // true: learned by t = 200τ
 * console.log(dyn.converged().w2w1.clone().sub(task.sigmaYX).norm() < 1e-12); // true: W2W1 → Σyx
 * ```
 */
export function exactDynamics(options: ExactDynamicsOptions): ExactDynamics {
  const { w1, w2, sigmaYX, tau, lambda } = validatedDynamicsInputs(options);
  const ni = w1.columns;
  const nh = w1.rows;
  const no = w2.rows;
  const q = new Float64Array((ni + no) * nh);
  const w1a = toArray(w1);
  for (let h = 0; h < nh; h++) for (let i = 0; i < ni; i++) q[i * nh + h] = w1a[h * ni + i];
  q.set(toArray(w2), ni * nh);
  return buildDynamics(q, ni, nh, no, lambda, sigmaYX, tau);
}

/** Relative tolerance on P's rank and definiteness in {@link exactDynamicsFromQQt}. */
const QQT_RELATIVE_TOLERANCE = 1e-10;

/**
 * {@link exactDynamicsFromQQt} refuses a P whose weakest resolved hidden direction has a
 * squared norm below this many times P's rounding level N·ε·max_i P_ii: the direction's
 * orientation is then mostly noise. Measured on 2299 restarts of random states (widths up
 * to 6, λ from −2 to 0.5, scales 1e-10 to 1e20): with the weakest direction ≥ 1e4 times the
 * rounding level every restart continued its trajectory and its limit to ≤ 2e-11 relative;
 * a λ = 0 state with one at 2.2 times the rounding level turned a saddle into learning.
 */
const WEAKEST_DIRECTION_MARGIN = 100;

/** 2⁻⁹⁶⁸ = 2⁻¹⁰²²·2⁵⁴: below it a double has fewer than 53 significant bits to spare. */
const SMALLEST_FULL_PRECISION = 2 ** -968;

/**
 * Options of {@link exactDynamicsFromQQt}.
 *
 * @example
 * ```ts
 * import type { QQtDynamicsOptions } from 'exact-dln';
 * const o: QQtDynamicsOptions = { qqt: [[1, 1], [1, 1]], inputDim: 1, hiddenDim: 1, lambda: 0, sigmaYX: [[2]] };
 * ```
 */
export interface QQtDynamicsOptions {
  /** P = QQᵀ, (Ni+No)×(Ni+No), symmetric positive semi-definite of rank ≤ Nh. */
  qqt: MatrixLike;
  /** Ni: the first Ni rows/columns of P belong to the input side. */
  inputDim: number;
  /** Nh: the hidden width (rank bound of P). */
  hiddenDim: number;
  /**
   * λ of the weights P came from. Optional: P determines it (λ = tr(QᵀJQ)/Nh for any
   * factor Q, J = diag(−I_Ni, I_No)), and a given λ is checked against P.
   */
  lambda?: number;
  /** Σyx of the (new) task, No×Ni. */
  sigmaYX: MatrixLike;
  /** Time constant τ; default 1. */
  tau?: number;
  /**
   * Largest accepted relative residual ‖QᵀJQ − λI‖_F / (‖QᵀJQ‖_F + 1) (the balance residual
   * of `exactDynamics`, with the same allowance for the rounding of QᵀJQ); default 1e-8.
   */
  balanceTolerance?: number;
}

/** Largest accepted max |P_ij − P_ji| of `exactDynamicsFromQQt`'s P, relative to its largest diagonal entry. */
const QQT_SYMMETRY_TOLERANCE = 1e-10;

/**
 * Restarts the exact dynamics from a state P = QQᵀ instead of from weights (MATH.md §7):
 * the Riccati solution needs only P. Used to chain task switches: λ is conserved, so the
 * state reached on one task is the initial condition on the next.
 *
 * P must be symmetric up to rounding (max |P_ij − P_ji| ≤ 1e-10·max_i P_ii; it is then
 * symmetrised as (P + Pᵀ)/2) and positive semi-definite of rank ≤ Nh: its
 * (Nh+1)-th eigenvalue and its most negative one may be at most 1e-10 × its largest in
 * magnitude, otherwise P is rejected. It is factored by a Cholesky with diagonal
 * pivoting, accepted when ‖P − QQᵀ‖_F ≤ 1e-10·max_i P_ii (which implies both eigenvalue
 * conditions); only when that certificate fails does a symmetric eigendecomposition decide
 * (and factor P by its Nh leading eigenpairs, or report which condition fails). Any two
 * factors with the same QQᵀ give the same dynamics. Cost O((Ni+No)²·Nh) on the fast path
 * (≈ 15 ms for 784×100×10, plus the set-up of `exactDynamics`), O((Ni+No)³) on the fallback.
 *
 * P must also be the state of λ-balanced weights: for any factor Q = [W1ᵀ; W2] of P,
 * B = W2ᵀW2 − W1W1ᵀ = QᵀJQ (J = diag(−I_Ni, I_No); the same matrix up to rotation for every
 * factor) must equal λI within `balanceTolerance`, measured as `exactDynamics` measures
 * weights. So λ is a property of P: it is taken from P when `lambda` is omitted, and a given
 * `lambda` that does not fit P is refused rather than used — the Riccati equation with
 * another λ would give a trajectory that no network follows. Rounding of B itself
 * (≈ ε·‖P‖, which exceeds the tolerance for very large states) is allowed for.
 *
 * Precision: P holds a hidden direction of weight norm w as an eigenvalue w², so directions
 * with w² below its rounding, ≈ N·ε·‖P‖, are lost in P itself, whichever way it is factored.
 * Balanced weights with λ ≠ 0 have Nh directions with w² ≥ |λ|, so a P that resolves fewer
 * than Nh directions is accepted only as a λ = 0 state (B = 0 within `balanceTolerance`, no
 * allowance for rounding); otherwise — a large learned state with |λ| ≲ N·ε·‖P‖, say — it
 * is refused with an explanation, since continuing it would silently drop a direction that
 * may still grow. At λ = 0 itself P cannot tell a silent hidden unit from one of weight
 * below ≈ √(N·ε·‖P‖) (a mode still on its plateau from a tiny initialisation), and the
 * restart treats it as silent. And a direction that is resolved but within a factor 100 of
 * the rounding level is mostly noise in orientation — it can decide whether a mode leaves a
 * saddle — so such a P is refused too. A state exactly on a saddle (an aligned mode reversed
 * at λ = 0, MATH.md §8, decaying towards a = 0) is unstable: any perturbation leaves it, and
 * P's own rounding, ε·‖P‖ in orientation, is one — a restart from such a P may learn the mode
 * (measured: weakest direction 460 to 1.9e5 times the rounding level, loss 1e-6 … 5e-11 at
 * t + 30 where the trajectory stays at 0.5), while the weights, which keep the mode's exact
 * zeros, stay on it. In all these cases restart from weights instead:
 * `exactDynamics({ ...snapshot.weights, sigmaYX })` keeps every direction (so does
 * `trainSequence`, which passes the factor from one task to the next).
 *
 * @throws {@link ShapeError}, {@link NonFiniteError} for bad shapes or entries.
 * @throws {@link InvalidArgumentError} if P is not symmetric (beyond 1e-10 of its largest
 *   diagonal entry), or not positive semi-definite of rank ≤ Nh
 *   (the message gives the offending eigenvalue), if `lambda` does not match P (the message
 *   gives P's λ), if P resolves fewer than Nh directions but is not a λ = 0 state, or its
 *   weakest direction is within a factor 100 of its rounding (see Precision), if P is so
 *   small that its entries lose digits (largest diagonal entry below 2⁻⁹⁶⁸ ≈ 4e-292), or for
 *   a bad `inputDim`, τ or tolerance, or a `hiddenDim` whose factor ((Ni+No)×Nh) would
 *   have more than 2²⁷ entries.
 * @throws {@link NotBalancedError} (argument `'qqt'`) if P is not the state of λ-balanced
 *   weights for any λ.
 * @example
 * ```ts
 * import { exactDynamics, exactDynamicsFromQQt, lambdaBalancedWeights, randomTask } from 'exact-dln';
 * const a = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 1 });
 * const b = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 2 });
 * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 1, scale: 0.1, seed: 3 });
 * const first = exactDynamics({ w1, w2, sigmaYX: a.sigmaYX });
 * const second = exactDynamicsFromQQt({ qqt: first.at(5).qqt, inputDim: 3, hiddenDim: 3, sigmaYX: b.sigmaYX });
 * console.log(Math.abs(second.lambda - first.lambda) < 1e-12); // true: λ is conserved, and read off P
 * console.log(second.at(5).loss);
 * ```
 */
export function exactDynamicsFromQQt(options: QQtDynamicsOptions): ExactDynamics {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      'invalid argument. exactDynamicsFromQQt expects an options object { qqt, inputDim, hiddenDim, sigmaYX, lambda?, tau?, balanceTolerance? }.',
    );
  }
  assertKnownOptions(options, 'exactDynamicsFromQQt', {
    qqt: true,
    inputDim: true,
    hiddenDim: true,
    lambda: true,
    sigmaYX: true,
    tau: true,
    balanceTolerance: true,
  } satisfies Record<keyof QQtDynamicsOptions, true>);
  const p = toMatrix(options.qqt, 'qqt');
  const n = p.rows;
  assertShape(p, n, n, 'qqt', 'square (Ni+No)×(Ni+No)');
  assertInteger(options.inputDim, 'inputDim');
  assertInteger(options.hiddenDim, 'hiddenDim');
  if (options.lambda !== undefined) assertFiniteNumber(options.lambda, 'lambda');
  const ni = options.inputDim;
  const nh = options.hiddenDim;
  assertMatrixSizes([[n, nh, 'a factor Q of qqt, (Ni+No)×hiddenDim']], 'hiddenDim'); // hiddenDim = 1e9 failed with a raw RangeError after 20 s
  if (ni >= n) {
    throw new InvalidArgumentError(`invalid argument. \`inputDim\` must be smaller than the size of qqt (${n}). Value: ${ni}.`, 'inputDim');
  }
  const no = n - ni;
  const sigmaYX = toMatrix(options.sigmaYX, 'sigmaYX');
  assertShape(sigmaYX, no, ni, 'sigmaYX', `output×input = ${no}×${ni} from qqt and inputDim`);
  const tau = options.tau ?? 1;
  assertPositiveNumber(tau, 'tau');
  const tol = options.balanceTolerance ?? DEFAULT_BALANCE_TOLERANCE;
  assertPositiveNumber(tol, 'balanceTolerance');
  const pa = toArray(p);
  const symmetric = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const mean = (pa[i * n + j] + pa[j * n + i]) / 2;
      symmetric[i * n + j] = mean;
      symmetric[j * n + i] = mean;
    }
  }
  // A state below the normal range holds its hidden directions with fewer than 53 bits
  // (a network with weights below ≈ 1e-146): refused, as a direction at P's rounding is.
  let diagonal = 0;
  for (let i = 0; i < n; i++) diagonal = Math.max(diagonal, symmetric[i * n + i]);
  // P must be symmetric up to rounding (QQᵀ formed by a product carries ~ε·max P_ii): an
  // asymmetric P was averaged silently, or refused for a rank it does not have.
  let skew = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) skew = Math.max(skew, Math.abs(pa[i * n + j] - pa[j * n + i]));
  if (!(skew <= QQT_SYMMETRY_TOLERANCE * diagonal)) {
    throw new InvalidArgumentError(
      `invalid argument. \`qqt\` must be symmetric (a state P = QQᵀ): max |P_ij − P_ji| = ${skew.toExponential(3)} is more than ` +
        `${QQT_SYMMETRY_TOLERANCE} × its largest diagonal entry ${diagonal.toExponential(3)}.`,
      'qqt',
    );
  }
  if (diagonal > 0 && diagonal < SMALLEST_FULL_PRECISION) {
    throw new InvalidArgumentError(
      `invalid argument. \`qqt\` is too small for double precision: its largest diagonal entry is ${diagonal.toExponential(3)}, below ` +
        `2^-968 ≈ 4e-292, where its entries (squares of the weights) lose digits. Restart from the weights instead: ` +
        'exactDynamics({ ...snapshot.weights, sigmaYX }).',
      'qqt',
    );
  }
  const { q, rank, smallest, top } = factorOfState(symmetric, n, nh);
  const rounding = n * Number.EPSILON * top;
  if (rank > 0 && smallest < WEAKEST_DIRECTION_MARGIN * rounding) {
    throw new InvalidArgumentError(
      `invalid argument. \`qqt\`'s weakest hidden direction (squared norm ≈ ${smallest.toExponential(3)}) is within a factor ` +
        `${WEAKEST_DIRECTION_MARGIN} of P's rounding level N·ε·max_i P_ii = ${rounding.toExponential(3)}, so its orientation is mostly ` +
        `rounding noise: a restart from P could stall a mode that the network learns, or learn one that stays on a saddle. ` +
        `Restart from the weights instead: exactDynamics({ ...snapshot.weights, sigmaYX }).`,
      'qqt',
    );
  }
  const lambda = checkedLambda(q, ni, nh, no, rank, options.lambda, tol);
  return buildDynamics(q, ni, nh, no, lambda, sigmaYX, tau);
}

/**
 * Q ((Ni+No)×Nh, row-major) with QQᵀ = P for the symmetric P of {@link exactDynamicsFromQQt},
 * and P's numerical rank; throws if P is not positive semi-definite of rank ≤ Nh.
 */
function factorOfState(symmetric: Float64Array, n: number, nh: number): { q: Float64Array; rank: number; smallest: number; top: number } {
  // Fast path: a pivoted Cholesky factor, returned only if its residual certifies that P
  // passes the rank and semi-definiteness checks below (see pivotedCholeskyFactor).
  const factor = pivotedCholeskyFactor(symmetric, n, nh, QQT_RELATIVE_TOLERANCE);
  if (factor !== undefined) return { q: factor.q, rank: factor.rank, smallest: factor.smallestPivot, top: factor.maxDiagonal };
  // Otherwise an eigendecomposition, which either factors P (the best rank-Nh
  // approximation, when P is within tolerance of rank Nh but the pivoted factor's residual
  // was not small enough to certify it) or says exactly what is wrong with it.
  const { values, vectors } = symmetricEigen(symmetric, n); // ascending; row k: the eigenvector of values[k]
  const order = Array.from({ length: n }, (_, i) => n - 1 - i); // descending
  const top = Math.max(Math.abs(values[order[0]]), 1e-300);
  if (order.length > nh && values[order[nh]] > QQT_RELATIVE_TOLERANCE * top) {
    throw new InvalidArgumentError(
      `invalid argument. \`qqt\` must have rank ≤ hiddenDim = ${nh}; its eigenvalue number ${nh + 1} is ${values[order[nh]]} ` +
        `(relative ${values[order[nh]] / top}).`,
      'qqt',
    );
  }
  if (values[order[order.length - 1]] < -QQT_RELATIVE_TOLERANCE * top) {
    throw new InvalidArgumentError(`invalid argument. \`qqt\` must be positive semi-definite; its smallest eigenvalue is ${values[order[order.length - 1]]}.`, 'qqt');
  }
  const q = new Float64Array(n * nh);
  let rank = 0;
  let smallest = Infinity;
  for (let j = 0; j < Math.min(nh, n); j++) {
    const value = values[order[j]];
    // As pivotedCholeskyFactor counts pivots; directions at the rounding level are left
    // out (their columns zero), not kept as noise of size √(N·ε·‖P‖).
    if (!(value > n * Number.EPSILON * top)) continue;
    rank++;
    smallest = value;
    const root = Math.sqrt(value);
    const row = order[j] * n;
    for (let i = 0; i < n; i++) q[i * nh + j] = vectors[row + i] * root;
  }
  return { q, rank, smallest, top };
}

/**
 * λ for a restart from the factor q of P: P must be the state of λ-balanced weights, i.e.
 * B = QᵀJQ = W2ᵀW2 − W1W1ᵀ = λI (MATH.md §2; B does not depend on which factor of P is
 * taken), within `tolerance` as `exactDynamics` measures it. Returns the given λ if it fits
 * B, or λ̂ = tr(B)/Nh when none is given; throws otherwise.
 */
function checkedLambda(q: Float64Array, ni: number, nh: number, no: number, rank: number, given: number | undefined, tolerance: number): number {
  const balance = balanceOfFactor(q, ni, nh, no);
  const fit = balance.residualAt(balance.lambda);
  if (!balance.accepts(balance.lambda, tolerance)) {
    const hint =
      rank < nh
        ? ` P has rank ${rank} < hiddenDim = ${nh}: λ-balanced weights with λ ≠ 0 have rank Nh (‖W2v‖² − ‖W1ᵀv‖² = λ for every unit vector v), so a state of lower rank is balanced only at λ = 0; if it is the state of a network with ${rank} hidden units, pass hiddenDim: ${rank}.`
        : '';
    throw new NotBalancedError(
      `invalid argument. \`qqt\` is not the state of λ-balanced weights: for Q = [W1ᵀ; W2] with QQᵀ = P, W2ᵀW2 − W1W1ᵀ should equal λI, ` +
        `but the best fit λ̂ = ${balance.lambda} leaves a relative residual ${fit.toExponential(3)} > balanceTolerance ${tolerance}.${hint}`,
      balance.lambda,
      fit,
      tolerance,
      'qqt',
    );
  }
  if (rank < nh) {
    // The factor's zero columns are balanced only at λ = 0, so P must be balanced at λ = 0 in
    // the strict sense (no allowance for rounding): otherwise P's missing directions may be
    // real directions of squared norm ≥ |λ| lost below its rounding, which P cannot tell.
    const fitsZero = balance.residualAt(0) <= tolerance && (given === undefined || balance.residualAt(given) <= tolerance);
    if (!fitsZero) {
      throw new InvalidArgumentError(
        `invalid argument. \`qqt\` resolves only ${rank} of hiddenDim = ${nh} hidden directions (its other eigenvalues are at the ` +
          `rounding level of P, ≤ N·ε·max_i P_ii), which λ-balanced weights allow only at λ = 0` +
          (given === undefined ? '' : `, not at the given λ = ${given}`) +
          `. Either P's weakest directions (squared norm ≥ |λ| each) are below its rounding, |λ| ≲ N·ε·‖P‖, and a restart from P ` +
          `would lose them — restart from the weights instead, exactDynamics({ ...snapshot.weights, sigmaYX }) — or P is the state ` +
          `of a network with ${rank} hidden units (pass hiddenDim: ${rank}).`,
        given === undefined ? 'qqt' : 'lambda',
      );
    }
    return given ?? 0;
  }
  if (given === undefined) return balance.lambda;
  const residual = balance.residualAt(given);
  if (!balance.accepts(given, tolerance)) {
    throw new InvalidArgumentError(
      `invalid argument. \`lambda\` = ${given} does not match \`qqt\`: P is the state of λ-balanced weights with λ = ${balance.lambda} ` +
        `(W2ᵀW2 − W1W1ᵀ = λI; relative residual ${residual.toExponential(3)} at the given λ > balanceTolerance ${tolerance}). ` +
        `λ is conserved by gradient flow, so pass the λ of the dynamics P came from, or omit \`lambda\` to take it from P.`,
      'lambda',
    );
  }
  return given;
}

/**
 * Shared constructor: Q(0) as an (Ni+No)×Nh row-major factor, λ and the task.
 *
 * `timeOffset` (default 0) only relabels time: `at(s)` evaluates the state a time s after
 * Q(0) but returns a Snapshot whose `t` is `timeOffset + s`. Task sequences
 * (src/applications/task-sequence.ts) use it so that every segment reports global times.
 * @internal
 */
export function buildDynamics(
  q: Float64Array,
  ni: number,
  nh: number,
  no: number,
  lambda: number,
  sigmaYX: Matrix,
  tau: number,
  timeOffset = 0,
): ExactDynamics {
  const spectrum = spectrumOf(sigmaYX, lambda);
  const solution = new RiccatiSolution(spectrum, q, nh);
  // Wide or tall networks with more left-over directions than hidden units: Snapshots keep
  // the compressed factor (O((N − |⊥|)·Nh² + Nh³) per time instead of O(N·Nh²)).
  const compressed = solution.compression !== undefined;
  const at = (t: number): Snapshot => {
    assertTime(t, 't');
    solution.assertResolvedAt(t / tau);
    const z = compressed ? solution.compressedFactorAt(t / tau) : solution.factorAt(t / tau);
    for (let i = 0; i < z.length; i++) {
      if (!Number.isFinite(z[i])) {
        throw new ExactDlnError(`exact-dln internal error: non-finite state at t = ${t}; please report this configuration.`);
      }
    }
    return new Snapshot(timeOffset + t, lambda, solution, z, compressed, solution.mayUnderflow(t / tau), solution.productsMayUnderflow(t / tau), t / tau);
  };
  let convergedSnap: Snapshot | undefined;
  const ownSigmaYX = copyMatrix(sigmaYX);
  return {
    lambda,
    tau,
    inputDim: ni,
    hiddenDim: nh,
    outputDim: no,
    // Matrices are copied at every read (ml-matrix's arithmetic works in place: a caller's
    // `dyn.sigmaYX.mul(3)` must not change what later calls compute from it); the singular
    // vectors (Ni×Ni and No×No: 5 MB each for 784 inputs) only when asked for.
    get sigmaYX(): Matrix {
      return copyMatrix(ownSigmaYX);
    },
    sigma: spectrum.sigma,
    get singularVectors(): { u: Matrix; v: Matrix } {
      return { u: copyMatrix(spectrum.u), v: copyMatrix(spectrum.v) };
    },
    at,
    trajectory(times: readonly number[]): Snapshot[] {
      return toTimes(times, 'times').map(at);
    },
    summaries(times: readonly number[] | Float64Array): TrajectorySummaries {
      return summariesOf(solution, toTimes(times, 'times'), tau, { loss: true, modeStrengths: true, offDiagonal: true });
    },
    lossCurve(times: readonly number[] | Float64Array): Float64Array {
      return summariesOf(solution, toTimes(times, 'times'), tau, { loss: true, modeStrengths: false, offDiagonal: false }).loss;
    },
    modeStrengthCurves(times: readonly number[] | Float64Array): Float64Array[] {
      return summariesOf(solution, toTimes(times, 'times'), tau, { loss: false, modeStrengths: true, offDiagonal: false }).modeStrengths;
    },
    converged(): Snapshot {
      convergedSnap ??= compressed
        ? new Snapshot(Infinity, lambda, solution, solution.compressedLimitFactor(), true, false, false, Infinity)
        : new Snapshot(Infinity, lambda, solution, solution.factorAt(Infinity), false, false, false, Infinity);
      return convergedSnap;
    },
  };
}
