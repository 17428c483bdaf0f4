/**
 * The overflow-free closed-form solution of the matrix Riccati equation
 * τ dP/dt = FP + PF − P² (MATH.md §3–§4).
 *
 * Everything that does not depend on t is done once in the constructor: the exact
 * spectrum of F, the initial factor in the eigenbasis (Ψ = OᵀQ(0)), the graded
 * orthogonalisation Ψ_G = L Kᵀ of the growing rows, G0 = [L; Ψ_Z K] in the column order
 * the evaluation uses (and its transpose), where the zeros of L are, and which modes make
 * up each row of the singular basis. {@link RiccatiSolution.factorAt} then costs
 * O(N·Nh² + Nh³) — about (nG/3 + nZ)·Nh² + Nh³/6 multiply-adds, in scratch buffers that
 * are reused from call to call (in the WebAssembly kernels' memory when those run, see
 * linalg/wasm.ts) — and returns an N×Nh factor of P(t) in the task's singular basis,
 * without ever forming an e^{γs} that could overflow.
 *
 * @module
 * @internal
 */
import {
  choleskyInPlace,
  choleskyInPlaceJs,
  flushRowsRelative,
  gramLowerIntoJs,
  gramOfRows,
  matmul,
  matmulT,
  normaliseRowsInto,
  scaleRowsByPowersOfTwoFlushed,
  scaleRowsColumnsInto,
  normalisedRowFactors,
  ROW_FLUSH,
  SMALLEST_NORMAL,
  smallestNonZero,
  timesPowerOfTwo,
  solveRowsLowerTInPlace,
  solveRowsLowerTInPlaceJs,
  tmatmul,
  readArray,
  transpose,
} from '../linalg/dense.js';
import { ExactDlnError, InvalidArgumentError } from '../errors.js';
import { completeOrthonormalBasis } from '../linalg/complete-basis.js';
import { orthonormalColumns } from '../linalg/householder.js';
import { rowKernels } from '../linalg/row-kernels.js';
import { kernelsFor, type WasmKernels } from '../linalg/wasm.js';
import { GAMMA_CLUSTER_TOLERANCE, growingRateGap, modeSigma, type Mode, type Spectrum } from './spectrum.js';

/**
 * A row whose residual after orthogonalisation is below RELATIVE_RANK_TOLERANCE·‖ψ_i‖ or
 * ABSOLUTE_RANK_TOLERANCE·‖Q(0)‖_F is treated as dependent on faster-growing rows (it
 * starts no new growing direction). The absolute part makes projections that are zero
 * up to rounding, such as the reversed mode of an aligned initialisation at λ = 0
 * (MATH.md §8), stay exactly on their saddle instead of amplifying round-off. Once λ is
 * resolved both give way to {@link loweredRankTolerances}.
 */
export const RELATIVE_RANK_TOLERANCE = 1e-10;
/** See {@link RELATIVE_RANK_TOLERANCE}. */
export const ABSOLUTE_RANK_TOLERANCE = 1e-12;
/**
 * λ counts as resolved (not zero up to rounding) when |λ| > LAMBDA_RESOLUTION·N·ε·‖Q(0)‖²_F,
 * a multiple of the rounding level of λ̂ = tr(W2ᵀW2 − W1W1ᵀ)/Nh.
 *
 * @internal
 */
export const LAMBDA_RESOLUTION = 32;

/**
 * The rounding of a row of Ψ, per LOWERED_RANK_FLOOR·N·ε·‖Q(0)‖_F·(1 + max|γ|/gap): Ψ = OᵀQ(0)
 * is formed in the singular basis of Σyx, whose vectors the SVD finds only to an angle of
 * about ε·‖Σyx‖/gap from the others (gap: to the nearest different singular value; taken
 * as the gap to the nearest different growth rate, which is never larger), so a row that is
 * exactly 0 picks up that fraction of its neighbours' rows.
 */
const LOWERED_RANK_FLOOR = 2;

/**
 * Per growing (or rate-0) row, the residual above which it starts a new direction in
 * {@link gradedOrthogonalisation} however small the rank tolerances make it, in Ψ's units;
 * `undefined` when λ is zero up to rounding (the tolerances alone decide).
 *
 * At λ = 0 a growing row can lie exactly in the span of faster ones (a saddle: the
 * reversed mode of MATH.md §8, or a square network whose det W2W1 has the wrong sign),
 * and the tolerances keep such rows, up to their rounding, dependent. At λ ≠ 0 those
 * saddles are gone, and the same row's residual is of order |λ|/‖Q(0)‖ — at least
 * 0.35·|λ|/‖Q(0)‖_F for an aligned reversed mode (from the balance d² − c² = λ), ≈ 2.7·|λ|/‖Q(0)‖_F
 * for a 3×3×3 network of the wrong determinant sign — which for |λ| below about 1e-10·‖Q(0)‖²
 * fell under the tolerances and was taken for a saddle: a 1×1×1 network from w1w2 = −1 at
 * λ = 1e-12 stayed at 0 where the flow learns by t ≈ 30τ. So with λ resolved the threshold
 * is 0.1·|λ|/‖Q(0)‖_F — but never below the row's rounding ({@link LOWERED_RANK_FLOOR}):
 * exact saddles remain at λ ≠ 0 (a unit parked on a direction the task does not use, or on
 * a mode other than the one it could learn), and next to a close singular value, or under a
 * large ‖Σyx‖, their rows' rounding exceeds 0.1·|λ|/‖Q(0)‖ (Σyx with σ = 1 + 2⁻¹⁰ and 1: a
 * residual of 2.2e-13·‖Q(0)‖ on an exact saddle). The caller takes the smaller of this and
 * the tolerances, so nothing is taken for a saddle that was not before.
 *
 * @param gamma - all N rates, sorted decreasing (snapped: equal rates are equal).
 * @param count - the rows wanted (the first `count`).
 * @param qNorm - ‖Ψ‖_F = ‖Q(0)‖_F, in the scaled units of Ψ.
 * @param lambdaScaled - λ in the same units (λ times the square of Ψ's scale factor).
 * @param rateBound - max |γ|.
 */
function loweredRankTolerances(gamma: Float64Array, count: number, qNorm: number, lambdaScaled: number, rateBound: number): Float64Array | undefined {
  const n = gamma.length;
  if (!(qNorm > 0)) return undefined;
  const relative = Math.abs(lambdaScaled) / qNorm / qNorm; // |λ|/‖Q‖², ≤ about 1 for balanced weights
  if (!(relative > LAMBDA_RESOLUTION * n * Number.EPSILON)) return undefined;
  const fromLambda = 0.1 * relative * qNorm;
  const rounding = LOWERED_RANK_FLOOR * n * Number.EPSILON * qNorm;
  // The nearest different rate above each row (Infinity for the first group), then below.
  const gap = new Float64Array(count).fill(Infinity);
  let above = Infinity;
  for (let i = 0; i < count; i++) {
    if (i > 0 && gamma[i - 1] !== gamma[i]) above = gamma[i - 1];
    gap[i] = above - gamma[i];
  }
  let below = -Infinity;
  for (let i = n - 1; i >= 0; i--) {
    if (i < n - 1 && gamma[i + 1] !== gamma[i]) below = gamma[i + 1];
    if (i < count) gap[i] = Math.min(gap[i], gamma[i] - below);
  }
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.max(fromLambda, rounding * (1 + rateBound / gap[i]));
  return out;
}

/**
 * The error when M = I + ΨᵀΦΨ (scaled) is not positive definite in floating point: it is in
 * exact arithmetic, so its rounding has outgrown it — seen only at s·‖Q(0)‖² beyond about
 * 1e25 for a λ = 0 network with a rank-deficient Q(0) (modes of rate 0 decay like 1/s, and
 * terms of size s·|ψ|² meet terms of size 1).
 */
/** Relative to ‖Q(0)‖, the share of a pivot below which a dependent row's choice is not asked for (see {@link unresolvedRates}). */
const UNRESOLVED_SHARE = 1e-10;

/**
 * The differences of growing rates ({@link growingRateGap}) are accurate to a few ulps while
 * they are normal numbers; a subnormal one is rounded to 2⁻¹⁰⁷⁵ absolutely, which above this
 * gap is still 2⁻⁵⁰ of it and below it is not — and there the time scale 1/gap of the choice
 * between the two rates is beyond the largest double. (σ²/|λ| below about 5.6e-309, e.g.
 * σ = 1e-160 at λ = 1.)
 */
const SMALLEST_RESOLVED_GAP = 2 ** -1024;

/**
 * A dependent growing row (not a pivot) that keeps a share of a pivot whose rate differs from
 * its own by less than {@link SMALLEST_RESOLVED_GAP} though their singular values differ (the
 * spectrum merges rates only for repeated σ): the hidden layer decides between the two over a
 * time 1/gap that the closed form cannot resolve (its "limit" would be the initial mixture).
 * Pivot rows only mix directions that all stay, and need no choice. The smallest such true
 * gap (σ_a² − σ_b²)/(κ_a + κ_b), or undefined.
 */
function unresolvedRates(
  spectrum: Spectrum,
  modes: readonly Mode[],
  nG: number,
  nh: number,
  lMat: Float64Array,
  cols: Int32Array | Float64Array | number[],
  pivotRows: number[],
  qNorm: number,
): { gap: number; sigmaA: number; sigmaB: number } | undefined {
  const pivots = pivotRows.length;
  const isPivot = new Set(pivotRows);
  const sigmaMax = spectrum.sigma.length > 0 ? spectrum.sigma[0] : 0;
  const kappa = (x: number): number => Math.hypot(x, spectrum.lambda / 2);
  let found: { gap: number; sigmaA: number; sigmaB: number } | undefined;
  for (let i = 0; i < nG; i++) {
    if (isPivot.has(i)) continue;
    const ci = Math.min(cols[i], pivots);
    for (let j = 0; j < ci; j++) {
      // Shares below 1e-10·‖Q(0)‖ are rounding (an aligned start's other modes get ~ε·‖Q(0)‖
      // from the SVD's basis) or too small to move the limit by more than that.
      if (!(Math.abs(lMat[i * nh + j]) > UNRESOLVED_SHARE * qNorm)) continue;
      const a = modeSigma(spectrum.sigma, modes[pivotRows[j]]);
      const b = modeSigma(spectrum.sigma, modes[i]);
      if (Math.abs(a - b) <= GAMMA_CLUSTER_TOLERANCE * sigmaMax) continue;
      const gap = Math.abs(growingRateGap(a, kappa(a), b, kappa(b)));
      if (!(gap < SMALLEST_RESOLVED_GAP)) continue;
      if (found === undefined || gap < found.gap) found = { gap, sigmaA: a, sigmaB: b };
    }
  }
  return found;
}

function lostDefiniteness(s: number): ExactDlnError {
  return new ExactDlnError(
    `exact-dln cannot evaluate this state at t/τ = ${s}: the closed form's Gram matrix lost its positive definiteness to rounding ` +
      '(this happens only at extreme t·‖W‖², for λ = 0 with modes of growth rate 0). converged() gives the limit t → ∞.',
  );
}

/**
 * Largest max_c S_cc/C_cc² (the share of S's diagonal its Cholesky pivots cancel) accepted
 * from the evaluation in rate order: ε times it, ≈ 2e-12, bounds the pivots' relative
 * rounding. Random initialisations stay far below it (at most 22 over 5 400 evaluations of
 * networks up to n = 32, λ from −10 to 10, scales 1e-4 to 3); beyond it the rows are taken in
 * the order of their size instead ({@link RiccatiSolution.reorderedSolve}).
 */
const CANCELLATION_LIMIT = 1e4;

function cancelledBeyondRepair(s: number, cancellation: number): ExactDlnError {
  return new ExactDlnError(
    `exact-dln cannot evaluate this state accurately at t/τ = ${s}: the closed form's Gram matrix is ill-conditioned even with ` +
      `the modes taken in the order of their size (its Cholesky pivots cancel ${cancellation.toExponential(1)} of its diagonal, ` +
      `so about ${(cancellation * Number.EPSILON).toExponential(1)} of the result would be rounding). This needs modes held by ` +
      'shares far below the others next to nearly equal growth rates; converged() gives the limit t → ∞.',
  );
}

/** The time-independent part of the closed form for one (Q(0), F) pair. */
export class RiccatiSolution {
  readonly spectrum: Spectrum;
  readonly inputDim: number;
  readonly outputDim: number;
  readonly hiddenDim: number;
  /** Ṽ (Ni×Ni) and Ũ (No×No), row-major. */
  readonly vArr: Float64Array;
  readonly uArr: Float64Array;
  /** Number of growing modes (γ > 0); they come first in the sorted mode order. */
  private readonly nG: number;
  /** Growth rates of the sorted modes. */
  private readonly gamma: Float64Array;
  /**
   * The singular value each rate comes from (`Mode.rateSigma`): differences of two growing
   * rates are formed from these ({@link growingRateGap}), not from γ, whose own rounding ε·γ
   * is most of them for |λ| ≫ σ or nearly repeated σ.
   */
  private readonly rateSigma: Float64Array;
  /** Number of pivots (basis vectors with their own growth rate). */
  readonly pivots: number;
  /** Growth rate of each pivot column, and its singular value. */
  private readonly pivotGamma: Float64Array;
  private readonly pivotSigma: Float64Array;
  /**
   * Two growth rates the hidden layer must choose between that are equal in double precision
   * but not in fact (see {@link unresolvedRates}): the smallest true gap and its singular values.
   */
  private readonly unresolved: { gap: number; sigmaA: number; sigmaB: number } | undefined;
  /** L (nG×Nh): L_ij for j < cols[i], zero elsewhere. */
  private readonly lMat: Float64Array;
  /** Number of pivots that exist once growing row i has been processed. */
  private readonly cols: Int32Array;
  /** Ψ_Z K (nZ×Nh). */
  private readonly psiZK: Float64Array;
  /**
   * The modes as flat arrays: mode i is modeA[i]·ṽ_modeIn[i] + modeB[i]·ũ_modeOut[i]
   * (a coefficient is 0 where the mode has no such part).
   */
  private readonly modeIn: Int32Array;
  private readonly modeA: Float64Array;
  private readonly modeOut: Int32Array;
  private readonly modeB: Float64Array;
  /** G0 = [L; Ψ_Z K] with reversed columns (N×Nh), and its transpose (Nh×N). */
  private readonly g0: Float64Array;
  private readonly g0t: Float64Array;
  /** Row i of G0 is zero before column rowLo[i]. */
  private readonly rowLo: Int32Array;
  /** Growth rate of each reversed column (0 for completion columns). */
  private readonly colRate: Float64Array;
  /** The singular value of each reversed pivot column's rate; NaN for the other columns (see {@link columnGaps}). */
  private readonly colSigma: Float64Array;
  /**
   * For hidden column j = Nh − 1 − c: the first growing row whose L has column j (rows
   * before it are zero there). Non-increasing in c.
   */
  private readonly colLo: Int32Array;
  /**
   * Row r of the factor in the singular basis is coordCoef[2r]·(mode coordMode[2r]) +
   * coordCoef[2r+1]·(mode coordMode[2r+1]), modes in ascending order; −1 for none.
   */
  private readonly coordMode: Int32Array;
  private readonly coordCoef: Float64Array;
  /** All modes, in the form {@link RiccatiSolution.solveSet} works on. */
  private readonly full: RowSet;
  /**
   * The left-over modes (directions of the wider layer with no task mode, all with the same
   * γ = ∓λ/2) taken out for the summaries, or undefined if there are none.
   */
  private readonly reduced: Reduced | undefined;
  /**
   * Q(0) in the task's singular basis, [Ṽᵀ W1ᵀ ; Ũᵀ W2] (N×Nh, row-major): the data the
   * decoupled-mode path of the summaries reads (src/core/decoupled-modes.ts). Not modified.
   */
  readonly initialFactor: Float64Array;
  /**
   * log2 of the spread of Ψ's non-zero entries (largest over smallest) and the largest
   * |γ| of all modes: with them, {@link RiccatiSolution.mayUnderflow} bounds how far apart
   * the factor's entries can be at a time.
   */
  private readonly psiLog2Spread: number;
  private readonly rateBound: number;
  /**
   * 2^k when Ψ was scaled by 2^k for a small or large initialisation (see the constructor), else 1:
   * the identity of M = I + ΨᵀΦΨ enters S as (2^k·e^{−g_c s})².
   */
  private readonly identityRoot: number;
  /** Scratch buffers of factorInto, allocated on first use. */
  private workspace: Workspace | undefined;
  /** max_c S_cc/C_cc² of the last {@link RiccatiSolution.solveSet} (Infinity if S was not positive definite). */
  lastCancellation = 1;
  private compressedExpansion: ReturnType<RiccatiSolution['expansion']> | undefined;
  private scratchArray: Float64Array | undefined;

  /**
   * @param spectrum - exact spectrum of F.
   * @param q - Q(0) = [W1ᵀ; W2] as an N×Nh row-major array (first Ni rows W1ᵀ).
   * @param hiddenDim - Nh.
   */
  constructor(spectrum: Spectrum, q: Float64Array, hiddenDim: number) {
    this.spectrum = spectrum;
    const ni = spectrum.inputDim;
    const no = spectrum.outputDim;
    const nh = hiddenDim;
    const n = ni + no;
    this.inputDim = ni;
    this.outputDim = no;
    this.hiddenDim = nh;
    this.vArr = readArray(spectrum.v); // a view of the spectrum's storage when it has one (784 inputs: 4.9 MB not copied); only read
    this.uArr = readArray(spectrum.u);

    // Q in the singular basis: [Ṽᵀ W1ᵀ ; Ũᵀ W2] (blocked products: O(Ni²·Nh + No²·Nh)).
    const qs = new Float64Array(n * nh);
    this.initialFactor = qs;
    matmulT(transpose(this.vArr, ni, ni), transpose(q.subarray(0, ni * nh), ni, nh), ni, ni, nh, qs.subarray(0, ni * nh));
    matmulT(transpose(this.uArr, no, no), transpose(q.subarray(ni * nh, n * nh), no, nh), no, no, nh, qs.subarray(ni * nh));
    // Ψ = OᵀQ in the sorted mode order.
    // Ψ = OᵀQ in the sorted mode order (rows of one rate are reordered below, with the modes).
    const modes = spectrum.modes.slice();
    const psi = new Float64Array(n * nh);
    let qNorm2 = 0;
    for (let i = 0; i < n; i++) {
      const m = modes[i];
      for (let j = 0; j < nh; j++) {
        let v = 0;
        if (m.input >= 0) v += m.a * qs[m.input * nh + j];
        if (m.output >= 0) v += m.b * qs[(ni + m.output) * nh + j];
        psi[i * nh + j] = v;
        qNorm2 += v * v;
      }
    }
    this.gamma = Float64Array.from(modes, (m) => m.gamma);
    this.rateSigma = Float64Array.from(modes, (m) => m.rateSigma);
    let psiSmall = Infinity;
    let psiBig = 0;
    for (let k = 0; k < psi.length; k++) {
      const a = Math.abs(psi[k]);
      if (a === 0) continue;
      if (a < psiSmall) psiSmall = a;
      if (a > psiBig) psiBig = a;
    }
    this.psiLog2Spread = psiBig === 0 ? 0 : Math.log2(psiBig) - Math.log2(psiSmall);
    this.rateBound = n === 0 ? 0 : Math.max(Math.abs(this.gamma[0]), Math.abs(this.gamma[n - 1]));
    // Below 2⁻⁸⁰⁰ even Ψ scaled as below (to at most 2⁻³⁰⁰) would fall under the scaled
    // identity's terms that the evaluation floors at e^{−600}: refused rather than evaluated wrongly.
    if (psiBig > 0 && psiBig < 2 ** -800) {
      throw new InvalidArgumentError(
        `invalid argument. The initial weights are too small for double precision: their largest component along F's eigenvectors is ${psiBig.toExponential(2)}, ` +
          'below 2^-800 ≈ 1.5e-241, where the products the closed form needs leave the range of doubles. Scale them up (from weights of 1e-240 a mode ' +
          'takes about 550/σ·τ to leave its plateau), or start from zero weights (a saddle).',
        'w1, w2',
      );
    }
    // A small initialisation (Ψ's entries below 2⁻²⁵⁰, weights below about 1e-75): the
    // products of Ψ's entries, which make up S, and the Cholesky factor's and the triangular
    // solve's products of three and four of them, would be subnormal (about ten times slower
    // to compute: products of 1e-155 cost 9 ms per point at 128³ instead of 1.1 ms with the
    // earlier threshold 2⁻⁴⁰⁰) or zero. Ψ is scaled by
    // 2^k (exact) so that its largest entry is near 1, and the identity in M = I + ΨᵀΦΨ by
    // 2^{2k} (solveSet's Ê⁻² term): then S, its Cholesky factor C and G_all are scaled by
    // 2^{2k}, 2^k and 2^k, and the factor G_all·C⁻ᵀ is unchanged. |k| ≤ 500 keeps 2^{2k}
    // finite and normal.
    // (Small also relative to the rates: S's terms are ψ²·D with D ≈ 1/(2γ) for fast modes, so
    // a task with σ ≈ 1e150 makes weights of 1e-100 "small".)
    let k = 0;
    if (psiBig > 0 && (psiBig < 2 ** -250 || 2 * Math.log2(psiBig) - Math.log2(2 * this.rateBound) < -500)) k = Math.min(500, -Math.floor(Math.log2(psiBig)));
    // A large one (above 2⁴⁰⁰, weights above about 1e120; the balance check refuses weights
    // whose squares overflow) the same way: its squares would overflow; 2^{2k} ≥ 2⁻¹⁰⁰⁰ stays normal.
    else if (psiBig > 2 ** 400) k = Math.max(-500, -Math.floor(Math.log2(psiBig)));
    this.identityRoot = 2 ** k;
    if (k !== 0) {
      qNorm2 = 0;
      for (let p = 0; p < psi.length; p++) {
        psi[p] *= this.identityRoot;
        qNorm2 += psi[p] * psi[p];
      }
    }
    const qNorm = Math.sqrt(qNorm2);
    let nG = 0;
    while (nG < n && this.gamma[nG] > 0) nG++;
    this.nG = nG;

    // Graded orthogonalisation of the growing rows: Ψ_G = L·K; then of the rows of rate 0
    // (λ = 0 with left-over directions, or σ = 0), whose terms in S grow like s: the hidden
    // directions they do not reach (Q(0) is rank-deficient at λ = 0 when Nh > min(Ni, No))
    // must get exactly 0 from them, not rounding of size ε·|ψ|, which s·|ψ|² amplifies
    // beyond the identity once s·|ψ|² > 1/ε (a 1×2×1 network at λ = 0 with weights of 1e5:
    // "not positive definite" at t = 3e6).
    let n0 = 0;
    while (nG + n0 < n && this.gamma[nG + n0] === 0) n0++;
    const nGZ = nG + n0;
    // Rows of one rate (equal γ and σ) may be taken in any order: the orthogonalisation picks
    // them by largest residual, and the modes follow its order (γ and σ are unchanged by it).
    const groupEnd = new Int32Array(nGZ);
    for (let i = nGZ - 1; i >= 0; i--) {
      const same = i + 1 < nGZ && this.gamma[i + 1] === this.gamma[i] && this.rateSigma[i + 1] === this.rateSigma[i];
      groupEnd[i] = same ? groupEnd[i + 1] : i + 1;
    }
    const { lMat, cols, kRows, pivots: allPivots, pivotRows, full, order } = gradedOrthogonalisation(
      psi,
      nGZ,
      nh,
      qNorm,
      loweredRankTolerances(this.gamma, nGZ, qNorm, spectrum.lambda * this.identityRoot * this.identityRoot, this.rateBound),
      groupEnd,
    );
    const taken = Array.from(order, (k) => modes[k]);
    for (let i = 0; i < nGZ; i++) modes[i] = taken[i];
    // The growing rows come first, so their pivots are the first ones.
    const pivots = pivotRows.filter((i) => i < nG).length;
    const pivotGamma = pivotRows.slice(0, pivots).map((i) => this.gamma[i]);
    this.pivotSigma = Float64Array.from(pivotRows.slice(0, pivots), (i) => this.rateSigma[i]);
    if (full < nGZ) {
      // Once the Nh basis vectors span R^Nh, every further row is in their span: its
      // coefficients are ψ_i·Kᵀ, one blocked product for all of them (a wide or tall network
      // has many such rows: its left-over modes often grow). Same numbers as the two
      // Gram–Schmidt passes, up to rounding.
      matmulT(psi.subarray(full * nh, nGZ * nh), kRows, nGZ - full, nh, nh, lMat.subarray(full * nh, nGZ * nh));
      cols.fill(nh, full, nGZ);
    }
    this.pivots = pivots;
    // Complete K with orthonormal directions (growth rate 0, not pivots): the shared
    // Householder completion, orthogonal to working precision however the missing
    // directions spread over the coordinates.
    const r = allPivots;
    if (r < nh) {
      const columns = new Float64Array(nh * r);
      for (let j = 0; j < r; j++) for (let i = 0; i < nh; i++) columns[i * r + j] = kRows[j * nh + i];
      const completed = completeOrthonormalBasis(columns, nh, r);
      for (let j = r; j < nh; j++) for (let i = 0; i < nh; i++) kRows[j * nh + i] = completed[i * nh + j];
    }
    this.pivotGamma = Float64Array.from(pivotGamma);
    this.lMat = lMat;
    this.cols = cols;
    this.unresolved = unresolvedRates(spectrum, modes, nG, nh, lMat, cols, pivotRows.slice(0, pivots), qNorm);

    // Ψ_Z K for the non-growing rows.
    const nZ = n - nG;
    const psiZK = matmulT(psi.subarray(nG * nh), kRows, nZ, nh, nh);
    // Rows of rate 0: their coefficients from the orthogonalisation, exactly 0 beyond their pivots.
    psiZK.set(lMat.subarray(nG * nh, nGZ * nh));
    this.psiZK = psiZK;

    this.modeIn = Int32Array.from(modes, (m) => Math.max(m.input, 0));
    this.modeA = Float64Array.from(modes, (m) => (m.input >= 0 ? m.a : 0));
    this.modeOut = Int32Array.from(modes, (m) => Math.max(m.output, 0));
    this.modeB = Float64Array.from(modes, (m) => (m.output >= 0 ? m.b : 0));

    // The time-independent pieces of factorInto, in reversed hidden order (column
    // c = Nh − 1 − j holds hidden direction j): G0 = [L; Ψ_Z K] row-major and transposed,
    // the growth rate of each column, and where the zeros of each row and column end.
    const g0 = new Float64Array(n * nh);
    const rowLo = new Int32Array(n);
    for (let i = 0; i < nG; i++) {
      rowLo[i] = nh - cols[i];
      for (let j = 0; j < cols[i]; j++) g0[i * nh + nh - 1 - j] = lMat[i * nh + j];
    }
    for (let z = 0; z < nZ; z++) for (let j = 0; j < nh; j++) g0[(nG + z) * nh + nh - 1 - j] = psiZK[z * nh + j];
    this.g0 = g0;
    this.g0t = transpose(g0, n, nh);
    this.rowLo = rowLo;
    this.colRate = new Float64Array(nh);
    this.colSigma = new Float64Array(nh).fill(NaN);
    for (let j = 0; j < this.pivots; j++) {
      this.colRate[nh - 1 - j] = this.pivotGamma[j];
      this.colSigma[nh - 1 - j] = this.pivotSigma[j];
    }
    this.colLo = new Int32Array(nh);
    for (let c = 0; c < nh; c++) {
      const j = nh - 1 - c;
      let first = 0;
      while (first < nG && cols[first] <= j) first++;
      this.colLo[c] = first;
    }
    // Each singular-basis row of the factor is a combination of at most two modes (±α).
    this.coordMode = new Int32Array(2 * n).fill(-1);
    this.coordCoef = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const put = (row: number, coef: number): void => {
        const k = this.coordMode[2 * row] < 0 ? 2 * row : 2 * row + 1;
        this.coordMode[k] = i;
        this.coordCoef[k] = coef;
      };
      if (this.modeA[i] !== 0) put(this.modeIn[i], this.modeA[i]);
      if (this.modeB[i] !== 0) put(ni + this.modeOut[i], this.modeB[i]);
    }
    this.full = {
      n,
      nG,
      gamma: this.gamma,
      rateSigma: this.rateSigma,
      g0,
      g0t: this.g0t,
      rowLo,
      colLo: this.colLo,
      growingMin: smallestNonZero(g0, nG * nh),
      coordMode: this.coordMode,
      coordCoef: this.coordCoef,
      coords: n,
    };
    this.reduced = this.reduceLeftOvers(modes.map((m) => m.alpha === -1), cols);
  }

  /**
   * The summaries' shortcut for the left-over modes ⊥ (alpha = −1: for Ni > No the Ni − No
   * input directions ṽ⊥, for No > Ni the output directions ũ⊥; MATH.md §4). They share one
   * growth rate γ⊥ = ∓λ/2, so row for row G_all_⊥ = G0_⊥·diag(h) and B_⊥ = G0_⊥·diag(q) with
   * the same vectors h, q for all of them: their part of S is diag(q)·Γ·diag(q) with the
   * time-independent Γ = G0_⊥ᵀG0_⊥, and the network's response along them,
   * ‖M_⊥‖²_F = ‖Z_other·C⁻¹·diag(h)·G0_⊥ᵀ‖²_F (S = CCᵀ; Z_other the factor's rows on the
   * other side), needs only R with RᵀR = Γ. The loss and mode strengths then cost
   * O((N − |⊥|)·Nh² + Nh³) per time instead of O(N·Nh²). Undefined if there are no
   * left-over modes.
   */
  private reduceLeftOvers(leftOver: boolean[], cols: Int32Array): Reduced | undefined {
    const ni = this.inputDim;
    const no = this.outputDim;
    const nh = this.hiddenDim;
    const n = ni + no;
    const perp: number[] = [];
    const main: number[] = [];
    leftOver.forEach((isPerp, i) => (isPerp ? perp : main).push(i));
    if (perp.length === 0) return undefined;
    const gammaPerp = this.gamma[perp[0]];
    const sigmaPerp = this.rateSigma[perp[0]]; // 0, or a σ ≈ 0 where the spectrum merged them
    if (perp.some((i) => this.gamma[i] !== gammaPerp || this.rateSigma[i] !== sigmaPerp)) return undefined; // (cannot happen: one λ)
    const inputSide = ni > no;
    const m = main.length;
    // The main rows, in their original (sorted) order: growing ones first.
    const g0 = new Float64Array(m * nh);
    const rowLo = new Int32Array(m);
    const gamma = new Float64Array(m);
    const rateSigma = new Float64Array(m);
    const compact = new Int32Array(n).fill(-1);
    let nG = 0;
    main.forEach((i, k) => {
      g0.set(this.g0.subarray(i * nh, (i + 1) * nh), k * nh);
      rowLo[k] = this.rowLo[i];
      gamma[k] = this.gamma[i];
      rateSigma[k] = this.rateSigma[i];
      compact[i] = k;
      if (i < this.nG) nG++;
    });
    const colLo = new Int32Array(nh);
    for (let c = 0; c < nh; c++) {
      const j = nh - 1 - c;
      let first = 0;
      while (first < nG && cols[main[first]] <= j) first++;
      colLo[c] = first;
    }
    // Reduced singular rows: input coordinates first, then output ones; the left-over
    // coordinates (ṽ⊥ or ũ⊥, which are exactly the modes ⊥) are left out.
    const rNi = inputSide ? ni - perp.length : ni;
    const rNo = inputSide ? no : no - perp.length;
    const coords = rNi + rNo;
    const coordMode = new Int32Array(2 * coords).fill(-1);
    const coordCoef = new Float64Array(2 * coords);
    for (let row = 0; row < n; row++) {
      const target = row < ni ? (row < rNi ? row : -1) : row - ni < rNo ? rNi + row - ni : -1;
      if (target < 0) continue;
      for (let t = 0; t < 2; t++) {
        const mode = this.coordMode[2 * row + t];
        if (mode < 0) continue;
        coordMode[2 * target + t] = compact[mode];
        coordCoef[2 * target + t] = this.coordCoef[2 * row + t];
      }
    }
    // Γ = G0_⊥ᵀG0_⊥ and R with RᵀR = Γ: G0_⊥ itself, or its QR's R when ⊥ has more rows.
    const a = new Float64Array(perp.length * nh);
    perp.forEach((i, k) => a.set(this.g0.subarray(i * nh, (i + 1) * nh), k * nh));
    const gram = gramOfRows(transpose(a, perp.length, nh), nh, perp.length);
    let r: Float64Array = a;
    let k = perp.length;
    let basis: Float64Array | undefined;
    if (perp.length > nh) {
      const q = orthonormalColumns(a, perp.length, nh);
      r = matmulT(transpose(q, perp.length, nh), transpose(a, perp.length, nh), nh, perp.length, nh); // Qᵀ·A
      k = nh;
      // G0_⊥ = Q·R, so the left-over rows of the singular-basis factor, (coordinate ← mode
      // coefficient)·G0_⊥·diag(h)·C⁻ᵀ, are W·Y with W = coefficient·Q in coordinate order
      // (orthonormal columns) and Y = R·diag(h)·C⁻ᵀ: see compressedFactorAt.
      basis = new Float64Array(perp.length * nh);
      const base = inputSide ? rNi : ni + rNo;
      perp.forEach((i, row) => {
        const coordinate = (inputSide ? this.modeIn[i] : ni + this.modeOut[i]) - base;
        const coefficient = inputSide ? this.modeA[i] : this.modeB[i];
        for (let j = 0; j < nh; j++) basis![coordinate * nh + j] = coefficient * q[row * nh + j];
      });
    }
    return {
      set: { n: m, nG, gamma, rateSigma, g0, g0t: transpose(g0, m, nh), rowLo, colLo, growingMin: smallestNonZero(g0, nG * nh), coordMode, coordCoef, coords },
      inputDim: rNi,
      outputDim: rNo,
      inputSide,
      gammaPerp,
      sigmaPerp,
      growingPerp: gammaPerp > 0,
      gram,
      r,
      rRows: k,
      basis,
    };
  }

  /**
   * A scratch array of at least `size` entries, reused between calls: for transient use
   * inside one synchronous computation (never returned to a caller, never kept).
   */
  scratch(size: number): Float64Array {
    if (this.scratchArray === undefined || this.scratchArray.length < size) this.scratchArray = new Float64Array(size);
    return this.scratchArray;
  }

  /**
   * An N×Nh factor W̃ of P(t) in the task's singular basis (first Ni rows: input
   * coordinates in Ṽ; last No rows: output coordinates in Ũ), for s = t/τ ≥ 0 or
   * s = Infinity (the converged state). P(t) = O_s W̃ W̃ᵀ O_sᵀ with O_s = blockdiag(Ṽ, Ũ).
   * The columns of W̃ are in some hidden-layer basis that may differ between calls (only
   * W̃W̃ᵀ is determined). A fresh array on every call.
   */
  factorAt(s: number): Float64Array {
    if (s === Infinity) return this.limitFactor();
    const out = new Float64Array((this.inputDim + this.outputDim) * this.hiddenDim);
    this.factorInto(s, out);
    return out;
  }

  /**
   * {@link RiccatiSolution.factorAt} for a finite s ≥ 0, written into `out` (N×Nh, fully
   * overwritten). Uses this solution's scratch buffers (nothing is allocated after the
   * first call); the result never aliases them.
   *
   * The Nh hidden columns are processed in reversed order (slowest pivot first), i.e. S is
   * factored as S = UUᵀ with U upper triangular. A growing row of G_all is non-zero only in
   * its first cols[i] columns (L is lower-trapezoidal); in reversed order those are its last
   * columns, so the row stays zero before them through the triangular solve, and both the
   * Gram matrix S and the solve skip the zeros: O(nG·Nh²/3 + nZ·Nh²) instead of O(N·Nh²).
   */
  factorInto(s: number, out: Float64Array): void {
    const x = this.cancelled(() => this.solveSet(this.full, s, undefined).x) ?? this.reorderedSolve(s);
    rotateInto(this.full, x, this.hiddenDim, out);
  }

  /**
   * `solve()`, unless its Cholesky pivots cancelled more than {@link CANCELLATION_LIMIT} of
   * S's diagonal (or S lost definiteness): then undefined, and the caller takes
   * {@link RiccatiSolution.reorderedSolve}.
   */
  private cancelled<T>(solve: () => T): T | undefined {
    let result: T;
    try {
      result = solve();
    } catch (error) {
      if (this.lastCancellation === Infinity) return undefined;
      throw error;
    }
    return this.lastCancellation > CANCELLATION_LIMIT ? undefined : result;
  }

  /**
   * The factor rows of the full set at s (as {@link RiccatiSolution.solveSet}'s x, in some
   * hidden-layer basis) with the pivot rows taken in the order of their size at s — largest
   * e^{γs}·residual first — instead of by rate. The rate order is the right one except where
   * a fast mode held by a tiny share η meets a large share of a slower mode whose rate is
   * close: the slower row's projection on the fast pivot leaves two columns of L̂ parallel to
   * within η·e^{(γ₁−γ₂)s}, and S's Cholesky factor cancels ≈ 1/that² of its diagonal (0.07
   * off, or "lost definiteness", for η = 1e-8 and σ = 2 beside 1.99). Taken by size, each
   * pivot is orthogonal to the larger rows before it and every coefficient e^{(γ_i − g_j)s}·L_ij
   * is at most its pivot's own (formed in the log domain, so nothing overflows where the
   * exponent is positive). Plain JavaScript, O(N·Nh² + Nh³): only where the Cholesky path
   * cancelled (`cancelled`). The pivot rows are the rate order's: the same subspace, the same
   * saddles. Throws if S still cancels beyond the limit.
   */
  private reorderedSolve(s: number): Float64Array {
    const set = this.full;
    const nh = this.hiddenDim;
    const { n, nG, g0, gamma, rateSigma, colLo } = set;
    const pivotCols: number[] = [];
    for (let c = 0; c < nh; c++) if (this.colRate[c] > 0) pivotCols.push(c);
    const rows = pivotCols.map((c) => colLo[c]);
    const residual = rows.map((r) => g0.slice(r * nh, (r + 1) * nh));
    const norm = (v: Float64Array): number => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
    // The new basis (columns, in the set's reversed-column coordinates) and their rates.
    const basis: Float64Array[] = [];
    const colGamma: number[] = [];
    const colSig: number[] = [];
    const left = new Set(rows.keys());
    // The step at which each pivot row's basis vector was taken.
    const pickedAt = new Int32Array(rows.length);
    let step = 0;
    while (left.size > 0) {
      let best = -1;
      let bestSize = -Infinity;
      for (const k of left) {
        const size = gamma[rows[k]] * s + Math.log(norm(residual[k]));
        if (size > bestSize || best < 0) [best, bestSize] = [k, size];
      }
      left.delete(best);
      pickedAt[best] = step++;
      const v = residual[best];
      const length = norm(v);
      for (let j = 0; j < nh; j++) v[j] /= length;
      basis.push(v);
      colGamma.push(gamma[rows[best]]);
      colSig.push(rateSigma[rows[best]]);
      for (const k of left) {
        const r = residual[k];
        for (let pass = 0; pass < 2; pass++) {
          let dot = 0;
          for (let j = 0; j < nh; j++) dot += r[j] * v[j];
          for (let j = 0; j < nh; j++) r[j] -= dot * v[j];
        }
      }
    }
    // Completion columns (no rate): the set's own, which span the same complement.
    for (let c = 0; c < nh; c++) {
      if (this.colRate[c] > 0) continue;
      const e = new Float64Array(nh);
      e[c] = 1;
      basis.push(e);
      colGamma.push(0);
      colSig.push(Number.NaN);
    }
    const pivots = pivotCols.length;
    const einv = colGamma.map((g, j) => (j < pivots ? Math.exp(-g * s) : 1));
    const x = new Float64Array(n * nh);
    const b = new Float64Array(n * nh);
    for (let i = 0; i < n; i++) {
      const gi = gamma[i];
      const psi = g0.subarray(i * nh, (i + 1) * nh);
      const growing = i < nG;
      // A growing row lies in the span of its rate-order pivots (L's columns from rowLo[i]
      // on): on basis vectors taken after all of those its coefficient is exactly 0, where
      // the dot product would leave rounding, ε·‖ψ_i‖, for e^{(γ_i − g_j)s} to magnify.
      let lastNeeded = -1;
      if (growing) pivotCols.forEach((c, k) => {
        if (c >= set.rowLo[i]) lastNeeded = Math.max(lastNeeded, pickedAt[k]);
      });
      const d = gi === 0 ? s : growing ? -Math.expm1(-2 * gi * s) / (2 * gi) : Math.expm1(2 * gi * s) / (2 * gi);
      const root = Math.sqrt(d);
      const e = growing ? 1 : Math.exp(gi * s);
      for (let j = 0; j < nh; j++) {
        let coef = 0;
        for (let k = 0; k < nh; k++) coef += psi[k] * basis[j][k];
        let entry: number;
        if (!growing) {
          entry = e * coef * einv[j];
          b[i * nh + j] = root * coef * einv[j];
        } else if (j >= pivots || coef === 0 || j > lastNeeded) {
          entry = 0; // a growing row has no part outside its pivots' span (as L)
          b[i * nh + j] = 0;
        } else {
          // e^{(γ_i − g_j)s}·coef, from the rates' singular values, in the log domain.
          const gap = growingRateGap(rateSigma[i], gi, colSig[j], colGamma[j]);
          entry = Math.sign(coef) * Math.exp(gap * s + Math.log(Math.abs(coef)));
          b[i * nh + j] = root * entry;
        }
        x[i * nh + j] = entry;
      }
    }
    // S = (2^k·Ê⁻¹)² + BᵀB, its Cholesky factor, X = G_all·C⁻ᵀ.
    const sMat = new Float64Array(nh * nh);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < nh; p++) {
        const bp = b[i * nh + p];
        if (bp === 0) continue;
        for (let q = 0; q <= p; q++) sMat[p * nh + q] += bp * b[i * nh + q];
      }
    }
    const diag = new Float64Array(nh);
    for (let c = 0; c < nh; c++) {
      const ei = einv[c] * this.identityRoot;
      sMat[c * nh + c] += ei * ei;
      diag[c] = sMat[c * nh + c];
    }
    if (!choleskyInPlaceJs(sMat, nh)) throw lostDefiniteness(s);
    let cancellation = 1;
    for (let c = 0; c < nh; c++) cancellation = Math.max(cancellation, diag[c] / (sMat[c * nh + c] * sMat[c * nh + c]));
    if (cancellation > CANCELLATION_LIMIT) throw cancelledBeyondRepair(s, cancellation);
    solveRowsLowerTInPlaceJs(x, n, sMat, nh);
    return x;
  }

  /** Ni and No of the factor {@link RiccatiSolution.summaryInto} writes (the left-over directions taken out). */
  get summaryDims(): { inputDim: number; outputDim: number } {
    const r = this.reduced;
    return r === undefined ? { inputDim: this.inputDim, outputDim: this.outputDim } : { inputDim: r.inputDim, outputDim: r.outputDim };
  }

  /**
   * Whether the solve at s = t/τ would meet subnormal numbers (each multiply-add that
   * touches one is about ten times slower): the exponentials e^{±γs} and Ψ's own spread
   * together cover more than 2¹⁰⁰⁰ ({@link exponentSpreadLog2}). Then the solve normalises
   * the rows of G_all by powers of two as it forms them, drops entries below 2⁻²⁰⁰ of their
   * row from Bᵀ and entries below 2⁻¹⁰⁰⁰ from the factor, and products of the factor's rows
   * are formed from rows normalised by powers of two (`matmulTNormal`, `gramOfRowsNormal`,
   * or the summaries' rows kept normalised from the solve). The results are the same to
   * rounding either way (test/core/late-times.test.ts), so this only decides speed.
   */
  mayUnderflow(s: number): boolean {
    return this.exponentSpreadLog2(s) > SOLVE_UNDERFLOW_LOG2;
  }

  /**
   * Whether products of the factor's entries in the task's singular basis (Ũᵀ W2W1 Ṽ, the
   * loss) may be subnormal at s = t/τ: the spread exceeds 2⁷⁰⁰. This happens earlier than
   * in the solve; between the two the solve takes the plain path and only that product is
   * formed from normalised rows (`matmulTNormal`). Implied by {@link mayUnderflow}.
   */
  productsMayUnderflow(s: number): boolean {
    return this.exponentSpreadLog2(s) > PRODUCT_UNDERFLOW_LOG2;
  }

  /**
   * log₂ of how far apart e^{±γs} with Ψ's spread can put the entries at s = t/τ (an upper
   * bound), plus, for a small initialisation (Ψ scaled by identityRoot = 2^k), the 2k by which
   * the solve's results and the factor, which is in the weights' own units, sit below the
   * scaled arithmetic (initial scale 1e-300: factor ≈ 1e-150, products subnormal, 16 ms per
   * point at 128³ instead of 1.3).
   */
  private exponentSpreadLog2(s: number): number {
    const small = this.identityRoot > 1 ? 2 * Math.log2(this.identityRoot) : 0;
    return (2 * this.rateBound * s) / Math.LN2 + this.psiLog2Spread + small;
  }

  /**
   * For the loss and mode-strength curves: the factor's singular-basis rows without the
   * left-over directions (see {@link RiccatiSolution.reduceLeftOvers}) — `summaryDims`
   * input rows, then its output rows — written into `out`, and the return value
   * ‖M_⊥‖²_F, the squared response of the network along the left-over directions (0 if
   * there are none), so that ½‖Σyx − W2W1‖²_F = ½(‖diag(σ) − Z_outZ_inᵀ‖²_F + ‖M_⊥‖²_F).
   * With `exponents` (one per row of `out`), rows may be written scaled by powers of two,
   * row r being the factor's row times 2^{−exponents[r]}, with entries below 2⁻²⁰⁰ of its
   * largest set to zero (at late times, {@link RiccatiSolution.mayUnderflow}, without
   * left-over directions): products of such rows have no subnormal terms. The exponents
   * are 0 otherwise.
   */
  summaryInto(s: number, out: Float64Array, exponents?: Int32Array): number {
    const reduced = this.reduced;
    if (exponents !== undefined) exponents.fill(0);
    if (reduced === undefined) {
      if (exponents === undefined || !this.mayUnderflow(s)) {
        this.factorInto(s, out);
        return 0;
      }
      const normalised = this.cancelled(() => this.solveSet(this.full, s, undefined, false).x);
      if (normalised === undefined) {
        // Cancelled: the reordered rows, not normalised (exponents 0), without solving again in rate order.
        rotateInto(this.full, this.reorderedSolve(s), this.hiddenDim, out);
        return 0;
      }
      // The rows stay normalised from the solve to the rotation: no pass that scales
      // them back only for the product to normalise them again.
      const ws = this.workspace as Workspace; // rowWeight is free again once solveSet has returned
      rotateNormalInto(this.full, normalised, this.hiddenDim, ws.rowExponents as Int32Array, out, exponents, ws.rowWeight);
      return 0;
    }
    const nh = this.hiddenDim;
    const solved = this.cancelled(() => this.solveSet(reduced.set, s, reduced));
    if (solved === undefined) {
      // From the full factor, reordered: its rows without the left-over directions, and the
      // response along them, ‖Z_out·Z_in⊥ᵀ‖² (left-over inputs) or ‖Z_out⊥·Z_inᵀ‖².
      const full = this.reorderedFactor(s);
      const ni = this.inputDim;
      const no = this.outputDim;
      out.set(full.subarray(0, reduced.inputDim * nh), 0);
      out.set(full.subarray(ni * nh, (ni + reduced.outputDim) * nh), reduced.inputDim * nh);
      const [aFrom, aTo, bFrom, bTo] = reduced.inputSide ? [ni, ni + no, reduced.inputDim, ni] : [ni + reduced.outputDim, ni + no, 0, ni];
      let sum = 0;
      for (let a = aFrom; a < aTo; a++) {
        for (let b = bFrom; b < bTo; b++) {
          let dot = 0;
          for (let j = 0; j < nh; j++) dot += full[a * nh + j] * full[b * nh + j];
          sum += dot * dot;
        }
      }
      return sum;
    }
    const { x, c, h } = solved;
    rotateInto(reduced.set, x, nh, out);
    // ‖M_⊥‖² = ‖Z_other·C⁻¹·diag(h)·Rᵀ‖²: one back substitution y·C = z per row on the other side.
    const from = reduced.inputSide ? reduced.inputDim : 0;
    const rows = reduced.inputSide ? reduced.outputDim : reduced.inputDim;
    const y = (this.workspace as Workspace).colFactor; // free again once solveSet has returned
    const r = reduced.r;
    let sum = 0;
    for (let row = 0; row < rows; row++) {
      const zo = (from + row) * nh;
      for (let j = nh - 1; j >= 0; j--) {
        let v = out[zo + j];
        for (let i = j + 1; i < nh; i++) v -= y[i] * c[i * nh + j];
        y[j] = v / c[j * nh + j];
      }
      for (let j = 0; j < nh; j++) y[j] *= h[j];
      for (let k = 0; k < reduced.rRows; k++) {
        const ro = k * nh;
        let t = 0;
        for (let j = 0; j < nh; j++) t += y[j] * r[ro + j];
        sum += t * t;
      }
    }
    return sum;
  }

  /**
   * For a wide (Ni − No > Nh) or tall (No − Ni > Nh) network: the orthonormal basis W of
   * the left-over directions' part of the factor (see {@link RiccatiSolution.compressedFactorAt}),
   * `rows` × `columns` row-major (rows = the number of left-over coordinates, which are the
   * last ones of their side; columns = Nh), and which side they are on. Undefined when the
   * factor cannot be compressed (no left-over directions, or no more of them than Nh).
   */
  get compression(): { inputSide: boolean; basis: Float64Array; rows: number; columns: number } | undefined {
    const r = this.reduced;
    if (r === undefined || r.basis === undefined) return undefined;
    return { inputSide: r.inputSide, basis: r.basis, rows: r.basis.length / r.rRows, columns: r.rRows };
  }

  /**
   * The singular-basis factor with the left-over rows compressed (only when
   * {@link RiccatiSolution.compression} is defined): input rows, then output rows, where the
   * side with the left-over directions has its rows for them replaced by the Nh rows
   * Y = R·diag(h)·C⁻ᵀ, so that the full factor's left-over rows are W·Y. Every Gram matrix
   * and trace of the representations is unchanged (W has orthonormal columns), at
   * O((N − |⊥|)·Nh² + Nh³) per time instead of O(N·Nh²), for a finite s ≥ 0. A fresh array.
   */
  compressedFactorAt(s: number): Float64Array {
    const reduced = this.reduced;
    if (reduced === undefined || reduced.basis === undefined) {
      throw new Error('exact-dln internal error: compressedFactorAt needs left-over directions (see compression)');
    }
    const nh = this.hiddenDim;
    const { k, rNi, rNo, outputAt, yAt } = compressedLayout(reduced, nh);
    const solved = this.cancelled(() => this.solveSet(reduced.set, s, reduced));
    if (solved === undefined) return this.compressFull(this.reorderedFactor(s));
    const out = new Float64Array((rNi + rNo + k) * nh);
    const y = out.subarray(yAt, yAt + k * nh);
    const { x, c, h } = solved;
    const main = this.scratch((rNi + rNo) * nh + nh * nh);
    rotateInto(reduced.set, x, nh, main);
    const cCopy = main.subarray((rNi + rNo) * nh); // C leaves the kernels' memory before the solve below reuses it
    cCopy.set(c.subarray(0, nh * nh));
    out.set(main.subarray(0, rNi * nh), 0);
    out.set(main.subarray(rNi * nh, (rNi + rNo) * nh), outputAt);
    const r = reduced.r;
    for (let row = 0; row < k; row++) for (let j = 0; j < nh; j++) y[row * nh + j] = r[row * nh + j] * h[j];
    solveRowsLowerTInPlace(y, k, cCopy, nh); // Y·Cᵀ = R·diag(h)
    return out;
  }

  /**
   * The converged factor (s = ∞) in the compressed form of {@link RiccatiSolution.compressedFactorAt}:
   * the full converged factor with its left-over rows projected, Y = Wᵀ·Z_⊥. Exact up to
   * rounding: Z_⊥(∞) keeps a subset of the columns of G0_⊥ = Q·R (those of the surviving
   * pivots), so it lies in the range of W. A fresh array.
   */
  compressedLimitFactor(): Float64Array {
    return this.compressFull(this.limitFactor());
  }

  /** The full factor at s from {@link RiccatiSolution.reorderedSolve}, in the singular basis. A fresh array. */
  private reorderedFactor(s: number): Float64Array {
    const full = new Float64Array((this.inputDim + this.outputDim) * this.hiddenDim);
    rotateInto(this.full, this.reorderedSolve(s), this.hiddenDim, full);
    return full;
  }

  /**
   * A full singular-basis factor in the compressed form of {@link RiccatiSolution.compressedFactorAt}:
   * its left-over rows projected, Y = Wᵀ·Z_⊥ (exact up to rounding: Z_⊥ lies in the range of W).
   */
  private compressFull(full: Float64Array): Float64Array {
    const reduced = this.reduced as Reduced & { basis: Float64Array };
    const nh = this.hiddenDim;
    const ni = this.inputDim;
    const { k, rNi, rNo, outputAt, yAt } = compressedLayout(reduced, nh);
    const perpRows = reduced.basis.length / k;
    const out = new Float64Array((rNi + rNo + k) * nh);
    out.set(full.subarray(0, rNi * nh), 0);
    out.set(full.subarray(ni * nh, (ni + rNo) * nh), outputAt);
    const perpAt = reduced.inputSide ? rNi * nh : (ni + rNo) * nh;
    tmatmul(reduced.basis, full.subarray(perpAt, perpAt + perpRows * nh), perpRows, k, nh, out.subarray(yAt, yAt + k * nh));
    return out;
  }

  /**
   * The rows of a compressed factor (see {@link RiccatiSolution.compressedFactorAt}) as rows
   * of the full singular-basis factor: the left-over rows W·Y computed, the others copied.
   * O(|⊥|·Nh²). A fresh N×Nh array.
   */
  expandCompressed(z: Float64Array): Float64Array {
    const reduced = this.reduced as Reduced & { basis: Float64Array };
    const nh = this.hiddenDim;
    const ni = this.inputDim;
    const { k, rNi, rNo, outputAt, yAt } = compressedLayout(reduced, nh);
    const perpRows = reduced.basis.length / k;
    const out = new Float64Array((ni + this.outputDim) * nh);
    out.set(z.subarray(0, rNi * nh), 0);
    out.set(z.subarray(outputAt, outputAt + rNo * nh), ni * nh);
    const perpAt = reduced.inputSide ? rNi * nh : (ni + rNo) * nh;
    matmul(reduced.basis, z.subarray(yAt, yAt + k * nh), perpRows, k, nh, out.subarray(perpAt, perpAt + perpRows * nh));
    return out;
  }

  /**
   * The numbers of input-side and output-side rows of a factor from
   * {@link RiccatiSolution.factorAt} (Ni, No) or, `compressed`, from
   * {@link RiccatiSolution.compressedFactorAt} (the compressed side has Nh rows in place of
   * its left-over directions). Without computing {@link RiccatiSolution.expansion}.
   */
  storedRows(compressed: boolean): { inputRows: number; outputRows: number } {
    const reduced = this.reduced;
    if (!compressed || reduced === undefined || reduced.basis === undefined) return { inputRows: this.inputDim, outputRows: this.outputDim };
    const k = reduced.rRows;
    return reduced.inputSide ? { inputRows: reduced.inputDim + k, outputRows: reduced.outputDim } : { inputRows: reduced.inputDim, outputRows: reduced.outputDim + k };
  }

  /**
   * Maps from the singular-basis factor to the original coordinates: W1ᵀ = `input`·Z_in and
   * W2 = `output`·Z_out, with `input` Ni × inputColumns and `output` No × outputColumns
   * (row-major). For a factor from {@link RiccatiSolution.factorAt} these are Ṽ and Ũ; for a
   * compressed one (`compressed` true) the side with the left-over directions becomes
   * Ṽ·blockdiag(I, W) (or Ũ·blockdiag(I, W)), computed once.
   */
  expansion(compressed: boolean): { input: Float64Array; inputColumns: number; output: Float64Array; outputColumns: number } {
    const ni = this.inputDim;
    const no = this.outputDim;
    const reduced = this.reduced;
    if (!compressed || reduced === undefined || reduced.basis === undefined) {
      return { input: this.vArr, inputColumns: ni, output: this.uArr, outputColumns: no };
    }
    if (this.compressedExpansion === undefined) {
      const nh = this.hiddenDim;
      const inputSide = reduced.inputSide;
      const side = inputSide ? ni : no;
      const whole = inputSide ? this.vArr : this.uArr;
      const keep = inputSide ? reduced.inputDim : reduced.outputDim;
      const perpRows = side - keep;
      const columns = keep + nh;
      const e = new Float64Array(side * columns);
      const perp = new Float64Array(side * perpRows);
      for (let i = 0; i < side; i++) {
        for (let j = 0; j < keep; j++) e[i * columns + j] = whole[i * side + j];
        for (let j = 0; j < perpRows; j++) perp[i * perpRows + j] = whole[i * side + keep + j];
      }
      const rotated = matmul(perp, reduced.basis, side, perpRows, nh); // (Ṽ or Ũ)_⊥·W
      for (let i = 0; i < side; i++) for (let j = 0; j < nh; j++) e[i * columns + keep + j] = rotated[i * nh + j];
      this.compressedExpansion = inputSide
        ? { input: e, inputColumns: columns, output: this.uArr, outputColumns: no }
        : { input: this.vArr, inputColumns: ni, output: e, outputColumns: columns };
    }
    return this.compressedExpansion;
  }

  /**
   * The closed form's linear algebra on one set of modes: G_all and Bᵀ at s, S = Ê⁻² + BᵀB
   * (plus diag(q)·Γ·diag(q) for the left-over modes when `reduced` is given), its Cholesky
   * factor C, and X = G_all·C⁻ᵀ. Returns views of scratch memory, valid until the next call:
   * x (set.n × Nh), c (Nh × Nh, lower) and h (Nh; for the left-over modes, G_all_⊥ =
   * G0_⊥·diag(h)).
   *
   * The Nh hidden columns are processed in reversed order (slowest pivot first), i.e. S is
   * factored as S = UUᵀ with U upper triangular. A growing row of G_all is non-zero only in
   * its first cols[i] columns (L is lower-trapezoidal); in reversed order those are its last
   * columns, so the row stays zero before them through the triangular solve, and both the
   * Gram matrix S and the solve skip the zeros: O(nG·Nh²/3 + nZ·Nh²) instead of O(N·Nh²).
   */
  private solveSet(set: RowSet, s: number, reduced: Reduced | undefined, scaleBack = true): { x: Float64Array; c: Float64Array; h: Float64Array } {
    this.lastCancellation = 1; // (an error before the factorisation is not a cancellation)
    const nh = this.hiddenDim;
    const n = set.n;
    const nG = set.nG;
    const gamma = set.gamma;
    const g0 = set.g0;
    const g0t = set.g0t;
    const colRate = this.colRate;
    const ws = (this.workspace ??= new Workspace(this.inputDim + this.outputDim, nh));
    let { einv, rowScale, weight } = ws;
    // G_all, Bᵀ and S live in the WebAssembly kernels' memory when those run (no copies),
    // otherwise in the workspace.
    let g = ws.g;
    let bt = ws.bt;
    let sMat = ws.sMat;
    let colLo = set.colLo;
    let rowLo = set.rowLo;
    const kernels = kernelsFor(n * nh * nh);
    const heap = kernels?.scratch([n * nh, nh * n, nh * nh, nh, n, n], [nh, n]);
    const wasm = heap === undefined ? undefined : kernels; // undefined also if the memory cannot grow
    if (heap !== undefined) {
      [g, bt, sMat, einv, rowScale, weight] = heap.f64;
      [colLo, rowLo] = heap.i32;
      colLo.set(set.colLo);
      rowLo.set(set.rowLo);
    }

    // Ê⁻¹ = diag(e^{−g_j s}) (1 for completion columns), e^{γ_i s}, and the weights
    // √D_i, D_i = (1 − e^{−2γ_i s})/(2γ_i) (s if γ_i = 0): S = Ê⁻² + BᵀB with rows of B
    // b_i = √D_i·l̂_i (growing) and b_z = √φ_z·(Ψ_Z K)_z Ê⁻¹ (others), φ_z = e^{2γ_z s}·D_z
    // (kept apart from e^{γ_z s}, which may underflow while D_z overflows).
    // Exponentials below e^{−600} are flushed to zero (EXPONENT_FLOOR): the terms they scale
    // are 1e-260 of the leading ones, and subnormal numbers would slow every kernel tenfold.
    for (let c = 0; c < nh; c++) einv[c] = flooredExp(-colRate[c], s);
    const rowRoot = ws.rowWeight; // free until the growing columns of Bᵀ are formed below
    const rowExp = (ws.rowExp ??= new Float64Array(this.inputDim + this.outputDim));
    let weightOverflow = false;
    // L̂_ij = L_ij e^{(γ_i − g_j)s}. While γ·s is moderate it factors as e^{γ_i s}·e^{−g_j s}
    // (both normal numbers, each exponential exact to about an ulp: rounding ≲ 1e-15
    // relative); beyond that, one exponential per entry. (The test is on the fastest rate
    // of all modes, so that the left-over modes are treated alike in both sets.)
    const factored = this.nG === 0 || this.gamma[0] * s <= EXPONENT_FACTORING_LIMIT;
    for (let i = 0; i < n; i++) {
      const gi = gamma[i];
      const growing = i < nG;
      const e = growing && !factored ? 0 : flooredExp(gi, s);
      // D_i = (1 − e^{−2|γ_i|s})/(2|γ_i|): from e = e^{γ_i s} once 2|γ_i|s ≥ 1 (no cancellation
      // there: a few ulps, and no second exponential), from expm1 below that or when e was
      // not formed.
      const x = 2 * Math.abs(gi) * s;
      const d =
        gi === 0 ? s
        : x >= 1 && (e !== 0 || !growing) ? (growing ? 1 - 1 / (e * e) : 1 - e * e) / (2 * Math.abs(gi))
        : -Math.expm1(-x) / (2 * Math.abs(gi));
      rowScale[i] = e;
      // Multiplies row i of G0·Ê⁻¹ into B: √D_i·e^{γ_i s} for growing rows, √φ_z otherwise.
      weight[i] = growing ? Math.sqrt(d) * e : Math.sqrt(d);
      // Its two factors, for formBt where the product overflows (slow rates, D ≈ 1/(2γ) large).
      rowRoot[i] = Math.sqrt(d);
      rowExp[i] = growing ? e : 1;
      if (weight[i] === Infinity) weightOverflow = true;
    }

    // G_all = diag(e^{γ s}) G0 Ê⁻¹ (N×Nh), and Bᵀ = Ê⁻¹ G0ᵀ diag(weight) (Nh×N) from the
    // transposed G0, so that both are written contiguously. (With WebAssembly: a copy into
    // its memory, then scaled there in place; the same products in the same order.)
    const colFactor = ws.colFactor;
    // At late times the rows of decayed modes hold entries like e^{−400}·e^{−350}, whose
    // products are subnormal numbers (each multiply-add about ten times slower). Then the
    // rows of G_all are normalised by powers of two as they are formed (exact; undone after
    // the solve, where entries below 2⁻¹⁰⁰⁰ are dropped) and entries below 2⁻²⁰⁰
    // of their row are dropped from Bᵀ (a change far below rounding in S).
    const careful = this.mayUnderflow(s);
    const rowExponents = careful ? (ws.rowExponents ??= new Int32Array(this.inputDim + this.outputDim)) : undefined;
    const from = factored ? 0 : nG;
    // (Views only where needed: a subarray per call costs as much as a 4×4 kernel.)
    const g0From = from === 0 ? g0 : g0.subarray(from * nh);
    const gFrom = from === 0 ? g : g.subarray(from * nh);
    const scaleFrom = from === 0 ? rowScale : rowScale.subarray(from);
    // (rowScale becomes the normalised row factors; it is not read after this.)
    const plainRows =
      rowExponents === undefined ? NO_ROWS : normalisedRowFactors(g0From, scaleFrom, einv, n - from, nh, rowExponents.subarray(from), scaleFrom);
    scaleInto(wasm, g0From, scaleFrom, einv, n - from, nh, gFrom);
    for (const i of plainRows) {
      const row = g.subarray((from + i) * nh, (from + i + 1) * nh);
      normaliseRowsInto(row, 1, nh, (rowExponents as Int32Array).subarray(from + i, from + i + 1), row);
    }
    if (!factored) {
      // e^{(γ_i − g_j)s} where e^{γ_i s} alone would overflow: factored about an anchor
      // instead of about 0. Rows whose rates lie within EXPONENT_BAND/s of each other form a
      // band whose anchor a is their slowest rate; then e^{(γ_i − g_j)s} = e^{(γ_i − a)s}·e^{(a − g_j)s}
      // with the first factor in [1, e^{EXPONENT_BAND}] and the second, wherever the entry is
      // above the floor e^{−600}, in [e^{−600−EXPONENT_BAND}, 1]: both normal numbers, each
      // exponential from the exact product (expOfProduct), so the entry is as accurate as one
      // exponential of its own (≲ 3 ulp) at one exponential per row and per column and band
      // instead of one per entry. Columns slower than the anchor (none while the rows are
      // sorted by rate, as they are) take one exponential per entry.
      // Rate differences are formed from the rates' singular values ({@link growingRateGap}:
      // γ_i − a and, in {@link columnGaps}, a − g_j); from γ itself they would carry its
      // rounding, ε·γ, which for |λ| ≫ σ or nearly repeated σ is most of such a gap.
      const rateSigma = set.rateSigma;
      const colGap = ws.colGap;
      for (let i = 0; i < nG; ) {
        let lo = i;
        let end = i + 1;
        while (end < nG && growingRateGap(rateSigma[i], gamma[i], rateSigma[end], gamma[end]) * s <= EXPONENT_BAND) {
          if (rateSigma[end] < rateSigma[lo]) lo = end;
          end++;
        }
        const anchorSigma = rateSigma[lo];
        const anchorGamma = gamma[lo];
        columnGaps(anchorGamma, anchorSigma, colRate, this.colSigma, colGap);
        for (let c = 0; c < nh; c++) {
          const x = colGap[c] * s;
          colFactor[c] = x < EXPONENT_FLOOR - EXPONENT_BAND ? 0 : x > 0 ? NaN : expOfProduct(colGap[c], s);
        }
        for (let r = i; r < end; r++) {
          const rowGap = growingRateGap(rateSigma[r], gamma[r], anchorSigma, anchorGamma); // γ_r − a ≥ 0
          const rowPart = expOfProduct(rowGap, s);
          const go = r * nh;
          for (let c = 0; c < nh; c++) {
            const l = g0[go + c];
            const gap = rowGap + colGap[c]; // γ_r − g_c
            if (l === 0 || gap * s < EXPONENT_FLOOR) {
              g[go + c] = 0;
              continue;
            }
            const f = colFactor[c];
            g[go + c] = l * (f === f ? rowPart * f : expOfProduct(gap, s));
          }
        }
        i = end;
      }
    }
    formBt(wasm, g0t, einv, weight, nh, n, set.growingMin, bt, weightOverflow ? { rowRoot, rowExp } : undefined);
    if (!factored) {
      // The growing columns of Bᵀ: √D_i·L̂_i, transposed eight rows at a time (so that both
      // the reads of G_all and the writes of Bᵀ stay within a few cache lines).
      const rowWeight = ws.rowWeight;
      for (let i = 0; i < nG; i++) rowWeight[i] = Math.sqrt(-Math.expm1(-2 * gamma[i] * s) / (2 * gamma[i])); // γ_i > 0
      for (let i0 = 0; i0 < nG; i0 += 8) {
        const i1 = Math.min(i0 + 8, nG);
        for (let c = 0; c < nh; c++) {
          const bo = c * n;
          for (let i = i0; i < i1; i++) bt[bo + i] = rowWeight[i] * g[i * nh + c];
        }
      }
    }

    if (rowExponents !== undefined) {
      flushRowsRelative(bt, nh, n);
      // The growing rows formed one exponential per entry above (normal numbers) are
      // normalised now that Bᵀ has read them.
      if (!factored) normaliseRowsInto(g, nG, nh, rowExponents, g);
    }
    if (wasm !== undefined) wasm.gramLower(bt, nh, n, sMat, colLo);
    else gramLowerIntoJs(bt, nh, n, sMat, colLo);
    const root = this.identityRoot;
    for (let c = 0; c < nh; c++) {
      const e = einv[c] * root;
      sMat[c * nh + c] += e * e;
    }
    const h = ws.perpH;
    if (reduced !== undefined) {
      // The left-over modes: G_all_⊥ = G0_⊥·diag(h), B_⊥ = G0_⊥·diag(q), the same scalings
      // as the rows above, with the products formed before they can overflow.
      const gp = reduced.gammaPerp;
      const q = ws.perpQ;
      if (reduced.growingPerp && !factored) {
        columnGaps(gp, reduced.sigmaPerp, colRate, this.colSigma, ws.colGap);
        for (let c = 0; c < nh; c++) h[c] = flooredExp(ws.colGap[c], s);
        const w = Math.sqrt(-Math.expm1(-2 * gp * s) / (2 * gp));
        for (let c = 0; c < nh; c++) q[c] = w * h[c];
      } else {
        const e = flooredExp(gp, s);
        const d = gp === 0 ? s : reduced.growingPerp ? -Math.expm1(-2 * gp * s) / (2 * gp) : Math.expm1(2 * gp * s) / (2 * gp);
        for (let c = 0; c < nh; c++) {
          h[c] = e * einv[c];
          q[c] = reduced.growingPerp ? Math.sqrt(d) * h[c] : Math.sqrt(d) * einv[c];
        }
      }
      const gram = reduced.gram;
      for (let i = 0; i < nh; i++) {
        const qi = q[i];
        if (qi === 0) continue;
        const io = i * nh;
        for (let j = 0; j <= i; j++) sMat[io + j] += qi * q[j] * gram[io + j];
      }
    }
    // How much of S's diagonal its Cholesky pivots keep (max_c S_cc/C_cc², 1 for orthogonal
    // columns): the relative rounding of the pivots is about ε times it.
    const diag = ws.colGap; // free again: read only for the band factors above
    for (let c = 0; c < nh; c++) diag[c] = sMat[c * nh + c];
    if (nh > 0 && !(wasm !== undefined ? wasm.cholesky(sMat, nh) : choleskyInPlaceJs(sMat, nh))) {
      this.lastCancellation = Infinity;
      throw lostDefiniteness(s);
    }
    let cancellation = 1;
    for (let c = 0; c < nh; c++) {
      const pivot = sMat[c * nh + c];
      cancellation = Math.max(cancellation, diag[c] / (pivot * pivot));
    }
    this.lastCancellation = cancellation;
    if (wasm !== undefined) wasm.solveRowsLowerT(g, n, sMat, nh, rowLo);
    else solveRowsLowerTInPlaceJs(g, n, sMat, nh, rowLo);
    if (rowExponents !== undefined && scaleBack) scaleRowsByPowersOfTwoFlushed(g, n, nh, rowExponents);
    return { x: g, c: sMat, h };
  }

  /**
   * Throws {@link ExactDlnError} when the state at s depends on a choice between two growth
   * rates that double precision cannot tell apart (see {@link unresolvedRates}; only for
   * gaps below 5.6e-309, σ²/|λ| that small): at s = ∞
   * always, at finite s once the choice has gone 1e-6 of its way (gap·s > 1e-6).
   */
  assertResolvedAt(s: number): void {
    const u = this.unresolved;
    if (u === undefined || !(u.gap * s > 1e-6)) return;
    const lambda = this.spectrum.lambda;
    const name = (x: number): string => (x === 0 ? 'a direction Σyx does not use (σ = 0)' : `σ = ${x.toPrecision(6)}`);
    const timeScale = 1 / u.gap; // Infinity below 5.6e-309
    const accurate = 1e-6 / u.gap;
    throw new ExactDlnError(
      `exact-dln cannot give ${s === Infinity ? 'the converged state of this network' : `this network's state at t/τ = ${s}`}: two of its growth rates, ` +
        `of ${name(u.sigmaA)} and ${name(u.sigmaB)}, differ by (σ_a² − σ_b²)/(κ_a + κ_b) ≈ ${u.gap.toExponential(2)} at λ = ${lambda}, ` +
        `below 5.6e-309, too little for double precision (a subnormal number that keeps only a few of its digits); its hidden layer, too narrow for both, chooses between them over a time of order ${Number.isFinite(timeScale) ? `${timeScale.toExponential(2)}·τ` : 'more than 1.8e308·τ'}, ` +
        `which cannot be followed (see docs/model.md). ${Number.isFinite(accurate) ? `Times t/τ below ${accurate.toExponential(2)}` : 'All finite times'} are accurate.`,
    );
  }

  /** The converged factor (s = ∞): only pivot columns take part. */
  private limitFactor(): Float64Array {
    this.assertResolvedAt(Infinity);
    const nh = this.hiddenDim;
    const ni = this.inputDim;
    const n = ni + this.outputDim;
    const nG = this.nG;
    const gamma = this.gamma;
    // Completion columns decay to zero (at rate 1/s at the slowest), pivots keep L̂_ij
    // only where γ_i = g_j.
    const m = this.pivots;
    const g = new Float64Array(n * m);
    const sMat = new Float64Array(m * m);
    for (let i = 0; i < nG; i++) {
      const gi = gamma[i];
      const ci = Math.min(this.cols[i], m);
      const go = i * m;
      for (let j = 0; j < ci; j++) {
        const l = this.lMat[i * nh + j];
        if (l === 0) continue;
        g[go + j] = this.rateSigma[i] === this.pivotSigma[j] ? l : 0; // (both growing: equal rates ⇔ equal σ)
      }
      const d = 1 / (2 * gi);
      for (let j = 0; j < ci; j++) {
        const dj = d * g[go + j];
        if (dj === 0) continue;
        for (let k = 0; k <= j; k++) sMat[j * m + k] += dj * g[go + k];
      }
    }
    if (m > 0 && !choleskyInPlace(sMat, m)) throw lostDefiniteness(Infinity);
    solveRowsLowerTInPlace(g, n, sMat, m);
    const out = new Float64Array(n * nh);
    const { modeIn, modeA, modeOut, modeB } = this;
    for (let i = 0; i < n; i++) {
      const go = i * m;
      const a = modeA[i];
      if (a !== 0) {
        const o = modeIn[i] * nh;
        for (let j = 0; j < m; j++) out[o + j] += a * g[go + j];
      }
      const b = modeB[i];
      if (b !== 0) {
        const o = (ni + modeOut[i]) * nh;
        for (let j = 0; j < m; j++) out[o + j] += b * g[go + j];
      }
    }
    return out;
  }
}

/** A set of modes as {@link RiccatiSolution.solveSet} works on it (all modes, or all but the left-over ones). */
interface RowSet {
  /** Rows (modes), growing ones first. */
  readonly n: number;
  readonly nG: number;
  /** Growth rate of each row, and its singular value (`Mode.rateSigma`, spectrum.ts). */
  readonly gamma: Float64Array;
  readonly rateSigma: Float64Array;
  /** G0 rows (reversed hidden columns), n×Nh, and transposed. */
  readonly g0: Float64Array;
  readonly g0t: Float64Array;
  /** Row i of G0 is zero before column rowLo[i]; column c before growing row colLo[c]. */
  readonly rowLo: Int32Array;
  readonly colLo: Int32Array;
  /** The smallest non-zero |entry| of G0's growing rows (Infinity if none): see {@link formBt}. */
  readonly growingMin: number;
  /** Singular-basis rows as combinations of (at most two) rows of this set; −1 for none. */
  readonly coordMode: Int32Array;
  readonly coordCoef: Float64Array;
  readonly coords: number;
}

/** The left-over modes, taken out of the summaries (see {@link RiccatiSolution.reduceLeftOvers}). */
interface Reduced {
  readonly set: RowSet;
  /** Ni and No without the left-over directions. */
  readonly inputDim: number;
  readonly outputDim: number;
  /** True when the left-over directions are inputs (Ni > No). */
  readonly inputSide: boolean;
  readonly gammaPerp: number;
  /** Its singular value (0, or a σ ≈ 0 merged with it). */
  readonly sigmaPerp: number;
  readonly growingPerp: boolean;
  /** Γ = G0_⊥ᵀG0_⊥ (Nh×Nh; its lower triangle is used). */
  readonly gram: Float64Array;
  /** R (rRows×Nh) with RᵀR = Γ. */
  readonly r: Float64Array;
  readonly rRows: number;
  /**
   * When there are more left-over directions than hidden units (rRows = Nh): W, their
   * singular-basis coordinates × Nh with orthonormal columns, such that the factor's
   * left-over rows are W·R·diag(h)·C⁻ᵀ. Undefined otherwise.
   */
  readonly basis: Float64Array | undefined;
}

/**
 * Where the rows of a compressed factor are (offsets into its row-major array): the rNi
 * reduced input rows first, the rNo reduced output rows at `outputAt`, and the k = Nh
 * compressed left-over rows Y at `yAt` — after the input rows (input side) or last.
 */
function compressedLayout(reduced: Reduced, nh: number): { k: number; rNi: number; rNo: number; outputAt: number; yAt: number } {
  const k = reduced.rRows;
  const rNi = reduced.inputDim;
  const rNo = reduced.outputDim;
  return reduced.inputSide
    ? { k, rNi, rNo, outputAt: (rNi + k) * nh, yAt: rNi * nh }
    : { k, rNi, rNo, outputAt: rNi * nh, yAt: (rNi + rNo) * nh };
}

/**
 * γ − g_c for a growing rate γ of singular value σ and every column c: {@link growingRateGap}
 * for a pivot column (colSigma[c] its σ; exactly 0 where the rates are equal), γ − 0 for the others.
 */
function columnGaps(gamma: number, sigma: number, colRate: Float64Array, colSigma: Float64Array, out: Float64Array): void {
  for (let c = 0; c < colRate.length; c++) {
    const o = colSigma[c];
    out[c] = o === o ? growingRateGap(sigma, gamma, o, colRate[c]) : gamma - colRate[c];
  }
}

/**
 * Rotates the solved rows X (eigenbasis of F, set.n×Nh) into the singular basis: each row
 * of the result combines at most two modes (±α). Writes set.coords rows of `out`.
 */
function rotateInto(set: RowSet, x: Float64Array, nh: number, out: Float64Array): void {
  const { coordMode, coordCoef } = set;
  for (let r = 0; r < set.coords; r++) {
    const ro = r * nh;
    const m0 = coordMode[2 * r];
    const m1 = coordMode[2 * r + 1];
    if (m0 < 0) {
      out.fill(0, ro, ro + nh);
    } else if (m1 < 0) {
      const c0 = coordCoef[2 * r];
      const o0 = m0 * nh;
      for (let j = 0; j < nh; j++) out[ro + j] = c0 * x[o0 + j];
    } else {
      const c0 = coordCoef[2 * r];
      const c1 = coordCoef[2 * r + 1];
      const o0 = m0 * nh;
      const o1 = m1 * nh;
      let j = 0;
      for (; j + 3 < nh; j += 4) {
        const x0 = c0 * x[o0 + j] + c1 * x[o1 + j];
        const x1 = c0 * x[o0 + j + 1] + c1 * x[o1 + j + 1];
        const x2 = c0 * x[o0 + j + 2] + c1 * x[o1 + j + 2];
        const x3 = c0 * x[o0 + j + 3] + c1 * x[o1 + j + 3];
        out[ro + j] = x0;
        out[ro + j + 1] = x1;
        out[ro + j + 2] = x2;
        out[ro + j + 3] = x3;
      }
      for (; j < nh; j++) out[ro + j] = c0 * x[o0 + j] + c1 * x[o1 + j];
    }
  }
}

/**
 * {@link rotateInto} for rows X normalised by powers of two (row m of the solved rows is
 * x_m·2^{xExp[m]}): row r of the result is written as (its singular-basis row)·2^{−outExp[r]},
 * with outExp[r] chosen from the two terms' bounds |c|·2^{e}·max|x| so that its largest
 * entry is at most about 2, and entries below 2⁻²⁰⁰ set to zero; the coefficients carry the
 * powers of two, so this is one pass like rotateInto.
 */
function rotateNormalInto(set: RowSet, x: Float64Array, nh: number, xExp: Int32Array, out: Float64Array, outExp: Int32Array, rowLog2: Float64Array): void {
  const { coordMode, coordCoef } = set;
  // log2 of each solved row's largest entry times its power of two (each row serves up to
  // two coordinates): −∞ for a zero row.
  for (let m = 0; m < set.n; m++) {
    let big = 0;
    for (let j = m * nh; j < (m + 1) * nh; j++) {
      const v = Math.abs(x[j]);
      if (v > big) big = v;
    }
    rowLog2[m] = big === 0 ? -Infinity : Math.log2(big) + xExp[m];
  }
  for (let r = 0; r < set.coords; r++) {
    const ro = r * nh;
    outExp[r] = 0;
    const m0 = coordMode[2 * r];
    const m1 = coordMode[2 * r + 1];
    // log2 of each term's bound |c|·2^{e_m}·max|x_m|, −∞ for a missing or zero term.
    const b0 = m0 < 0 || coordCoef[2 * r] === 0 ? -Infinity : Math.log2(Math.abs(coordCoef[2 * r])) + rowLog2[m0];
    const b1 = m1 < 0 || coordCoef[2 * r + 1] === 0 ? -Infinity : Math.log2(Math.abs(coordCoef[2 * r + 1])) + rowLog2[m1];
    const top = Math.max(b0, b1);
    if (top === -Infinity) {
      out.fill(0, ro, ro + nh);
      continue;
    }
    const e = Math.ceil(top);
    outExp[r] = e;
    // c·2^{e_m − e}; a term more than 2⁻²⁰⁰ below the other is dropped with it.
    const c0 = b0 < top - 200 ? 0 : timesPowerOfTwo(coordCoef[2 * r], xExp[m0] - e);
    const c1 = b1 < top - 200 ? 0 : timesPowerOfTwo(coordCoef[2 * r + 1], xExp[m1] - e);
    const o0 = Math.max(m0, 0) * nh;
    const o1 = Math.max(m1, 0) * nh;
    for (let j = 0; j < nh; j++) {
      const v = (c0 === 0 ? 0 : c0 * x[o0 + j]) + (c1 === 0 ? 0 : c1 * x[o1 + j]);
      out[ro + j] = Math.abs(v) < ROW_FLUSH ? 0 : v;
    }
  }
}

/**
 * target_ij = (A_ij·r_i)·c_j: in JavaScript, or (when `wasm` is given and every array but A
 * is in its memory) as a copy of A scaled there in place — the same products in the same order.
 */
function scaleInto(wasm: WasmKernels | undefined, a: Float64Array, r: Float64Array, c: Float64Array, m: number, cols: number, target: Float64Array): void {
  if (wasm === undefined) {
    scaleRowsColumnsInto(a, r, c, m, cols, target);
    return;
  }
  target.set(a.subarray(0, m * cols));
  wasm.scaleRowsColumns(target, r, c, m, cols, target);
}

/**
 * Bᵀ = Ê⁻¹·G0ᵀ·diag(weight) (Nh×N), entry (c, i) = (G0_ic·e^{−g_c s})·w_i as {@link scaleInto}
 * forms it — unless some product G0_ic·e^{−g_c s} of a growing row may leave the normal range
 * (G0's smallest growing entry times the smallest e^{−g_c s} below 2⁻¹⁰²², as for a small
 * initialisation, whose rows are small, at γs of several hundred). Such an entry is formed
 * as (G0_ic·w_i)·e^{−g_c s} instead: w_i = √D_i·e^{γ_i s} is large for a growing row, so the
 * first product stays normal, and the entry (itself normal: its square is a term of S) keeps
 * its precision; a subnormal intermediate would round it to a few bits, S to nonsense, and
 * the factor with it (or the Cholesky factorisation would fail). Where w_i itself overflows
 * (a slow growing mode, D_i ≈ 1/(2γ_i) large, at γs near 600), the entry is formed from its
 * factors apart, ((G0_ic·e^{γ_i s})·e^{−g_c s})·√D_i (`overflow` holds them when some w_i is
 * infinite). Every other entry is the same product in
 * the same order as scaleInto's.
 */
function formBt(
  wasm: WasmKernels | undefined,
  g0t: Float64Array,
  einv: Float64Array,
  weight: Float64Array,
  nh: number,
  n: number,
  growingMin: number,
  bt: Float64Array,
  overflow: { rowRoot: Float64Array; rowExp: Float64Array } | undefined,
): void {
  let smallest = Infinity;
  for (let c = 0; c < nh; c++) if (einv[c] !== 0 && einv[c] < smallest) smallest = einv[c];
  if (!(growingMin * smallest < SMALLEST_NORMAL) && overflow === undefined) {
    scaleInto(wasm, g0t, einv, weight, nh, n, bt);
    return;
  }
  for (let c = 0; c < nh; c++) {
    const r = einv[c];
    const o = c * n;
    for (let i = 0; i < n; i++) {
      const x = g0t[o + i];
      const y = x * r;
      const w = weight[i];
      if (w === Infinity) {
        // √D_i·e^{γ_i s} overflows: each factor apart (a zero entry stays 0, not 0·∞).
        bt[o + i] = x === 0 || r === 0 ? 0 : x * overflow!.rowExp[i] * r * overflow!.rowRoot[i];
      } else {
        bt[o + i] = x === 0 || r === 0 || Math.abs(y) >= SMALLEST_NORMAL ? y * w : x * w * r;
      }
    }
  }
}

/**
 * Above this γ_max·s the entries e^{(γ_i − g_j)s} of L̂ are computed one exponential each
 * instead of as e^{γ_i s}·e^{−g_j s}: beyond it the factors leave the range where both
 * they and L_ij times them are normal numbers (e^{±600} ≈ 4e260 and 3e-261; the
 * exponentials themselves would overflow above 709). Below it the factored form is as
 * accurate as one exponential per entry ({@link expOfProduct}) and costs O(N + Nh)
 * exponentials per time instead of O(N·Nh).
 */
const EXPONENT_FACTORING_LIMIT = 600;
/**
 * The thresholds of {@link RiccatiSolution.productsMayUnderflow} and
 * {@link RiccatiSolution.mayUnderflow}, in bits of the spread of the exponentials with Ψ's:
 * entries that far apart come within a few hundred powers of two of the subnormal range
 * (2⁻¹⁰²²) once the factor's own scale and the solve's amplification are counted. Measured
 * with each path forced: the summaries (whose product Z_out·Z_inᵀ in the singular basis
 * multiplies the smallest entries together) slow down on the plain path from 700–950 bits
 * (benchmark 1's n = 128: ≈ 730; 784×100×784, σ_max ≈ 56: 665–826; 64³ with σ_max ≈ 16: ≈ 940),
 * the solve and `at(t)` only from 1000–1200 (784×100×784: between 987 and 1149 — 3.4 ms
 * plain at 987, 25 ms at 1149; n = 128: ≈ 1050–1100; 64³ of benchmark 1: 1120–1210; 16³:
 * ≈ 1160); below its threshold each subnormal-free path's extra passes cost 10–45 %.
 */
const PRODUCT_UNDERFLOW_LOG2 = 700;
/** See {@link PRODUCT_UNDERFLOW_LOG2}. */
const SOLVE_UNDERFLOW_LOG2 = 1000;
/** An empty row list (no allocation per time point on the plain path). */
const NO_ROWS: readonly number[] = [];
/** Width (in units of γ·s) of the bands of rows that share column exponentials beyond the factoring limit. */
const EXPONENT_BAND = 100;

/**
 * Exponentials e^x with x below this are taken as 0. Within the factoring limit no
 * exponent gets there (every rate is at most γ_max); beyond it, factors of e^{−600} ≈ 3e-261
 * and less scale terms that cannot reach the rounding of the leading ones, while the
 * subnormal numbers they become near e^{−708} make floating-point arithmetic (and so every
 * kernel) about ten times slower (measured: 1.3 → 16 ms per point at 784×100×10).
 */
const EXPONENT_FLOOR = -EXPONENT_FACTORING_LIMIT;

/** e^{a·s} by {@link expOfProduct}, or 0 below e^{EXPONENT_FLOOR}. */
function flooredExp(a: number, s: number): number {
  return a * s < EXPONENT_FLOOR ? 0 : expOfProduct(a, s);
}

/** 2^27 + 1: Veltkamp's constant for splitting a double into two 26-bit halves. */
const SPLITTER = 134217729;

/**
 * e^{a·s} to within about one ulp however large |a·s| is: a·s is first split exactly into
 * p + err (p = fl(a·s), Dekker's two-product), then e^{a·s} = e^p·(1 + err) up to O(err²).
 * A plain Math.exp(a * s) carries the rounding of the product into the exponent, a
 * relative error of about |a·s|·2⁻⁵³ (7e-14 at a·s = 600). Finite a and s with |a|, |s| < 1e290.
 */
export function expOfProduct(a: number, s: number): number {
  const p = a * s;
  // Beyond ±745 e^p is 0 or ∞ whatever the correction; huge factors would overflow the split.
  if (!(Math.abs(p) <= 745) || !(Math.abs(a) < 1e290) || !(Math.abs(s) < 1e290)) return Math.exp(p);
  let c = SPLITTER * a;
  const aHi = c - (c - a);
  const aLo = a - aHi;
  c = SPLITTER * s;
  const sHi = c - (c - s);
  const sLo = s - sHi;
  const err = aHi * sHi - p + aHi * sLo + aLo * sHi + aLo * sLo;
  return Math.exp(p) * (1 + err);
}

/** Scratch buffers of {@link RiccatiSolution.factorInto}, allocated once per solution. */
class Workspace {
  /** G_all, N×Nh (reversed columns), overwritten by the solution of the triangular solve. */
  readonly g: Float64Array;
  /** Bᵀ, Nh×N. */
  readonly bt: Float64Array;
  /** S and then its Cholesky factor, Nh×Nh. */
  readonly sMat: Float64Array;
  readonly einv: Float64Array;
  readonly rowScale: Float64Array;
  readonly weight: Float64Array;
  /** e^{(a − g_j)s} for one band of rates with anchor a (beyond the factoring limit), Nh. */
  readonly colFactor: Float64Array;
  /** a − g_j (or γ⊥ − g_j) from the rates' singular values ({@link columnGaps}), Nh. */
  readonly colGap: Float64Array;
  /** √D_i of the growing rows (beyond the factoring limit), N. */
  readonly rowWeight: Float64Array;
  /** h and q of the left-over modes, Nh each. */
  readonly perpH: Float64Array;
  readonly perpQ: Float64Array;
  /** Powers of two of G_all's rows while they are normalised (late times only). */
  rowExponents: Int32Array | undefined;
  /** e^{γ_i s} of the growing rows (1 for the others), for formBt. */
  rowExp: Float64Array | undefined;
  constructor(n: number, nh: number) {
    this.g = new Float64Array(n * nh);
    this.bt = new Float64Array(nh * n);
    this.sMat = new Float64Array(nh * nh);
    this.einv = new Float64Array(nh);
    this.rowScale = new Float64Array(n);
    this.weight = new Float64Array(n);
    this.colFactor = new Float64Array(nh);
    this.colGap = new Float64Array(nh);
    this.rowWeight = new Float64Array(n);
    this.perpH = new Float64Array(nh);
    this.perpQ = new Float64Array(nh);
  }
}

/**
 * The graded orthogonalisation of the growing rows ψ_0 … ψ_{nG−1} of Ψ (N×Nh, row-major),
 * taken in order (fastest-growing first): ψ_i = Σ_b L_ib·k_b, where each new orthonormal
 * k_b is the part of a row orthogonal to the rows before it, kept only when it is above
 * RELATIVE_RANK_TOLERANCE·‖ψ_i‖ and ABSOLUTE_RANK_TOLERANCE·‖Q(0)‖_F, or above
 * `lowered[i]` (see {@link loweredRankTolerances}; otherwise the row
 * starts no new direction). Each row is orthogonalised by classical Gram–Schmidt applied
 * twice ("twice is enough": orthogonal to working precision), as two matrix–vector
 * products with the basis so far, so that they run in the row kernels. Stops at the first
 * row met with a complete basis (`full`; nG if none): the caller gets the coefficients of
 * the remaining rows with one blocked product. Cost ≈ 2·nG²·Nh multiply-adds at most.
 *
 * Within a run of rows of one rate (`groupEnd[i]`: one past the last row of row i's run) the
 * order is free. Taken in the given order, a row that holds its mode by a tiny share η ahead
 * of larger ones, or nearly in the span of the others, left pivot columns of L nearly
 * parallel, and S = Ê⁻² + BᵀB ill-conditioned by ≈ 1/η² however its columns are scaled, which
 * its Cholesky factor paid for (a hidden layer holding one of two modes of a repeated σ by 1e-8
 * converged to loss 0.06 for 0; a 4×4×5 network at λ = 0 near a saddle of one of four equal
 * modes was 8e-2 off). So where the next row's residual is below {@link PIVOTING_THRESHOLD} of
 * the run's largest row, the row of largest residual is taken instead (Gram–Schmidt with
 * pivoting, only where it matters: a run of 774 left-over rows costs nothing extra). Ψ's rows
 * are permuted in place to the order taken.
 *
 * @returns L (nG×Nh; rows from `full` on unset), cols[i] = number of basis vectors after
 *   row i, K's rows found (kRows, Nh×Nh, the first `pivots` rows set), the row that
 *   started each, `full`, and `order` (row i taken was row order[i] of the given Ψ).
 */
/**
 * Below this fraction of the largest row of its run a row's residual makes
 * {@link gradedOrthogonalisation} look for the row of largest residual instead: at that
 * level the Cholesky factor of S can lose (1e3)² ≈ 1e6·ε, no more.
 */
const PIVOTING_THRESHOLD = 1e-3;

/**
 * ψ_k minus its projection on the first r basis rows, by classical Gram–Schmidt applied twice
 * in the row kernels, left in `work`; returns its squared norm. With `coefficients` (length ≥ r),
 * the projection's coefficients are added to it.
 */
function residualNorm2(
  psi: Float64Array,
  k: number,
  nh: number,
  r: number,
  s: { kernels: ReturnType<typeof rowKernels>['kernels']; basis: Float64Array; work: Float64Array; coef: Float64Array; comb: Float64Array },
  coefficients?: Float64Array,
): number {
  const { kernels, basis, work, coef, comb } = s;
  for (let j = 0; j < nh; j++) work[j] = psi[k * nh + j];
  for (let pass = 0; pass < 2 && r > 0; pass++) {
    kernels.rowDots(basis, 0, nh, r, work, 0, nh, 1, coef);
    kernels.columnCombination(basis, 0, nh, r, coef, 0, nh, comb);
    for (let j = 0; j < nh; j++) work[j] -= comb[j];
    if (coefficients !== undefined) for (let b = 0; b < r; b++) coefficients[b] += coef[b];
  }
  let sum = 0;
  for (let j = 0; j < nh; j++) sum += work[j] * work[j];
  return sum;
}

function gradedOrthogonalisation(
  psi: Float64Array,
  nG: number,
  nh: number,
  qNorm: number,
  lowered: Float64Array | undefined,
  groupEnd: Int32Array,
): { lMat: Float64Array; cols: Int32Array; kRows: Float64Array; pivots: number; pivotRows: number[]; full: number; order: Int32Array } {
  const { kernels, arrays } = rowKernels(nG * nh * nh, [nh * nh, nh, nh, nh]);
  const [basis, work, coef, comb] = arrays;
  const lMat = new Float64Array(nG * nh);
  const cols = new Int32Array(nG);
  const pivotRows: number[] = [];
  const order = Int32Array.from({ length: nG }, (_, i) => i);
  // The largest squared norm of a row of the current run (which ends at runEnd).
  let runMax2 = 0;
  const scratch = { kernels, basis, work, coef, comb };
  let r = 0;
  let full = nG;
  let runEnd = 0;
  // Squared residuals of rows against the first `searchedBasis` basis rows, from the last
  // pivot search (in the run ending at `searchedEnd`), kept up to date as pivots are taken
  // (each new basis row b lowers a residual² by (b·ψ_k)², b being orthogonal to the earlier
  // ones); `searchedFresh` holds their values when last computed in full.
  const searched = new Float64Array(nG);
  const searchedFresh = new Float64Array(nG);
  let searchedBasis = -1;
  let searchedEnd = -1;
  for (let i = 0; i < nG; i++) {
    if (r === nh) {
      full = i;
      break;
    }
    const end = groupEnd[i];
    if (end - i > 1) {
      if (i >= runEnd) {
        runEnd = end;
        runMax2 = 0;
        for (let k = i; k < end; k++) {
          let sum = 0;
          for (let j = 0; j < nh; j++) sum += psi[k * nh + j] * psi[k * nh + j];
          runMax2 = Math.max(runMax2, sum);
        }
      }
    }
    const lRow = lMat.subarray(i * nh, (i + 1) * nh);
    let res2 = residualNorm2(psi, i, nh, r, scratch, lRow);
    // The next row in the given order, unless in a run of one rate its residual is below 1e-3
    // of the run's largest row (only then can the order cost digits): then the row of largest
    // residual, orthogonalised afresh.
    if (end - i > 1 && res2 < PIVOTING_THRESHOLD ** 2 * runMax2) {
      // The residuals of the rows after i, against the same r basis rows, are those of the
      // last search if no pivot was taken since (rows of a run spanning few directions, e.g.
      // 774 left-over input rows of a rank-10 W1 at λ = 0, searched 774 times: 1–2 s).
      if (searchedBasis !== r || searchedEnd !== end) {
        for (let k = i + 1; k < end; k++) searchedFresh[k] = searched[k] = residualNorm2(psi, k, nh, r, scratch);
        searchedBasis = r;
        searchedEnd = end;
      }
      let best = i;
      let bestRes = res2;
      for (let k = i + 1; k < end; k++) if (searched[k] > bestRes) [best, bestRes] = [k, searched[k]];
      if (best !== i) {
        for (let j = 0; j < nh; j++) {
          const x = psi[i * nh + j];
          psi[i * nh + j] = psi[best * nh + j];
          psi[best * nh + j] = x;
        }
        [order[i], order[best]] = [order[best], order[i]];
        searched[best] = res2; // row i, now at best
        searchedFresh[best] = res2;
      }
      lRow.fill(0);
      res2 = residualNorm2(psi, i, nh, r, scratch, lRow); // (the search overwrote the residual)
    }
    let rowNorm2 = 0;
    for (let j = 0; j < nh; j++) rowNorm2 += psi[i * nh + j] * psi[i * nh + j];
    const rowNorm = Math.sqrt(rowNorm2);
    const res = Math.sqrt(res2);
    const tolerance = Math.max(RELATIVE_RANK_TOLERANCE * rowNorm, ABSOLUTE_RANK_TOLERANCE * qNorm);
    if (res > (lowered === undefined ? tolerance : Math.min(tolerance, lowered[i]))) {
      for (let j = 0; j < nh; j++) basis[r * nh + j] = work[j] / res;
      lMat[i * nh + r] = res;
      pivotRows.push(i);
      r++;
      // Downdate the searched residuals of the rest of the run for the new basis row (O(run·Nh)
      // instead of a fresh search, O(run·r·Nh), after every pivot: at λ = −1e-12 a 784×100×10
      // network's 774 left-over rows took 90 pivots, each searching the run: 1.3 s). Where a
      // residual² has lost more than 1e-4 of its last full value to the downdates, the next
      // search computes them all afresh (the downdates only choose the pivot; its residual
      // is always computed in full).
      if (searchedBasis === r - 1 && searchedEnd === end) {
        let fresh = true;
        for (let k = i + 1; k < end && fresh; k++) {
          let d = 0;
          for (let j = 0; j < nh; j++) d += basis[(r - 1) * nh + j] * psi[k * nh + j];
          searched[k] -= d * d;
          fresh = searched[k] > 1e-4 * searchedFresh[k];
        }
        searchedBasis = fresh ? r : -1;
      }
    }
    cols[i] = r;
  }
  const kRows = new Float64Array(nh * nh);
  kRows.set(basis.subarray(0, r * nh));
  return { lMat, cols, kRows, pivots: r, pivotRows, full, order };
}
