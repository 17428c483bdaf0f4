/**
 * The spectrum of the Riccati matrix F = [[−(λ/2)I, Σyxᵀ], [Σyx, (λ/2)I]] built exactly
 * from the singular value decomposition of Σyx (MATH.md §4, "Spectrum of F").
 *
 * Each eigenvector of F has at most two non-zero coordinates in the task's singular
 * basis (Ṽ for the input block, Ũ for the output block), so the spectrum is stored as a
 * list of {@link Mode}s that name those coordinates and their coefficients.
 *
 * @module
 * @internal
 */
import type { Matrix } from 'ml-matrix';
import { fullSvd } from './svd.js';

/** One eigenpair of F: γ and the eigenvector [a·ṽ_in ; b·ũ_out] (missing parts are 0). */
export interface Mode {
  /** Eigenvalue γ of F (growth rate of the mode, in units of 1/τ). */
  gamma: number;
  /**
   * The singular value the rate comes from, |γ| = √(σ² + λ²/4) (0 for a left-over direction;
   * equal for modes the spectrum merged). Differences of two rates of one sign are taken
   * from these ({@link growingRateGap}): for |λ| ≫ σ, or nearly repeated σ, the rates of
   * distinct singular values differ by far less than γ's own rounding, ε·|γ|.
   */
  rateSigma: number;
  /** Index of the input-side singular vector ṽ (column of Ṽ), or −1. */
  input: number;
  /** Coefficient on ṽ_input. */
  a: number;
  /** Index of the output-side singular vector ũ (column of Ũ), or −1. */
  output: number;
  /** Coefficient on ũ_output. */
  b: number;
  /** Index of the singular value σ_α this mode comes from, or −1 for a complement direction. */
  alpha: number;
}

/**
 * The eigenvector of F with eigenvalue +κ = +√(σ² + λ²/4) for one singular triple, as its
 * coefficients on ṽ_α (a = √((κ − λ/2)/2κ)) and ũ_α (b = √((κ + λ/2)/2κ)), with κ ∓ λ/2
 * formed without cancellation; the −κ eigenvector is (b, −a). (κ = 0: a = b = 1/√2.)
 *
 * @internal
 */
export function growingEigenvector(sigma: number, lambda: number): { kappa: number; a: number; b: number } {
  const half = lambda / 2;
  const kappa = Math.hypot(sigma, half);
  if (kappa === 0) return { kappa, a: Math.SQRT1_2, b: Math.SQRT1_2 };
  // κ ∓ λ/2 without cancellation: (κ − λ/2)(κ + λ/2) = σ².
  const plus = half >= 0 ? kappa + half : squareOver(sigma, kappa - half);
  const minus = half >= 0 ? squareOver(sigma, kappa + half) : kappa - half;
  return { kappa, a: halfRootRatio(minus, kappa), b: halfRootRatio(plus, kappa) };
}

/**
 * x²/p for |x| ≤ p, to two roundings at any size: as x·(x/p) where x² would overflow (|x|
 * beyond 2⁵⁰⁰) or fall below the normal range (|x| below 2⁻⁵⁰⁰: a task of size 1e-160 made
 * σ² subnormal, and the closed form lost 5 digits — all of them at 1e-165).
 *
 * @internal
 */
export function squareOver(x: number, p: number): number {
  const size = Math.abs(x);
  return size < 2 ** 500 && size > 2 ** -500 ? (x * x) / p : x * (x / p);
}

/**
 * γ_a − γ_b for two rates γ = √(σ² + λ²/4) > 0 of one λ, given with the singular values
 * they come from (0 for a left-over direction): (σ_a − σ_b)(σ_a + σ_b)/(γ_a + γ_b), to a few
 * ulps of itself, and exactly 0 for equal σ. Formed as γ_a − γ_b it would carry the rates'
 * own rounding, ε·γ, which for |λ| ≫ σ (the gap is ≈ Δσ²/|λ|) or nearly repeated σ is most of
 * it. (The quotient first: (σ_a − σ_b)/(γ_a + γ_b) ≤ 1, so nothing overflows.)
 *
 * @internal
 */
export function growingRateGap(sigmaA: number, gammaA: number, sigmaB: number, gammaB: number): number {
  return sigmaA === sigmaB ? 0 : ((sigmaA - sigmaB) / (gammaA + gammaB)) * (sigmaA + sigmaB);
}

/**
 * √(x/(2κ)) for 0 ≤ x ≤ 2κ: as √(x/κ)·√½ (x/κ ≤ 2, and 2κ may overflow for |λ| near the
 * largest double), or as √x/√κ where x/κ would underflow — for |λ| ≫ σ the smaller
 * component is ≈ σ/|λ| and x/κ ≈ σ²/λ², which is below the normal range from |λ|/σ ≈ 1e154
 * on (λ = −1e200 gave b = 0: a mode that could never be learned).
 */
function halfRootRatio(x: number, kappa: number): number {
  const ratio = x / kappa;
  return (ratio >= 2 ** -1000 ? Math.sqrt(ratio) : Math.sqrt(x) / Math.sqrt(kappa)) * Math.SQRT1_2;
}

/** The exact eigendecomposition of F, in the task's singular basis. */
export interface Spectrum {
  inputDim: number;
  outputDim: number;
  lambda: number;
  /** Singular values of Σyx, descending (length min(Ni, No)); frozen, as it is handed to callers. */
  sigma: readonly number[];
  /** Left singular vectors of Σyx, completed to No×No. */
  u: Matrix;
  /** Right singular vectors of Σyx, completed to Ni×Ni. */
  v: Matrix;
  /** The N = Ni + No modes sorted by decreasing γ (near-equal γ snapped together). */
  modes: Mode[];
}

/** The singular value a mode comes from (0 for a left-over direction). @internal */
export function modeSigma(sigma: readonly number[], m: Mode): number {
  return m.alpha >= 0 ? sigma[m.alpha] : 0;
}

/** Relative tolerance below which two growth rates are treated as one (degenerate). */
export const GAMMA_CLUSTER_TOLERANCE = 1e-12;

/**
 * Whether two growth rates γ (of singular values σ; 0 for a left-over direction) count as one:
 * they agree to GAMMA_CLUSTER_TOLERANCE·max(|λ|/2, σ_max) and their singular values to
 * GAMMA_CLUSTER_TOLERANCE·σ_max — or both are 0. Rates alone would not do: for |λ| ≫ σ those
 * of distinct singular values differ by only Δσ²/|λ|, below 1e-12·|λ| from |λ| ≈ 1e6·σ on, and
 * merging them lost the slow competition between them (a 1×1×2 network at λ = 1e7 never
 * finished learning). The one rule of the spectrum and of `convergedRepresentations`.
 *
 * @internal
 */
export function sameRate(gammaA: number, sigmaA: number, gammaB: number, sigmaB: number, lambda: number, sigmaMax: number): boolean {
  const close = Math.abs(gammaA - gammaB) <= GAMMA_CLUSTER_TOLERANCE * Math.max(Math.abs(lambda / 2), sigmaMax);
  return close && ((gammaA === 0 && gammaB === 0) || Math.abs(sigmaA - sigmaB) <= GAMMA_CLUSTER_TOLERANCE * sigmaMax);
}

/**
 * Builds the spectrum of F from the SVD of Σyx (No×Ni) for a given λ. Cost: one SVD,
 * O(No·Ni·min(No,Ni)) plus completing the bases.
 */
export function spectrumOf(sigmaYX: Matrix, lambda: number): Spectrum {
  const outputDim = sigmaYX.rows;
  const inputDim = sigmaYX.columns;
  const { u, s, v } = fullSvd(sigmaYX);
  const r = Math.min(inputDim, outputDim);
  const half = lambda / 2;
  const modes: Mode[] = [];
  for (let alpha = 0; alpha < r; alpha++) {
    const sigma = s[alpha];
    const { kappa, a, b } = growingEigenvector(sigma, lambda);
    modes.push({ gamma: kappa, rateSigma: sigma, input: alpha, a, output: alpha, b, alpha });
    modes.push({ gamma: -kappa, rateSigma: sigma, input: alpha, a: b, output: alpha, b: -a, alpha });
  }
  for (let k = r; k < outputDim; k++) modes.push({ gamma: half, rateSigma: 0, input: -1, a: 0, output: k, b: 1, alpha: -1 });
  for (let k = r; k < inputDim; k++) modes.push({ gamma: -half, rateSigma: 0, input: k, a: 1, output: -1, b: 0, alpha: -1 });

  // Decreasing γ; within one sign by σ (|γ| grows with σ), which orders rates that agree to
  // their rounding (|λ| ≫ σ, nearly repeated σ) by their true values.
  modes.sort((x, y) => {
    const sx = Math.sign(x.gamma);
    const sy = Math.sign(y.gamma);
    if (sx !== sy) return sy - sx;
    return sx > 0 ? y.rateSigma - x.rateSigma : sx < 0 ? x.rateSigma - y.rateSigma : 0;
  });
  // γ from hypot may be an ulp out of that order where σ is not: keep γ non-increasing.
  for (let i = 1; i < modes.length; i++) {
    if (Math.sign(modes[i].gamma) === Math.sign(modes[i - 1].gamma)) modes[i].gamma = Math.min(modes[i].gamma, modes[i - 1].gamma);
  }
  // Snap growth rates that differ only by rounding (repeated singular values, {@link sameRate})
  // so that degenerate modes are exactly degenerate, and rates that are zero up to rounding to 0.
  const sigmaMax = s.length > 0 ? s[0] : 0;
  const tol = GAMMA_CLUSTER_TOLERANCE * Math.max(Math.abs(half), sigmaMax);
  const sigmaOf = (m: Mode): number => modeSigma(s, m);
  for (const m of modes) {
    if (Math.abs(m.gamma) > tol) continue;
    m.gamma = 0;
    m.rateSigma = 0;
  }
  for (let i = 1; i < modes.length; i++) {
    const [a, b] = [modes[i - 1], modes[i]];
    if (sameRate(a.gamma, sigmaOf(a), b.gamma, sigmaOf(b), lambda, sigmaMax)) {
      b.gamma = a.gamma;
      b.rateSigma = a.rateSigma;
    }
  }
  return { inputDim, outputDim, lambda, sigma: Object.freeze(s.slice(0, r)), u, v, modes };
}
