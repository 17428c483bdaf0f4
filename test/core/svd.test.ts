/**
 * fullSvd: m = u·diag(s)·vᵀ with square orthogonal u, v (MATH.md §4 needs the completed
 * bases ũ⊥, ṽ⊥). Checked on matrices with known singular values, on wide, tall, square,
 * rank-deficient and zero matrices, and on random shapes (property-based).
 *
 * Tolerances: reconstruction ‖m − u·S·vᵀ‖_F ≤ 1e-14·max(1, ‖m‖_F) and orthogonality
 * max |uᵀu − I|, max |vᵀv − I| ≤ 1e-14; ml-matrix's Golub–Kahan SVD and the twice-applied
 * Gram–Schmidt completion reach a few 1e-16 on these sizes.
 */
import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { clearSvdCache, fullSvd } from '../../src/core/svd.js';
import { setKernelBackend } from '../../src/linalg/wasm.js';
import { NonFiniteError } from '../../src/errors.js';
import { createRng, gaussianMatrix, randomOrthogonal } from '../../src/random.js';

const TOL = 1e-14;

function maxAbs(m: Matrix): number {
  return Math.max(m.max(), -m.min());
}

/** The rows×cols matrix with s on its diagonal. */
function diagonal(s: number[], rows: number, cols: number): Matrix {
  const d = new Matrix(rows, cols);
  s.forEach((x, i) => d.set(i, i, x));
  return d;
}

/** Checks every property of a full SVD of m; returns the errors. */
function checkSvd(m: Matrix): { reconstruction: number; orthogonality: number } {
  const copy = m.clone();
  const { u, s, v } = fullSvd(m);
  expect(m.to2DArray()).toEqual(copy.to2DArray()); // input untouched
  const r = Math.min(m.rows, m.columns);
  expect([u.rows, u.columns]).toEqual([m.rows, m.rows]);
  expect([v.rows, v.columns]).toEqual([m.columns, m.columns]);
  expect(s).toHaveLength(r);
  for (let i = 0; i < r; i++) {
    expect(s[i]).toBeGreaterThanOrEqual(0);
    if (i > 0) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
  }
  const rec = u.mmul(diagonal(s, m.rows, m.columns)).mmul(v.transpose());
  const reconstruction = rec.sub(m).norm('frobenius') / Math.max(1, m.norm('frobenius'));
  const ou = maxAbs(u.transpose().mmul(u).sub(Matrix.eye(m.rows)));
  const ov = maxAbs(v.transpose().mmul(v).sub(Matrix.eye(m.columns)));
  const orthogonality = Math.max(ou, ov);
  expect(reconstruction).toBeLessThan(TOL);
  expect(orthogonality).toBeLessThan(TOL);
  return { reconstruction, orthogonality };
}

/** U[:, :r] diag(sigma) V[:, :r]ᵀ for random orthogonal U (rows×rows), V (cols×cols). */
function withSingularValues(sigma: number[], rows: number, cols: number, seed: number): Matrix {
  const rng = createRng(seed);
  const u = randomOrthogonal(rows, rng);
  const v = randomOrthogonal(cols, rng);
  return u.mmul(diagonal(sigma, rows, cols)).mmul(v.transpose());
}

describe('fullSvd', () => {
  it('recovers known singular values of wide, tall and square matrices', () => {
    const sigma = [5, 3, 1.5, 0.25];
    for (const [rows, cols] of [[4, 7], [7, 4], [4, 4]] as const) {
      const m = withSingularValues(sigma, rows, cols, rows * 10 + cols);
      checkSvd(m);
      const { s } = fullSvd(m);
      for (let i = 0; i < 4; i++) expect(Math.abs(s[i] - sigma[i])).toBeLessThan(TOL * sigma[0]);
    }
  });

  it('decomposes wide, tall and square random matrices', () => {
    const rng = createRng(1);
    for (const [rows, cols] of [[1, 1], [1, 6], [6, 1], [2, 9], [9, 2], [5, 5], [8, 3], [3, 8]] as const) {
      checkSvd(gaussianMatrix(rows, cols, rng, 3));
    }
  });

  it('handles rank-deficient matrices; the completed columns span the complement and null space', () => {
    for (const [rows, cols] of [[6, 4], [4, 6], [5, 5]] as const) {
      const sigma = [2, 1, 0, 0];
      const m = withSingularValues(sigma, rows, cols, 7 * rows + cols);
      checkSvd(m);
      const { u, s, v } = fullSvd(m);
      expect(s[2]).toBeLessThan(TOL * 2);
      // Columns of v beyond the rank are in the null space of m; columns of u beyond it are
      // orthogonal to its column space.
      const nullPart = m.mmul(v.subMatrix(0, cols - 1, 2, cols - 1));
      const leftNull = u.subMatrix(0, rows - 1, 2, rows - 1).transpose().mmul(m);
      expect(maxAbs(nullPart)).toBeLessThan(TOL * 2);
      expect(maxAbs(leftNull)).toBeLessThan(TOL * 2);
    }
    // An exact rank-one outer product.
    const x = new Matrix([[1], [2], [3]]);
    const y = new Matrix([[4, 5]]);
    const outer = x.mmul(y);
    checkSvd(outer);
    expect(fullSvd(outer).s[0]).toBeCloseTo(Math.sqrt(14) * Math.sqrt(41), 13);
  });

  it('handles repeated singular values', () => {
    const m = withSingularValues([2, 2, 2, 1], 5, 4, 3);
    checkSvd(m);
    const { s } = fullSvd(m);
    for (const [i, want] of [[0, 2], [1, 2], [2, 2], [3, 1]]) expect(Math.abs(s[i] - want)).toBeLessThan(TOL * 2);
  });

  it('handles zero matrices (u, v are then any orthogonal matrices, s = 0)', () => {
    for (const [rows, cols] of [[1, 1], [3, 5], [5, 3], [4, 4]] as const) {
      const m = Matrix.zeros(rows, cols);
      checkSvd(m);
      expect(fullSvd(m).s.every((x) => x === 0)).toBe(true);
    }
  });

  it('property: reconstruction and orthogonality to 1e-14 on random shapes 1..8 and ranks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.double({ min: -6, max: 6, noNaN: true }),
        (rows, cols, rank, seed, logScale) => {
          const rng = createRng(seed);
          const k = Math.min(rank, rows, cols);
          // rows×k times k×cols: rank exactly k (generically).
          const m =
            k === 0
              ? Matrix.zeros(rows, cols)
              : gaussianMatrix(rows, k, rng, 10 ** logScale).mmul(gaussianMatrix(k, cols, rng));
          checkSvd(m);
          const { s } = fullSvd(m);
          for (let i = k; i < s.length; i++) expect(s[i]).toBeLessThan(1e-13 * Math.max(s[0], 1e-300) + 1e-300);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('is scale-invariant down to 1e-303 and up to 1e300 (ml-matrix alone never returns on ~1e-303 entries)', () => {
    const rng = createRng(31);
    for (const scale of [1e-303, 1e-200, 1e150, 1e300]) {
      for (const [rows, cols, rank] of [[5, 6, 1], [6, 5, 5], [3, 3, 2]] as const) {
        const m = gaussianMatrix(rows, rank, rng, scale).mmul(gaussianMatrix(rank, cols, rng));
        const { u, s, v } = fullSvd(m);
        const rec = u.mmul(diagonal(s, rows, cols)).mmul(v.transpose());
        expect(maxAbs(rec.sub(m)) / maxAbs(m)).toBeLessThan(TOL); // max-norm: ‖m‖_F overflows at 1e300
        expect(maxAbs(u.transpose().mmul(u).sub(Matrix.eye(rows)))).toBeLessThan(TOL);
        // Same singular values, relatively, as the matrix rescaled to unit size.
        const unit = fullSvd(m.clone().div(scale)).s;
        for (let i = 0; i < rank; i++) expect(Math.abs(s[i] / scale - unit[i])).toBeLessThan(TOL * unit[0]);
      }
    }
    // Subnormal entries: still returns, with the singular value to the spacing of subnormals.
    const { s } = fullSvd(new Matrix([[5e-324, 1e-322], [0, 1e-323]]));
    expect(Math.abs(s[0] - Math.hypot(5e-324, 1e-322, 1e-323))).toBeLessThanOrEqual(1e-323);
  });

  it('hard inputs: graded rows and columns (30 decades), entries of 1 and 1e-300 mixed, sparse, integer and Kahan matrices', () => {
    const rng = createRng(99);
    const kinds: ((i: number, j: number, rows: number, cols: number) => number)[] = [
      (i, _j, rows) => rng.normal() * 10 ** ((-30 * i) / rows),
      (_i, j, _rows, cols) => rng.normal() * 10 ** ((-30 * j) / cols),
      () => rng.normal() * (rng.uniform() < 0.5 ? 1e-300 : 1),
      () => (rng.uniform() < 0.7 ? 0 : rng.normal()),
      () => Math.round(2 * rng.normal()),
      (i, j) => (i === j ? 1 : j > i ? -1 : 0), // Kahan-like: singular values over many decades
    ];
    for (const [k, kind] of kinds.entries()) {
      for (const [rows, cols] of [[12, 7], [7, 12], [25, 25]] as const) {
        const m = new Matrix(rows, cols);
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, kind(i, j, rows, cols));
        const { reconstruction } = checkSvd(m);
        expect(reconstruction, `kind ${k}, ${rows}×${cols}`).toBeLessThan(TOL);
      }
    }
  });

  it('refuses NaN and infinite entries', () => {
    expect(() => fullSvd(new Matrix([[1, Number.NaN]]))).toThrow(NonFiniteError);
    expect(() => fullSvd(new Matrix([[1], [Number.POSITIVE_INFINITY]]))).toThrow(NonFiniteError);
  });
});

describe('fullSvd cache (repeated decompositions of one task)', () => {
  it('returns the same decomposition as a fresh one, as copies the caller may change', () => {
    const m = gaussianMatrix(12, 9, createRng(71));
    const first = fullSvd(m);
    const again = fullSvd(m.clone());
    expect(again.u.to1DArray()).toEqual(first.u.to1DArray());
    expect(again.v.to1DArray()).toEqual(first.v.to1DArray());
    expect(again.s).toEqual(first.s);
    expect(again.u).not.toBe(first.u);
    // Changing what was returned changes nothing later.
    first.u.set(0, 0, 1e9);
    first.s[0] = -1;
    const third = fullSvd(m);
    expect(third.u.to1DArray()).toEqual(again.u.to1DArray());
    expect(third.s).toEqual(again.s);
  });

  it('is kept per kernel back end: a decomposition cached under one is not returned under the other', () => {
    // The back ends round differently, so a result cached under WebAssembly and returned under
    // JavaScript would make a call's bits depend on what ran before it.
    const m = gaussianMatrix(60, 60, createRng(73)); // large enough for the WebAssembly kernels
    const bits = (d: ReturnType<typeof fullSvd>): number[] => [...d.s, ...d.u.to1DArray(), ...d.v.to1DArray()];
    try {
      clearSvdCache();
      setKernelBackend('js');
      const js = bits(fullSvd(m));
      setKernelBackend('auto');
      clearSvdCache();
      const wasm = bits(fullSvd(m));
      expect(js).not.toEqual(wasm); // the test can tell them apart
      setKernelBackend('js');
      expect(bits(fullSvd(m))).toEqual(js); // not the cached WebAssembly result
      setKernelBackend('auto');
      expect(bits(fullSvd(m))).toEqual(wasm);
    } finally {
      setKernelBackend('auto');
    }
  });

  it('decomposes a matrix again when its entries change, even in place', () => {
    const m = gaussianMatrix(6, 5, createRng(72));
    const before = fullSvd(m);
    m.set(4, 1, m.get(4, 1) + 0.5); // the same Matrix object, changed in place
    const after = fullSvd(m);
    const rec = after.u.subMatrix(0, 5, 0, 4).mmul(Matrix.diag(after.s)).mmul(after.v.transpose());
    expect(rec.sub(m).norm('frobenius')).toBeLessThan(1e-13 * m.norm('frobenius'));
    expect(after.s).not.toEqual(before.s);
  });
});
