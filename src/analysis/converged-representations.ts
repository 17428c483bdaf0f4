/**
 * `convergedRepresentations`: the network function and hidden representations a
 * λ-balanced network converges to, from Σyx and λ alone (MATH.md §5).
 *
 * @module
 */
import type { Matrix } from 'ml-matrix';
import { fullSvd } from '../core/svd.js';
import { GAMMA_CLUSTER_TOLERANCE, sameRate, squareOver } from '../core/spectrum.js';
import { InvalidArgumentError } from '../errors.js';
import { adoptArray, matmulT, readArray } from '../linalg/dense.js';
import {
  assertFiniteNumber,
  assertInteger,
  assertKnownOptions,
  assertLambdaPossible,
  assertShape,
  type MatrixLike,
  toMatrix,
} from '../validation.js';

/**
 * Options of {@link convergedRepresentations}.
 *
 * @example
 * ```ts
 * import type { ConvergedRepresentationsOptions } from 'exact-dln';
 * const options: ConvergedRepresentationsOptions = { sigmaYX: [[2, 0], [0, 1]], lambda: 1, hiddenDim: 2 };
 * ```
 */
export interface ConvergedRepresentationsOptions {
  /** Σyx of a whitened task, output×input (No×Ni). */
  sigmaYX: MatrixLike;
  /** λ, the balance W2ᵀW2 − W1W1ᵀ = λI (λ > 0 needs hiddenDim ≤ No, λ < 0 needs hiddenDim ≤ Ni). */
  lambda: number;
  /** Nh, the hidden width (a positive integer). */
  hiddenDim: number;
  /** Ni, optional: if given it must equal sigmaYX.columns. */
  inputDim?: number;
  /** No, optional: if given it must equal sigmaYX.rows. */
  outputDim?: number;
}

/**
 * The converged state of {@link convergedRepresentations}.
 *
 * @example
 * ```ts
 * import { convergedRepresentations, type ConvergedRepresentations } from 'exact-dln';
 * const c: ConvergedRepresentations = convergedRepresentations({ sigmaYX: [[1]], lambda: 0, hiddenDim: 1 });
 * console.log(c.w1tw1.get(0, 0)); // 1
 * ```
 */
export interface ConvergedRepresentations {
  /** lim W2W1, No×Ni: Σyx, or its best rank-Nh approximation when Nh < rank Σyx. */
  w2w1: Matrix;
  /** lim W1ᵀW1, Ni×Ni: the input-side representation. */
  w1tw1: Matrix;
  /** lim W2W2ᵀ, No×No: the output-side representation. */
  w2w2t: Matrix;
}

/** A growing direction of F (γ > 0) and the piece it adds to P(∞) = Σ 2γ o oᵀ. */
interface GrowingMode {
  gamma: number;
  /** The singular value it comes from (0 for a left-over direction): γ grows with it. */
  sigma: number;
  kind: 'pair' | 'output' | 'input';
  /** Column of Ũ / Ṽ. */
  index: number;
}

/**
 * c·I + Σ_α d_α b_α b_αᵀ (n×n, exactly symmetric) over the first r columns b_α of the
 * orthogonal `basis` (n×n, row-major): B·diag(d)·Bᵀ as one product, O(n²·r). With c = 0 and
 * d_α the weight of column α this is Σ d_α b_α b_αᵀ; c = |λ| stands for |λ| on all the
 * other columns (|λ|·(I − Σ_α b_α b_αᵀ), their sum), which the (n − r)-column sum would
 * cost O(n³) to form (784×784 inputs and 10 outputs: seconds).
 */
function weightedProjector(basis: Float64Array, n: number, r: number, c: number, d: Float64Array): Matrix {
  const b = new Float64Array(n * r);
  const scaled = new Float64Array(n * r);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < r; a++) {
      b[i * r + a] = basis[i * n + a];
      scaled[i * r + a] = d[a] * basis[i * n + a];
    }
  }
  const m = r > 0 ? matmulT(scaled, b, n, r, n) : new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    m[i * n + i] += c;
    for (let j = 0; j < i; j++) m[i * n + j] = m[j * n + i]; // the upper triangle, mirrored
  }
  return adoptArray(m, n, n);
}

/**
 * The state a λ-balanced two-layer linear network converges to under gradient flow on a
 * whitened task (MATH.md §5), computed from Σyx, λ and the widths alone (no weights, no
 * time stepping). With Σyx = Ũ diag(σ_α) Ṽᵀ and κ_α = sqrt(σ_α² + λ²/4):
 *
 *     W2W1 → Σ_α σ_α ũ_α ṽ_αᵀ,   W1ᵀW1 → Σ_α (κ_α − λ/2) ṽ_α ṽ_αᵀ,   W2W2ᵀ → Σ_α (κ_α + λ/2) ũ_α ũ_αᵀ
 *
 * over the kept modes — all of them without a bottleneck (then W2W1 → Σyx), the Nh largest
 * when Nh < rank Σyx (W2W1 → the best rank-Nh approximation of Σyx) — plus, when λ > 0, λ on
 * the directions of R^No outside the task's output space (ũ⊥, and ũ_α with σ_α = 0) and,
 * when λ < 0, |λ| on those of R^Ni outside its input space (ṽ⊥, ṽ_α with σ_α = 0). So
 * λ → +∞ moves all learned structure into W2W2ᵀ ≈ λI + ΣyxΣyxᵀ/λ, λ → −∞ into W1ᵀW1, and
 * λ = 0 splits it evenly ((ΣyxᵀΣyx)^{1/2} and (ΣyxΣyxᵀ)^{1/2}). κ_α ∓ λ/2 are evaluated
 * without cancellation (σ_α²/(κ_α ± λ/2) for the small one).
 *
 * This is P(∞) = Σ 2γ_i o_i o_iᵀ over the Nh fastest-growing eigendirections of F
 * (MATH.md §4–§5), which holds for a generic initialisation (one that populates those
 * directions: `exactDynamics(...).converged()` gives the limit of any particular one, e.g.
 * the saddle of reversal learning at λ = 0). Growth rates within 1e-12 (relative) of each
 * other are one degenerate cluster, and rates that small are treated as 0 (not growing;
 * they contribute nothing), as `exactDynamics` does.
 *
 * Caveat (non-generic but common): at λ = 0 with Ni = No (and Nh ≥ Ni; a wider hidden layer
 * does not help, since QᵀQ = 2W1W1ᵀ has rank ≤ Ni) the sign of det(W2W1) is conserved, so an
 * initialisation with det(W2W1)·det(Σyx) < 0 — half of all random ones — ends with its
 * weakest mode on a saddle (MATH.md §8) and `converged()` differs from this function. Any
 * λ ≠ 0 removes the problem.
 *
 * When the hidden layer has room for only some directions of a degenerate cluster, the limit
 * depends on the initialisation and an error is thrown. This happens when λ > 0 and
 * rank Σyx < Nh < No (e.g. Ni < Nh < No: some, but not all, ũ⊥ directions keep λ), when
 * λ < 0 and rank Σyx < Nh < Ni, and for a bottleneck that cuts through a repeated singular
 * value (σ_Nh = σ_{Nh+1} > 0).
 *
 * Cost: one full SVD of Σyx, O(Ni·No·min(Ni, No) + max(Ni, No)³), plus three products of
 * O(min(Ni, No)·(Ni² + No²)) (the left-over directions enter as |λ|·I, not one by one).
 *
 * @param options - `{ sigmaYX, lambda, hiddenDim, inputDim?, outputDim? }`.
 * @returns `{ w2w1 (No×Ni), w1tw1 (Ni×Ni), w2w2t (No×No) }`, fresh matrices.
 * @throws {@link ShapeError} if `inputDim` / `outputDim` are given and do not match Σyx.
 * @throws {@link NonFiniteError} for NaN or infinite entries or λ.
 * @throws {@link ImpossibleLambdaError} if λ is impossible for the widths (MATH.md §2).
 * @throws {@link InvalidArgumentError} if `hiddenDim` (or a given width) is not a positive
 *   integer, or if the limit is not determined by (Σyx, λ, Nh) — see above; the message
 *   explains and suggests `exactDynamics(...).converged()`.
 * @example
 * ```ts
 * import { convergedRepresentations } from 'exact-dln';
 * const sigmaYX = [[3, 0], [0, 1]];
 * const rich = convergedRepresentations({ sigmaYX, lambda: 0, hiddenDim: 2 });
 * console.log(rich.w1tw1.to2DArray());  // [[3, 0], [0, 1]]: (ΣyxᵀΣyx)^{1/2}
 * const lazy = convergedRepresentations({ sigmaYX, lambda: 100, hiddenDim: 2 });
 * console.log(lazy.w1tw1.to2DArray());  // ≈ [[0.09, 0], [0, 0.01]]: ΣyxᵀΣyx/λ
 * const bottleneck = convergedRepresentations({ sigmaYX, lambda: 0, hiddenDim: 1 });
 * console.log(bottleneck.w2w1.to2DArray()); // [[3, 0], [0, 0]]: best rank-1 approximation
 * ```
 */
export function convergedRepresentations(options: ConvergedRepresentationsOptions): ConvergedRepresentations {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      'invalid argument. convergedRepresentations expects an options object { sigmaYX, lambda, hiddenDim, inputDim?, outputDim? }.',
    );
  }
  assertKnownOptions(options, 'convergedRepresentations', {
    sigmaYX: true,
    lambda: true,
    hiddenDim: true,
    inputDim: true,
    outputDim: true,
  } satisfies Record<keyof ConvergedRepresentationsOptions, true>);
  const sigmaYX = toMatrix(options.sigmaYX, 'sigmaYX');
  const no = sigmaYX.rows;
  const ni = sigmaYX.columns;
  if (options.inputDim !== undefined) {
    assertInteger(options.inputDim, 'inputDim');
    assertShape(sigmaYX, undefined, options.inputDim, 'sigmaYX', 'output×input with input = inputDim');
  }
  if (options.outputDim !== undefined) {
    assertInteger(options.outputDim, 'outputDim');
    assertShape(sigmaYX, options.outputDim, undefined, 'sigmaYX', 'output×input with output = outputDim');
  }
  const { lambda, hiddenDim: nh } = options;
  assertFiniteNumber(lambda, 'lambda');
  assertInteger(nh, 'hiddenDim');
  assertLambdaPossible(lambda, ni, nh, no);

  const { u, s, v } = fullSvd(sigmaYX);
  const r = Math.min(ni, no);
  const half = lambda / 2;
  const absHalf = Math.abs(half);
  const tol = GAMMA_CLUSTER_TOLERANCE * Math.max(absHalf, r > 0 ? s[0] : 0);

  // The eigenvalues γ > 0 of F (MATH.md §4): +κ_α per singular triple, +λ/2 per ũ⊥ (λ > 0),
  // −λ/2 per ṽ⊥ (λ < 0). Rates within `tol` of 0 are not growing.
  const modes: GrowingMode[] = [];
  for (let alpha = 0; alpha < r; alpha++) {
    const kappa = Math.hypot(s[alpha], half);
    if (kappa > tol) modes.push({ gamma: kappa, sigma: s[alpha], kind: 'pair', index: alpha });
  }
  if (absHalf > tol) {
    if (lambda > 0) for (let k = r; k < no; k++) modes.push({ gamma: half, sigma: 0, kind: 'output', index: k });
    else for (let k = r; k < ni; k++) modes.push({ gamma: -half, sigma: 0, kind: 'input', index: k });
  }
  // By decreasing σ, which orders the rates κ = √(σ² + λ²/4) exactly even where |λ| ≫ σ makes
  // them equal in double precision. Two rates are one (the hidden layer's choice between them
  // is left to the initialisation) by the spectrum's rule, `sameRate`: equal rates and equal σ.
  modes.sort((x, y) => y.sigma - x.sigma || x.index - y.index);
  const same = (x: GrowingMode, y: GrowingMode): boolean => sameRate(x.gamma, x.sigma, y.gamma, y.sigma, lambda, r > 0 ? s[0] : 0);

  const kept = Math.min(nh, modes.length);
  if (kept < modes.length && same(modes[kept - 1], modes[kept])) {
    const cut = modes[kept - 1].gamma;
    const cluster = modes.filter((m) => same(m, modes[kept - 1])).length;
    const inCluster = modes.slice(0, kept).filter((m) => same(m, modes[kept - 1])).length;
    throw new InvalidArgumentError(
      `invalid argument. The converged state is not determined by sigmaYX, lambda and hiddenDim alone: with hiddenDim = ${nh} ` +
        `the hidden layer keeps only ${inCluster} of ${cluster} directions that grow at the same rate γ = ${cut} ` +
        `(${lambda !== 0 && modes[kept - 1].sigma === 0
          ? `directions outside the task's ${lambda > 0 ? 'output' : 'input'} space, which hold |λ| = ${Math.abs(lambda)} when kept`
          : 'a repeated singular value of sigmaYX at the bottleneck'}), ` +
        `and which of them it keeps depends on the initialisation. ` +
        `Use exactDynamics({ w1, w2, sigmaYX }).converged() for the limit of a particular initialisation.`,
      'hiddenDim',
    );
  }

  // Per singular pair the weights of ṽ_α in W1ᵀW1 and of ũ_α in W2W2ᵀ, and σ_α in W2W1; |λ| on
  // every left-over direction of one side when those are kept (they grow at one rate, so all
  // or none are: a cut through them was refused above).
  const inputWeight = new Float64Array(r);
  const outputWeight = new Float64Array(r);
  const product = new Float64Array(r);
  let inputFloor = 0;
  let outputFloor = 0;
  for (const mode of modes.slice(0, kept)) {
    if (mode.kind === 'output') {
      outputFloor = lambda; // 2γ = λ
      continue;
    }
    if (mode.kind === 'input') {
      inputFloor = -lambda; // 2γ = |λ|
      continue;
    }
    const alpha = mode.index;
    const sigma = s[alpha];
    const kappa = mode.gamma;
    // κ + |λ|/2 directly, κ − |λ|/2 = σ²/(κ + |λ|/2): no cancellation.
    const big = kappa + absHalf;
    const small = squareOver(sigma, big); // σ²/(κ + |λ|/2), at any size
    inputWeight[alpha] = lambda >= 0 ? small : big; // κ − λ/2
    outputWeight[alpha] = lambda >= 0 ? big : small; // κ + λ/2
    product[alpha] = sigma;
  }
  // With the left-over directions' |λ| written as |λ|·I on their side, each pair's weight
  // there counts above |λ|: κ + |λ|/2 − |λ| = κ − |λ|/2, the other side's weight (`small`,
  // computed without cancellation; 0 for σ = 0). Every pair is kept then: the left-over
  // directions grow slowest (rate |λ|/2 ≤ κ), and a cut through their rate was refused above.
  if (inputFloor > 0) inputWeight.set(outputWeight);
  if (outputFloor > 0) outputWeight.set(inputWeight);
  const uArray = readArray(u);
  const vArray = readArray(v);
  const w1tw1 = weightedProjector(vArray, ni, r, inputFloor, inputWeight);
  const w2w2t = weightedProjector(uArray, no, r, outputFloor, outputWeight);
  const scaledU = new Float64Array(no * r);
  const vr = new Float64Array(ni * r);
  for (let o = 0; o < no; o++) for (let a = 0; a < r; a++) scaledU[o * r + a] = product[a] * uArray[o * no + a];
  for (let i = 0; i < ni; i++) for (let a = 0; a < r; a++) vr[i * r + a] = vArray[i * ni + a];
  const w2w1 = adoptArray(r > 0 ? matmulT(scaledU, vr, no, r, ni) : new Float64Array(no * ni), no, ni);
  return { w2w1, w1tw1, w2w2t };
}
