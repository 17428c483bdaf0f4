/**
 * The Golub–Kahan–Reinsch SVD (src/linalg/tall-svd.ts) on both kernel back ends:
 * reconstruction A = U·S·Vᵀ, orthogonality of the square U and V, descending non-negative
 * singular values, agreement with ml-matrix's independent implementation, structured
 * spectra (repeated, zero, graded over 20 decades), each deflation case of the bidiagonal
 * QR iteration, very tall shapes, and an unmodified input.
 *
 * Tolerances: a backward-stable bidiagonalisation and QR iteration leave residuals
 * ‖A − U·S·Vᵀ‖_F/‖A‖_F and orthogonality errors of a few max(m, n)·ε, and each singular
 * value within a few n·ε·‖A‖ of the exact one; 20·max(m, n)·ε covers the constants
 * (measured worst: ≈ 1.5e-14 at 128×128, i.e. 0.5·128·ε).
 */
import fc from 'fast-check';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { tallSvd, type TallSvd } from '../../src/linalg/tall-svd.js';
import { createRng, gaussianMatrix, randomOrthogonal } from '../../src/random.js';
import { setKernelBackend } from '../../src/linalg/wasm.js';
import { KERNEL_BACKENDS, useKernelBackend } from '../helpers/backends.js';

/** ‖A − U·S·Vᵀ‖_F/‖A‖_F (or absolute when A = 0), max|UᵀU − I|, max|VᵀV − I|. */
function residuals(a: Float64Array, m: number, n: number, { s, ut, vt }: TallSvd): { reconstruction: number; orthogonality: number } {
  let rec = 0;
  let norm = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let x = 0;
      for (let k = 0; k < n; k++) x += ut[k * m + i] * s[k] * vt[k * n + j];
      rec += (x - a[i * n + j]) ** 2;
      norm += a[i * n + j] ** 2;
    }
  }
  let orth = 0;
  for (const [z, len] of [[ut, m], [vt, n]] as const) {
    for (let i = 0; i < len; i++) {
      for (let j = 0; j < len; j++) {
        let o = 0;
        for (let k = 0; k < len; k++) o += z[i * len + k] * z[j * len + k];
        orth = Math.max(orth, Math.abs(o - (i === j ? 1 : 0)));
      }
    }
  }
  return { reconstruction: Math.sqrt(rec) / (norm === 0 ? 1 : Math.sqrt(norm)), orthogonality: orth };
}

/** U·diag(sigma)·Vᵀ (m×n, row-major) for Haar-random orthogonal U, V. */
function withSingularValues(sigma: number[], m: number, n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const u = randomOrthogonal(m, rng);
  const v = randomOrthogonal(n, rng);
  const a = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let x = 0;
      for (let k = 0; k < sigma.length; k++) x += u.get(i, k) * sigma[k] * v.get(j, k);
      a[i * n + j] = x;
    }
  }
  return a;
}

/** Checks every property of the decomposition; returns it. */
function checked(a: Float64Array, m: number, n: number): TallSvd {
  const before = a.slice();
  const svd = tallSvd(a, m, n);
  expect(a).toEqual(before);
  expect(svd.s).toHaveLength(n);
  expect(svd.ut).toHaveLength(m * m);
  expect(svd.vt).toHaveLength(n * n);
  for (let k = 0; k < n; k++) {
    expect(svd.s[k]).toBeGreaterThanOrEqual(0);
    if (k > 0) expect(svd.s[k]).toBeLessThanOrEqual(svd.s[k - 1]);
  }
  const { reconstruction, orthogonality } = residuals(a, m, n, svd);
  const tol = 20 * m * Number.EPSILON;
  expect(reconstruction).toBeLessThan(tol);
  expect(orthogonality).toBeLessThan(tol);
  return svd;
}

describe.each(KERNEL_BACKENDS)('tallSvd (%s)', (_label, backend) => {
  useKernelBackend(backend);

  it('decomposes random tall matrices; singular values as ml-matrix finds them (150 cases)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 2 ** 30 }), (n, extra, seed) => {
        const m = n + extra;
        const g = gaussianMatrix(m, n, createRng(seed));
        const a = Float64Array.from(g.to1DArray());
        const { s } = checked(a, m, n);
        const reference = new SingularValueDecomposition(g, { autoTranspose: false, computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal;
        for (let k = 0; k < n; k++) expect(Math.abs(s[k] - reference[k])).toBeLessThanOrEqual(20 * m * Number.EPSILON * reference[0]);
      }),
      { numRuns: 150 },
    );
  });

  it('finds repeated, zero and graded singular values to a few ε·s_max; zero ones leave A·v = 0', () => {
    const spectra: [number[], number, number][] = [
      [[2, 2, 2, 1], 5, 4],
      [[1, 1, 1, 1, 1], 5, 5], // an orthogonal matrix: any basis
      [[3, 1, 0, 0, 0], 7, 5], // rank 2
      [[1, 1e-5, 1e-10, 1e-15, 1e-20, 0], 9, 6], // graded over 20 decades
      [[5, 4, 3, 2, 1, 1e-3, 1e-3], 7, 7],
    ];
    spectra.forEach(([sigma, m, n], i) => {
      const a = withSingularValues(sigma, m, n, 40 + i);
      const { s, vt } = checked(a, m, n);
      const tol = 20 * m * Number.EPSILON * sigma[0];
      for (let k = 0; k < n; k++) expect(Math.abs(s[k] - sigma[k])).toBeLessThanOrEqual(tol);
      for (let k = 0; k < n; k++) {
        if (sigma[k] !== 0) continue;
        for (let r = 0; r < m; r++) {
          let av = 0;
          for (let c = 0; c < n; c++) av += a[r * n + c] * vt[k * n + c];
          expect(Math.abs(av)).toBeLessThanOrEqual(tol);
        }
      }
    });
  });

  it('exact inputs: 1×1 (the sign goes to the vectors), zero, unsorted diagonal, column vector', () => {
    const one = checked(new Float64Array([-3]), 1, 1);
    expect(one.s[0]).toBe(3);
    expect(one.ut[0] * one.vt[0]).toBe(-1);
    const zero = checked(new Float64Array(12), 4, 3);
    expect(Array.from(zero.s)).toEqual([0, 0, 0]);
    const diagonal = checked(new Float64Array([1, 0, 0, 0, -4, 0, 0, 0, 2, 0, 0, 0]), 4, 3);
    expect(Array.from(diagonal.s)).toEqual([4, 2, 1]);
    const column = checked(new Float64Array([3, 0, 4]), 3, 1);
    expect(Math.abs(column.s[0] - 5)).toBeLessThanOrEqual(4 * Number.EPSILON);
  });

  it('bidiagonals with a zero on the diagonal take the deflation cases and stay exact', () => {
    // Already upper bidiagonal, so the reflectors only flip signs and the zero stays exactly
    // zero: the QR iteration must chase the coupling away (at the end: LINPACK's case 1;
    // inside: case 2). BᵀB's determinant is 0, so the smallest singular value is 0.
    for (const d of [[1, 2, 3, 0], [1, 0, 2, 3], [0, 1, 1, 1], [2, 0, 0, 1]]) {
      const n = d.length;
      const b = new Float64Array(n * n);
      for (let k = 0; k < n; k++) {
        b[k * n + k] = d[k];
        if (k + 1 < n) b[k * n + k + 1] = 1;
      }
      const { s } = checked(b, n, n);
      expect(s[n - 1]).toBeLessThanOrEqual(20 * n * Number.EPSILON);
      const reference = new SingularValueDecomposition(new Matrix(Array.from({ length: n }, (_, i) => Array.from(b.subarray(i * n, (i + 1) * n))))).diagonal;
      for (let k = 0; k < n; k++) expect(Math.abs(s[k] - reference[k])).toBeLessThanOrEqual(20 * n * Number.EPSILON * reference[0]);
    }
  });

  it('very tall shapes (300×5, as Σyxᵀ of a wide task): U is square and its extra rows complete the basis', () => {
    const g = gaussianMatrix(300, 5, createRng(9));
    const a = Float64Array.from(g.to1DArray());
    const { ut } = checked(a, 300, 5);
    // Rows 5…299 of Uᵀ are orthogonal to A's columns.
    let worst = 0;
    for (let r = 5; r < 300; r++) {
      for (let c = 0; c < 5; c++) {
        let x = 0;
        for (let i = 0; i < 300; i++) x += ut[r * 300 + i] * a[i * 5 + c];
        worst = Math.max(worst, Math.abs(x));
      }
    }
    expect(worst).toBeLessThan(20 * 300 * Number.EPSILON * g.norm('frobenius'));
  });
});

describe('tallSvd across back ends and shapes', () => {
  it('the JavaScript and WebAssembly kernels agree to rounding at 60×50', () => {
    const a = withSingularValues(Array.from({ length: 50 }, (_, k) => 2 ** -k / 3), 60, 50, 5);
    setKernelBackend('js');
    const plain = tallSvd(a, 60, 50).s;
    setKernelBackend('auto');
    const fast = tallSvd(a, 60, 50).s;
    for (let k = 0; k < 50; k++) expect(Math.abs(plain[k] - fast[k])).toBeLessThanOrEqual(20 * 60 * Number.EPSILON * plain[0]);
  });

  it('refuses wide and empty shapes', () => {
    expect(() => tallSvd(new Float64Array(6), 2, 3)).toThrow(RangeError);
    expect(() => tallSvd(new Float64Array(0), 3, 0)).toThrow(RangeError);
  });
});
