/**
 * Constructing λ-balanced initial weights with a prescribed product (MATH.md §2), randomly
 * oriented or aligned with a task's singular vectors (MATH.md §5).
 *
 * @module
 */
import { LuDecomposition, Matrix } from 'ml-matrix';
import { InvalidArgumentError } from '../errors.js';
import { createRng, randomOrthogonal, randomOrthogonalColumns } from '../random.js';
import { adoptArray, matmulT, toArray } from '../linalg/dense.js';
import {
  assertFiniteNumber,
  assertInteger,
  assertKnownOptions,
  assertLambdaPossible,
  assertMatrixSizes,
  assertSeed,
  assertShape,
  type MatrixLike,
  toMatrix,
} from '../validation.js';
import { fullSvd } from './svd.js';

/**
 * Options of {@link lambdaBalancedWeights}.
 *
 * @example
 * ```ts
 * import type { LambdaBalancedWeightsOptions } from 'exact-dln';
 * const options: LambdaBalancedWeightsOptions = { inputDim: 3, hiddenDim: 3, outputDim: 2, lambda: -1, scale: 0.1, seed: 7 };
 * ```
 */
export interface LambdaBalancedWeightsOptions {
  /** Ni, the input width (a positive integer). */
  inputDim: number;
  /** Nh, the hidden width (a positive integer; λ > 0 needs Nh ≤ No, λ < 0 needs Nh ≤ Ni). */
  hiddenDim: number;
  /** No, the output width (a positive integer). */
  outputDim: number;
  /** λ, the balance: the weights satisfy W2ᵀW2 − W1W1ᵀ = λI. Any finite number the widths allow. */
  lambda: number;
  /**
   * Scale of the random product singular values a_i = scale·|N(0,1)| (default 1, must be
   * ≥ 0). Small scale with λ = 0 is the rich regime; large |λ| is lazy. Ignored when
   * `productSingularValues` is given.
   */
  scale?: number;
  /** Seed of the random orthogonal factors and singular values (required: same seed, same weights); an integer of at most 53 bits. */
  seed: number;
  /**
   * A task's Σyx (outputDim×inputDim). When given, W2W1 = Ũ diag(a) Ṽᵀ with Ũ, Ṽ the full
   * singular vectors of Σyx, so the initial product shares the task's singular vectors
   * (the aligned initialisation of MATH.md §5). Not modified.
   */
  alignTo?: MatrixLike;
  /**
   * Explicit product singular values a_i (at most min(Ni, Nh, No) of them; missing ones are
   * 0) instead of random ones. A negative a_i points mode i opposite to the i-th column of U
   * (with `alignTo`: opposite to the task's i-th mode, as in reversal learning, MATH.md §8);
   * it is realised by negating that column of U, so the layers use |a_i|.
   */
  productSingularValues?: ReadonlyArray<number>;
  /**
   * A task's Σyx (outputDim×inputDim) whose determinant's sign the initial product should
   * share. For Ni = No ≤ Nh (square networks, and at λ = 0 wider hidden layers, whose
   * weights use only Ni hidden directions) the random input rotation V is reflected, when
   * needed, so that det(W2W1) has the sign of det Σyx (the weights stay λ-balanced: W1W1ᵀ
   * does not change). At λ = 0 gradient flow keeps the sign of det(W2W1), so a start of
   * the other sign — half of all random starts — ends on a saddle with the weakest mode
   * never learned (docs/model.md, "Saddles"). The result is Haar-random among the starts of
   * the right sign. No effect for other widths (Ni ≠ No, or a bottleneck Nh < Ni), where the
   * sign is not conserved or det(W2W1) = 0, when Σyx is
   * singular (σ_min ≤ n·ε·σ_max) or when the product is singular (a zero product singular
   * value).
   * Cannot be combined with `alignTo`, where the signs of `productSingularValues` orient
   * each mode. Not modified.
   */
  matchDeterminantSign?: MatrixLike;
}

/**
 * A pair of first- and second-layer weights.
 *
 * @example
 * ```ts
 * import { lambdaBalancedWeights, type BalancedWeights } from 'exact-dln';
 * const weights: BalancedWeights = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 2, outputDim: 2, lambda: 0, seed: 1 });
 * console.log(weights.w1.rows, weights.w2.columns); // 2 2
 * ```
 */
export interface BalancedWeights {
  /** W1, hiddenDim×inputDim (input → hidden). */
  w1: Matrix;
  /** W2, outputDim×hiddenDim (hidden → output). */
  w2: Matrix;
}

/**
 * The factor pair (c, d) of a product singular value a ≥ 0 at balance λ (MATH.md §2):
 * c·d = a and d² − c² = λ, i.e. c = sqrt((sqrt(λ² + 4a²) − λ)/2), d = sqrt((sqrt(λ² + 4a²) + λ)/2),
 * evaluated without cancellation: the root with the "+|λ|" sign is computed directly and
 * the other as a divided by it. At λ = 0 both are exactly sqrt(a).
 */
function factorPair(a: number, lambda: number): { c: number; d: number } {
  if (lambda === 0) {
    const r = Math.sqrt(a);
    return { c: r, d: r };
  }
  // (sqrt(λ² + 4a²) + |λ|)/2 without overflow: for |λ| or a above 2¹⁰⁰⁰ from halves (the
  // sum overflowed from λ ≈ 9e307 on: λ = 1e308 gave NaN weights), otherwise as written
  // (halving first would flush a subnormal λ to 0).
  const big = Math.abs(lambda) > 2 ** 1000 || a > 2 ** 1000;
  const large = big ? Math.hypot(lambda / 2, a) + Math.abs(lambda) / 2 : (Math.hypot(lambda, 2 * a) + Math.abs(lambda)) / 2;
  if (lambda > 0) {
    const d = Math.sqrt(large);
    return { c: a / d, d };
  }
  const c = Math.sqrt(large);
  return { c, d: a / c };
}

/**
 * Builds λ-balanced weights W1 (Nh×Ni), W2 (No×Nh) with W2ᵀW2 − W1W1ᵀ = λI exactly (up to
 * rounding) and a prescribed product W2W1 = U diag(a) Vᵀ (MATH.md §2).
 *
 * Construction: r = min(Ni, Nh, No) product singular values a_i (random scale·|N(0,1)|, in
 * the order drawn — not sorted — or `productSingularValues`); for each of them
 * c_i = sqrt((sqrt(λ² + 4a_i²) − λ)/2), d_i = sqrt((sqrt(λ² + 4a_i²) + λ)/2), so c_i·d_i = a_i and
 * d_i² − c_i² = λ (computed without cancellation). Then W1 = R C Vᵀ and W2 = U D Rᵀ with C
 * (Nh×Ni) and D (No×Nh) carrying c_i, d_i on their diagonals. Hidden directions i ≥ min(Ni, No)
 * carry no product but still need d_i² − c_i² = λ: they get d_i = sqrt(λ) (λ > 0; possible
 * because Nh ≤ No), c_i = sqrt(−λ) (λ < 0; Nh ≤ Ni) or nothing (λ = 0). R (Nh×Nh) is a
 * Haar-random orthogonal matrix; U (No×No) and V (Ni×Ni) are Haar-random too, or, with
 * `alignTo`, the full singular vectors of the task's Σyx (aligned initialisation, MATH.md §5:
 * then Ũᵀ·W2W1·Ṽ = diag(a)). A negative a_i flips the sign of column i of U. With
 * `matchDeterminantSign` (Ni = No ≤ Nh), V's last column is negated where that gives
 * det(W2W1) the sign of det Σyx.
 *
 * Bottlenecked networks (Nh < min(Ni, No)) are allowed; the product then has rank ≤ Nh.
 * The same options (seed included) always give identical weights.
 *
 * Accuracy (test/core/weights.test.ts): ‖W2ᵀW2 − W1W1ᵀ − λI‖ ≲ 1e-14·(1 + |λ| + max a_i), the
 * product's singular values equal |a_i| to ~1e-14 relative.
 *
 * Cost: Ni² + Nh² + No² Gaussian draws; of the random orthogonal U and V only the columns
 * the weights use are computed (the first k columns of A = QR depend only on A's first k
 * columns): O(Ni·m₁² + No·m₂² + Nh³) with m₁ = min(Nh, Ni), m₂ = min(Nh, No) — or the SVD
 * of `alignTo` — plus O(Nh·(m₁·Ni + m₂·No)) to form the weights (784×100×10: ≈ 25 ms).
 *
 * @param options - see {@link LambdaBalancedWeightsOptions}.
 * @returns `{ w1, w2 }`, fresh matrices.
 * @throws {@link InvalidArgumentError} if a width is not a positive integer (naming it),
 *   `scale` is negative, `seed` is missing ("seed is required for reproducibility") or not
 *   an integer of at most 53 bits, `productSingularValues` is not an array of at most
 *   min(Ni, Nh, No) numbers, or the widths need a matrix beyond 2²⁷ entries (W1, W2, or the
 *   Nh×Nh rotation of the hidden layer).
 * @throws {@link NonFiniteError} if `lambda`, `scale`, `seed` or a product singular value is
 *   NaN or ±Infinity.
 * @throws {@link ShapeError} if `alignTo` or `matchDeterminantSign` is not outputDim×inputDim.
 * @throws {@link InvalidArgumentError} if `matchDeterminantSign` is combined with `alignTo`.
 * @throws {@link ImpossibleLambdaError} if λ > 0 with Nh > No, or λ < 0 with Nh > Ni.
 * @example
 * ```ts
 * import { exactDynamics, lambdaBalancedWeights, balanceOf, randomTask } from 'exact-dln';
 * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 4, hiddenDim: 3, outputDim: 3, lambda: 2, scale: 0.1, seed: 42 });
 * console.log(balanceOf(w1, w2).lambda.toFixed(12)); // 2.000000000000
 *
 * // Aligned with a task, with the second mode pointing the wrong way (reversal learning):
 * const task = randomTask({ inputDim: 3, outputDim: 3, samples: 10, seed: 1 });
 * const aligned = lambdaBalancedWeights({
 *   inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0, seed: 2,
 *   alignTo: task.sigmaYX, productSingularValues: [0.5, -0.5, 0.1],
 * });
 * console.log(aligned.w2.mmul(aligned.w1).rows); // 3
 *
 * // A random square start at λ = 0 whose det W2W1 has det Σyx's sign (this seed without
 * // it has the other sign and stops on a saddle: docs/model.md, "Saddles"):
 * const rich = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0, scale: 0.01, seed: 2, matchDeterminantSign: task.sigmaYX });
 * console.log(exactDynamics({ ...rich, sigmaYX: task.sigmaYX }).converged().loss < 1e-20); // true: every mode is learned
 * ```
 */
export function lambdaBalancedWeights(options: LambdaBalancedWeightsOptions): BalancedWeights {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      'invalid argument. lambdaBalancedWeights expects an options object { inputDim, hiddenDim, outputDim, lambda, seed, scale?, alignTo?, productSingularValues?, matchDeterminantSign? }.',
    );
  }
  assertKnownOptions(options, 'lambdaBalancedWeights', {
    inputDim: true,
    hiddenDim: true,
    outputDim: true,
    lambda: true,
    scale: true,
    seed: true,
    alignTo: true,
    productSingularValues: true,
    matchDeterminantSign: true,
  } satisfies Record<keyof LambdaBalancedWeightsOptions, true>);
  const { inputDim: ni, hiddenDim: nh, outputDim: no, lambda, seed, alignTo, productSingularValues, matchDeterminantSign } = options;
  assertInteger(ni, 'inputDim');
  assertInteger(nh, 'hiddenDim');
  assertInteger(no, 'outputDim');
  assertMatrixSizes([[nh, ni, 'W1'], [no, nh, 'W2'], [nh, nh, 'a random rotation of the hidden layer']], 'inputDim, hiddenDim, outputDim');
  assertFiniteNumber(lambda, 'lambda');
  const scale = options.scale ?? 1;
  assertFiniteNumber(scale, 'scale');
  if (scale < 0) {
    throw new InvalidArgumentError(`invalid argument. \`scale\` must be a number ≥ 0. Value: ${scale}.`, 'scale');
  }
  if (seed === undefined || seed === null) {
    throw new InvalidArgumentError(
      `invalid argument. \`seed\` must be given: seed is required for reproducibility (pass any integer, e.g. seed: 0). Value: ${String(seed)}.`,
      'seed',
    );
  }
  assertSeed(seed, 'seed');
  assertLambdaPossible(lambda, ni, nh, no);
  const r = Math.min(ni, nh, no);
  const target = alignTo === undefined ? undefined : toMatrix(alignTo, 'alignTo');
  if (target !== undefined) assertShape(target, no, ni, 'alignTo', `the task's Σyx, outputDim×inputDim = ${no}×${ni}`);
  let explicit: number[] | undefined;
  if (productSingularValues !== undefined) {
    if (!Array.isArray(productSingularValues) || productSingularValues.length > r) {
      throw new InvalidArgumentError(
        `invalid argument. \`productSingularValues\` must be an array of at most min(inputDim, hiddenDim, outputDim) = ${r} numbers. ` +
          `Value: ${Array.isArray(productSingularValues) ? `an array of length ${productSingularValues.length}` : String(productSingularValues)}.`,
        'productSingularValues',
      );
    }
    explicit = productSingularValues.map((x, i) => {
      assertFiniteNumber(x, `productSingularValues[${i}]`);
      return x;
    });
  }

  let signTarget: Matrix | undefined;
  if (matchDeterminantSign !== undefined) {
    if (target !== undefined) {
      throw new InvalidArgumentError(
        'invalid argument. `matchDeterminantSign` cannot be combined with `alignTo`: an aligned start has the task\'s singular vectors, and the signs of `productSingularValues` orient its modes.',
        'matchDeterminantSign',
      );
    }
    signTarget = toMatrix(matchDeterminantSign, 'matchDeterminantSign');
    assertShape(signTarget, no, ni, 'matchDeterminantSign', `the task's Σyx, outputDim×inputDim = ${no}×${ni}`);
  }

  const basis = drawBalancedBasis(ni, nh, no, seed, target, explicit === undefined);
  if (signTarget !== undefined) {
    const signs = Array.from({ length: Math.min(ni, nh, no) }, (_, i) => Math.sign(explicit === undefined ? basis.unitStrengths[i] * scale : (explicit[i] ?? 0)));
    matchBasisDeterminantSign(basis, signTarget, signs);
  }
  return balancedWeightsFromBasis(basis, lambda, scale, explicit);
}

/**
 * `matchDeterminantSign` on drawn random parts (in place): for Ni = No ≤ Nh, negates V's
 * last column where that gives det(W2W1) the sign of det Σyx, given the signs of the product
 * singular values a_i. Nothing for other widths, a singular Σyx or a zero a_i.
 *
 * @internal
 */
export function matchBasisDeterminantSign(basis: BalancedBasis, sigmaYX: Matrix, signs: readonly number[]): void {
  const { inputDim: ni, hiddenDim: nh, outputDim: no } = basis;
  // Ni = No ≤ Nh: at λ = 0 (the only λ these widths allow when Nh > Ni) the weights use n = Ni
  // hidden directions, W2W1 = U·diag(a)·Vᵀ is square, and the flow conserves its sign too.
  if (ni !== no || nh < ni) return;
  const wanted = determinantSign(sigmaYX);
  // det(W2W1) = det U · det V · Π a_i (a negative a_i negates a column of U; R cancels).
  let have = orthogonalDeterminantSign(basis.u, no) * orthogonalDeterminantSign(basis.v, ni);
  for (const sign of signs) have *= sign;
  if (wanted * have < 0) {
    // Reflect the input rotation: negate V's last column (W1 = R C Vᵀ, so W1W1ᵀ is kept).
    for (let i = 0; i < ni; i++) basis.v[i * ni + ni - 1] = -basis.v[i * ni + ni - 1];
  }
}

/**
 * The sign of det m (1 or −1) for a task's square Σyx, from its SVD (det Ũ·det Ṽ), or 0 when
 * it is singular to rounding (σ_min ≤ n·ε·σ_max) or not square.
 */
function determinantSign(m: Matrix): number {
  const n = m.rows;
  if (m.columns !== n) return 0;
  const svd = fullSvd(m);
  if (!(svd.s[n - 1] > n * Number.EPSILON * svd.s[0])) return 0;
  return Math.sign(new LuDecomposition(svd.u).determinant) * Math.sign(new LuDecomposition(svd.v).determinant);
}

/** The sign of the determinant of an n×n orthogonal matrix given row-major. */
function orthogonalDeterminantSign(q: Float64Array, n: number): number {
  return Math.sign(new LuDecomposition(adoptArray(q.slice(), n, n)).determinant);
}

/**
 * The random parts of {@link lambdaBalancedWeights} for given widths and seed (everything it
 * draws, in the order it draws it), independent of λ and of the scale: `lazyRichSweep`
 * draws them once and builds every grid cell from them, with the same numbers as one call
 * per cell.
 *
 * @internal
 */
export interface BalancedBasis {
  readonly inputDim: number;
  readonly hiddenDim: number;
  readonly outputDim: number;
  /** |N(0, 1)| draws of the product singular values before scaling (empty when given explicitly). */
  readonly unitStrengths: readonly number[];
  /** The first min(Nh, No) columns of U (No × m2) and min(Nh, Ni) of V (Ni × m1), row-major. */
  readonly u: Float64Array;
  readonly v: Float64Array;
  /** R, Nh × Nh orthogonal, row-major. */
  readonly rot: Float64Array;
}

/**
 * Draws a {@link BalancedBasis}: the strengths (unless `drawStrengths` is false), U and V
 * (from `target`'s singular vectors when given, else random) and R.
 *
 * @internal
 */
export function drawBalancedBasis(ni: number, nh: number, no: number, seed: number, target: Matrix | undefined, drawStrengths: boolean): BalancedBasis {
  const rng = createRng(seed);
  const r = Math.min(ni, nh, no);
  const unitStrengths = drawStrengths ? Array.from({ length: r }, () => Math.abs(rng.normal())) : [];
  // Only the first min(Nh, Ni) columns of V and min(Nh, No) columns of U are used.
  const m1 = Math.min(nh, ni);
  const m2 = Math.min(no, nh);
  let u: Float64Array;
  let v: Float64Array;
  if (target !== undefined) {
    const svd = fullSvd(target);
    u = leadingColumns(svd.u, m2);
    v = leadingColumns(svd.v, m1);
  } else {
    u = randomOrthogonalColumns(no, m2, rng);
    v = randomOrthogonalColumns(ni, m1, rng);
  }
  const rot = toArray(randomOrthogonal(nh, rng));
  return { inputDim: ni, hiddenDim: nh, outputDim: no, unitStrengths, u, v, rot };
}

/**
 * The λ-balanced weights of {@link lambdaBalancedWeights} from drawn random parts: product
 * singular values scale·|N(0, 1)| (or `explicit`), each split between the layers for λ.
 * λ must be possible for the widths (checked by the callers).
 *
 * @internal
 */
export function balancedWeightsFromBasis(basis: BalancedBasis, lambda: number, scale: number, explicit?: readonly number[]): BalancedWeights {
  const { inputDim: ni, hiddenDim: nh, outputDim: no, u, v, rot } = basis;
  const r = Math.min(ni, nh, no);
  const a = new Array<number>(r).fill(0);
  for (let i = 0; i < r; i++) a[i] = explicit ? (explicit[i] ?? 0) : scale * basis.unitStrengths[i];
  const m1 = Math.min(nh, ni);
  const m2 = Math.min(no, nh);

  // Per hidden direction i: c_i (column i of C, i < Ni) and d_i (row i of D, i < No).
  const c = new Float64Array(nh);
  const d = new Float64Array(nh);
  const sign = new Float64Array(nh).fill(1);
  const paired = Math.min(ni, no);
  for (let i = 0; i < nh; i++) {
    if (i < paired) {
      const ai = a[i] ?? 0; // i < min(Ni, No, Nh) = r here
      if (ai < 0) sign[i] = -1;
      ({ c: c[i], d: d[i] } = factorPair(Math.abs(ai), lambda));
    } else if (lambda > 0) {
      d[i] = Math.sqrt(lambda); // i < Nh ≤ No
    } else if (lambda < 0) {
      c[i] = Math.sqrt(-lambda); // i < Nh ≤ Ni
    }
  }

  // W1 = R C Vᵀ = (R·diag(c))·Vᵀ over the first min(Nh, Ni) columns; W2 = U D Rᵀ = (U·diag(sign·d))·Rᵀ
  // over the first min(No, Nh) columns.
  const rc = new Float64Array(nh * m1);
  for (let h = 0; h < nh; h++) for (let i = 0; i < m1; i++) rc[h * m1 + i] = rot[h * nh + i] * c[i];
  const w1 = adoptArray(matmulT(rc, v, nh, m1, ni), nh, ni);
  const ud = new Float64Array(no * m2);
  for (let o = 0; o < no; o++) for (let i = 0; i < m2; i++) ud[o * m2 + i] = sign[i] * u[o * m2 + i] * d[i];
  const rotLeft = new Float64Array(nh * m2);
  for (let h = 0; h < nh; h++) for (let i = 0; i < m2; i++) rotLeft[h * m2 + i] = rot[h * nh + i];
  const w2 = adoptArray(matmulT(ud, rotLeft, no, m2, nh), no, nh);
  return { w1, w2 };
}

/** The first k columns of a Matrix as a row-major array. */
function leadingColumns(m: Matrix, k: number): Float64Array {
  const out = new Float64Array(m.rows * k);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < k; j++) out[i * k + j] = m.get(i, j);
  return out;
}
