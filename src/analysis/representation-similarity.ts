/**
 * `representationSimilarity`: the representational similarity matrices of a two-layer
 * linear network on user-chosen probe inputs and outputs (MATH.md §6).
 *
 * @module
 */
import { Matrix } from 'ml-matrix';
import { InvalidArgumentError } from '../errors.js';
import { fromArray, gramOfRows, matmul, tmatmul, toArray, transpose } from '../linalg/dense.js';
import { symmetricEigen } from '../linalg/symmetric-eigen.js';
import { assertKnownOptions, assertNonNegativeNumber, assertRepresentable, assertShape, type MatrixLike, optionalNumber, toMatrix } from '../validation.js';
import { extremeScale, factorOf, type NetworkState } from './network-representations.js';

/**
 * Default relative cutoff of the pseudo-inverse (W2W2ᵀ)⁺: eigenvalues μ of W2W2ᵀ with
 * μ ≤ 1e-12·μ_max are treated as zero. W2W2ᵀ is formed in floating point, so its
 * eigenvalues carry absolute errors of order No·Nh·ε·μ_max ≈ 1e-15·μ_max; 1e-12 leaves a
 * margin of ~1000 above that noise (the same relative cutoff the library uses to call Σxx
 * singular when whitening). Eigenvalues kept just above the cutoff are known only to a
 * relative accuracy of about ε·μ_max/μ ≈ 1e-4 — choose a larger `pinvTolerance` when the
 * small directions of W2W2ᵀ matter.
 */
export const DEFAULT_PINV_TOLERANCE = 1e-12;

/**
 * Options of {@link representationSimilarity}: the probes. At least one of `inputs`,
 * `outputs` is required.
 *
 * @example
 * ```ts
 * import type { RepresentationSimilarityOptions } from 'exact-dln';
 * const options: RepresentationSimilarityOptions = { inputs: [[1, 0, 1], [0, 1, 1]] };
 * ```
 */
export interface RepresentationSimilarityOptions {
  /** Probe inputs X', Ni×P' (one column per probe item). */
  inputs?: MatrixLike;
  /** Probe outputs Y', No×P' (one column per probe item). */
  outputs?: MatrixLike;
  /**
   * Relative cutoff of the pseudo-inverse (W2W2ᵀ)⁺ (a number ≥ 0, default
   * {@link DEFAULT_PINV_TOLERANCE} = 1e-12): eigenvalues μ ≤ pinvTolerance·μ_max count as 0.
   * At most min(Nh, No) eigenvalues are ever kept, since rank W2W2ᵀ ≤ Nh.
   */
  pinvTolerance?: number;
}

/**
 * The result of {@link representationSimilarity}; a field is `undefined` exactly when its
 * probe was not given.
 *
 * @example
 * ```ts
 * import { representationSimilarity, type RepresentationSimilarity } from 'exact-dln';
 * const rsm: RepresentationSimilarity = representationSimilarity({ w1: [[1, 0]], w2: [[2]] }, { inputs: [[1, 0], [0, 1]] });
 * console.log(rsm.input?.to2DArray()); // [[1, 0], [0, 0]]
 * ```
 */
export interface RepresentationSimilarity<O extends RepresentationSimilarityOptions = RepresentationSimilarityOptions> {
  /** RSM_in = X'ᵀ W1ᵀW1 X', P'×P' (symmetric positive semi-definite). */
  input: O extends { inputs: MatrixLike } ? Matrix : Matrix | undefined;
  /** RSM_out = Y'ᵀ (W2W2ᵀ)⁺ Y', P'×P' (symmetric positive semi-definite). */
  output: O extends { outputs: MatrixLike } ? Matrix : Matrix | undefined;
}

/**
 * The representational similarity matrices of a network on probe items (MATH.md §6):
 *
 *     RSM_in  = X'ᵀ (W1ᵀW1) X'      (P'×P'),  X' the probe inputs  (Ni×P'),
 *     RSM_out = Y'ᵀ (W2W2ᵀ)⁺ Y'     (P'×P'),  Y' the probe outputs (No×P').
 *
 * Entry (p, q) of RSM_in is the inner product of the hidden representations W1x_p and
 * W1x_q; RSM_out is the same for the hidden representation that would produce the outputs
 * y_p, y_q (the minimum-norm h with W2h = y). Both depend on the weights only through
 * W1ᵀW1 and W2W2ᵀ, so they are invariant under rotations of the hidden layer, and a
 * {@link Snapshot} gives exactly what its weights give.
 *
 * The pseudo-inverse is computed stably from the symmetric eigendecomposition
 * W2W2ᵀ = Σ μ_k e_k e_kᵀ: (W2W2ᵀ)⁺ = Σ_{kept} e_k e_kᵀ/μ_k, keeping at most min(Nh, No)
 * eigenvalues (rank W2W2ᵀ ≤ Nh, so an output layer wider than the hidden layer is handled
 * structurally, not by a threshold) and only those with μ_k > pinvTolerance·μ_max
 * (default 1e-12, see {@link DEFAULT_PINV_TOLERANCE}); if W2 = 0 the pseudo-inverse is 0.
 * RSM_out is then assembled as ZᵀZ with Z = diag(μ^{-1/2}) Eᵀ Y', and RSM_in as HᵀH with
 * H = W1X' (Nh×P'; for a Snapshot from its `factor`), so both are exactly symmetric and
 * positive semi-definite.
 *
 * Shapes: `network` is a Snapshot or `{ w1: Nh×Ni, w2: No×Nh }`.
 * Cost: O(Nh·Ni·P' + Nh·P'²) for RSM_in (never forming the Ni×Ni matrix W1ᵀW1; a Snapshot
 * also pays its `factor` once, O(Ni·Ni'·Nh)) and O(Nh·No² + No³ + No²·P' + No·P'²) for RSM_out.
 * Inputs are never mutated.
 *
 * @param network - a Snapshot (from `exactDynamics(...).at(t)`) or weights `{ w1, w2 }`.
 * @param options - `{ inputs?: Ni×P', outputs?: No×P', pinvTolerance? }`; at least one probe.
 * @returns `{ input, output }`; a field is `undefined` when its probe was omitted.
 * @throws {@link InvalidArgumentError} if `network` is neither a Snapshot nor a weight pair,
 *   if neither `inputs` nor `outputs` is given, if `pinvTolerance` is negative, or if
 *   RSM_out is beyond double precision (probe outputs far larger than W2: it grows like
 *   ‖y‖²/‖W2‖²), or RSM_in is (it grows like ‖W1‖²‖x‖²). Weights and probes of any other
 *   size are scaled by powers of two inside.
 * @throws {@link ShapeError} if `inputs` does not have Ni rows or `outputs` does not have No
 *   rows, or `network.w2` does not have as many columns as `network.w1` has rows.
 * @throws {@link NonFiniteError} for NaN or infinite entries (the message names the argument).
 * @example
 * ```ts
 * import { exactDynamics, lambdaBalancedWeights, randomTask, representationSimilarity } from 'exact-dln';
 * const task = randomTask({ inputDim: 3, outputDim: 4, samples: 30, seed: 1 });
 * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 2, outputDim: 4, lambda: 0, scale: 0.1, seed: 2 });
 * const late = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX }).at(20);
 * // Probe with the three one-hot inputs and the four one-hot outputs:
 * const eye = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
 * const { input, output } = representationSimilarity(late, { inputs: eye(3), outputs: eye(4) });
 * console.log(input.rows, output.rows); // 3 4
 * ```
 */
export function representationSimilarity<O extends RepresentationSimilarityOptions>(
  network: NetworkState,
  options: O,
): RepresentationSimilarity<O> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      'invalid argument. representationSimilarity expects an options object { inputs?, outputs?, pinvTolerance? } as its second argument.',
      'options',
    );
  }
  assertKnownOptions(options, 'representationSimilarity', {
    inputs: true,
    outputs: true,
    pinvTolerance: true,
  } satisfies Record<keyof RepresentationSimilarityOptions, true>);
  if (options.inputs === undefined && options.outputs === undefined) {
    throw new InvalidArgumentError(
      'invalid argument. representationSimilarity needs probe `inputs` (Ni×P′), probe `outputs` (No×P′) or both; neither was given.',
      'options',
    );
  }
  const net = factorOf(network, 'network');
  const ni = net.inputDim;
  const nh = net.hiddenDim;
  const no = net.outputDim;
  const tolerance = optionalNumber(options.pinvTolerance, DEFAULT_PINV_TOLERANCE, 'pinvTolerance', assertNonNegativeNumber);
  let input: Matrix | undefined;
  let output: Matrix | undefined;
  if (options.inputs !== undefined) {
    const x = toMatrix(options.inputs, 'inputs');
    assertShape(x, ni, undefined, 'inputs', `input×probes; the network has Ni = ${ni} inputs`);
    // RSM_in = HᵀH with H = W1X' (Nh×P'): the Gram matrix of H's columns.
    const p = x.columns;
    const h = tmatmul(net.w1t, toArray(x), ni, nh, p);
    const rsm = gramOfRows(transpose(h, nh, p), p, nh);
    assertRepresentable(rsm, 'RSM_in = X′ᵀW1ᵀW1X′', 'inputs'); // probes or W1 above ≈ 1e154 gave ∞
    input = fromArray(rsm, p, p);
  }
  if (options.outputs !== undefined) {
    const y = toMatrix(options.outputs, 'outputs');
    assertShape(y, no, undefined, 'outputs', `output×probes; the network has No = ${no} outputs`);
    // Yᵀ(W2W2ᵀ)⁺Y = (f/g)²·(gY)ᵀ((fW2)(fW2)ᵀ)⁺(gY) for any f, g: weights and probe outputs
    // of extreme size are scaled by powers of two first (W2 ≈ 1e-162 made W2W2ᵀ underflow to
    // 0, and RSM_out came out 0), and the ratio applied at the end.
    const f = extremeScale(net.w2);
    const ya = toArray(y);
    const g = extremeScale(ya);
    const w2 = f === 1 ? net.w2 : net.w2.map((v) => v * f);
    output = pseudoInverseForm(gramOfRows(w2, no, nh), no, Math.min(nh, no), tolerance, g === 1 ? ya : ya.map((v) => v * g), y.columns);
    if (f !== g) {
      const h = f / g;
      const o = output.to1DArray().map((v) => v * h * h);
      if (!o.every(Number.isFinite)) {
        throw new InvalidArgumentError(
          'invalid argument. RSM_out = Y′ᵀ(W2W2ᵀ)⁺Y′ is beyond double precision: the probe `outputs` are too large for ' +
            `weights W2 of size ≈ ${(1 / f).toExponential(0)} (RSM_out grows like ‖y‖²/‖W2‖²). Scale the probe outputs down.`,
          'outputs',
        );
      }
      output = fromArray(Float64Array.from(o), y.columns, y.columns);
    }
  }
  return { input, output } as RepresentationSimilarity<O>;
}

/**
 * Yᵀ R⁺ Y for a symmetric positive semi-definite n×n R (row-major) and Y n×P: the
 * pseudo-inverse from R's eigendecomposition, keeping at most `maxRank` eigenvalues and
 * only those above tolerance·μ_max. Returned as ZᵀZ (exactly symmetric, PSD).
 */
function pseudoInverseForm(
  r: Float64Array,
  n: number,
  maxRank: number,
  tolerance: number,
  y: Float64Array,
  p: number,
): Matrix {
  // Eigenvalues ascending; row k of e is the eigenvector of mu[k].
  const { values: mu, vectors: e } = symmetricEigen(r, n);
  const top = mu[n - 1];
  const kept: number[] = [];
  for (let k = n - 1; k >= 0; k--) {
    if (kept.length >= maxRank) break;
    if (top > 0 && mu[k] > tolerance * top) kept.push(k);
  }
  // Z = diag(μ^{-1/2}) Eᵀ Y, k×P, as one product of the kept, scaled eigenvector rows with Y.
  const scaled = new Float64Array(kept.length * n);
  kept.forEach((k, row) => {
    const scale = 1 / Math.sqrt(mu[k]);
    for (let i = 0; i < n; i++) scaled[row * n + i] = e[k * n + i] * scale;
  });
  const z = matmul(scaled, y, kept.length, n, p);
  return fromArray(tmatmul(z, z, kept.length, p, p), p, p);
}
