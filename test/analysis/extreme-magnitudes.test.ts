/**
 * The scalar closed forms at magnitudes where a square over- or underflows, found by an
 * adversarial fuzz: each returned NaN or ±Infinity for finite, valid input. The references
 * share no arithmetic with the code under test: the scaling law of the flow (σ, a0, λ → cσ,
 * ca0, cλ makes every time 1/c as long, exactly, for c a power of two), the sigmoid of
 * MATH.md §5 evaluated directly where it does not overflow, and the limit κ − λ/2 = σ²/(κ + λ/2).
 */
import { describe, expect, it } from 'vitest';
import {
  alignedMode,
  convergedRepresentations,
  expectedLambda,
  exactDynamics,
  InvalidArgumentError,
  learningTime,
} from '../../src/index.js';
import { thrown } from '../helpers/errors.js';

describe('scalar closed forms at extreme magnitudes', () => {
  it('learningTime with |λ| or σ near 1e155 (squares overflow) follows the scaling law, and alignedMode reaches the fraction then', () => {
    // Scaling law: T(cσ, ca0, cλ) = T(σ, a0, λ)/c. c = 2^-500 brings each case to moderate numbers.
    const c = 2 ** -500;
    const cases = [
      { sigma: 1, a0: 0.1, lambda: 1e155 },
      { sigma: 1, a0: 0.1, lambda: -3e200 },
      { sigma: 1e154, a0: 1e-3, lambda: 0 },
      { sigma: 1e160, a0: -1e150, lambda: 1e158 },
    ];
    for (const o of cases) {
      const t = learningTime(o);
      const scaled = learningTime({ sigma: o.sigma * c, a0: o.a0 * c, lambda: o.lambda * c }) * c;
      expect(Number.isFinite(t), JSON.stringify(o)).toBe(true);
      expect(Math.abs(t - scaled) / scaled, JSON.stringify(o)).toBeLessThan(1e-13);
      // The first time a reaches 0.9σ (alignedMode: its own closed form, checked against RK4 elsewhere).
      expect(alignedMode(o).at(t) / o.sigma).toBeCloseTo(0.9, 12);
    }
  });

  it('learningTime with all of σ, a0, λ below 1e-151 (squares underflow) follows the scaling law', () => {
    const c = 2 ** 600;
    const o = { sigma: 1e-200, a0: 1e-203, lambda: 3e-200 };
    const t = learningTime(o);
    const scaled = learningTime({ sigma: o.sigma * c, a0: o.a0 * c, lambda: o.lambda * c }) * c;
    expect(Math.abs(t - scaled) / scaled).toBeLessThan(1e-13);
  });

  it('alignedMode of a tiny mode next to a huge σ is the sigmoid, not 0/0', () => {
    // λ = 0: a = σ·a0 / (σ·e^{−2σs} + a0·(1 − e^{−2σs})); here σ·a0 = 1, so it evaluates directly.
    const sigma = 1e200;
    const a0 = 1e-200;
    const mode = alignedMode({ sigma, a0, lambda: 0 });
    for (const s of [1e-201, 3e-201, 1e-200, 1]) {
      const e = Math.exp(-2 * sigma * s);
      const expected = (sigma * a0) / (sigma * e + a0 * (1 - e));
      expect(Math.abs(mode.at(s) - expected) / expected, `s = ${s}`).toBeLessThan(1e-13);
    }
  });

  it('alignedMode of an empty mode stays 0 when t/τ overflows', () => {
    expect(alignedMode({ sigma: 0, a0: 0, lambda: 0, tau: 1e-300 }).at(1e10)).toBe(0);
    expect(alignedMode({ sigma: 0, a0: 0, lambda: 0, tau: 1e-300 }).values([0, 1e10])).toEqual(new Float64Array([0, 0]));
  });

  it('convergedRepresentations with σ beyond 1e154 is κ ∓ λ/2, as exactDynamics(...).converged() says', () => {
    const sigmaYX = [[2e155, 0], [0, 1e155]];
    const limit = convergedRepresentations({ sigmaYX, lambda: 1, hiddenDim: 2 });
    // κ − 1/2 = σ²/(κ + 1/2) with κ = sqrt(σ² + 1/4): σ to 1e-300 relative.
    expect(limit.w1tw1.to2DArray()).toEqual([[2e155, 0], [0, 1e155]]);
    expect(limit.w2w2t.to2DArray()).toEqual([[2e155, 0], [0, 1e155]]);
    const dyn = exactDynamics({ w1: [[1e-3, 0], [0, 1e-3]], w2: [[Math.sqrt(1 + 1e-6), 0], [0, Math.sqrt(1 + 1e-6)]], sigmaYX });
    const converged = dyn.converged().w1tw1.to2DArray();
    expect(Math.abs(converged[0][0] - 2e155) / 2e155).toBeLessThan(1e-14);
  });

  it('expectedLambda of a custom scheme whose squares overflow: 0 when they cancel, a typed error when λ itself is out of range', () => {
    expect(expectedLambda({ scheme: 'custom', inputDim: 2, hiddenDim: 2, outputDim: 2, sigma1: 1e200, sigma2: 1e200 })).toBe(0);
    // Large and small σ whose squares are still in range: the scaled arithmetic gives them exactly
    // (No·σ² − Ni·σ² = σ², powers of two are exact).
    const big = expectedLambda({ scheme: 'custom', inputDim: 2, hiddenDim: 2, outputDim: 3, sigma1: 1e130, sigma2: 1e130 });
    expect(Math.abs(big - 1e260) / 1e260).toBeLessThan(1e-15);
    const small = expectedLambda({ scheme: 'custom', inputDim: 2, hiddenDim: 2, outputDim: 3, sigma1: 2 ** -450, sigma2: 2 ** -450 });
    expect(small).toBe(2 ** -900);
    const e = thrown(() => expectedLambda({ scheme: 'custom', inputDim: 2, hiddenDim: 2, outputDim: 3, sigma1: 1e200, sigma2: 1e200 }));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toContain('beyond double precision');
  });
});
