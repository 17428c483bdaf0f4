/**
 * Learning tasks: the covariances Σxx, Σyx, Σyy of a data set (MATH.md §1), input
 * whitening, random whitened tasks and tasks given directly by Σyx.
 *
 * @module
 */
import { Matrix } from 'ml-matrix';
import { InvalidArgumentError, NonFiniteError, NotWhitenedError, ShapeError } from '../errors.js';
import { frobenius, fromArray, gramOfRows, matmul, matmulT, powerOfTwoTowardOne, toArray, transpose } from '../linalg/dense.js';
import { orthonormalColumns } from '../linalg/householder.js';
import { symmetricEigen } from '../linalg/symmetric-eigen.js';
import { createRng, gaussianMatrix } from '../random.js';
import { assertFiniteNumber, assertInteger, assertKnownOptions, assertMatrixSizes, assertSeed, type MatrixLike, toMatrix } from '../validation.js';

/**
 * A supervised learning task, summarised by its second-order statistics (MATH.md §1). For
 * the exact dynamics only Σyx matters, and only when Σxx = I.
 *
 * @example
 * ```ts
 * import { randomTask, type Task } from 'exact-dln';
 * const task: Task = randomTask({ inputDim: 3, outputDim: 2, samples: 20, seed: 1 });
 * console.log(task.sigmaYX.rows, task.sigmaYX.columns, task.samples); // 2 3 20
 * ```
 */
export type Task = {
  /** Σyx = YXᵀ/P, outputDim×inputDim: the input–output covariance the network learns. */
  sigmaYX: Matrix;
  /** Σyy = YYᵀ/P, outputDim×outputDim (fixes the loss floor ½tr Σyy − ½‖Σyx‖²_F). */
  sigmaYY: Matrix;
  /** Σxx = XXᵀ/P, inputDim×inputDim (the identity for whitened tasks). */
  sigmaXX: Matrix;
  /** P, the number of samples (`Infinity` for a task given by its covariances alone). */
  samples: number;
  /** The inputs, inputDim×P (already whitened when `whitening` is present). */
  X?: Matrix;
  /** The targets, outputDim×P. */
  Y?: Matrix;
  /**
   * The whitening transform T ≈ Σxx^{-1/2} of the original inputs (inputDim×inputDim; the
   * symmetric ZCA root, refined so that T·Σxx·Tᵀ = I to rounding): map a new input x to T·x.
   */
  whitening?: Matrix;
};

/**
 * Options of {@link taskFromData}.
 *
 * @example
 * ```ts
 * import type { TaskFromDataOptions } from 'exact-dln';
 * const options: TaskFromDataOptions = { whiten: true };
 * ```
 */
export interface TaskFromDataOptions {
  /** Whiten the inputs with T = Σxx^{-1/2} before computing Σyx (default false). */
  whiten?: boolean;
  /** Largest accepted max |Σxx − I| entry when `whiten` is false (default 1e-8; `Infinity` skips the check). */
  tolerance?: number;
}

/**
 * Options of {@link randomTask}.
 *
 * @example
 * ```ts
 * import type { RandomTaskOptions } from 'exact-dln';
 * const options: RandomTaskOptions = { inputDim: 4, outputDim: 3, samples: 50, seed: 9, scale: 2 };
 * ```
 */
export interface RandomTaskOptions {
  /** Ni, the input dimension (a positive integer). */
  inputDim: number;
  /** No, the output dimension (a positive integer). */
  outputDim: number;
  /** P, the number of samples (an integer ≥ inputDim, so that XXᵀ/P can be the identity). */
  samples: number;
  /** Seed (required: same seed, same task); an integer of at most 53 bits. */
  seed: number;
  /** Standard deviation of the entries of the map A = Σyx (default 1, must be ≥ 0). */
  scale?: number;
}

/**
 * Eigenvalues below this fraction of the largest make Σxx singular for whitening
 * (≈ 4500 machine epsilons; whitening beyond that would amplify rounding by > 1e6).
 */
const SINGULAR_RELATIVE_EIGENVALUE = 1e-12;

/** Row-major a·bᵀ/p of a (m×p) and b (n×p), as a Matrix; exactly symmetric when a is b. */
function covariance(a: Float64Array, b: Float64Array, m: number, n: number, p: number): Matrix {
  const out = a === b && m === n ? gramOfRows(a, m, p) : matmulT(a, b, m, p, n);
  for (let k = 0; k < out.length; k++) out[k] /= p;
  return fromArray(out, m, n);
}

/**
 * S^{-1/2} of a symmetric positive semi-definite matrix from its eigendecomposition
 * S = V·diag(μ)·Vᵀ, as B·Bᵀ with B = V·diag(μ^{-1/4}) (exactly symmetric), with the extreme
 * eigenvalues (the caller checks them before trusting the root).
 */
function inverseSquareRoot(sym: Matrix): { root: Float64Array; smallest: number; largest: number } {
  const n = sym.rows;
  // μ ascending, row k of e the eigenvector of μ_k: S = Eᵀ·diag(μ)·E, and B = Eᵀ·diag(μ^{-1/4}).
  const { values: mu, vectors: e } = symmetricEigen(toArray(sym), n);
  for (let k = 0; k < n; k++) {
    const scale = 1 / Math.sqrt(Math.sqrt(mu[k]));
    for (let i = 0; i < n; i++) e[k * n + i] *= scale;
  }
  return { root: gramOfRows(transpose(e, n, n), n, n), smallest: mu[0], largest: mu[n - 1] };
}

/** Above this ‖S − I‖_F the binomial series of {@link nearIdentityInverseSquareRoot} is not used. */
const SERIES_RADIUS = 0.05;

/**
 * (I + E)^{-1/2} for a symmetric S = I + E with ‖E‖_F ≤ {@link SERIES_RADIUS}, by the binomial
 * series Σ_k c_k E^k (c_k = binom(−1/2, k)), summed by Horner's rule up to the first power
 * whose term is below 2⁻⁶⁰ (‖E‖ ≈ 1e-12 after a first whitening pass: I − E/2, no product;
 * ‖E‖ ≈ 1e-5: three terms). `undefined` when E is too large for the series. The result is
 * exactly symmetric; S is not modified.
 *
 * @internal
 * @example
 * ```ts
 * import { nearIdentityInverseSquareRoot } from './task.js'; // internal
 * const r = nearIdentityInverseSquareRoot(new Float64Array([1.01, 0, 0, 1]), 2)!;
 * console.log(Math.abs(r[0] - 1 / Math.sqrt(1.01)) < 1e-15); // true (to a unit in the last place)
 * ```
 */
export function nearIdentityInverseSquareRoot(s: Float64Array, n: number): Float64Array | undefined {
  const e = s.slice();
  for (let i = 0; i < n; i++) e[i * n + i] -= 1;
  const norm = frobenius(e);
  if (!(norm <= SERIES_RADIUS)) return undefined;
  const coefficients = [1, -0.5];
  for (let k = 2, power = norm * norm; ; k++, power *= norm) {
    const c = (-coefficients[k - 1] * (2 * k - 1)) / (2 * k);
    if (Math.abs(c) * power <= 2 ** -60) break;
    coefficients.push(c);
  }
  // Horner: R = c_K·E + c_{K−1}·I, then R ← E·R + c_k·I down to k = 0.
  const last = coefficients.length - 1;
  let r: Float64Array = e.map((x) => x * coefficients[last]);
  for (let k = last - 1; k >= 0; k--) {
    if (k < last - 1) r = matmul(e, r, n, n, n);
    for (let i = 0; i < n; i++) r[i * n + i] += coefficients[k];
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const mean = (r[i * n + j] + r[j * n + i]) / 2;
      r[i * n + j] = mean;
      r[j * n + i] = mean;
    }
  }
  return r;
}

function requireSeed(seed: unknown): asserts seed is number {
  if (seed === undefined || seed === null) {
    throw new InvalidArgumentError(
      `invalid argument. \`seed\` must be given: seed is required for reproducibility (pass any integer, e.g. seed: 0). Value: ${String(seed)}.`,
      'seed',
    );
  }
  assertSeed(seed, 'seed');
}

/**
 * Builds a task from data (MATH.md §1): Σxx = XXᵀ/P, Σyx = YXᵀ/P, Σyy = YYᵀ/P, with one sample
 * per column. The exact dynamics assume whitened inputs (Σxx = I), so the data are checked:
 * if max |Σxx − I| exceeds `tolerance`, a {@link NotWhitenedError} is thrown rather than a
 * silently wrong trajectory later. With `whiten: true` the inputs are first mapped to
 * T·X with T = Σxx^{-1/2} (the symmetric ZCA root, from an eigendecomposition of Σxx); the
 * task then describes the whitened data (Σxx reported as exactly I, Σyx = Σyx_orig·Tᵀ) and
 * `whitening` holds T so that new inputs x can be mapped to T·x.
 *
 * Whitening accuracy: one eigendecomposition pass leaves (TX)(TX)ᵀ/P − I ≈ cond(Σxx)·ε
 * (2.3e-12 measured at cond 4e4), so the whitened data are whitened once more:
 * T = Σ₁^{-1/2}·Σxx^{-1/2}, Σ₁ the covariance after the first pass (Σ₁ = I + E with E small,
 * so Σ₁^{-1/2} is summed from the binomial series of (I + E)^{-1/2} rather than from a second
 * eigendecomposition). The returned X then has
 * XXᵀ/P = I to a few ε (≤ 5e-15 measured on random data sets with cond(Σxx) from 1 to
 * ~1e11); it equals T·X_orig up to ≈ cond(X)·ε relative, and T is symmetric up to
 * ≈ cond(Σxx)·ε relative. Σxx counts as singular (error below) when its
 * smallest eigenvalue is ≤ 1e-12 × its largest.
 *
 * Shapes: X is Ni×P, Y is No×P; Σxx Ni×Ni, Σyx No×Ni, Σyy No×No.
 * Cost: O(P·(Ni + No)²) for the covariances, plus O(Ni³ + Ni²·P) when whitening.
 * The inputs are not modified; the returned X and Y are copies.
 *
 * @param X - inputs, Ni×P (`Matrix` or `number[][]`).
 * @param Y - targets, No×P.
 * @param options - `{ whiten = false, tolerance = 1e-8 }`.
 * @returns the {@link Task}, with `X`, `Y` (and `whitening` when whitened).
 * @throws {@link ShapeError} if X and Y have different numbers of columns (samples).
 * @throws {@link NotWhitenedError} if Σxx is not the identity to `tolerance` and `whiten` is
 *   false; the message reports the deviation and the tolerance and suggests `{ whiten: true }`.
 * @throws {@link InvalidArgumentError} if `whiten` is true but Σxx is singular (fewer samples
 *   than inputs, or collinear inputs; the message reports the smallest eigenvalue) or X's
 *   largest entry is below 2⁻¹⁰⁰⁰ (its whitening transform would overflow; inputs of any other
 *   size are whitened alike, scaled by a power of two first), or an option has the wrong type
 *   or a negative tolerance.
 * @throws {@link NonFiniteError} if X or Y contain NaN or ±Infinity, or the tolerance is NaN.
 * @example
 * ```ts
 * import { taskFromData } from 'exact-dln';
 * // Two inputs, four samples, XXᵀ/P = I exactly:
 * const X = [[1, -1, 1, -1], [1, 1, -1, -1]];
 * const Y = [[1, 1, -1, -1]];
 * const task = taskFromData(X, Y);
 * console.log(task.sigmaYX.to2DArray()); // [ [ 0, 1 ] ]
 *
 * // Correlated inputs must be whitened first:
 * const whitened = taskFromData([[1, 2, 3, 4], [1, 0, 1, 0]], [[1, 2, 3, 4]], { whiten: true });
 * console.log(whitened.whitening !== undefined); // true
 * ```
 */
export function taskFromData(X: MatrixLike, Y: MatrixLike, options: TaskFromDataOptions = {}): Task {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('invalid argument. taskFromData options must be an object { whiten?, tolerance? }.', 'options');
  }
  assertKnownOptions(options, 'taskFromData', { whiten: true, tolerance: true } satisfies Record<keyof TaskFromDataOptions, true>);
  const whiten = options.whiten ?? false;
  if (typeof whiten !== 'boolean') {
    throw new InvalidArgumentError(`invalid argument. \`whiten\` must be a boolean. Value: ${String(whiten)}.`, 'whiten');
  }
  const tolerance = options.tolerance ?? 1e-8;
  if (typeof tolerance !== 'number' || !(tolerance >= 0)) {
    const message = `invalid argument. \`tolerance\` must be a number ≥ 0 (Infinity skips the check). Value: ${String(tolerance)}.`;
    if (Number.isNaN(tolerance)) throw new NonFiniteError(message, 'tolerance');
    throw new InvalidArgumentError(message, 'tolerance');
  }
  const x = toMatrix(X, 'X');
  const y = toMatrix(Y, 'Y');
  if (x.columns !== y.columns) {
    throw new ShapeError(
      `invalid argument. \`X\` (input×samples) and \`Y\` (output×samples) must have the same number of columns (samples): ` +
        `X is ${x.rows}×${x.columns} but Y is ${y.rows}×${y.columns}.`,
      'X, Y',
    );
  }
  const ni = x.rows;
  const no = y.rows;
  const p = x.columns;
  const xa = toArray(x);
  const ya = toArray(y);
  const sigmaXX = covariance(xa, xa, ni, ni, p);
  const sigmaYY = covariance(ya, ya, no, no, p);

  if (!whiten) {
    let deviation = 0;
    for (let i = 0; i < ni; i++) {
      for (let j = 0; j < ni; j++) deviation = Math.max(deviation, Math.abs(sigmaXX.get(i, j) - (i === j ? 1 : 0)));
    }
    if (deviation > tolerance) {
      throw new NotWhitenedError(
        `invalid argument. \`X\` is not whitened: the exact dynamics need Σxx = XXᵀ/P = I, but max |Σxx − I| = ` +
          `${deviation.toExponential(3)} > tolerance ${tolerance}. Pass { whiten: true } to whiten the inputs ` +
          `(x ↦ Σxx^{-1/2}x), or whiten them yourself.`,
        deviation,
      );
    }
    return { sigmaYX: covariance(ya, xa, no, ni, p), sigmaYY, sigmaXX, samples: p, X: x, Y: y };
  }

  // Whitening is scale-free (the whitened inputs of c·X are those of X): inputs of extreme
  // size are scaled by a power of two first (exact), so that Σxx and the passes below neither
  // lose digits nor overflow (X·1e-150 gave Σyx 2e-3 off; X·1e150 a "singular" Σxx of NaNs).
  // The whitening transform is scaled back at the end. Other inputs take the same arithmetic.
  let big = 0;
  for (let k = 0; k < xa.length; k++) big = Math.max(big, Math.abs(xa[k]));
  if (big > 0 && big < 2 ** -1000) {
    throw new InvalidArgumentError(
      `invalid argument. \`X\` is too small to whiten in double precision: its largest entry is ${big.toExponential(3)} (below 2^-1000), ` +
        'so the whitening transform (of size 1/|x|) would overflow. Scale the inputs up.',
      'X',
    );
  }
  const scale = big > 0 && (big < 2 ** -200 || big > 2 ** 200) ? powerOfTwoTowardOne(big) : 1;
  const xs = scale === 1 ? xa : xa.map((v) => v * scale);
  const first = inverseSquareRoot(scale === 1 ? sigmaXX : covariance(xs, xs, ni, ni, p));
  if (!(first.smallest > SINGULAR_RELATIVE_EIGENVALUE * first.largest)) {
    throw new InvalidArgumentError(
      `invalid argument. \`X\` cannot be whitened: Σxx = XXᵀ/P is singular (smallest eigenvalue ${first.smallest.toExponential(3)}, ` +
        `largest ${first.largest.toExponential(3)}; whitening needs smallest > ${SINGULAR_RELATIVE_EIGENVALUE} × largest). ` +
        (p < ni
          ? `There are fewer samples (${p}) than inputs (${ni}).`
          : `Some inputs are (nearly) collinear; drop or combine them.`),
      'X',
    );
  }
  // One pass leaves XXᵀ/P − I ≈ cond(Σxx)·ε; a second pass on the (now well-conditioned)
  // whitened data brings it to a few ε: T = Σ₁^{-1/2}·Σxx^{-1/2} with Σ₁ the first pass's Σxx.
  const t1 = first.root;
  const x1 = matmul(t1, xs, ni, ni, p);
  const sigma1 = toArray(covariance(x1, x1, ni, ni, p));
  const t2 = nearIdentityInverseSquareRoot(sigma1, ni) ?? inverseSquareRoot(fromArray(sigma1, ni, ni)).root;
  const t = fromArray(matmul(t2, t1, ni, ni, ni), ni, ni);
  if (scale !== 1) t.mul(scale); // x_w = T'·(scale·X)
  // Σ₁^{-1/2}·(first-pass data), not T·X: the second pass corrects the rounding of x1 itself.
  const xw = matmul(t2, x1, ni, ni, p);
  return {
    sigmaYX: covariance(ya, xw, no, ni, p),
    sigmaYY,
    sigmaXX: Matrix.eye(ni, ni),
    samples: p,
    X: fromArray(xw, ni, p),
    Y: y,
    whitening: t,
  };
}

/**
 * A random whitened task (MATH.md §1) with data: X = sqrt(P)·Q where Q (Ni×P) has orthonormal
 * rows drawn uniformly (distributed as the first Ni rows of a Haar-random P×P orthogonal
 * matrix), so Σxx = XXᵀ/P = I up to rounding; and noiseless targets Y = A·X with A (No×Ni)
 * of i.i.d. N(0, scale²) entries, so Σyx = A and Σyy = AAᵀ. The covariances are computed
 * from X and Y by the formulas of MATH.md §1. The same options give the same task.
 *
 * Cost: O(P·Ni² + P·Ni·No + P·No²).
 *
 * @param options - `{ inputDim, outputDim, samples, seed, scale = 1 }`.
 * @returns a {@link Task} with `X` (Ni×P) and `Y` (No×P).
 * @throws {@link InvalidArgumentError} if a dimension is not a positive integer (naming it),
 *   `samples` < `inputDim`, `scale` is negative, `seed` is missing or not an integer of at
 *   most 53 bits, or the sizes need a matrix beyond 2²⁷ entries (X, Y, Σxx or Σyy).
 * @throws {@link NonFiniteError} if `seed` or `scale` is NaN or ±Infinity.
 * @example
 * ```ts
 * import { randomTask } from 'exact-dln';
 * const task = randomTask({ inputDim: 3, outputDim: 2, samples: 12, seed: 5 });
 * console.log(task.X!.rows, task.X!.columns, task.Y!.rows); // 3 12 2
 * console.log(Math.abs(task.sigmaXX.get(0, 0) - 1) < 1e-13); // true
 * ```
 */
export function randomTask(options: RandomTaskOptions): Task {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      'invalid argument. randomTask expects an options object { inputDim, outputDim, samples, seed, scale? }.',
    );
  }
  assertKnownOptions(options, 'randomTask', {
    inputDim: true,
    outputDim: true,
    samples: true,
    seed: true,
    scale: true,
  } satisfies Record<keyof RandomTaskOptions, true>);
  const { inputDim: ni, outputDim: no, samples: p, seed } = options;
  assertInteger(ni, 'inputDim');
  assertInteger(no, 'outputDim');
  assertInteger(p, 'samples');
  assertMatrixSizes([[ni, p, 'the inputs X'], [no, p, 'the outputs Y'], [ni, ni, 'Σxx'], [no, no, 'Σyy']], 'inputDim, outputDim, samples');
  if (p < ni) {
    throw new InvalidArgumentError(
      `invalid argument. \`samples\` must be ≥ inputDim = ${ni} (Σxx = XXᵀ/P has rank ≤ P, so it can only be the identity when P ≥ inputDim). Value: ${p}.`,
      'samples',
    );
  }
  const scale = options.scale ?? 1;
  assertFiniteNumber(scale, 'scale');
  if (scale < 0) {
    throw new InvalidArgumentError(`invalid argument. \`scale\` must be a number ≥ 0. Value: ${scale}.`, 'scale');
  }
  requireSeed(seed);
  const rng = createRng(seed);
  // Orthonormal columns of a P×Ni Gaussian matrix (Householder QR, signs fixed so that
  // R has a positive diagonal: the Haar-distributed choice).
  const q = orthonormalColumns(toArray(gaussianMatrix(p, ni, rng)), p, ni);
  const root = Math.sqrt(p);
  const xa = new Float64Array(ni * p);
  for (let j = 0; j < ni; j++) for (let k = 0; k < p; k++) xa[j * p + k] = root * q[k * ni + j];
  const a = gaussianMatrix(no, ni, rng, scale);
  const ya = matmul(toArray(a), xa, no, ni, p);
  return {
    sigmaYX: covariance(ya, xa, no, ni, p),
    sigmaYY: covariance(ya, ya, no, no, p),
    sigmaXX: covariance(xa, xa, ni, ni, p),
    samples: p,
    X: fromArray(xa, ni, p),
    Y: fromArray(ya, no, p),
  };
}

/**
 * A whitened, noiseless task given directly by its input–output covariance (MATH.md §1):
 * Σxx = I, Σyy = Σyx·Σyxᵀ (what Y = Σyx·X gives for whitened X, i.e. zero loss at W = Σyx),
 * `samples = Infinity` and no data. This is all the exact dynamics need.
 *
 * Cost: O(No²·Ni). The input is not modified.
 *
 * @param sigmaYX - Σyx, outputDim×inputDim (`Matrix` or `number[][]`).
 * @returns the {@link Task}.
 * @throws {@link ShapeError} if `sigmaYX` is empty or ragged.
 * @throws {@link NonFiniteError} if it contains NaN or ±Infinity.
 * @throws {@link InvalidArgumentError} if it is not a matrix.
 * @example
 * ```ts
 * import { taskFromSigmaYX } from 'exact-dln';
 * const task = taskFromSigmaYX([[3, 0], [0, 1], [0, 0]]);
 * console.log(task.sigmaXX.rows, task.sigmaYY.get(0, 0), task.samples); // 2 9 Infinity
 * ```
 */
export function taskFromSigmaYX(sigmaYX: MatrixLike): Task {
  const s = toMatrix(sigmaYX, 'sigmaYX');
  return {
    sigmaYX: s,
    sigmaYY: s.mmul(s.transpose()),
    sigmaXX: Matrix.eye(s.columns, s.columns),
    samples: Number.POSITIVE_INFINITY,
  };
}
