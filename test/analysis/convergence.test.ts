/**
 * `convergence`: whether the exact flow learns the task or stops on a saddle, against
 * independent facts — the sign of det(W2W1) (conserved at λ = 0 when Ni = No ≤ Nh), the
 * Eckart–Young minimum ½Σ_{α≥Nh}σ_α² from an SVD of Σyx, and reversed aligned modes.
 */
import { LuDecomposition, Matrix, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { convergence } from '../../src/analysis/convergence.js';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { randomTask } from '../../src/core/task.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { expectTypedError } from '../helpers/errors.js';

const det = (m: Matrix): number => new LuDecomposition(m).determinant;

describe('convergence', () => {
  for (const [ni, nh, no] of [
    [2, 2, 2],
    [3, 3, 3],
    [2, 3, 2],
    [3, 5, 3],
  ] as const) {
    it(`${ni}×${nh}×${no} at λ = 0: a start stops on a saddle exactly when det(W2W1) and det Σyx differ in sign; matchDeterminantSign avoids it`, () => {
      const task = randomTask({ inputDim: ni, outputDim: no, samples: 4 * ni, seed: 11 });
      const sigma = new SingularValueDecomposition(task.sigmaYX, { autoTranspose: true }).diagonal;
      const wanted = Math.sign(det(task.sigmaYX));
      let stalled = 0;
      for (let seed = 0; seed < 24; seed++) {
        const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda: 0, scale: 0.1, seed });
        const c = convergence(exactDynamics({ w1, w2, sigmaYX: task.sigmaYX }));
        const wrongSign = Math.sign(det(w2.mmul(w1))) !== wanted;
        expect(c.reachesMinimum, `seed ${seed}`).toBe(!wrongSign);
        expect(c.minimumLoss).toBe(0);
        if (wrongSign) {
          stalled++;
          // The weakest mode is never learned: loss ½σ_min², to rounding.
          expect(c.unlearnedModes).toEqual([Math.min(ni, no) - 1]);
        expect(c.determinantSign).toBe(true);
          expect(Math.abs(c.loss - 0.5 * sigma[sigma.length - 1] ** 2)).toBeLessThan(1e-12);
        } else {
          expect(c.unlearnedModes).toEqual([]);
          expect(c.loss).toBeLessThan(1e-20);
        }
        const matched = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda: 0, scale: 0.1, seed, matchDeterminantSign: task.sigmaYX });
        expect(Math.sign(det(matched.w2.mmul(matched.w1)))).toBe(wanted);
        expect(convergence(exactDynamics({ ...matched, sigmaYX: task.sigmaYX })).reachesMinimum, `matched seed ${seed}`).toBe(true);
      }
      expect(stalled, 'about half of the random starts').toBeGreaterThanOrEqual(6);
      expect(stalled).toBeLessThanOrEqual(18);
    });
  }

  it('a bottleneck (5×2×4) reaches the Eckart–Young minimum ½(σ₃² + σ₄²); λ ≠ 0 learns from any sign', () => {
    const task = randomTask({ inputDim: 5, outputDim: 4, samples: 20, seed: 3 });
    const s = new SingularValueDecomposition(task.sigmaYX, { autoTranspose: true }).diagonal;
    const minimum = 0.5 * (s[2] ** 2 + s[3] ** 2);
    for (const lambda of [0, 0.3, -0.7]) {
      for (let seed = 0; seed < 6; seed++) {
        const w = lambdaBalancedWeights({ inputDim: 5, hiddenDim: 2, outputDim: 4, lambda, scale: 0.2, seed });
        const c = convergence(exactDynamics({ ...w, sigmaYX: task.sigmaYX }));
        expect(Math.abs(c.minimumLoss - minimum) / minimum).toBeLessThan(1e-13);
        expect(c.reachesMinimum).toBe(true);
        expect(Math.abs(c.excessLoss) / minimum).toBeLessThan(1e-12);
      }
    }
    // A 3×3×3 start of the wrong sign learns everything once λ ≠ 0.
    const task3 = randomTask({ inputDim: 3, outputDim: 3, samples: 12, seed: 11 });
    for (let seed = 0; seed < 8; seed++) {
      const w = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 1e-3, scale: 0.1, seed });
      expect(convergence(exactDynamics({ ...w, sigmaYX: task3.sigmaYX })).reachesMinimum).toBe(true);
    }
  });

  it('a reversed aligned mode at λ = 0 is never learned, however weak: mode 1 of σ = (1, 1e-6) (loss excess 5e-13)', () => {
    const sigmaYX = [
      [1, 0],
      [0, 1e-6],
    ];
    const reversed = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 2, outputDim: 2, lambda: 0, seed: 1, alignTo: sigmaYX, productSingularValues: [0.1, -1e-8] });
    const c = convergence(exactDynamics({ ...reversed, sigmaYX }));
    expect(c.reachesMinimum).toBe(false);
    expect(c.unlearnedModes).toEqual([1]);
    expect(c.excessLoss).toBeCloseTo(0.5e-12, 24);
    const forward = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 2, outputDim: 2, lambda: 0, seed: 1, alignTo: sigmaYX, productSingularValues: [0.1, 1e-8] });
    expect(convergence(exactDynamics({ ...forward, sigmaYX })).reachesMinimum).toBe(true);
  });

  it('a hidden layer cutting through a repeated singular value is judged by the loss (3×1×3, σ = (1, 1, 0.5))', () => {
    const sigmaYX = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 0.5],
    ];
    for (let seed = 0; seed < 5; seed++) {
      const w = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 1, outputDim: 3, lambda: 0.2, scale: 0.3, seed });
      const c = convergence(exactDynamics({ ...w, sigmaYX }));
      expect(c.minimumLoss).toBeCloseTo(0.5 * (1 + 0.25), 14);
      expect(c.reachesMinimum).toBe(true);
    }
  });

  it('refuses what is not an ExactDynamics', () => {
    expectTypedError(() => convergence({} as never), InvalidArgumentError, '`dyn` must be an ExactDynamics');
    expectTypedError(() => convergence(null as never), InvalidArgumentError, '`dyn`');
  });
});

describe('convergence: findings of a review', () => {
  it('a wrong-sign start beside a tiny σ_min (σ = (1, 1e-7)) is a saddle, though the closed form leaves it through rounding', () => {
    const w = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 2, outputDim: 2, lambda: 0, scale: 1, seed: 0 });
    const sigmaYX = [
      [1, 0],
      [0, 1e-7],
    ];
    expect(det(w.w2.mmul(w.w1))).toBeLessThan(0); // det Σyx > 0: the wrong sign
    const c = convergence(exactDynamics({ ...w, sigmaYX }));
    expect(c.reachesMinimum).toBe(false);
    expect(c.unlearnedModes).toEqual([1]);
    expect(c.loss).toBeCloseTo(0.5e-14, 28);
    expect(c.determinantSign).toBe(true);
    const matched = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 2, outputDim: 2, lambda: 0, scale: 1, seed: 0, matchDeterminantSign: sigmaYX });
    expect(convergence(exactDynamics({ ...matched, sigmaYX })).reachesMinimum).toBe(true);
  });

  it('a hidden unit parked on an unused input and output direction (4×2×3, λ = −0.3) is a saddle, but not the determinant-sign one', () => {
    // Σyx = [[2,0,0,0],[0,1,0,0],[0,0,0,0]]: input e4 and output 3 are unused. Unit 1 reads e1
    // and writes output 1; unit 2 reads e4 and writes output 3, so every gradient it gets
    // stays in that unused pair and mode 2 (σ = 1) is never learned: loss ½.
    const r = Math.sqrt(0.7);
    const w1 = [[1, 0, 0, 0], [0, 0, 0, 1]];
    const w2 = [[r, 0], [0, 0], [0, r]];
    const sigmaYX = [[2, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]];
    const c = convergence(exactDynamics({ w1, w2, sigmaYX }));
    expect(c.reachesMinimum).toBe(false);
    expect(c.unlearnedModes).toEqual([1]);
    expect(c.loss).toBeCloseTo(0.5, 12);
    expect(c.minimumLoss).toBe(0);
    expect(c.determinantSign).toBe(false);
  });

  it('tied singular values: one unlearned direction is reported once, as the last mode of its group', () => {
    // σ = (1, 1): a wrong-sign 2×2×2 start learns one direction of the pair; loss ½.
    const pair = [
      [1, 0],
      [0, 1],
    ];
    let found = 0;
    for (let seed = 0; seed < 8; seed++) {
      const w = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 2, outputDim: 2, lambda: 0, scale: 0.1, seed });
      if (det(w.w2.mmul(w.w1)) > 0) continue;
      found++;
      const c = convergence(exactDynamics({ ...w, sigmaYX: pair }));
      expect(c.unlearnedModes, `seed ${seed}`).toEqual([1]);
      expect(c.loss).toBeCloseTo(0.5, 12);
    }
    expect(found).toBeGreaterThan(0);
    // σ = (1, 1, 0.5 × 6), 8×8×8: the weakest group loses one direction of six.
    const diag = Matrix.diag([1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    let seen = 0;
    for (let seed = 0; seed < 8 && seen < 2; seed++) {
      const w = lambdaBalancedWeights({ inputDim: 8, hiddenDim: 8, outputDim: 8, lambda: 0, scale: 0.1, seed });
      if (det(w.w2.mmul(w.w1)) > 0) continue;
      seen++;
      const c = convergence(exactDynamics({ ...w, sigmaYX: diag }));
      expect(c.unlearnedModes).toEqual([7]);
      expect(c.loss).toBeCloseTo(0.125, 12);
    }
    expect(seen).toBeGreaterThan(0);
  });
});
