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
