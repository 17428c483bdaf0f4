/**
 * Growth rates of distinct singular values at |λ| ≫ σ: κ = √(σ² + λ²/4) differs from the
 * left-over directions' |λ|/2 by only σ²/(κ + |λ|/2) ≈ σ²/|λ|, below 1e-12·|λ| from
 * |λ| ≈ 1e6·σ on. The spectrum used to merge such rates as if the singular values were
 * repeated; a network whose hidden layer is narrower than the large side then never chose
 * the task's direction over a left-over one (a 1×1×2 network at λ = 1e7 stayed at loss
 * 1.25e-2 for ever). Reference: MATH.md §5, the converged state of a bottlenecked network is
 * the rank-Nh truncated SVD of Σyx — here loss 0 (rank-1 task, Nh = 1).
 */
import { describe, expect, it } from 'vitest';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { ExactDlnError } from '../../src/errors.js';
import { thrown } from '../helpers/errors.js';

describe('distinct singular values stay distinct at large |λ| (rates merged only for repeated σ)', () => {
  for (const lambda of [1e7, 5e7, -1e7, -5e7]) {
    it(`λ = ${lambda}: the task's direction wins (loss → 0 at t = ∞ and by t = 40·|λ|/σ²), though it never does within the lazy time 10/|λ|`, () => {
      // λ > 0: 1×1×2, the output side has a left-over direction; λ < 0: 2×1×1, the mirror.
      const [ni, no] = lambda > 0 ? [1, 2] : [2, 1];
      const sigmaYX = lambda > 0 ? [[1], [0]] : [[1, 0]];
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: 1, outputDim: no, lambda, scale: 0.5, seed: 3 });
      const dyn = exactDynamics({ w1, w2, sigmaYX });
      const lazy = dyn.at(10 / Math.abs(lambda)).loss;
      expect(lazy).toBeGreaterThan(1e-3); // the part of the task outside the hidden layer's initial reach
      // The slow rotation's rate is 2·σ²/(κ + |λ|/2) ≈ 2/|λ|: e^{−80} ≈ 2e-35 of the loss left at 40·|λ|.
      expect(dyn.at(40 * Math.abs(lambda)).loss).toBeLessThan(1e-12);
      expect(dyn.converged().loss).toBeLessThan(1e-20);
    });
  }
});

describe('beyond the rates’ resolution converged() and late times say so instead of returning a frozen mixture', () => {
  for (const lambda of [1e9, 1e12, -1e9]) {
    it(`λ = ${lambda}, 1×1×2 (or its mirror): converged() throws a typed error naming the two rates; early times still evaluate`, () => {
      const [ni, no] = lambda > 0 ? [1, 2] : [2, 1];
      const sigmaYX = lambda > 0 ? [[1], [0]] : [[1, 0]];
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: 1, outputDim: no, lambda, scale: 0.5, seed: 3 });
      const dyn = exactDynamics({ w1, w2, sigmaYX });
      const error = thrown(() => dyn.converged());
      expect(error).toBeInstanceOf(ExactDlnError);
      expect(error.message).toMatch(/σ = 1\.00000 and a direction Σyx does not use/);
      expect(error.message).toMatch(/docs\/model\.md/);
      // The lazy phase (t ≈ 10/|λ|) is far inside the resolved times; once the choice (rate
      // gap ≈ 1/|λ|) would have gone 1e-6 of its way, at(t) and the summaries refuse too.
      expect(dyn.at(10 / Math.abs(lambda)).loss).toBeGreaterThan(1e-3);
      expect(dyn.summaries([10 / Math.abs(lambda)]).loss[0]).toBeGreaterThan(1e-3);
      const late = 1e-5 * Math.abs(lambda);
      expect(thrown(() => dyn.at(late)).message).toMatch(/cannot give this network's state at t\/τ/);
      expect(thrown(() => dyn.lossCurve([0, late])).message).toMatch(/cannot give this network's state at t\/τ/);
    });
  }

  it('a hidden layer that spans the large side has no choice to make: 3×3×3 at λ = ±1e12 with distinct σ converges to loss 0', () => {
    for (const lambda of [1e12, -1e12]) {
      const sigmaYX = [[3, 0, 0], [0, 2, 0], [0, 0, 1]];
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda, scale: 0.5, seed: 4 });
      expect(exactDynamics({ w1, w2, sigmaYX }).converged().loss, `λ = ${lambda}`).toBeLessThan(1e-20);
    }
  });
});

describe('an aligned start has no choice to make either (a review found it refused: its other modes had rounding-level shares)', () => {
  for (const lambda of [1e9, 1e12, -1e9]) {
    it(`λ = ${lambda}, a non-diagonal 3×2 task, one hidden unit on its stronger mode: converged and late losses are σ₂²/2 (the truncated SVD)`, () => {
      const base = [[0.6, 0.8], [-0.8, 0.6], [0.3, 0.1]];
      const sigmaYX = lambda > 0 ? base : [[0.6, -0.8, 0.3], [0.8, 0.6, 0.1]];
      const [ni, no] = lambda > 0 ? [2, 3] : [3, 2];
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: 1, outputDim: no, lambda, scale: 0.5, seed: 5, alignTo: sigmaYX });
      const dyn = exactDynamics({ w1, w2, sigmaYX });
      // σ₂ of [[0.6, 0.8], [−0.8, 0.6], [0.3, 0.1]]: ΣᵀΣ = [[1.09, 0.03], [0.03, 1.01]], eigenvalues 1.05 ± √(0.04² + 0.03²) = 1.05 ± 0.05.
      const lost = 1.0 / 2;
      expect(Math.abs(dyn.converged().loss - lost)).toBeLessThan(1e-12);
      expect(Math.abs(dyn.at(1e4).loss - lost)).toBeLessThan(1e-12);
    });
  }
});
