/**
 * Gradient descent approximates the gradient flow with a global error of first order in the
 * learning rate η — the assumption behind benchmark 1's equal-accuracy column, which
 * extrapolates the steps needed for a 1e-6 learning curve from the error at η = 0.01.
 * Checked here over 2.4 decades against the exact learning curve: on the benchmark's own
 * configuration at n = 4 (t up to 20τ, 1000 grid points), the curve error
 * e(η) = max_k |L_GD(t_k) − L(t_k)| / L(0) must scale like η from η = 0.01 down to
 * η = 0.01/256 (512 000 steps). Tolerance: e(η)/e(η/256) within 5 % of 256 — the O(η²)
 * remainder is ≈ η·γ_max ≈ 0.3 % of e at η = 0.01, and the closed form (≈ 1e-12) is exact
 * at the level of e(η/256) ≈ 1.4e-6.
 */
import { describe, expect, it } from 'vitest';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { gradientDescentFromTask } from '../../src/simulation/gradient-descent.js';
import { benchConfig, timeGrid } from '../../bench/harness.js';

describe('gradient descent vs the exact learning curve', () => {
  it('the curve error is first order in η over 2.4 decades (η = 0.01 … 0.01/256)', () => {
    const cfg = benchConfig(4);
    const times = timeGrid(1000, 20);
    const exact = exactDynamics({ w1: cfg.w1, w2: cfg.w2, sigmaYX: cfg.sigmaYX });
    const loss = exact.lossCurve(times);
    const loss0 = exact.at(0).loss;
    const curveError = (eta: number): number => {
      const every = Math.round(0.02 / eta);
      const gd = gradientDescentFromTask({ w1: cfg.w1, w2: cfg.w2, sigmaYX: cfg.sigmaYX, learningRate: eta, steps: Math.round(20 / eta), recordEvery: every });
      let worst = 0;
      for (let k = 0; k < times.length; k++) worst = Math.max(worst, Math.abs(gd.loss[k + 1] - loss[k]));
      return worst / loss0;
    };
    const coarse = curveError(0.01);
    const fine = curveError(0.01 / 256);
    expect(coarse).toBeGreaterThan(1e-4); // gradient descent at η = 0.01 is visibly off
    expect(coarse / fine).toBeGreaterThan(256 * 0.95);
    expect(coarse / fine).toBeLessThan(256 * 1.05);
  });
});
