/**
 * Structured tasks (MATH.md §9): the hierarchical task's singular values and orthogonal
 * features, progressive differentiation (coarse splits first), permutedTask and
 * featureFlip, and their argument checks.
 */
import { determinant, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { exactDynamics, InvalidArgumentError, lambdaBalancedWeights, NonFiniteError, randomTask } from '../../src/index.js';
import { firstCrossing } from '../../src/applications/crossing-time.js';
import { featureFlip } from '../../src/applications/feature-flip.js';
import { hierarchicalTask } from '../../src/applications/hierarchical-task.js';
import { permutedTask } from '../../src/applications/permuted-task.js';
import { fullSvd } from '../../src/core/svd.js';

describe('hierarchicalTask', () => {
  it('depth 3: 8 items, 8 features, singular values 1, 1, 0.707 ×2, 0.5 ×4 (MATH.md §9)', () => {
    const h = hierarchicalTask({ depth: 3 });
    expect([h.sigmaYX.rows, h.sigmaYX.columns, h.samples]).toEqual([8, 8, 8]);
    const want = [1, 1, Math.SQRT1_2, Math.SQRT1_2, 0.5, 0.5, 0.5, 0.5];
    fullSvd(h.sigmaYX).s.forEach((s, i) => expect(s).toBeCloseTo(want[i], 14));
    // Σxx = XXᵀ/P = I exactly (X = sqrt(P)·I), Σyx = YXᵀ/P, Σyy = YYᵀ/P.
    const x = h.X!;
    const y = h.Y!;
    expect(x.mmul(x.transpose()).div(8).sub(Matrix.eye(8)).norm('frobenius')).toBeLessThan(1e-15);
    expect(h.sigmaXX.to2DArray()).toEqual(Matrix.eye(8).to2DArray());
    expect(y.mmul(x.transpose()).div(8).sub(h.sigmaYX).norm('frobenius')).toBeLessThan(1e-15);
    expect(y.mmul(y.transpose()).div(8).sub(h.sigmaYY).norm('frobenius')).toBeLessThan(1e-15);
    // Rows of Y are orthogonal.
    const gram = y.mmul(y.transpose());
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) if (i !== j) expect(gram.get(i, j)).toBe(0);
    expect(h.levels).toEqual([0, 1, 2, 2, 3, 3, 3, 3]);
    expect(h.featureNames[0]).toBe('root');
    expect(h.featureNames[1]).toBe('items 0-3 vs 4-7');
    expect(h.featureNames[7]).toBe('items 6 vs 7');
    expect(y.getRow(0)).toEqual(new Array(8).fill(1));
    expect(y.getRow(5)).toEqual([0, 0, 1, -1, 0, 0, 0, 0]);
  });

  it('has 2^D features and singular values 2^{−ℓ/2} (×2^ℓ) for every depth', () => {
    for (const depth of [1, 2, 4]) {
      const h = hierarchicalTask({ depth });
      const p = 2 ** depth;
      expect(h.sigmaYX.rows).toBe(p);
      const want = [1];
      for (let level = 0; level < depth; level++) for (let k = 0; k < 2 ** level; k++) want.push(2 ** (-level / 2));
      want.sort((a, b) => b - a);
      fullSvd(h.sigmaYX).s.forEach((s, i) => expect(s).toBeCloseTo(want[i], 13));
    }
  });

  it('breakDegeneracy scales feature i (1-based) by 1 + 0.1/i: distinct σ, sorted in feature order', () => {
    const h = hierarchicalTask({ depth: 3, breakDegeneracy: true });
    const base = [1, 1, Math.SQRT1_2, Math.SQRT1_2, 0.5, 0.5, 0.5, 0.5];
    const { u, s } = fullSvd(h.sigmaYX);
    s.forEach((x, i) => expect(x).toBeCloseTo(base[i] * (1 + 0.1 / (i + 1)), 13));
    for (let i = 1; i < 8; i++) expect(s[i]).toBeLessThan(s[i - 1]);
    for (let i = 0; i < 8; i++) expect(Math.abs(u.get(i, i))).toBeCloseTo(1, 13); // mode α = feature α
  });

  it('validates depth and breakDegeneracy', () => {
    expect(() => hierarchicalTask({ depth: 0 })).toThrow(/`depth`/);
    expect(() => hierarchicalTask({ depth: 2.5 })).toThrow(InvalidArgumentError);
    expect(() => hierarchicalTask({ depth: Number.NaN })).toThrow(NonFiniteError);
    expect(() => hierarchicalTask({ depth: 13 })).toThrow(/`depth`/);
    expect(() => hierarchicalTask({ depth: 2, breakDegeneracy: 1 as unknown as boolean })).toThrow(/breakDegeneracy/);
  });
});

describe('progressive differentiation on the depth-3 hierarchy (breakDegeneracy, λ = 0, scale 1e-3)', () => {
  const h = hierarchicalTask({ depth: 3, breakDegeneracy: true });

  /** Time each mode strength diag(singularProduct) reaches half its σ. */
  function halfTimes(w1: Matrix, w2: Matrix): number[] {
    const dyn = exactDynamics({ w1, w2, sigmaYX: h.sigmaYX });
    return dyn.sigma.map((s, i) => firstCrossing((t) => dyn.at(t).singularProduct.get(i, i) >= 0.5 * s, 100));
  }

  it('aligned, equal initial strengths: strictly in order of the singular values, coarse splits first', () => {
    const { w1, w2 } = lambdaBalancedWeights({
      inputDim: 8, hiddenDim: 8, outputDim: 8, lambda: 0, seed: 1, alignTo: h.sigmaYX, productSingularValues: new Array(8).fill(1e-3),
    });
    const t = halfTimes(w1, w2);
    // Measured: 3.183 3.312 4.511 4.542 6.110 6.127 6.139 6.148 = ln((σ − a0)/a0)/(2σ).
    for (let i = 1; i < 8; i++) expect(t[i]).toBeGreaterThan(t[i - 1]);
    const sigma = fullSvd(h.sigmaYX).s;
    t.forEach((ti, i) => expect(ti).toBeCloseTo(Math.log((sigma[i] - 1e-3) / 1e-3) / (2 * sigma[i]), 8));
  });

  it('random small initialisations: each level is learned before the next (order within a level is set by the init)', () => {
    // Seeds whose sign det W2W1(0) matches sign det Σyx (otherwise at λ = 0 the weakest mode
    // is never learned — the determinant-sign saddle, see reversal.test.ts).
    const groups = [[0, 1], [2, 3], [4, 5, 6, 7]]; // σ ≈ 1, 0.71, 0.5
    for (const seed of [1, 3, 5, 8]) {
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: 8, hiddenDim: 8, outputDim: 8, lambda: 0, scale: 1e-3, seed });
      expect(Math.sign(determinant(w2.mmul(w1)))).toBe(Math.sign(determinant(h.sigmaYX)));
      const t = halfTimes(w1, w2);
      for (let g = 1; g < groups.length; g++) {
        expect(Math.min(...groups[g].map((i) => t[i]))).toBeGreaterThan(Math.max(...groups[g - 1].map((i) => t[i])));
      }
    }
  });
});

describe('permutedTask and featureFlip', () => {
  const h = hierarchicalTask({ depth: 3 });

  it('permutedTask permutes the items: Σyx′ = Σyx·Π for one-hot items, same singular values and Σyy', () => {
    const perm = [5, 2, 7, 0, 3, 6, 1, 4];
    const p = permutedTask(h, perm);
    for (let k = 0; k < 8; k++) expect(p.Y!.getColumn(k)).toEqual(h.Y!.getColumn(perm[k]));
    for (let k = 0; k < 8; k++) expect(p.sigmaYX.getColumn(k)).toEqual(h.sigmaYX.getColumn(perm[k]).map((x) => expect.closeTo(x, 15)));
    fullSvd(p.sigmaYX).s.forEach((s, i) => expect(s).toBeCloseTo(fullSvd(h.sigmaYX).s[i], 13));
    expect(p.sigmaYY.to2DArray()).toEqual(h.sigmaYY.to2DArray());
    expect(p.featureNames).toEqual(h.featureNames);
    expect(p.X!.to2DArray()).toEqual(h.X!.to2DArray());
  });

  it('works for any whitened task with data, and rejects non-permutations and data-less tasks', () => {
    const task = randomTask({ inputDim: 3, outputDim: 2, samples: 6, seed: 1 });
    const p = permutedTask(task, [1, 0, 2, 3, 4, 5]);
    expect(p.sigmaYX.clone().sub(p.Y!.mmul(task.X!.transpose()).div(6)).norm('frobenius')).toBeLessThan(1e-14);
    expect(() => permutedTask(h, [0, 1, 2])).toThrow(/permutation/);
    expect(() => permutedTask(h, [0, 0, 2, 3, 4, 5, 6, 7])).toThrow(/twice/);
    expect(() => permutedTask(h, [0, 1, 2, 3, 4, 5, 6, 8])).toThrow(InvalidArgumentError);
    expect(() => permutedTask(h, [0, 1, 2, 3, 4, 5, 6, 1.5])).toThrow(/permutation/);
    const { X: _x, Y: _y, ...bare } = h;
    expect(() => permutedTask(bare, [0, 1, 2, 3, 4, 5, 6, 7])).toThrow(/data X and Y/);
  });

  it('featureFlip negates features: Σyx′ = DΣyx, Σyy′ = DΣyyD, same Ṽ and σ', () => {
    const f = featureFlip(h, [1, 6]);
    const d = Matrix.diag([1, -1, 1, 1, 1, 1, -1, 1]);
    // (norms of differences, not toEqual: −0 and +0 differ under Object.is)
    expect(f.sigmaYX.clone().sub(d.mmul(h.sigmaYX)).norm('frobenius')).toBe(0);
    expect(f.Y!.clone().sub(d.mmul(h.Y!)).norm('frobenius')).toBe(0);
    expect(f.sigmaYY.clone().sub(d.mmul(h.sigmaYY).mmul(d)).norm('frobenius')).toBe(0);
    const a = fullSvd(h.sigmaYX);
    const b = fullSvd(f.sigmaYX);
    b.s.forEach((s, i) => expect(s).toBeCloseTo(a.s[i], 14));
    // Same input-side structure: ṼS̃Ṽᵀ = (ΣyxᵀΣyx)^{1/2} is unchanged because DᵀD = I.
    expect(f.sigmaYX.transpose().mmul(f.sigmaYX).sub(h.sigmaYX.transpose().mmul(h.sigmaYX)).norm('frobenius')).toBe(0);
    expect(h.Y!.get(1, 0)).toBe(1); // input untouched
    expect(featureFlip([[1, 2], [3, 4]], [])).toEqual(new Matrix([[1, 2], [3, 4]]));
  });

  it('featureFlip validates its indices', () => {
    expect(() => featureFlip(h, [8])).toThrow(/features\[0\]/);
    expect(() => featureFlip(h, [1, 1])).toThrow(/twice/);
    expect(() => featureFlip(h, [-1])).toThrow(InvalidArgumentError);
    expect(() => featureFlip(h, 'x' as unknown as number[])).toThrow(/`features`/);
  });
});
