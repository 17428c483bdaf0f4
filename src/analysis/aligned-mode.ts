/**
 * `alignedMode`: the closed-form trajectory of one mode of an aligned network (MATH.md §5).
 *
 * When W2W1 shares the task's singular vectors, each mode evolves alone and its strength
 * a(t) (a singular value of the product, signed) obeys
 *
 *     τ da/dt = sqrt(λ² + 4a²)·(σ − a).
 *
 * Derivation (the 2×2 instance of MATH.md §4). One hidden unit carries the mode:
 * Q(0) = [c; d] with c·d = a(0) and d² − c² = λ, F = [[−λ/2, σ], [σ, λ/2]] with eigenvalues
 * ±K/2, K = sqrt(λ² + 4σ²). With ψ± the projections of Q(0) on the eigenvectors of F,
 * s = t/τ and E = e^{−Ks}, the rank-one Riccati solution P = y yᵀ/m gives
 *
 *     a(s) = (σ·p₊ + λ·p₊₋·E − σ·p₋·E²) / (K·(E + (p₊ + p₋·E)·(1 − E)/K)),
 *
 * where p₊ = ψ₊², p₋ = ψ₋², p₊₋ = ψ₊ψ₋ depend only on (σ, a(0), λ):
 *
 *     R = sqrt(λ² + 4a(0)²),  g = (λ² + 4σ·a(0))/K,
 *     p₊ = (R + g)/2,  p₋ = (R − g)/2,  p₊₋ = −λ(σ − a(0))/K,   p₊·p₋ = p₊₋².
 *
 * (The hidden-layer rotation and the sign choice of (c, d) drop out.) Every term is
 * bounded for s ≥ 0 — only e^{−Ks} appears — so the formula never overflows; p₊ or p₋ is
 * taken from p₊·p₋ = p₊₋² whichever of R ± g would cancel, so the saddle p₊ = 0 (λ = 0,
 * a(0) ≤ 0) is exact. The same expression covers λ = 0 (the sigmoid for a(0) > 0, the
 * decay to the saddle at 0 for a(0) < 0), both signs of λ (a(t) depends on λ only through
 * λ²), a(0) < 0 (reversal) and σ = 0; only K = 0 (σ = λ = 0) needs its own limit,
 * a(s) = a(0)/(1 + 2|a(0)|·s).
 *
 * @module
 */
import { squareOver } from '../core/spectrum.js';
import { powerOfTwoTowardOne } from '../linalg/dense.js';
import { InvalidArgumentError } from '../errors.js';
import { assertFiniteNumber, assertKnownOptions, assertPositiveNumber, assertTime } from '../validation.js';

/**
 * Options of {@link alignedMode}.
 *
 * @example
 * ```ts
 * import type { AlignedModeOptions } from 'exact-dln';
 * const options: AlignedModeOptions = { sigma: 2, a0: 0.01, lambda: 0.5 };
 * ```
 */
export interface AlignedModeOptions {
  /** σ ≥ 0, the task's singular value this mode learns. */
  sigma: number;
  /** a(0), the initial strength of the mode: any finite number (negative = reversed mode, MATH.md §8). */
  a0: number;
  /** λ, the balance W2ᵀW2 − W1W1ᵀ = λI: any finite number (only λ² matters for a(t)). */
  lambda: number;
  /** Time constant τ > 0 of the gradient flow; default 1. */
  tau?: number;
}

/**
 * The closed-form trajectory a(t) of one aligned mode, as returned by {@link alignedMode}.
 *
 * @example
 * ```ts
 * import { alignedMode, type AlignedMode } from 'exact-dln';
 * const mode: AlignedMode = alignedMode({ sigma: 1, a0: 0.1, lambda: 0 });
 * console.log(mode.at(0)); // 0.1
 * ```
 */
export interface AlignedMode {
  /** σ, the target singular value. */
  readonly sigma: number;
  /** a(0), the initial strength. */
  readonly a0: number;
  /** λ, the balance. */
  readonly lambda: number;
  /** τ, the time constant. */
  readonly tau: number;
  /**
   * a(t), the mode strength at time t ≥ 0 (finite t; a(0) is returned exactly at t = 0).
   * Throws {@link InvalidArgumentError} / {@link NonFiniteError} for a negative, NaN or
   * infinite t. Cost O(1): one exponential, no allocation.
   */
  at(t: number): number;
  /**
   * a(t) at each of `times` (any order, each a finite t ≥ 0), as a new Float64Array of the
   * same length. Cost O(length): one exponential per point and no other allocation.
   */
  values(times: ArrayLike<number>): Float64Array;
}

/** Below K·s = 0.5, 1 − e^{−Ks} is taken from expm1; above, e^{−Ks} from exp (keeps both accurate). */
const EXPM1_THRESHOLD = 0.5;

/** Which closed form applies. K > 0 and p₊ > 0: the general formula. */
const GENERAL = 0;
/** K > 0 and p₊ = 0: the saddle, a = −σ p₋ E / (K + p₋ (1 − E)). */
const SADDLE = 1;
/** K = 0 (σ = λ = 0): a = a0/(1 + 2|a0| s). */
const DEGENERATE = 2;
/**
 * K > 0, λ ≠ 0 and p₊ below 2^-400·p₋ (a reversed mode with |λ| tiny, or a0 far below −σ and
 * −|λ|): the general formula divided by p₋·E, in ρ = p₊₋/p₋ and u = ρ²/E = e^{Ks + ln ρ²}
 * taken in the log domain, since p₊ = ρ²p₋ and E would underflow:
 * a = (σ(u − E) + λρ)·P/(K_f + P(u + 1)(1 − E)), with K_f = K·f and P = p₋·f for one power
 * of two f that brings the larger to about 1 (and, for u > 1, the same divided by u).
 */
const FAR = 3;

/**
 * The time-independent constants of one mode (see the module comment). All instances have
 * the same shape, so the evaluator below stays monomorphic whatever the mode.
 */
/** @internal */
export interface ModeConstants {
  form: typeof GENERAL | typeof SADDLE | typeof DEGENERATE | typeof FAR;
  a0: number;
  /** K, the rate in E = e^{−Ks}. */
  k: number;
  /**
   * K, p₊, p₋ and the c's as they enter a's quotient: all divided by one power of two 2^j
   * when the largest of K, p₊, p₋ is above 2⁵⁰⁰ (a0 or λ beyond about 1e150: λ·p₊₋ would
   * overflow), which leaves the quotient unchanged; else j = 0.
   */
  kDen: number;
  pPlus: number;
  pMinus: number;
  /** σ·p₊, λ·p₊₋, σ·p₋ (the numerator's coefficients of 1, E, E²); FAR: σ, λρ, 0. */
  c0: number;
  c1: number;
  c2: number;
  /** FAR: ln ρ² = 2 ln|p₊₋/p₋| (kDen = K_f, pMinus = P); 0 in the other forms. */
  lnRatio: number;
}

/** The constants from K, p₊, p₋ and p₊₋, scaled as {@link ModeConstants.kDen} says. */
function constantsOf(form: ModeConstants['form'], a0: number, k: number, sigma: number, lambda: number, pPlus: number, pMinus: number, pm: number): ModeConstants {
  const big = Math.max(k, pPlus, pMinus);
  // Scaled only when a product or sum below could overflow: scaling by K's power of two when
  // nothing overflows would flush a small p₊ to 0 (σ = 1e200, a0 = 1e-200: p₊ = 2e-200,
  // 0/0 once E underflows).
  const lg = (x: number): number => (x === 0 ? -Infinity : Math.log2(Math.abs(x)));
  const top = Math.max(lg(big), lg(sigma) + lg(Math.max(pPlus, pMinus)), lg(lambda) + lg(pm));
  const f = top > 1000 ? powerOfTwoTowardOne(big) : 1;
  const [kDen, pp, pn, ppm] = f === 1 ? [k, pPlus, pMinus, pm] : [k * f, pPlus * f, pMinus * f, pm * f];
  return { form, a0, k, kDen, pPlus: pp, pMinus: pn, c0: sigma * pp, c1: lambda * ppm, c2: sigma * pn, lnRatio: 0 };
}

/** Builds the constants for given (σ ≥ 0, a0, λ). */
function modeConstants(sigma: number, a0: number, lambda: number): ModeConstants {
  const k = Math.hypot(lambda, 2 * sigma);
  if (k === 0) return { form: DEGENERATE, a0, k, kDen: 0, pPlus: 0, pMinus: 0, c0: 0, c1: 0, c2: 0, lnRatio: 0 };
  const r = Math.hypot(lambda, 2 * a0);
  // g = (λ² + 4σa0)/K, written with the direction cosines λ/K and 2σ/K (no overflow, no K²).
  const g = (lambda / k) * lambda + ((2 * sigma) / k) * (2 * a0);
  const pm = -(lambda / k) * (sigma - a0);
  let pPlus: number;
  let pMinus: number;
  if (g >= 0) {
    pPlus = (r + g) / 2;
    pMinus = pPlus > 0 ? squareOver(pm, pPlus) : 0; // p₊₋²/p₊ (p₊ ≥ |p₊₋|), at any size
  } else {
    pMinus = (r - g) / 2;
    // p₊ = ρ²p₋ too small to keep (it underflowed, or did after the scaling in constantsOf:
    // a reversal at λ = 1e-163 stayed on its saddle for ever, σ = 1e200 with a0 = −1e250 gave
    // NaN): the FAR form, in ln ρ².
    const lnRho2 = 2 * (Math.log(Math.abs(pm)) - Math.log(pMinus));
    if (lambda !== 0 && pm !== 0 && lnRho2 < -400 * Math.LN2) {
      const f = powerOfTwoTowardOne(Math.max(k, pMinus));
      return { form: FAR, a0, k, kDen: k * f, pPlus: 0, pMinus: pMinus * f, c0: sigma, c1: lambda * (pm / pMinus), c2: 0, lnRatio: lnRho2 };
    }
    pPlus = squareOver(pm, pMinus);
  }
  // p₊ = 0: the growing direction is not populated (λ = 0 with a0 ≤ 0, or |λ| so small
  // that p₊ = p₊₋²/p₋ underflows); then p₊₋ = 0 too and the general formula would be
  // 0/0 once E underflows.
  return constantsOf(pPlus === 0 ? SADDLE : GENERAL, a0, k, sigma, lambda, pPlus, pMinus, pm);
}

/**
 * The constants of a mode from the projections of its hidden direction on F's eigenvectors
 * o₊ (growth rate +K/2) and o₋ (−K/2), ψ₊ and ψ₋, instead of from (a0, λ): the same closed
 * form — p₊ = ψ₊², p₋ = ψ₋², p₊₋ = ψ₊ψ₋ — without assuming that the direction is balanced
 * at λ exactly. Used by the decoupled-mode path of `ExactDynamics.summaries`
 * (src/core/decoupled-modes.ts), which reads ψ± off the initial factor as the general
 * evaluator does. Requires K > 0 and ψ₊ ≠ 0 (the general form).
 *
 * @internal
 */
export function projectedModeConstants(sigma: number, lambda: number, psiPlus: number, psiMinus: number, a0: number): ModeConstants {
  const k = Math.hypot(lambda, 2 * sigma);
  const pPlus = psiPlus * psiPlus;
  const pMinus = psiMinus * psiMinus;
  const pm = psiPlus * psiMinus;
  return constantsOf(GENERAL, a0, k, sigma, lambda, pPlus, pMinus, pm);
}

/** a at s = t/τ > 0: one exp or expm1 and a few flops. @internal */
export function evaluateMode(m: ModeConstants, s: number): number {
  // (a0 = 0 stays 0, also when t/τ overflows to s = ∞.)
  if (m.form === DEGENERATE) return m.a0 === 0 ? 0 : m.a0 / (1 + 2 * Math.abs(m.a0) * s);
  const x = m.k * s;
  let e: number;
  let oneMinusE: number;
  if (x < EXPM1_THRESHOLD) {
    const em = Math.expm1(-x);
    e = 1 + em;
    oneMinusE = -em;
  } else {
    e = Math.exp(-x);
    oneMinusE = 1 - e;
  }
  if (m.form === SADDLE) return (-m.c2 * e) / (m.kDen + m.pMinus * oneMinusE) + 0;
  if (m.form === FAR) return evaluateFar(m, x, e, oneMinusE); // (out of line: keeps this one small enough to inline)
  return (m.c0 + (m.c1 - m.c2 * e) * e) / (m.kDen * e + (m.pPlus + m.pMinus * e) * oneMinusE);
}

/** The FAR form at x = K·s (see {@link FAR}), given E = e^{−x} and 1 − E. */
function evaluateFar(m: ModeConstants, x: number, e: number, oneMinusE: number): number {
  const lnU = m.lnRatio + x;
  if (lnU < 0) {
    const u = Math.exp(lnU);
    return ((m.c0 * (u - e) + m.c1) * m.pMinus) / (m.kDen + m.pMinus * (u + 1) * oneMinusE);
  }
  const v = Math.exp(-lnU);
  return ((m.c0 * (1 - e * v) + m.c1 * v) * m.pMinus) / (m.kDen * v + m.pMinus * (1 + v) * oneMinusE);
}

/**
 * The exact trajectory of one mode of an aligned network (MATH.md §5): the solution of
 * τ da/dt = sqrt(λ² + 4a²)·(σ − a) from a(0) = a0, in closed form (the 2×2 instance of the
 * Riccati solution of MATH.md §4, written with e^{−Ks} only, K = sqrt(λ² + 4σ²)).
 *
 * With an aligned λ-balanced initialisation (W2W1 = Ũ diag(a0) Ṽᵀ with the task's singular
 * vectors, e.g. `lambdaBalancedWeights({ ..., alignTo: sigmaYX, productSingularValues })`),
 * the diagonal of `exactDynamics(...).at(t).singularProduct` is exactly
 * `alignedMode({ sigma: σ_α, a0: a0_α, lambda, tau }).at(t)` for every mode α
 * (`exactDynamics(...).summaries(times)` detects such initialisations and uses this closed
 * form for every mode by itself).
 *
 * Behaviour: for λ ≠ 0 and any a0 the mode reaches σ (a negative a0 crosses zero in finite
 * time: reversal learning succeeds, faster for larger |λ|); at λ = 0 it is the sigmoid
 * a = σ a0 / (σ e^{−2σs} + a0 (1 − e^{−2σs})) for a0 > 0, while a0 < 0 decays to the saddle
 * at 0 (a = σ a0 e^{−2σs} / (σ − a0 (1 − e^{−2σs}))) and a0 = 0 stays 0 (MATH.md §8); for
 * |λ| ≫ σ, |a0| it approaches the lazy exponential σ + (a0 − σ)e^{−|λ|s}. a(t) depends on λ
 * only through λ². σ = 0 (a mode the task does not contain) decays to 0.
 *
 * Accuracy (test/analysis/aligned-mode.test.ts): agrees with an RK4 integration of the
 * ODE and with `exactDynamics` to ≲ 1e-13 absolute (relative to max(σ, |a0|, 1)) for
 * t from 0 to 1e8·τ; finite for every finite t ≥ 0.
 *
 * Cost: O(1) to build; each evaluation is one `exp` or `expm1` and a few flops, with no
 * allocation (tens of millions of points per second with `values`).
 *
 * Negative σ is rejected: σ is a singular value. A mode whose target is −σ is the mirror
 * image (a ↦ −a): use `alignedMode({ sigma: σ, a0: −a0, lambda })` and negate.
 *
 * @param options - `{ sigma, a0, lambda, tau = 1 }`, see {@link AlignedModeOptions}.
 * @returns an {@link AlignedMode} with `at(t)` and `values(times)`.
 * @throws {@link NonFiniteError} if `sigma`, `a0`, `lambda` or `tau` is NaN or ±Infinity.
 * @throws {@link InvalidArgumentError} if `sigma` < 0, `tau` ≤ 0, a value is not a number,
 *   or `options` is not an object; `at` and `values` throw for a negative or non-finite time.
 * @example
 * ```ts
 * import { alignedMode } from 'exact-dln';
 * // Rich regime (λ = 0, small a0): a sigmoid, half-way at t = ln(σ/a0 − 1)/(2σ) ≈ 1.32.
 * const rich = alignedMode({ sigma: 2, a0: 0.01, lambda: 0 });
 * console.log(rich.values([0, 1, 2, 4]));   // ≈ [0.01, 0.431, 1.875, 2.000]
 * // Reversal learning: a0 < 0 reaches σ for λ ≠ 0 ...
 * console.log(alignedMode({ sigma: 1, a0: -0.5, lambda: 0.5 }).at(5)); // ≈ 0.9992
 * // ... and stalls on the saddle at λ = 0.
 * console.log(alignedMode({ sigma: 1, a0: -0.5, lambda: 0 }).at(5));   // ≈ −1.5e-5
 * ```
 */
export function alignedMode(options: AlignedModeOptions): AlignedMode {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('invalid argument. alignedMode expects an options object { sigma, a0, lambda, tau? }.');
  }
  assertKnownOptions(options, 'alignedMode', {
    sigma: true,
    a0: true,
    lambda: true,
    tau: true,
  } satisfies Record<keyof AlignedModeOptions, true>);
  const { sigma, a0, lambda } = options;
  assertFiniteNumber(sigma, 'sigma');
  if (sigma < 0) {
    throw new InvalidArgumentError(
      `invalid argument. \`sigma\` must be a number ≥ 0 (a singular value of Σyx). Value: ${sigma}. ` +
        `For a mode whose target is −|σ|, use the mirror image: alignedMode({ sigma: |σ|, a0: −a0, lambda }) and negate a(t).`,
      'sigma',
    );
  }
  assertFiniteNumber(a0, 'a0');
  assertFiniteNumber(lambda, 'lambda');
  const tau = options.tau ?? 1;
  assertPositiveNumber(tau, 'tau');
  const constants = modeConstants(sigma, a0, lambda);
  return {
    sigma,
    a0,
    lambda,
    tau,
    at(t: number): number {
      assertTime(t, 't');
      return t === 0 ? a0 : evaluateMode(constants, t / tau);
    },
    values(times: ArrayLike<number>): Float64Array {
      if (times === null || typeof times !== 'object' || typeof times.length !== 'number') {
        throw new InvalidArgumentError(
          `invalid argument. \`times\` must be an array (or typed array) of times ≥ 0. Value: ${String(times)}.`,
          'times',
        );
      }
      const n = times.length;
      if (!(Number.isInteger(n) && n >= 0 && n <= 2 ** 32 - 1)) {
        throw new InvalidArgumentError(`invalid argument. \`times.length\` must be an array length (an integer in [0, 2^32 − 1]). Value: ${n}.`, 'times');
      }
      let out: Float64Array;
      try {
        out = new Float64Array(n);
      } catch {
        throw new InvalidArgumentError(`invalid argument. \`times\` has ${n} entries: their values (${n * 8} bytes) cannot be allocated.`, 'times');
      }
      for (let i = 0; i < n; i++) {
        const t = times[i];
        if (typeof t !== 'number' || !(t >= 0 && t < Infinity)) assertTime(t, `times[${i}]`);
        out[i] = t === 0 ? a0 : evaluateMode(constants, t / tau);
      }
      return out;
    },
  };
}
