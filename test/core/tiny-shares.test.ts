/**
 * A hidden layer that holds a mode only by a tiny share η while another mode of the same
 * growth rate (a repeated singular value) is held fully. The graded orthogonalisation may take
 * rows of one rate in any order; taking the tiny one first made two pivot columns of L nearly
 * parallel, the Gram matrix S = Ê⁻² + BᵀB ill-conditioned by 1/η² after any scaling, and its
 * Cholesky factor lost that many digits: converged loss 0.06 for 0 at η = 1e-8 (a review's
 * case: 3×2×3, Σyx = diag(1, 1, 0), λ = −3, weights aligned to a slightly perturbed
 * diag(1, 2, 3)). Rows of one rate are now taken largest first.
 *
 * Reference: MATH.md §4's plain formula in decimal arithmetic (test/helpers/precise-riccati.ts)
 * and MATH.md §5: a rank-2 task with Nh = 2 and a generic start converges to loss 0.
 */
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { relErr } from '../helpers/oracles.js';
import { preciseP } from '../helpers/precise-riccati.js';

describe('a mode held by a tiny share next to a fully held mode of the same rate', () => {
  for (const lambda of [-3, 0.5, 4]) {
    it(`λ = ${lambda}, 3×2×3, Σyx = diag(1, 1, 0), shares η = 1e-4, 1e-6, 1e-8: P(t) to 1e-12 of the decimal oracle up to t = 100τ, converged loss 0`, () => {
      for (const eta of [1e-4, 1e-6, 1e-8]) {
        // Aligned to diag(1, 2, 3) perturbed by η: the hidden layer holds e₃ (σ = 0) and e₂
        // (σ = 1) and, through the perturbation, e₁ (σ = 1, the same rate as e₂) by ≈ η.
        const alignTo = [[1, eta, eta], [-eta, 2, 0], [eta, 0, 3]];
        const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 2, outputDim: 3, lambda, scale: 1, seed: 1, alignTo });
        const sigma = [1, 1, 0];
        const dyn = exactDynamics({ w1, w2, sigmaYX: [[1, 0, 0], [0, 1, 0], [0, 0, 0]] });
        for (const t of [1, 10, 30, 100]) {
          // The closed form's rounding: a few hundred ε (see large-lambda-selection.test.ts).
          expect(relErr(dyn.at(t).qqt, preciseP(w1, w2, sigma, dyn.lambda, t)), `η = ${eta}, t = ${t}`).toBeLessThan(1e-12);
        }
        // Both σ = 1 modes are learned in the end (the tiny share is far above the saddle
        // threshold 1e-12·‖Q(0)‖): loss 0 up to rounding of ½‖Σyx‖² = 1.
        expect(dyn.converged().loss, `η = ${eta}`).toBeLessThan(1e-20);
      }
    });
  }
});
