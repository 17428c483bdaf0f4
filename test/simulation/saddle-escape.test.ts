/**
 * Why gradient descent and the closed form part ways on a λ = 0 saddle (docs/model.md,
 * "Saddles"). A square network at λ = 0 keeps the sign of det(W2W1) under gradient flow
 * (with W1W1ᵀ = W2ᵀW2, d ln|det W1|/dt = tr(V·Uᵀ·(Σyx − W2W1)) stays bounded), so a start of
 * the sign opposite to det Σyx stops with its weakest mode unlearned: loss ½σ_min² forever,
 * which the closed form returns exactly. A gradient step changes W2ᵀW2 − W1W1ᵀ by
 * η²·(W1EᵀEW1ᵀ − W2ᵀEEᵀW2) (E = Σyx − W2W1), so gradient descent leaves λ = 0 at a rate O(η)
 * per unit time, and any λ ≠ 0 escapes the saddle (MATH.md §8): the simulation learns the
 * weakest mode, whatever η. Near such a saddle the O(η) agreement of the two does not hold.
 */
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { balanceOf } from '../../src/core/balance.js';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { gradientDescentFromTask } from '../../src/simulation/gradient-descent.js';

describe('a λ = 0 start of the wrong determinant sign: the exact flow stays on the saddle, gradient descent escapes through its own drift of λ', () => {
  it('2×2×2, Σyx = diag(1, 0.5): closed form loss ½·0.5² at t = 400 and in the limit; gradient descent at η = 0.1, 0.05, 0.025 learns the task by t = 100 and ends with λ ∝ η', () => {
    const sigmaYX = Matrix.diag([1, 0.5]);
    // det W2W1 < 0 < det Σyx: the sign of diag(1, −0.5)'s determinant.
    const w = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 2, outputDim: 2, lambda: 0, scale: 0.01, seed: 3, matchDeterminantSign: Matrix.diag([1, -0.5]) });
    const saddle = 0.5 * 0.5 ** 2;
    const dyn = exactDynamics({ ...w, sigmaYX });
    expect(Math.abs(dyn.at(400).loss - saddle)).toBeLessThan(1e-12 * saddle);
    expect(Math.abs(dyn.converged().loss - saddle)).toBeLessThan(1e-12 * saddle);
    const drift: number[] = [];
    for (const eta of [0.1, 0.05, 0.025]) {
      const gd = gradientDescentFromTask({ ...w, sigmaYX, learningRate: eta, steps: Math.round(100 / eta), recordEvery: Math.round(100 / eta) });
      expect(gd.times.at(-1)).toBeCloseTo(100, 9);
      expect(gd.loss.at(-1), `η = ${eta}`).toBeLessThan(1e-20 * saddle);
      drift.push(Math.abs(balanceOf(gd.w1.at(-1)!, gd.w2.at(-1)!).lambda));
    }
    // λ after the escape is first order in η: halving η halves it (to the O(η²) remainder).
    for (let k = 1; k < drift.length; k++) {
      expect(drift[k - 1] / drift[k]).toBeGreaterThan(1.8);
      expect(drift[k - 1] / drift[k]).toBeLessThan(2.2);
    }
  });
});
