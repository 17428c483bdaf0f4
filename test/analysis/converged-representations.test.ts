/**
 * convergedRepresentations (MATH.md §5) against the limit of the exact dynamics
 * (`converged()` and `at(1e6)`) on random configurations — λ of both signs and 0, unequal
 * widths, bottlenecks — and against identities that hold for any balanced weights at
 * convergence (ΣyxᵀΣyx = A² + λA with A = W1ᵀW1, ΣyxΣyxᵀ = R² − λR with R = W2W2ᵀ).
 */
import fc from 'fast-check';
import { Matrix, SingularValueDecomposition, determinant } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { convergedRepresentations } from '../../src/analysis/converged-representations.js';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { createRng, gaussianMatrix } from '../../src/random.js';
import {
  ExactDlnError,
  ImpossibleLambdaError,
  InvalidArgumentError,
  NonFiniteError,
  ShapeError,
} from '../../src/errors.js';
import { expectTypedError, thrown } from '../helpers/errors.js';

/** Hidden widths for which the limit is determined by (Σyx, λ, Nh) for a full-rank Σyx. */
function determinedWidths(ni: number, no: number, lambda: number): number[] {
  const r = Math.min(ni, no);
  const out: number[] = [];
  if (lambda > 0) for (let nh = 1; nh <= no; nh++) if (nh <= r || nh === no) out.push(nh);
  if (lambda < 0) for (let nh = 1; nh <= ni; nh++) if (nh <= r || nh === ni) out.push(nh);
  if (lambda === 0) for (let nh = 1; nh <= Math.max(ni, no) + 1; nh++) out.push(nh);
  return out;
}

function blocks(p: Matrix, ni: number, no: number): { w1tw1: Matrix; w2w1: Matrix; w2w2t: Matrix } {
  return {
    w1tw1: p.subMatrix(0, ni - 1, 0, ni - 1),
    w2w1: p.subMatrix(ni, ni + no - 1, 0, ni - 1),
    w2w2t: p.subMatrix(ni, ni + no - 1, ni, ni + no - 1),
  };
}

const diff = (a: Matrix, b: Matrix): number => a.clone().sub(b).norm('frobenius');

describe('convergedRepresentations vs the exact dynamics', () => {
  it('equals converged() and at(1e6) (qqt blocks) to 1e-10 on random configurations', () => {
    const seed = 424242;
    let worst = 0;
    let worstLate = 0;
    let count = 0;
    const kinds = new Set<string>();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(-50, -3, -0.5, 0, 0.5, 3, 50),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 2 ** 30 }),
        (ni, no, lambda, pick, s) => {
          const widths = determinedWidths(ni, no, lambda);
          const nh = widths[pick % widths.length];
          const rng = createRng(s);
          const sigmaYX = gaussianMatrix(no, ni, rng);
          const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda, scale: 0.5, seed: s + 1 });
          // λ = 0, Ni = No (Nh ≥ Ni): det(W2W1) keeps its sign, so an initialisation with the
          // sign opposite to det Σyx ends on a saddle (documented caveat, tested below). Flip
          // one output row of W2 (keeps W2ᵀW2, hence the balance) to start on the right side.
          if (lambda === 0 && ni === no && nh >= ni && determinant(w2.mmul(w1)) * determinant(sigmaYX) < 0) {
            for (let h = 0; h < nh; h++) w2.set(0, h, -w2.get(0, h));
          }
          const dyn = exactDynamics({ w1, w2, sigmaYX });
          const c = convergedRepresentations({ sigmaYX, lambda, hiddenDim: nh, inputDim: ni, outputDim: no });
          const ref = blocks(dyn.converged().qqt, ni, no);
          const scale = Math.max(1, Math.abs(lambda));
          const err = Math.max(diff(c.w2w1, ref.w2w1), diff(c.w1tw1, ref.w1tw1), diff(c.w2w2t, ref.w2w2t)) / scale;
          worst = Math.max(worst, err);
          expect(err, `ni=${ni} nh=${nh} no=${no} λ=${lambda} seed=${s}`).toBeLessThan(1e-10);
          // At t = 1e6 the state has converged exponentially — unless λ = 0 leaves hidden
          // directions with growth rate 0 (Nh > rank Σyx), which decay only like 1/t.
          if (!(lambda === 0 && nh > Math.min(ni, no))) {
            const late = blocks(dyn.at(1e6).qqt, ni, no);
            const lateErr = Math.max(diff(c.w2w1, late.w2w1), diff(c.w1tw1, late.w1tw1), diff(c.w2w2t, late.w2w2t)) / scale;
            worstLate = Math.max(worstLate, lateErr);
            expect(lateErr, `t = 1e6: ni=${ni} nh=${nh} no=${no} λ=${lambda} seed=${s}`).toBeLessThan(1e-10);
          }
          count++;
          const r = Math.min(ni, no);
          kinds.add(nh < r ? 'bottleneck' : nh === r ? 'square' : 'wide');
          kinds.add(lambda > 0 ? 'λ>0' : lambda < 0 ? 'λ<0' : 'λ=0');
          if (ni !== no && nh > r && lambda !== 0) kinds.add('complement kept');
        },
      ),
      { numRuns: 150, seed },
    );
    for (const k of ['bottleneck', 'square', 'wide', 'λ>0', 'λ<0', 'λ=0', 'complement kept']) expect(kinds.has(k), k).toBe(true);
    console.log(`convergedRepresentations vs converged(): worst error ${worst.toExponential(2)}, vs at(1e6): ${worstLate.toExponential(2)} (relative to max(1, |λ|)) over ${count} configurations (fast-check seed ${seed})`);
  });
});

describe('convergedRepresentations: closed forms and identities', () => {
  const rng = createRng(99);
  const sigmaYX = gaussianMatrix(3, 4, rng); // No = 3, Ni = 4

  it('satisfies ΣyxᵀΣyx = A² + λA and ΣyxΣyxᵀ = R² − λR (A = W1ᵀW1, R = W2W2ᵀ) without a bottleneck', () => {
    for (const [lambda, nh] of [[-4, 4], [-4, 3], [-0.2, 3], [0, 3], [0, 6], [0.2, 3], [7, 3]] as const) {
      const c = convergedRepresentations({ sigmaYX, lambda, hiddenDim: nh });
      expect(diff(c.w2w1, sigmaYX)).toBeLessThan(1e-13);
      const a = c.w1tw1;
      const r = c.w2w2t;
      const sts = sigmaYX.transpose().mmul(sigmaYX);
      const sst = sigmaYX.mmul(sigmaYX.transpose());
      expect(diff(a.mmul(a).add(a.clone().mul(lambda)), sts)).toBeLessThan(1e-12 * (1 + Math.abs(lambda)));
      expect(diff(r.mmul(r).sub(r.clone().mul(lambda)), sst)).toBeLessThan(1e-12 * (1 + Math.abs(lambda)));
      // Symmetric positive semi-definite, and the balance trace identity tr R − tr A = λ·Nh.
      expect(diff(a, a.transpose())).toBe(0);
      expect(diff(r, r.transpose())).toBe(0);
      if (lambda !== 0) expect(Math.abs(r.trace() - a.trace() - lambda * nh)).toBeLessThan(1e-12 * (1 + Math.abs(lambda) * nh));
    }
  });

  it('λ = 0 splits evenly; λ → ±∞ moves the structure into one layer (MATH.md §5)', () => {
    const rich = convergedRepresentations({ sigmaYX, lambda: 0, hiddenDim: 3 });
    // (ΣyxᵀΣyx)^{1/2} and (ΣyxΣyxᵀ)^{1/2}: their squares.
    expect(diff(rich.w1tw1.mmul(rich.w1tw1), sigmaYX.transpose().mmul(sigmaYX))).toBeLessThan(1e-12);
    expect(diff(rich.w2w2t.mmul(rich.w2w2t), sigmaYX.mmul(sigmaYX.transpose()))).toBeLessThan(1e-12);
    for (const lambda of [1e2, 1e4]) {
      const lazy = convergedRepresentations({ sigmaYX, lambda, hiddenDim: 3 });
      // W2W2ᵀ ≈ λI + ΣΣᵀ/λ and W1ᵀW1 ≈ ΣᵀΣ/λ: κ ∓ λ/2 = λ/2 + σ²/λ ∓ λ/2 − σ⁴/λ³ + O(σ⁶/λ⁵),
      // so the gap is ‖(ΣᵀΣ)²‖_F/λ³ to leading order (plus rounding ~1e-16·λ).
      const sts = sigmaYX.transpose().mmul(sigmaYX);
      const sst = sigmaYX.mmul(sigmaYX.transpose());
      const predicted = sts.mmul(sts).norm('frobenius') / lambda ** 3;
      const expectedR = Matrix.eye(3).mul(lambda).add(sst.clone().div(lambda));
      const expectedA = sts.clone().div(lambda);
      for (const gap of [diff(lazy.w2w2t, expectedR), diff(lazy.w1tw1, expectedA)]) {
        expect(gap).toBeLessThan(1.01 * predicted + 1e-14 * lambda);
        expect(gap).toBeGreaterThan(0.9 * predicted - 1e-14 * lambda);
      }
      const mirror = convergedRepresentations({ sigmaYX, lambda: -lambda, hiddenDim: 3 });
      expect(diff(mirror.w2w2t, sst.clone().div(lambda))).toBeLessThan(1.01 * predicted + 1e-14 * lambda);
    }
  });

  it('a bottleneck converges to the truncated SVD (ml-matrix SVD as reference)', () => {
    const svd = new SingularValueDecomposition(sigmaYX.transpose(), { autoTranspose: false }); // 4×3, tall
    const s = svd.diagonal;
    for (const nh of [1, 2]) {
      let truncated = new Matrix(3, 4);
      for (let k = 0; k < nh; k++) {
        const u = svd.rightSingularVectors.getColumnVector(k); // of Σyx: left
        const v = svd.leftSingularVectors.getColumnVector(k);
        truncated = truncated.add(u.mmul(v.transpose()).mul(s[k]));
      }
      for (const lambda of [-1, 0, 1]) {
        const c = convergedRepresentations({ sigmaYX, lambda, hiddenDim: nh });
        expect(diff(c.w2w1, truncated)).toBeLessThan(1e-12);
        expect(c.w1tw1.trace()).toBeGreaterThan(0);
      }
    }
  });

  it('λ = 0, Ni = Nh = No: an initialisation with det(W2W1)·det(Σyx) < 0 ends on a saddle instead (documented caveat)', () => {
    const square = gaussianMatrix(3, 3, createRng(5));
    let seen = 0;
    for (let seed = 1; seen < 2 && seed < 50; seed++) {
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0, scale: 0.5, seed });
      if (determinant(w2.mmul(w1)) * determinant(square) > 0) continue;
      seen++;
      const limit = blocks(exactDynamics({ w1, w2, sigmaYX: square }).converged().qqt, 3, 3);
      const c = convergedRepresentations({ sigmaYX: square, lambda: 0, hiddenDim: 3 });
      // The saddle loses the weakest mode: W2W1 → Σyx minus its last singular component.
      const sMin = new SingularValueDecomposition(square).diagonal[2];
      expect(Math.abs(diff(limit.w2w1, c.w2w1) - sMin)).toBeLessThan(1e-10);
    }
    expect(seen).toBe(2);
  });

  it('handles a rank-deficient Σyx when the limit is determined', () => {
    const rank1 = new Matrix([[2, 0, 0], [0, 0, 0]]); // No = 2, Ni = 3
    const c = convergedRepresentations({ sigmaYX: rank1, lambda: 1, hiddenDim: 2 }); // Nh = No: all ũ kept
    const kappa = Math.hypot(2, 0.5);
    expect(c.w2w2t.get(0, 0)).toBeCloseTo(kappa + 0.5, 14);
    expect(c.w2w2t.get(1, 1)).toBeCloseTo(1, 14); // λ on the zero mode's ũ
    expect(c.w1tw1.get(0, 0)).toBeCloseTo(kappa - 0.5, 14);
    const zero = convergedRepresentations({ sigmaYX: [[0, 0], [0, 0]], lambda: 0, hiddenDim: 2 });
    expect(zero.w1tw1.norm()).toBe(0);
  });
});

describe('convergedRepresentations input validation', () => {
  it('throws typed errors naming the argument', () => {
    const s = [[1, 0], [0, 0.5], [0, 0]]; // No = 3, Ni = 2
    expectTypedError(() => convergedRepresentations({ sigmaYX: s, lambda: -1, hiddenDim: 3 }), ImpossibleLambdaError, 'λ');
    expect(thrown(() => convergedRepresentations({ sigmaYX: s, lambda: 1, hiddenDim: 4 }))).toBeInstanceOf(ImpossibleLambdaError);
    expect(thrown(() => convergedRepresentations({ sigmaYX: s, lambda: NaN, hiddenDim: 2 }))).toBeInstanceOf(NonFiniteError);
    expect(thrown(() => convergedRepresentations({ sigmaYX: s, lambda: 0, hiddenDim: 0 })).message).toContain('`hiddenDim`');
    expect(thrown(() => convergedRepresentations({ sigmaYX: s, lambda: 0, hiddenDim: 1.5 }))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => convergedRepresentations({ sigmaYX: s, lambda: 0, hiddenDim: 2, inputDim: 3 }))).toBeInstanceOf(ShapeError);
    expect(thrown(() => convergedRepresentations({ sigmaYX: s, lambda: 0, hiddenDim: 2, outputDim: 2 }))).toBeInstanceOf(ShapeError);
    expect(thrown(() => convergedRepresentations({ sigmaYX: [[1, NaN]], lambda: 0, hiddenDim: 1 }))).toBeInstanceOf(NonFiniteError);
    expect(thrown(() => convergedRepresentations(7 as never))).toBeInstanceOf(ExactDlnError);
  });

  it('refuses initialisation-dependent limits, explaining and pointing to converged()', () => {
    // Ni = 2 < Nh = 3 < No = 5, λ > 0: one of three ũ⊥ directions is kept — which one depends on W(0).
    const wide = gaussianMatrix(5, 2, createRng(3));
    expectTypedError(
      () => convergedRepresentations({ sigmaYX: wide, lambda: 1, hiddenDim: 3 }),
      InvalidArgumentError,
      '`hiddenDim`'.slice(1, -1),
      'depends on the initialisation',
      'converged()',
    );
    // Symmetric for λ < 0 with ṽ⊥.
    expect(thrown(() => convergedRepresentations({ sigmaYX: wide.transpose(), lambda: -1, hiddenDim: 3 }))).toBeInstanceOf(InvalidArgumentError);
    // A bottleneck cutting through a repeated singular value.
    const tie = thrown(() => convergedRepresentations({ sigmaYX: [[1, 0], [0, 1]], lambda: 0, hiddenDim: 1 }));
    expect(tie.message).toContain('repeated singular value');
    // Determined cases of the same shapes work: all ũ⊥ kept (Nh = No), or none (Nh ≤ Ni).
    expect(() => convergedRepresentations({ sigmaYX: wide, lambda: 1, hiddenDim: 5 })).not.toThrow();
    expect(() => convergedRepresentations({ sigmaYX: wide, lambda: 1, hiddenDim: 2 })).not.toThrow();
    expect(() => convergedRepresentations({ sigmaYX: wide, lambda: 0, hiddenDim: 3 })).not.toThrow();
  });
});
