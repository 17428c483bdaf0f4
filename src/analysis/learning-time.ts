/**
 * `learningTime`: how long one aligned mode takes to reach a given fraction of its target
 * (MATH.md §5), in closed form.
 *
 * Derivation. The mode strength obeys τ da/dt = sqrt(λ² + 4a²)(σ − a), which separates:
 * with q = |λ|/2, ρ(a) = sqrt(a² + q²) and κ = sqrt(σ² + q²) = K/2,
 *
 *     t/τ = ∫_{a0}^{A} da / (2ρ(a)(σ − a)) = (L(A) − L(a0)) / K,
 *     L(a) = ln(κρ(a) + σa + q²) − ln(σ − a)        (a < σ),
 *
 * as differentiating L confirms: L'(a) = (κa/ρ + σ)/(κρ + σa + q²) + 1/(σ − a) = κ/(ρ(σ − a)).
 * By Cauchy–Schwarz κρ ≥ |σa + q²|, so the first logarithm's argument is > 0 whenever
 * λ ≠ 0; where σa + q² < 0 (a < 0) it is evaluated without cancellation from
 * (κρ + σa + q²)(κρ − σa − q²) = q²(σ − a)². At λ = 0 (q = 0) the argument is 2σa, which
 * vanishes for a ≤ 0: the saddle, never left (MATH.md §8); for a0 > 0 this is the
 * classical t = (τ/2σ) ln(A(σ − a0)/(a0(σ − A))).
 *
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import {
  assertFiniteNumber,
  assertKnownOptions,
  assertNonNegativeNumber,
  assertOpenInterval,
  assertPositiveNumber,
} from '../validation.js';

/**
 * Options of {@link learningTime}.
 *
 * @example
 * ```ts
 * import type { LearningTimeOptions } from 'exact-dln';
 * const options: LearningTimeOptions = { sigma: 2, a0: 0.01, lambda: 0, fraction: 0.5 };
 * ```
 */
export interface LearningTimeOptions {
  /** σ ≥ 0, the task's singular value the mode learns. */
  sigma: number;
  /** a(0), the initial strength of the mode (any finite number; negative = reversed). */
  a0: number;
  /** λ, the balance (any finite number; only |λ| matters). */
  lambda: number;
  /** The target as a fraction of σ, in the open interval (0, 1); default 0.9. */
  fraction?: number;
  /** Time constant τ > 0; default 1. */
  tau?: number;
}

/**
 * The first time t at which an aligned mode reaches a(t) = fraction·σ (MATH.md §5), in
 * closed form from the separable ODE τ da/dt = sqrt(λ² + 4a²)(σ − a): with q = |λ|/2,
 * κ = sqrt(σ² + q²) and L(a) = ln(κ·sqrt(a² + q²) + σa + q²) − ln(σ − a),
 * t = τ·(L(fraction·σ) − L(a0))/(2κ). It is the inverse of
 * {@link alignedMode}: `alignedMode(o).at(learningTime(o)) = fraction·σ`.
 *
 * Special cases:
 * - `0` if a0 ≥ fraction·σ already (a mode starting above σ decays towards σ and never
 *   drops below it);
 * - `Infinity` if the target is never reached: λ = 0 with a0 ≤ 0 (the saddle of reversal
 *   learning, MATH.md §8: a stays ≤ 0), and σ = 0 with a0 < 0 (a → 0⁻ only asymptotically);
 * - for λ ≠ 0 every a0 < fraction·σ gives a finite time, decreasing as |λ| grows (the
 *   rate sqrt(λ² + 4a²) increases with |λ|); the sign of λ does not matter.
 *
 * At λ = 0 and a0 > 0 this is t = (τ/2σ)·ln(f(σ − a0)/(a0(1 − f))) with f = fraction.
 *
 * Accuracy (test/analysis/learning-time.test.ts): `alignedMode(...).at(t)` at the
 * returned t equals fraction·σ to ≲ 1e-12 absolute over σ ∈ [0.1, 5], |λ| ≤ 20,
 * a0 ∈ (0, σ), fraction ∈ [0.05, 0.99]. Cost: O(1) (a few logarithms).
 *
 * @param options - `{ sigma, a0, lambda, fraction = 0.9, tau = 1 }`, see {@link LearningTimeOptions}.
 * @returns the time t ≥ 0 (in the units of τ), or `Infinity`.
 * @throws {@link NonFiniteError} if `sigma`, `a0`, `lambda`, `fraction` or `tau` is NaN or ±Infinity.
 * @throws {@link InvalidArgumentError} if `sigma` < 0, `fraction` is not in (0, 1), `tau` ≤ 0,
 *   a value is not a number, or `options` is not an object.
 * @example
 * ```ts
 * import { learningTime } from 'exact-dln';
 * // Rich regime: the time to learn grows like ln(1/a0)/(2σ) ...
 * console.log(learningTime({ sigma: 2, a0: 0.01, lambda: 0 }));        // ≈ 1.873
 * // ... a larger |λ| speeds it up (lazy regime: t ≈ ln(10)/|λ| for fraction 0.9).
 * console.log(learningTime({ sigma: 2, a0: 0.01, lambda: 20 }));       // ≈ 0.1139
 * // Reversal at λ = 0 never succeeds; any λ ≠ 0 rescues it.
 * console.log(learningTime({ sigma: 1, a0: -0.5, lambda: 0 }));        // Infinity
 * console.log(learningTime({ sigma: 1, a0: -0.5, lambda: 0.5 }));      // ≈ 2.590
 * ```
 */
export function learningTime(options: LearningTimeOptions): number {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(
      'invalid argument. learningTime expects an options object { sigma, a0, lambda, fraction?, tau? }.',
    );
  }
  assertKnownOptions(options, 'learningTime', {
    sigma: true,
    a0: true,
    lambda: true,
    fraction: true,
    tau: true,
  } satisfies Record<keyof LearningTimeOptions, true>);
  const { sigma, a0, lambda } = options;
  assertNonNegativeNumber(sigma, 'sigma');
  assertFiniteNumber(a0, 'a0');
  assertFiniteNumber(lambda, 'lambda');
  const fraction = options.fraction ?? 0.9;
  assertOpenInterval(fraction, 'fraction', 0, 1);
  const tau = options.tau ?? 1;
  assertPositiveNumber(tau, 'tau');

  const target = fraction * sigma;
  if (a0 >= target) return 0;
  // From here a0 < target ≤ σ·fraction < σ (or σ = 0 and a0 < 0).
  if (sigma === 0) return Infinity;
  if (lambda === 0 && a0 <= 0) return Infinity;

  // The potential below is scale-free up to a constant (σ, a, q → cσ, ca, cq adds log c to
  // it, and κ → cκ), so σ, a0 and q = |λ|/2 are scaled by a power of two c, and
  // s = c·Δ/(2κ_c). c centres the sizes of the non-zero ones on 1 (in the exponent), so
  // that the products in the potential (κρ, σa, q², of the sizes' squares) neither overflow
  // nor underflow while the sizes span less than 2^1000 — and never lets the largest exceed
  // 2^510. (Scaling each case so that the largest became 1 gave NaN at λ = 1e155, Infinity at
  // σ = 1e154, and — pushing σ² and q² under 2^-1000 beside a0 = −1e170 — a time of 0, NaN
  // at a0 = −1e250, λ = 1e-300, or 5e-6 off at a0 = −1e160.) ln q is taken from |λ|/2 and c,
  // not from q·c, which may underflow where q² is negligible anyway.
  const half = Math.abs(lambda) / 2;
  const sizes = [sigma, Math.abs(a0), half].filter((x) => x > 0);
  const eMax = Math.log2(Math.max(...sizes));
  const eMin = Math.log2(Math.min(...sizes));
  const shift = Math.max(-1000, Math.min(1000, Math.round(Math.max((eMax + eMin) / 2, eMax - 510))));
  const c = 2 ** -shift;
  const q = half * c;
  const q2 = q * q;
  const sigmaC = sigma * c;
  const kappa = Math.hypot(sigmaC, q);
  // −Infinity at λ = 0 (only used when σa + q² < 0, excluded above).
  const logQ = half === 0 ? -Infinity : Math.log(half) - shift * Math.LN2;
  const potential = (a: number): number => {
    const rho = Math.hypot(a, q);
    const w = sigmaC * a + q2;
    if (w >= 0) return Math.log(kappa * rho + w) - Math.log(sigmaC - a);
    // κρ + w = q²(σ − a)²/(κρ − w), without cancellation.
    return 2 * logQ + Math.log(sigmaC - a) - Math.log(kappa * rho - w);
  };
  const s = (c * (potential(target * c) - potential(a0 * c))) / (2 * kappa);
  // s > 0 mathematically; rounding can only matter when a0 is within an ulp of the target.
  return tau * Math.max(s, 0);
}
