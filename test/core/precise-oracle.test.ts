/**
 * The decimal oracle of test/helpers/precise-riccati.ts checked against the plain formula of
 * MATH.md §4 in double precision (test/helpers/oracles.ts, `naiveP`) where that one is
 * accurate, at small s: one oracle validated by another that shares none of its code paths
 * (naiveP diagonalises F numerically). Includes σ = 0 at λ = 0, where κ = 0 and the oracle's
 * eigenvector formula was 0/0 (a review's finding: NaN entries).
 */
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { naiveP, relErr } from '../helpers/oracles.js';
import { preciseP } from '../helpers/precise-riccati.js';

describe('the decimal oracle against the double-precision plain formula at small s', () => {
  const cases: [ni: number, nh: number, no: number, lambda: number, sigma: number[]][] = [
    [3, 2, 3, 0, [1, 0.5, 0]],
    [2, 2, 2, 0, [0, 0]],
    [3, 2, 3, 0.5, [1, 0.5, 0]],
    [2, 2, 4, 1.5, [1, 0.2]],
    [4, 2, 2, -2, [0.7, 0]],
  ];
  for (const [ni, nh, no, lambda, sigma] of cases) {
    it(`${ni}×${nh}×${no}, λ = ${lambda}, σ = (${sigma.join(', ')}): to 1e-12 at s = 0.1, 0.5, 1`, () => {
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda, scale: 0.5, seed: ni + 3 * nh + 5 * no });
      const sigmaYX = Matrix.zeros(no, ni);
      sigma.forEach((sg, k) => sigmaYX.set(k, k, sg));
      for (const s of [0.1, 0.5, 1]) {
        // naiveP's own rounding at these s: a few ε·e^{2γ_max s}·cond(M), ≲ 1e-14 here.
        expect(relErr(preciseP(w1, w2, sigma, lambda, s), naiveP(w1, w2, sigmaYX, lambda, s)), `s = ${s}`).toBeLessThan(1e-12);
      }
    });
  }
});
