/**
 * ntk (MATH.md §6) against the definition: a brute-force kernel J Jᵀ from the explicit
 * parameter Jacobian of f(x) = W2W1x (test/helpers/jacobian-ntk.ts, itself checked
 * against finite differences), plus symmetry, positive semi-definiteness, the documented
 * output-major ordering and the size limit.
 *
 * Tolerance 1e-12 relative (Frobenius): both sides sum O(Nh·Ni + No·Nh) products of O(1)
 * numbers, so their rounding errors are ~1e-15 relative; 1e-12 leaves room for unlucky
 * cancellations in small entries without hiding a wrong formula (which is off by O(1)).
 */
import fc from 'fast-check';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { afterAll, describe, expect, it } from 'vitest';
import { ntk, NTK_MAX_SIZE } from '../../src/analysis/ntk.js';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { createRng, gaussianMatrix } from '../../src/random.js';
import { networkShapes } from '../helpers/configs.js';
import { relErr } from '../helpers/oracles.js';
import { finiteDifferenceJacobian, jacobianNtk, parameterJacobian } from '../helpers/jacobian-ntk.js';

const SEED = 61_023;

const shapes = networkShapes('nh');

function randomNetwork(ni: number, nh: number, no: number, p: number, seed: number) {
  const rng = createRng(seed);
  return {
    w1: gaussianMatrix(nh, ni, rng),
    w2: gaussianMatrix(no, nh, rng, 0.7),
    x: gaussianMatrix(ni, p, rng, 1.3),
  };
}

describe('ntk equals the Jacobian definition', () => {
  let worst = 0;
  afterAll(() => console.log(`ntk vs Jacobian brute force: worst relative error ${worst.toExponential(2)}`));

  it('the helper Jacobian matches central finite differences (1e-8 relative: f is linear per parameter)', () => {
    const { w1, w2, x } = randomNetwork(3, 2, 4, 5, 1);
    expect(relErr(finiteDifferenceJacobian(w1, w2, x), parameterJacobian(w1, w2, x))).toBeLessThan(1e-8);
  });

  it(`random configurations (fast-check seed ${SEED}): ntk = J Jᵀ to 1e-12`, () => {
    fc.assert(
      fc.property(shapes, ({ ni, nh, no, p, seed }) => {
        const { w1, w2, x } = randomNetwork(ni, nh, no, p, seed);
        const k = ntk({ w1, w2 }, x);
        expect(k.rows).toBe(p * no);
        const e = relErr(k, jacobianNtk(w1, w2, x));
        worst = Math.max(worst, e);
        expect(e).toBeLessThan(1e-12);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('a Snapshot gives the kernel of its weights (to 1e-12): K depends on W1ᵀW1, W2W2ᵀ only', () => {
    const sigmaYX = gaussianMatrix(3, 4, createRng(5));
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 4, hiddenDim: 3, outputDim: 3, lambda: 0.7, scale: 0.5, seed: 6 });
    const x = gaussianMatrix(4, 3, createRng(7));
    const snap = exactDynamics({ w1, w2, sigmaYX }).at(1.5);
    const { w1: v1, w2: v2 } = snap.weights;
    const e = relErr(ntk(snap, x), jacobianNtk(v1, v2, x));
    worst = Math.max(worst, e);
    expect(e).toBeLessThan(1e-12);
  });
});

describe('ntk structure', () => {
  const { w1, w2, x } = randomNetwork(3, 2, 3, 4, 11);
  const k = ntk({ w1, w2 }, x);

  it('is exactly symmetric and positive semi-definite (λ_min ≥ −1e-12·λ_max)', () => {
    for (let i = 0; i < k.rows; i++) for (let j = 0; j < k.rows; j++) expect(k.get(i, j)).toBe(k.get(j, i));
    const values = new EigenvalueDecomposition(k, { assumeSymmetric: true }).realEigenvalues;
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-1e-12 * Math.max(...values));
  });

  it('is ordered output-major: K[o·P′+p, o′·P′+p′] = δ_oo′·x_pᵀAx_p′ + R_oo′·x_pᵀx_p′', () => {
    const a = w1.transpose().mmul(w1);
    const r = w2.mmul(w2.transpose());
    const p = x.columns;
    for (let o = 0; o < w2.rows; o++) {
      for (let o2 = 0; o2 < w2.rows; o2++) {
        for (let q = 0; q < p; q++) {
          for (let q2 = 0; q2 < p; q2++) {
            const xq = x.getColumnVector(q);
            const xq2 = x.getColumnVector(q2);
            const want = (o === o2 ? xq.transpose().mmul(a).mmul(xq2).get(0, 0) : 0) + r.get(o, o2) * xq.transpose().mmul(xq2).get(0, 0);
            expect(Math.abs(k.get(o * p + q, o2 * p + q2) - want)).toBeLessThan(1e-12 * (1 + Math.abs(want)));
          }
        }
      }
    }
  });

  it('a hand-computed case: one probe, K = (xᵀW1ᵀW1x)·I + xᵀx·W2W2ᵀ', () => {
    const k1 = ntk({ w1: [[1, 2]], w2: [[1], [0]] }, [[1], [1]]);
    // A-part: (W1x)² = 9; R = [[1, 0], [0, 0]]; xᵀx = 2.
    expect(k1.to2DArray()).toEqual([
      [11, 0],
      [0, 9],
    ]);
  });

  it(`refuses a matrix larger than ${NTK_MAX_SIZE} without allowLarge, before allocating it`, () => {
    const wide = new Matrix(1, NTK_MAX_SIZE + 1).fill(1);
    expect(() => ntk({ w1: [[1]], w2: [[1]] }, wide)).toThrow(InvalidArgumentError);
    expect(() => ntk({ w1: [[1]], w2: [[1]] }, wide)).toThrow(/allowLarge/);
    expect(() => ntk({ w1: [[1]], w2: [[1], [1]] }, new Matrix(1, NTK_MAX_SIZE / 2 + 1))).toThrow(/4098/);
  });

  it('builds it with allowLarge: true (a 4100×4100 kernel of a 1×1×1 network)', () => {
    const big = ntk({ w1: [[2]], w2: [[3]] }, new Matrix(1, 4100).fill(1), { allowLarge: true });
    expect(big.rows).toBe(4100);
    expect(big.get(4099, 0)).toBe(4 + 9); // x_pᵀAx_p′ + R·x_pᵀx_p′ with all x = 1
  });
});
