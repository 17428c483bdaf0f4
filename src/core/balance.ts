/**
 * Measuring λ-balance (MATH.md §2): how far W2ᵀW2 − W1W1ᵀ is from a multiple λI of the
 * identity, and the check that the exact solution's precondition holds.
 *
 * @module
 */
import type { Matrix } from 'ml-matrix';
import { InvalidArgumentError, NotBalancedError, ShapeError } from '../errors.js';
import { matmulT, tmatmul, toArray } from '../linalg/dense.js';
import { assertFiniteNumber, toMatrix, type MatrixLike } from '../validation.js';

/**
 * The balance of a pair of weights (MATH.md §2): the estimate λ̂ and how far the weights are
 * from being exactly λ̂-balanced.
 *
 * @example
 * ```ts
 * import { balanceOf, type Balance } from 'exact-dln';
 * const b: Balance = balanceOf([[1, 0], [0, 1]], [[2, 0], [0, 2]]);
 * console.log(b.lambda, b.residual); // 3 0
 * ```
 */
export interface Balance {
  /** λ̂ = tr(B)/Nh with B = W2ᵀW2 − W1W1ᵀ: the best λ in the least-squares sense. */
  lambda: number;
  /** ‖B − λ̂I‖_F / (‖B‖_F + 1): 0 for exactly balanced weights, O(1) for unbalanced ones. */
  residual: number;
}

/** Validated copies of w1 (Nh×Ni) and w2 (No×Nh). */
function checkPair(w1: MatrixLike, w2: MatrixLike): { a: Matrix; b: Matrix } {
  const a = toMatrix(w1, 'w1');
  const b = toMatrix(w2, 'w2');
  if (b.columns !== a.rows) {
    throw new ShapeError(
      `invalid argument. \`w1\` (hidden×input) and \`w2\` (output×hidden) must agree on the hidden width: ` +
        `w1 is ${a.rows}×${a.columns} (hidden = ${a.rows}) but w2 is ${b.rows}×${b.columns} (hidden = ${b.columns}).`,
      'w1, w2',
    );
  }
  return { a, b };
}

function measure(a: Matrix, b: Matrix): BalanceMatrix {
  const nh = a.rows;
  const ni = a.columns;
  const no = b.rows;
  const aa = toArray(a);
  const ba = toArray(b);
  // B = W2ᵀW2 − W1W1ᵀ (Nh×Nh).
  const bm = tmatmul(ba, ba, no, nh, nh);
  const w1w1t = matmulT(aa, aa, nh, ni, nh);
  for (let k = 0; k < bm.length; k++) bm[k] -= w1w1t[k];
  return balanceMatrix(bm, nh, ni + no, sumOfSquares(aa) + sumOfSquares(ba));
}

function sumOfSquares(a: Float64Array): number {
  let scale = 0;
  for (let k = 0; k < a.length; k++) scale = Math.max(scale, Math.abs(a[k]));
  if (scale === 0) return 0;
  const unit = scale > 1e-150 ? 1 / scale : 1;
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += (a[k] * unit) ** 2;
  return sum / unit / unit;
}

function traceOf(m: Float64Array, n: number): number {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += m[i * n + i];
  return trace;
}

/**
 * The balance matrix B = W2ᵀW2 − W1W1ᵀ (Nh×Nh) with what is needed to judge it.
 *
 * @internal
 */
export interface BalanceMatrix {
  /** λ̂ = tr(B)/Nh. */
  lambda: number;
  /** ‖B − λI‖_F / (‖B‖_F + 1). */
  residualAt(lambda: number): number;
  /**
   * Whether B = λI within `tolerance` (on {@link BalanceMatrix.residualAt}) or within the
   * rounding of B itself, ‖B − λI‖_F ≤ 2(N + 2)·ε·(‖W1‖²_F + ‖W2‖²_F) with N = Ni + No: B is a
   * difference of sums of N products of size up to ‖W‖², so for large weights of small λ
   * (a learned state of a task with σ ≳ 1e8, say) rounding alone can exceed tolerance·(‖B‖+1).
   * Measured: ‖B − λI‖_F ≤ 5·ε·(‖W1‖² + ‖W2‖²) for balanced weights and states up to N = 130.
   */
  accepts(lambda: number, tolerance: number): boolean;
}

function balanceMatrix(bm: Float64Array, nh: number, n: number, squares: number): BalanceMatrix {
  const floor = 2 * (n + 2) * Number.EPSILON * squares;
  return {
    lambda: traceOf(bm, nh) / nh,
    residualAt: (lambda: number) => balanceResidual(bm, nh, lambda).relative,
    accepts(lambda: number, tolerance: number): boolean {
      const r = balanceResidual(bm, nh, lambda);
      return r.relative <= tolerance || r.absolute <= floor;
    },
  };
}

/**
 * ‖B − λI‖_F (absolute) and ‖B − λI‖_F / (‖B‖_F + 1) (relative) for the n×n balance matrix B
 * (row-major; not modified); the squares are summed in units of the largest |entry| (or
 * |λ|), so they neither overflow nor underflow.
 */
function balanceResidual(bm: Float64Array, n: number, lambda: number): { absolute: number; relative: number } {
  let scale = Math.abs(lambda);
  for (let k = 0; k < n * n; k++) scale = Math.max(scale, Math.abs(bm[k]));
  if (scale === 0) return { absolute: 0, relative: 0 };
  // (Below 1e-290 the +1 of the denominator decides anyway; 1/scale could overflow.)
  const unit = scale > 1e-290 ? 1 / scale : 1;
  let all = 0;
  let off = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = bm[i * n + j] * unit;
      all += x * x;
      const r = i === j ? x - lambda * unit : x;
      off += r * r;
    }
  }
  const absolute = Math.sqrt(off) / unit;
  return { absolute, relative: absolute / (Math.sqrt(all) / unit + 1) };
}

/**
 * The balance of the weights behind a factor Q = [W1ᵀ; W2] ((Ni+No)×Nh, row-major, input
 * rows first): B = QᵀJQ = W2ᵀW2 − W1W1ᵀ with J = diag(−I_Ni, I_No), λ̂ = tr(B)/Nh,
 * `residualAt(λ)` = ‖B − λI‖_F / (‖B‖_F + 1) — the residual of {@link balanceOf}, for any λ —
 * and `accepts(λ, tolerance)`, the decision of {@link assertBalanced}.
 * B is the same for every factor of P = QQᵀ with Nh columns (it changes to OᵀBO), so this
 * measures the balance of the state P itself. Cost O((Ni + No)·Nh²).
 *
 * @internal
 * @example
 * ```ts
 * import { balanceOfFactor } from './balance.js'; // internal
 * // W1 = [1, 0] (1×2), W2 = [[2]] (1×1): Q = [1; 0; 2], B = 4 − 1 = 3.
 * const b = balanceOfFactor(new Float64Array([1, 0, 2]), 2, 1, 1);
 * console.log(b.lambda, b.residualAt(3), b.residualAt(2)); // 3 0 0.25000000000000006 (|3 − 2|/(3 + 1), to rounding)
 * ```
 */
export function balanceOfFactor(q: Float64Array, ni: number, nh: number, no: number): BalanceMatrix {
  const bm = tmatmul(q.subarray(ni * nh, (ni + no) * nh), q.subarray(ni * nh, (ni + no) * nh), no, nh, nh);
  const w1w1t = tmatmul(q.subarray(0, ni * nh), q.subarray(0, ni * nh), ni, nh, nh);
  for (let k = 0; k < bm.length; k++) bm[k] -= w1w1t[k];
  return balanceMatrix(bm, nh, ni + no, sumOfSquares(q.subarray(0, (ni + no) * nh)));
}

/**
 * Measures the λ-balance of a two-layer network (MATH.md §2): with B = W2ᵀW2 − W1W1ᵀ
 * (Nh×Nh), returns λ̂ = tr(B)/Nh and the relative residual ‖B − λ̂I‖_F / (‖B‖_F + 1).
 * The weights are λ-balanced exactly when the residual is 0; gradient flow conserves B, so
 * λ̂ is a constant of the motion.
 *
 * Shapes: w1 is Nh×Ni (input → hidden), w2 is No×Nh (hidden → output).
 * Cost: O(Nh²·(Ni + No)). The inputs are not modified.
 *
 * @param w1 - first-layer weights, Nh×Ni (`Matrix` or `number[][]`).
 * @param w2 - second-layer weights, No×Nh.
 * @returns `{ lambda, residual }`.
 * @throws {@link ShapeError} if w2.columns ≠ w1.rows (the message gives both shapes) or a
 *   matrix is empty or ragged.
 * @throws {@link NonFiniteError} if an entry is NaN or ±Infinity.
 * @throws {@link InvalidArgumentError} if an argument is not a matrix, or the weights are so
 *   large that W2ᵀW2 or W1W1ᵀ overflows (entries above ≈ 1.3e154).
 * @example
 * ```ts
 * import { balanceOf, lambdaBalancedWeights } from 'exact-dln';
 * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 2, outputDim: 4, lambda: 0.5, seed: 1 });
 * const { lambda, residual } = balanceOf(w1, w2);
 * console.log(lambda.toFixed(12), residual < 1e-14); // 0.500000000000 true
 * ```
 */
export function balanceOf(w1: MatrixLike, w2: MatrixLike): Balance {
  const { a, b } = checkPair(w1, w2);
  const m = measure(a, b);
  const lambda = m.lambda;
  const residual = m.residualAt(lambda);
  // Weights beyond ≈ 1.3e154 gave { lambda: NaN, residual: NaN } (∞ − ∞).
  if (!Number.isFinite(lambda) || !Number.isFinite(residual)) throw tooLarge(a, b);
  return { lambda, residual };
}

/** The refusal of weights whose W2ᵀW2 or W1W1ᵀ overflows. */
function tooLarge(a: Matrix, b: Matrix): InvalidArgumentError {
  const big = [a, b].reduce((m, w) => w.to1DArray().reduce((x, y) => Math.max(x, Math.abs(y)), m), 0);
  return new InvalidArgumentError(
    `invalid argument. \`w1\`, \`w2\` are too large for double precision: their largest entry is ${big.toExponential(2)}, and ` +
      'W2ᵀW2 − W1W1ᵀ (sums of squares of the weights) leaves the range of doubles (above ≈ 1.3e154 for a single entry). Scale the weights down.',
    'w1, w2',
  );
}

/**
 * Checks that the weights are λ-balanced (MATH.md §2) and returns λ̂ = tr(W2ᵀW2 − W1W1ᵀ)/Nh.
 * Used by the exact solvers, whose closed form only holds for balanced weights.
 *
 * Cost: O(Nh²·(Ni + No)).
 *
 * @param w1 - first-layer weights, Nh×Ni.
 * @param w2 - second-layer weights, No×Nh.
 * @param tolerance - the largest accepted relative residual ‖B − λ̂I‖_F / (‖B‖_F + 1) (≥ 0).
 *   A residual within the rounding of B itself, ‖B − λ̂I‖_F ≤ 2(Ni + No + 2)·ε·(‖W1‖²_F + ‖W2‖²_F),
 *   is accepted whatever the tolerance: it matters only for very large weights (B is a
 *   difference of terms of size ‖W‖², so its rounding can exceed tolerance·(‖B‖_F + 1)
 *   when ‖W‖² ≳ 1e7·(1 + |λ|)).
 * @returns λ̂.
 * @throws {@link NotBalancedError} if the residual exceeds `tolerance`; the message and the
 *   error's fields report λ̂, the residual and the tolerance. {@link InvalidArgumentError} if
 *   the weights are so large that W2ᵀW2 or W1W1ᵀ overflows.
 * @throws {@link ShapeError}, {@link NonFiniteError} as {@link balanceOf} does; also
 *   {@link InvalidArgumentError} or {@link NonFiniteError} for a tolerance that is not a finite
 *   number ≥ 0.
 * @internal
 * @example
 * ```ts
 * import { Matrix } from 'exact-dln';
 * import { assertBalanced } from './balance.js'; // internal: not re-exported from 'exact-dln'
 * const lambda = assertBalanced(new Matrix([[1, 0], [0, 1]]), new Matrix([[2, 0], [0, 2]]), 1e-8);
 * console.log(lambda); // 3
 * ```
 */
export function assertBalanced(w1: MatrixLike, w2: MatrixLike, tolerance: number): number {
  assertFiniteNumber(tolerance, 'tolerance');
  if (tolerance < 0) {
    throw new InvalidArgumentError(`invalid argument. \`tolerance\` must be a number ≥ 0. Value: ${tolerance}.`, 'tolerance');
  }
  const { a, b } = checkPair(w1, w2);
  const m = measure(a, b);
  const lambda = m.lambda;
  const residual = m.residualAt(lambda);
  // W2ᵀW2 and W1W1ᵀ overflowed: their entries are sums of squares of the weights.
  if (!Number.isFinite(lambda) || !Number.isFinite(residual)) throw tooLarge(a, b);
  if (!m.accepts(lambda, tolerance)) {
    throw new NotBalancedError(
      `invalid argument. \`w1\`, \`w2\` are not λ-balanced: W2ᵀW2 − W1W1ᵀ should equal λI, ` +
        `but the best fit λ̂ = ${lambda} leaves a relative residual ‖B − λ̂I‖_F/(‖B‖_F + 1) = ${residual.toExponential(3)} ` +
        `> tolerance ${tolerance}. Build balanced weights with lambdaBalancedWeights({ inputDim, hiddenDim, outputDim, lambda, seed }), ` +
        `or raise the tolerance if approximate balance is acceptable.`,
      lambda,
      residual,
      tolerance,
    );
  }
  return lambda;
}
