/**
 * Tasks (MATH.md §1): covariances from data, the whitening check and transform, random
 * whitened tasks and tasks given by Σyx.
 *
 * Tolerances: covariances agree with direct ml-matrix products to 1e-14 relative;
 * whitened Σxx = I to 1e-12 (condition number of the test data ≲ 1e2); randomTask's
 * Σxx = I to 1e-13 (Householder QR is orthogonal to a few 1e-16).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { nearIdentityInverseSquareRoot, randomTask, taskFromData, taskFromSigmaYX, type RandomTaskOptions } from '../../src/core/task.js';
import {
  InvalidArgumentError,
  NonFiniteError,
  NotWhitenedError,
  ShapeError,
} from '../../src/errors.js';
import { createRng, gaussianMatrix } from '../../src/random.js';
import { expectTypedError, thrown } from '../helpers/errors.js';

function maxAbs(m: Matrix): number {
  return Math.max(m.max(), -m.min());
}

function relErr(a: Matrix, b: Matrix): number {
  return a.clone().sub(b).norm('frobenius') / Math.max(b.norm('frobenius'), 1e-300);
}

/** Direct ab ᵀ/p with ml-matrix. */
function cov(a: Matrix, b: Matrix): Matrix {
  return a.mmul(b.transpose()).div(a.columns);
}

/** Correlated, uncentred inputs: Ni×P = mixing·Gaussian + offset. */
function correlatedInputs(ni: number, p: number, seed: number): Matrix {
  const rng = createRng(seed);
  const mixing = gaussianMatrix(ni, ni, rng).add(Matrix.eye(ni).mul(2));
  return mixing.mmul(gaussianMatrix(ni, p, rng)).add(0.3);
}

describe('taskFromData', () => {
  it('computes Σxx = XXᵀ/P, Σyx = YXᵀ/P, Σyy = YYᵀ/P (tolerance: Infinity skips the whitening check)', () => {
    const x = correlatedInputs(3, 40, 1);
    const y = gaussianMatrix(2, 40, createRng(2));
    const task = taskFromData(x, y, { tolerance: Number.POSITIVE_INFINITY });
    expect(relErr(task.sigmaXX, cov(x, x))).toBeLessThan(1e-14);
    expect(relErr(task.sigmaYX, cov(y, x))).toBeLessThan(1e-14);
    expect(relErr(task.sigmaYY, cov(y, y))).toBeLessThan(1e-14);
    expect(task.samples).toBe(40);
    expect(task.X!.to2DArray()).toEqual(x.to2DArray());
    expect(task.Y!.to2DArray()).toEqual(y.to2DArray());
    expect(task.whitening).toBeUndefined();
  });

  it('accepts whitened data at the default tolerance (one-hot items scaled by √P, MATH.md §9)', () => {
    const p = 4;
    const x = Matrix.eye(p).mul(Math.sqrt(p));
    const y = new Matrix([[1, 1, 1, 1], [1, 1, -1, -1]]);
    const task = taskFromData(x.to2DArray(), y.to2DArray());
    expect(maxAbs(task.sigmaXX.clone().sub(Matrix.eye(p)))).toBeLessThan(1e-15);
    // Σyx = Y·(√P·I)/P = Y/√P.
    expect(relErr(task.sigmaYX, y.clone().div(Math.sqrt(p)))).toBeLessThan(1e-15);
  });

  it('throws NotWhitenedError reporting the deviation and the tolerance, suggesting whiten: true', () => {
    const x = [[1, 1], [1, 1]]; // Σxx = [[1, 1], [1, 1]]: max |Σxx − I| = 1
    const e = expectTypedError(() => taskFromData(x, [[1, 0]]), NotWhitenedError, (1).toExponential(3), '1e-8', 'whiten: true');
    expect(e.deviation).toBe(1);
    expect(e.argument).toBe('X');

    const xc = correlatedInputs(3, 30, 4);
    const deviation = maxAbs(cov(xc, xc).sub(Matrix.eye(3)));
    const e2 = thrown(() => taskFromData(xc, gaussianMatrix(1, 30, createRng(5)), { tolerance: 1e-3 }));
    expect((e2 as NotWhitenedError).deviation).toBeCloseTo(deviation, 13);
    expect(e2.message).toContain('0.001');
  });

  it('the tolerance is respected on both sides', () => {
    const p = 4;
    const x = Matrix.eye(p).mul(Math.sqrt(p) * (1 + 1e-6)); // Σxx = (1 + 1e-6)²·I: deviation ≈ 2e-6
    const y = Matrix.ones(1, p);
    expect(() => taskFromData(x, y)).toThrow(NotWhitenedError);
    expect(taskFromData(x, y, { tolerance: 3e-6 }).samples).toBe(p);
  });

  it('whiten: true maps X to T·X with T = Σxx^{-1/2}: Σxx = I to 1e-12 and T·Σxx·T = I', () => {
    for (const [ni, no, p, seed] of [[3, 2, 50, 1], [5, 4, 20, 2], [1, 3, 7, 3], [4, 1, 4, 4]] as const) {
      const x = correlatedInputs(ni, p, seed);
      const y = gaussianMatrix(no, p, createRng(seed + 100));
      const before = x.to2DArray();
      const task = taskFromData(x, y, { whiten: true });
      expect(x.to2DArray()).toEqual(before);
      const t = task.whitening!;
      const sxx = cov(x, x);
      // T is the symmetric positive definite root Σxx^{-1/2} (symmetric to rounding):
      // T·Σxx·T = I and T²·Σxx = I.
      expect(maxAbs(t.clone().sub(t.transpose()))).toBeLessThan(1e-13 * maxAbs(t));
      expect(maxAbs(t.mmul(sxx).mmul(t).sub(Matrix.eye(ni)))).toBeLessThan(1e-12);
      expect(maxAbs(t.mmul(t).mmul(sxx).sub(Matrix.eye(ni)))).toBeLessThan(1e-12);
      expect(task.X!.rows).toBe(ni);
      expect(relErr(task.X!, t.mmul(x))).toBeLessThan(1e-14);
      expect(task.sigmaXX.to2DArray()).toEqual(Matrix.eye(ni).to2DArray());
      expect(maxAbs(cov(task.X!, task.X!).sub(Matrix.eye(ni)))).toBeLessThan(1e-12);
      // Σyx of the whitened task = Y(TX)ᵀ/P = Σyx_orig·Tᵀ; Σyy is unchanged.
      expect(relErr(task.sigmaYX, cov(y, x).mmul(t.transpose()))).toBeLessThan(1e-13);
      expect(relErr(task.sigmaYY, cov(y, y))).toBeLessThan(1e-14);
      // The whitened data pass the default check.
      expect(relErr(taskFromData(task.X!, task.Y!).sigmaYX, task.sigmaYX)).toBeLessThan(1e-14);
    }
  });

  it('whiten: true is accurate for ill-conditioned inputs (cond(Σxx) = 1e8): XXᵀ/P = I to 1e-13', () => {
    // X = O·diag(1, 1e-2, 1e-4)·(orthonormal rows)·√P: Σxx = O·diag(1, 1e-4, 1e-8)·Oᵀ.
    const rng = createRng(12);
    const base = randomTask({ inputDim: 3, outputDim: 1, samples: 40, seed: 13 }).X!;
    const o = gaussianMatrix(3, 3, rng).add(Matrix.eye(3).mul(3));
    const x = o.mmul(Matrix.diag([1, 1e-2, 1e-4])).mmul(base);
    const y = gaussianMatrix(2, 40, rng);
    const task = taskFromData(x, y, { whiten: true });
    const w = task.X!;
    expect(maxAbs(cov(w, w).sub(Matrix.eye(3)))).toBeLessThan(1e-13);
    // The task's Σyx is still Y·(TX)ᵀ/P of the returned data.
    expect(relErr(task.sigmaYX, cov(y, w))).toBeLessThan(1e-14);
  });

  it('whiten: true on inputs of extreme size (X·1e-300 … X·1e300): the same whitened data and Σyx, and T = Σxx^{-1/2}', () => {
    // Whitening is scale-free: the whitened inputs of c·X are those of X, and T scales by 1/c.
    // Before, X·1e-150 gave Σyx 2e-3 off and X·1e150 a "singular" Σxx of NaNs. Same
    // tolerances as above; T checked through T·(cX) = the whitened data.
    const x = correlatedInputs(4, 50, 21);
    const y = gaussianMatrix(3, 50, createRng(22));
    const reference = taskFromData(x, y, { whiten: true });
    for (const c of [1e-300, 1e-150, 1e-70, 1e70, 1e150, 1e300]) {
      const scaled = x.clone().mul(c);
      const task = taskFromData(scaled, y, { whiten: true });
      expect(relErr(task.sigmaYX, reference.sigmaYX), `X·${c}: Σyx`).toBeLessThan(1e-13);
      expect(maxAbs(cov(task.X!, task.X!).sub(Matrix.eye(4))), `X·${c}: Σxx of the whitened data`).toBeLessThan(1e-12);
      expect(relErr(task.whitening!.mmul(scaled), task.X!), `X·${c}: T·X`).toBeLessThan(1e-14);
    }
    // Inputs whose whitening transform would overflow are refused, saying so.
    expectTypedError(() => taskFromData(x.clone().mul(1e-305), y, { whiten: true }), InvalidArgumentError, 'too small to whiten');
  });

  it('whiten: true refuses singular Σxx (fewer samples than inputs, collinear inputs), reporting the smallest eigenvalue', () => {
    expectTypedError(
      () => taskFromData(gaussianMatrix(4, 3, createRng(1)), new Matrix(1, 3).fill(1), { whiten: true }),
      InvalidArgumentError,
      'smallest eigenvalue',
      'fewer samples (3) than inputs (4)',
    );

    const base = gaussianMatrix(1, 10, createRng(2));
    const collinear = new Matrix([base.getRow(0), base.getRow(0).map((v) => 2 * v), gaussianMatrix(1, 10, createRng(3)).getRow(0)]);
    expectTypedError(() => taskFromData(collinear, new Matrix(2, 10).fill(1), { whiten: true }), InvalidArgumentError, 'collinear');
    expect(thrown(() => taskFromData(new Matrix(2, 5), new Matrix(1, 5).fill(1), { whiten: true }))).toBeInstanceOf(InvalidArgumentError);
  });

  it('refuses mismatched sample counts, non-finite data and bad options', () => {
    expectTypedError(() => taskFromData(new Matrix(2, 5).fill(1), new Matrix(3, 4).fill(1)), ShapeError, '2×5', '3×4');
    expect(() => taskFromData([[Number.NaN]], [[1]])).toThrow(NonFiniteError);
    expect(() => taskFromData([[1]], [[1]], { whiten: 'yes' as never })).toThrow(InvalidArgumentError);
    expect(thrown(() => taskFromData([[1]], [[1]], { tolerance: -1 })).message).toContain('tolerance');
    expect(() => taskFromData([[1]], [[1]], { tolerance: Number.NaN })).toThrow(NonFiniteError);
  });
});

describe('randomTask', () => {
  const opts: RandomTaskOptions = { inputDim: 4, outputDim: 3, samples: 25, seed: 17 };

  it('is whitened (Σxx = I to 1e-13, recomputed from X) and noiseless: Y = Σyx·X, Σyy = Σyx·Σyxᵀ', () => {
    for (const o of [opts, { inputDim: 6, outputDim: 2, samples: 6, seed: 3 }, { inputDim: 1, outputDim: 5, samples: 200, seed: 4, scale: 0.2 }]) {
      const task = randomTask(o);
      const x = task.X!;
      const y = task.Y!;
      expect([x.rows, x.columns, y.rows, y.columns]).toEqual([o.inputDim, o.samples, o.outputDim, o.samples]);
      expect(maxAbs(cov(x, x).sub(Matrix.eye(o.inputDim)))).toBeLessThan(1e-13);
      expect(maxAbs(task.sigmaXX.clone().sub(Matrix.eye(o.inputDim)))).toBeLessThan(1e-13);
      // Σyx recomputed from the data, and the data are exactly linear in X with that map.
      expect(relErr(task.sigmaYX, cov(y, x))).toBeLessThan(1e-14);
      expect(relErr(task.sigmaYX.mmul(x), y)).toBeLessThan(1e-13);
      expect(relErr(task.sigmaYY, task.sigmaYX.mmul(task.sigmaYX.transpose()))).toBeLessThan(1e-13);
      expect(task.samples).toBe(o.samples);
      // taskFromData accepts it at the default tolerance and agrees.
      expect(relErr(taskFromData(x, y).sigmaYX, task.sigmaYX)).toBeLessThan(1e-15);
    }
  });

  it('Σyx has i.i.d. N(0, scale²) entries', () => {
    const scale = 3;
    const { sigmaYX } = randomTask({ inputDim: 30, outputDim: 30, samples: 30, seed: 8, scale });
    const values = sigmaYX.to1DArray();
    const n = values.length;
    const mean = values.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    expect(Math.abs(mean)).toBeLessThan((4 * scale) / Math.sqrt(n));
    expect(Math.abs(sd / scale - 1)).toBeLessThan(4 / Math.sqrt(2 * n));
  });

  it('the same seed gives the same task; another seed a different one', () => {
    const a = randomTask(opts);
    const b = randomTask({ ...opts });
    const c = randomTask({ ...opts, seed: 18 });
    expect(a.X!.to2DArray()).toEqual(b.X!.to2DArray());
    expect(a.sigmaYX.to2DArray()).toEqual(b.sigmaYX.to2DArray());
    expect(maxAbs(a.sigmaYX.clone().sub(c.sigmaYX))).toBeGreaterThan(1e-3);
  });

  it('refuses bad options, naming the field', () => {
    const samples = expectTypedError(() => randomTask({ ...opts, samples: 3 }), InvalidArgumentError, 'inputDim = 4');
    expect(samples.argument).toBe('samples');
    for (const [field, value] of [['inputDim', 2.5], ['outputDim', 0], ['samples', -3]] as const) {
      expect(expectTypedError(() => randomTask({ ...opts, [field]: value }), InvalidArgumentError).argument).toBe(field);
    }
    const { seed: _unused, ...noSeed } = opts;
    expect(thrown(() => randomTask(noSeed as RandomTaskOptions)).message).toContain('seed is required for reproducibility');
    expect(thrown(() => randomTask({ ...opts, scale: -1 })).argument).toBe('scale');
    expect(() => randomTask({ ...opts, scale: Number.NaN })).toThrow(NonFiniteError);
    expect(() => randomTask(undefined as never)).toThrow(InvalidArgumentError);
  });
});

describe('taskFromSigmaYX', () => {
  it('is the whitened noiseless task: Σxx = I, Σyy = ΣyxΣyxᵀ, samples = Infinity, a copy of Σyx', () => {
    const s = gaussianMatrix(3, 5, createRng(6));
    const task = taskFromSigmaYX(s);
    expect(task.sigmaXX.to2DArray()).toEqual(Matrix.eye(5).to2DArray());
    expect(relErr(task.sigmaYY, s.mmul(s.transpose()))).toBeLessThan(1e-15);
    expect(task.samples).toBe(Number.POSITIVE_INFINITY);
    expect(task.X).toBeUndefined();
    const before = s.get(0, 0);
    s.set(0, 0, 99);
    expect(task.sigmaYX.get(0, 0)).toBe(before);
    expect(taskFromSigmaYX([[1, 2]]).sigmaYY.get(0, 0)).toBe(5);
    expect(() => taskFromSigmaYX([[Number.POSITIVE_INFINITY]])).toThrow(NonFiniteError);
    expect(() => taskFromSigmaYX([])).toThrow(ShapeError);
  });
});

// The second whitening pass: (I + E)^{-1/2} from the binomial series, against the root from
// an eigendecomposition (accurate to a few ε·cond, cond ≤ 1.1 here) and against the defining
// identity R·S·R = I (rounding of two n-term products: ≲ 2n·ε·‖R‖²; 1e-14 covers n ≤ 30).
describe('nearIdentityInverseSquareRoot (second whitening pass)', () => {
  function symmetricOfNorm(n: number, norm: number, seed: number): Matrix {
    const g = gaussianMatrix(n, n, createRng(seed));
    const e = g.add(g.transpose());
    return e.mul(norm / e.norm('frobenius'));
  }

  it('equals V·diag((1 + μ)^{-1/2})·Vᵀ and satisfies R·S·R = I, for ‖E‖_F from 1e-14 to 0.05', () => {
    for (const n of [1, 5, 30]) {
      for (const [k, norm] of [1e-14, 1e-9, 1e-5, 1e-3, 0.049].entries()) {
        const s = symmetricOfNorm(n, norm, 100 * n + k).add(Matrix.eye(n));
        const input = Float64Array.from(s.to1DArray());
        const before = input.slice();
        const r = nearIdentityInverseSquareRoot(input, n)!;
        expect(input).toEqual(before);
        const rm = new Matrix(n, n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) rm.set(i, j, r[i * n + j]);
        expect(rm.to2DArray()).toEqual(rm.transpose().to2DArray());
        const evd = new EigenvalueDecomposition(s, { assumeSymmetric: true });
        const v = evd.eigenvectorMatrix;
        const reference = v.mmul(Matrix.diag(evd.realEigenvalues.map((mu) => 1 / Math.sqrt(mu)))).mmul(v.transpose());
        expect(maxAbs(rm.clone().sub(reference)), `n = ${n}, ‖E‖ = ${norm}`).toBeLessThan(1e-14);
        expect(maxAbs(rm.mmul(s).mmul(rm).sub(Matrix.eye(n))), `n = ${n}, ‖E‖ = ${norm}`).toBeLessThan(1e-14);
      }
    }
  });

  it('declines (undefined) when ‖E‖_F exceeds the series radius 0.05, or E is not finite', () => {
    const s = symmetricOfNorm(4, 0.051, 7).add(Matrix.eye(4));
    expect(nearIdentityInverseSquareRoot(Float64Array.from(s.to1DArray()), 4)).toBeUndefined();
    expect(nearIdentityInverseSquareRoot(new Float64Array([1, Number.NaN, Number.NaN, 1]), 2)).toBeUndefined();
  });
});
