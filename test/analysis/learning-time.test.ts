/**
 * learningTime (MATH.md §5): the closed-form time for an aligned mode to reach fraction·σ.
 * It is derived from the separable ODE (an integral), independently of alignedMode's
 * Riccati formula, so inverting one with the other checks both. Also: the classical λ = 0
 * formula, the lazy limit, the reversal saddle, monotonicity in |λ|, validation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignedMode } from '../../src/analysis/aligned-mode.js';
import { learningTime } from '../../src/analysis/learning-time.js';
import { ExactDlnError, InvalidArgumentError, NonFiniteError } from '../../src/errors.js';
import { expectTypedError } from '../helpers/errors.js';

/**
 * A number in [min, max] spread over the whole interval (fc.double alone concentrates on
 * values of tiny magnitude); mixed with fc.double's edge cases (±0, subnormal, ...).
 */
function spread(min: number, max: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 2 ** 30 }).map((k) => min + ((max - min) * k) / 2 ** 30) },
    { weight: 1, arbitrary: fc.double({ min, max, noNaN: true }) },
  );
}

describe('learningTime inverts alignedMode', () => {
  it('alignedMode.at(learningTime) = fraction·σ to 1e-10 (property-based)', () => {
    // a(T) − fσ ≈ a'(T)·δT with δT ~ 1e-16·|log terms|/K: ≲ 1e-13 here; 1e-10 is the contract.
    const seed = 20261130;
    let worst = 0;
    let finite = 0;
    fc.assert(
      fc.property(
        spread(0.1, 5),
        spread(-9, 0), // a0 = σ·10^e ∈ (0, σ)
        spread(-20, 20),
        spread(0.05, 0.99),
        spread(0.1, 10),
        (sigma, e, lambda, fraction, tau) => {
          const a0 = Math.min(sigma * 10 ** e, sigma * (1 - 1e-12));
          const t = learningTime({ sigma, a0, lambda, fraction, tau });
          if (a0 >= fraction * sigma) {
            expect(t).toBe(0);
            return;
          }
          expect(Number.isFinite(t)).toBe(true);
          expect(t).toBeGreaterThan(0);
          const err = Math.abs(alignedMode({ sigma, a0, lambda, tau }).at(t) - fraction * sigma);
          worst = Math.max(worst, err);
          finite++;
          expect(err).toBeLessThan(1e-10);
        },
      ),
      { numRuns: 2000, seed },
    );
    console.log(`learningTime inversion (fast-check seed ${seed}): worst |a(T) − fσ| ${worst.toExponential(2)} over ${finite} finite cases`);
  });

  it('inverts alignedMode for reversed modes (a0 < 0, λ ≠ 0) and a0 > σ returns 0', () => {
    for (const lambda of [-7, -0.1, 1e-3, 0.5, 30]) {
      for (const [sigma, a0] of [[1, -0.5], [3, -10], [0.2, -1e-4]]) {
        const t = learningTime({ sigma, a0, lambda, fraction: 0.5 });
        expect(Math.abs(alignedMode({ sigma, a0, lambda }).at(t) - 0.5 * sigma)).toBeLessThan(1e-10);
      }
      expect(learningTime({ sigma: 1, a0: 1.5, lambda })).toBe(0);
      expect(learningTime({ sigma: 1, a0: 0.9, lambda, fraction: 0.9 })).toBe(0);
    }
  });
});

describe('learningTime special cases and limits', () => {
  it('λ = 0, a0 > 0: the classical t = (τ/2σ) ln(f(σ − a0)/(a0(1 − f)))', () => {
    for (const [sigma, a0, f, tau] of [[2, 0.01, 0.9, 1], [0.5, 1e-6, 0.5, 3], [4, 3.5, 0.95, 0.2]]) {
      const classical = (tau / (2 * sigma)) * Math.log((f * (sigma - a0)) / (a0 * (1 - f)));
      const t = learningTime({ sigma, a0, lambda: 0, fraction: f, tau });
      expect(Math.abs(t - classical) / classical).toBeLessThan(1e-13);
    }
  });

  it('Infinity on the λ = 0 saddle (a0 ≤ 0) and for σ = 0 with a0 < 0', () => {
    for (const a0 of [0, -1e-9, -0.5, -10]) expect(learningTime({ sigma: 1, a0, lambda: 0 })).toBe(Infinity);
    expect(learningTime({ sigma: 0, a0: -1, lambda: 3 })).toBe(Infinity);
    expect(learningTime({ sigma: 0, a0: 0.2, lambda: 3 })).toBe(0);
  });

  it('reversal (a0 < 0): finite for every λ ≠ 0, decreasing as |λ| grows, even in λ', () => {
    const sigma = 1.5;
    for (const a0 of [-0.1, -1.2, -5]) {
      const lambdas = [1e-4, 1e-2, 0.1, 0.3, 1, 3, 10, 100, 1000];
      const times = lambdas.map((lambda) => learningTime({ sigma, a0, lambda }));
      times.forEach((t) => expect(Number.isFinite(t)).toBe(true));
      for (let i = 1; i < times.length; i++) expect(times[i]).toBeLessThan(times[i - 1]);
      lambdas.forEach((lambda, i) => {
        expect(Math.abs(learningTime({ sigma, a0, lambda: -lambda }) - times[i])).toBeLessThanOrEqual(1e-14 * times[i]);
      });
      // The saddle is approached continuously: t → ∞ as λ → 0 (logarithmically).
      expect(times[0]).toBeGreaterThan(times[2] + 1);
    }
  });

  it('|λ| ≫ σ: approaches the lazy t = (τ/|λ|) ln((σ − a0)/((1 − f)σ))', () => {
    const sigma = 1;
    const a0 = 0.1;
    const f = 0.9;
    const rel = [10, 100, 1000].map((lambda) => {
      const lazy = Math.log((sigma - a0) / ((1 - f) * sigma)) / lambda;
      return Math.abs(learningTime({ sigma, a0, lambda, fraction: f }) - lazy) / lazy;
    });
    for (let i = 1; i < rel.length; i++) expect(rel[i]).toBeLessThan(rel[i - 1] / 30);
  });

  it('a0 → −∞: the time tends to (L(fσ) − 2 ln q + ln(κ + σ))/(2κ); reached, not 0 or NaN, for |a0| far beyond σ and λ (a review)', () => {
    // Derived independently of the implementation's potential: for a → −∞, ρ = |a|(1 + O(q²/a²))
    // and κρ − (σa + q²) = (κ + σ)|a|(1 + O(1/|a|)), so L(a) → 2 ln q − ln(κ + σ), while
    // L(A) = ln(κ·√(A² + q²) + σA + q²) − ln(σ − A) at A = fσ. The finite-a0 correction is
    // O(max(σ, q)/|a0|) relative: below 1e-140 for every case here.
    const limit = (sigma: number, lambda: number, f = 0.9): number => {
      const q = Math.abs(lambda) / 2;
      const kappa = Math.hypot(sigma, q);
      const a = f * sigma;
      const la = Math.log(kappa * Math.hypot(a, q) + sigma * a + q * q) - Math.log(sigma - a);
      return (la - 2 * Math.log(q) + Math.log(kappa + sigma)) / (2 * kappa);
    };
    for (const [sigma, a0, lambda] of [
      [1, -1e160, 1], // was 5e-6 off
      [1, -1e170, 1], // was 0
      [1, -1e180, 1e-100], // was 0
      [1, -1e250, 1e-300], // was NaN
      [1, -1e160, 1e-10], // was 2e-6 off
      [0.3, -1e300, 2],
    ]) {
      const t = learningTime({ sigma, a0, lambda });
      expect(Math.abs(t - limit(sigma, lambda)) / limit(sigma, lambda), `σ = ${sigma}, a0 = ${a0}, λ = ${lambda}`).toBeLessThan(1e-13);
    }
    // The reviewer's quadratures (mpmath, 60 digits): 232.7434 and 693.26.
    expect(learningTime({ sigma: 1, a0: -1e180, lambda: 1e-100 })).toBeCloseTo(232.7434, 3);
    expect(learningTime({ sigma: 1, a0: -1e250, lambda: 1e-300 })).toBeCloseTo(693.26, 1);
  });

  it('scales linearly with τ', () => {
    const base = learningTime({ sigma: 2, a0: -0.3, lambda: 0.8, fraction: 0.7 });
    expect(Math.abs(learningTime({ sigma: 2, a0: -0.3, lambda: 0.8, fraction: 0.7, tau: 3.5 }) - 3.5 * base)).toBeLessThan(1e-14 * base);
  });
});

describe('learningTime input validation', () => {
  it('rejects bad parameters with typed errors naming the argument', () => {
    const ok = { sigma: 1, a0: 0.1, lambda: 0 };
    const cases: Array<[() => unknown, new (...args: never[]) => Error, string]> = [
      [() => learningTime({ ...ok, fraction: 0 }), InvalidArgumentError, 'fraction'],
      [() => learningTime({ ...ok, fraction: 1 }), InvalidArgumentError, 'fraction'],
      [() => learningTime({ ...ok, fraction: 1.5 }), InvalidArgumentError, 'fraction'],
      [() => learningTime({ ...ok, fraction: -0.2 }), InvalidArgumentError, 'fraction'],
      [() => learningTime({ ...ok, fraction: NaN }), NonFiniteError, 'fraction'],
      [() => learningTime({ ...ok, sigma: NaN }), NonFiniteError, 'sigma'],
      [() => learningTime({ ...ok, sigma: -1 }), InvalidArgumentError, 'sigma'],
      [() => learningTime({ ...ok, a0: NaN }), NonFiniteError, 'a0'],
      [() => learningTime({ ...ok, lambda: Infinity }), NonFiniteError, 'lambda'],
      [() => learningTime({ ...ok, tau: -1 }), InvalidArgumentError, 'tau'],
      [() => learningTime(undefined as never), InvalidArgumentError, 'options'],
    ];
    for (const [fn, type, name] of cases) {
      const e = expectTypedError(fn, type, name === 'options' ? 'options object' : `\`${name}\``);
      expect(e).toBeInstanceOf(ExactDlnError);
    }
  });
});
