/**
 * Regression test for the completion of the orthonormal basis K in the graded
 * orthogonalisation (MATH.md §4, step 1; src/core/riccati.ts). With one growing direction
 * missing (Nh − 1 pivots) whose complement is spread over many coordinates, every standard
 * basis vector can have a residual² below a fixed threshold (e.g. 1/8 < 0.25 for Nh = 8):
 * the old "first e_j with residual² > 0.25" rule then left K incomplete and the constructor
 * crashed ("Cannot read properties of undefined"). Found on the depth-3 hierarchy with a
 * flipped feature at λ = 0 (the determinant-sign saddle: sign det W2W1(0) ≠ sign det Σyx).
 */
import { determinant } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { exactDynamics, integrateGradientFlow, lambdaBalancedWeights } from '../../src/index.js';
import { featureFlip } from '../../src/applications/feature-flip.js';
import { hierarchicalTask } from '../../src/applications/hierarchical-task.js';

describe('RiccatiSolution basis completion with Nh − 1 pivots', () => {
  it('builds, matches RK4 and converges to the saddle that misses the weakest mode', () => {
    const sigmaYX = featureFlip(hierarchicalTask({ depth: 3 }), [2]).sigmaYX;
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 8, hiddenDim: 8, outputDim: 8, lambda: 0, scale: 1e-3, seed: 1 });
    expect(Math.sign(determinant(w2.mmul(w1)))).toBe(-Math.sign(determinant(sigmaYX)));
    const dyn = exactDynamics({ w1, w2, sigmaYX });
    const times = [2, 5];
    const run = integrateGradientFlow({ w1, w2, sigmaYX, times });
    times.forEach((t, k) => {
      const exact = dyn.at(t).w2w1;
      expect(run.w2[k].mmul(run.w1[k]).sub(exact).norm('frobenius') / exact.norm('frobenius')).toBeLessThan(1e-9);
    });
    // One σ = 0.5 mode can never be learned: loss ½·0.5² = 0.125 for ever.
    expect(dyn.at(1e4).loss).toBeCloseTo(0.125, 9);
    expect(dyn.converged().loss).toBeCloseTo(0.125, 9);
  });
});
