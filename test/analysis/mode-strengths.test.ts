/**
 * modeStrengths (MATH.md §4, §5): aligned initialisations stay diagonal in the task's
 * singular basis, strengths converge to σ (to the truncated SVD under a bottleneck), and
 * the Snapshot and weight paths agree when they use the same basis.
 *
 * Tolerances: the exact evaluator works in the singular basis, so an aligned state has
 * off-diagonal entries at rounding level, ~1e-16·‖Σyx‖ (bound 1e-12). Snapshot vs weights:
 * the weights are the Snapshot's factor rotated back to the original coordinates and
 * projected again with the same Ũ, Ṽ — two O(1) orthogonal transforms, ~1e-15 (bound 1e-12).
 */
import { Matrix } from 'ml-matrix';
import { afterAll, describe, expect, it } from 'vitest';
import { modeStrengths } from '../../src/analysis/mode-strengths.js';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { fullSvd } from '../../src/core/svd.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { createRng, gaussianMatrix, randomOrthogonal } from '../../src/random.js';

const times = [0, 0.3, 1, 2, 5, 20, 1e3];

/** Σyx = U diag(σ) Vᵀ (no×ni) with seeded random orthogonal U, V. */
function taskWith(sigma: number[], no: number, ni: number, seed: number): Matrix {
  const rng = createRng(seed);
  const s = new Matrix(no, ni);
  sigma.forEach((x, i) => s.set(i, i, x));
  return randomOrthogonal(no, rng).mmul(s).mmul(randomOrthogonal(ni, rng).transpose());
}

describe('modeStrengths on aligned initialisations', () => {
  let worst = 0;
  afterAll(() => console.log(`aligned initialisations: worst off-diagonal mass ${worst.toExponential(2)}`));
  const configs = [
    { ni: 3, nh: 3, no: 3, lambda: 0, sigma: [3, 1.5, 0.5] },
    { ni: 4, nh: 3, no: 3, lambda: -2, sigma: [2, 1, 0.25] },
    { ni: 2, nh: 3, no: 5, lambda: 1.5, sigma: [2.5, 0.7] },
    { ni: 3, nh: 3, no: 3, lambda: 40, sigma: [3, 1.5, 0.5] },
  ];
  for (const c of configs) {
    it(`${c.ni}×${c.nh}×${c.no}, λ = ${c.lambda}: off-diagonal ≤ 1e-12 at all t, strengths → σ`, () => {
      const sigmaYX = taskWith(c.sigma, c.no, c.ni, 7);
      const { w1, w2 } = lambdaBalancedWeights({
        inputDim: c.ni,
        hiddenDim: c.nh,
        outputDim: c.no,
        lambda: c.lambda,
        seed: 8,
        alignTo: sigmaYX,
        productSingularValues: c.sigma.map((_, i) => 0.01 * (i + 1)),
      });
      const dyn = exactDynamics({ w1, w2, sigmaYX });
      for (const t of times) {
        const m = modeStrengths(dyn.at(t));
        worst = Math.max(worst, m.offDiagonal);
        expect(m.offDiagonal).toBeLessThanOrEqual(1e-12);
        expect(m.relativeOffDiagonal).toBeLessThanOrEqual(1e-12);
        expect(m.strengths).toHaveLength(Math.min(c.ni, c.no));
        expect(m.target).toEqual(dyn.sigma);
      }
      const end = modeStrengths(dyn.converged());
      end.strengths.forEach((a, i) => expect(Math.abs(a - c.sigma[i])).toBeLessThan(1e-10));
    });
  }
});

describe('modeStrengths from a Snapshot and from weights agree', () => {
  let worst = 0;
  afterAll(() => console.log(`Snapshot vs weights (same basis): worst difference ${worst.toExponential(2)}`));

  for (const [ni, nh, no, lambda] of [
    [3, 3, 3, 0.5],
    [4, 2, 3, -1],
    [2, 4, 5, 0],
  ] as const) {
    it(`${ni}×${nh}×${no}, λ = ${lambda}, unaligned: to 1e-12, with { basis: dynamics.singularVectors } and without`, () => {
      const sigmaYX = gaussianMatrix(no, ni, createRng(ni * 100 + no));
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda, scale: 0.3, seed: 9 });
      const dyn = exactDynamics({ w1, w2, sigmaYX });
      for (const t of times) {
        const snap = dyn.at(t);
        const a = modeStrengths(snap);
        const b = modeStrengths(snap.weights, sigmaYX, { basis: dyn.singularVectors });
        const c = modeStrengths(snap, undefined, { basis: dyn.singularVectors });
        // Without a basis the weights are projected on fullSvd(Σyx): u_α, v_α flip sign
        // together (σ_α > 0), so strengths and off-diagonal norms are the same.
        const d = modeStrengths(snap.weights, sigmaYX);
        for (const other of [b, c, d]) {
          const diffs = [
            ...a.strengths.map((x, i) => Math.abs(x - other.strengths[i])),
            Math.abs(a.offDiagonal - other.offDiagonal),
            Math.abs(a.relativeOffDiagonal - other.relativeOffDiagonal),
            ...a.target.map((x, i) => Math.abs(x - other.target[i])),
          ];
          worst = Math.max(worst, ...diffs);
          diffs.forEach((e) => expect(e).toBeLessThan(1e-12));
        }
      }
      // Generic (unaligned) initialisations decouple as they converge.
      expect(modeStrengths(dyn.at(0)).relativeOffDiagonal).toBeGreaterThan(0.1);
      expect(modeStrengths(dyn.at(1e3)).relativeOffDiagonal).toBeLessThan(1e-8);
    });
  }

  it('target is the singular values of Σyx for weights too (descending)', () => {
    const sigmaYX = gaussianMatrix(3, 4, createRng(4));
    const m = modeStrengths({ w1: gaussianMatrix(2, 4, createRng(5)), w2: gaussianMatrix(3, 2, createRng(6)) }, sigmaYX);
    expect(m.target).toEqual(fullSvd(sigmaYX).s);
  });
});

describe('modeStrengths special cases', () => {
  it('a bottleneck (Nh = 1) converges to the rank-1 truncated SVD: strengths [σ1, 0, 0]', () => {
    const sigmaYX = taskWith([2, 1, 0.5], 3, 3, 12);
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 1, outputDim: 3, lambda: 0.3, scale: 0.2, seed: 13 });
    const m = modeStrengths(exactDynamics({ w1, w2, sigmaYX }).converged());
    expect(Math.abs(m.strengths[0] - 2)).toBeLessThan(1e-10);
    expect(Math.abs(m.strengths[1])).toBeLessThan(1e-10);
    expect(Math.abs(m.strengths[2])).toBeLessThan(1e-10);
    expect(m.offDiagonal).toBeLessThan(1e-10);
  });

  it('hand-computed: W2W1 = [[0, 1], [1, 0]] against Σyx = diag(2, 1) is all off-diagonal', () => {
    const m = modeStrengths({ w1: [[0, 1], [1, 0]], w2: [[1, 0], [0, 1]] }, [[2, 0], [0, 1]]);
    expect(m.strengths.map(Math.abs)).toEqual([0, 0]);
    expect(m.target).toEqual([2, 1]);
    expect(m.offDiagonal).toBeCloseTo(Math.SQRT2, 15);
    expect(m.relativeOffDiagonal).toBeCloseTo(1, 15);
  });

  it('W2W1 = 0 gives relativeOffDiagonal = 0', () => {
    const m = modeStrengths({ w1: [[0, 0]], w2: [[0]] }, [[1, 2]]);
    expect(m).toEqual({ strengths: [0], target: [Math.sqrt(5)], offDiagonal: 0, relativeOffDiagonal: 0 });
  });
});
