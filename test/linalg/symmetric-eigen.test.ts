/**
 * The symmetric eigensolver (src/linalg/symmetric-eigen.ts) on both kernel back ends:
 * reconstruction S = Eᵀ·diag(λ)·E, orthogonality E·Eᵀ = I, ascending order, eigenvalues
 * against ml-matrix's independent implementation, structured spectra (repeated, zero,
 * negative, graded over 20 decades), extreme scales, and an unmodified input.
 */
import fc from 'fast-check';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../src/linalg/symmetric-eigen.js';
import { createRng, gaussianMatrix, randomOrthogonal } from '../../src/random.js';
import { setKernelBackend } from '../../src/linalg/wasm.js';
import { KERNEL_BACKENDS, useKernelBackend } from '../helpers/backends.js';

/** S = Uᵀ·diag(values)·U for a random orthogonal U, exactly symmetric, row-major. */
function withSpectrum(values: number[], seed: number): Float64Array {
  const n = values.length;
  const u = randomOrthogonal(n, createRng(seed));
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let x = 0;
      for (let k = 0; k < n; k++) x += u.get(k, i) * values[k] * u.get(k, j);
      s[i * n + j] = x;
      s[j * n + i] = x;
    }
  }
  return s;
}

/** max |S − Eᵀ·diag(λ)·E| / max|S|, max |E·Eᵀ − I|. */
function residuals(s: Float64Array, n: number, values: Float64Array, e: Float64Array): { reconstruction: number; orthogonality: number } {
  let rec = 0;
  let scale = 0;
  let orth = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let x = 0;
      let o = 0;
      for (let k = 0; k < n; k++) {
        x += e[k * n + i] * values[k] * e[k * n + j];
        o += e[i * n + k] * e[j * n + k];
      }
      rec = Math.max(rec, Math.abs(x - s[i * n + j]));
      scale = Math.max(scale, Math.abs(s[i * n + j]));
      orth = Math.max(orth, Math.abs(o - (i === j ? 1 : 0)));
    }
  }
  return { reconstruction: scale === 0 ? rec : rec / scale, orthogonality: orth };
}

describe.each(KERNEL_BACKENDS)('symmetricEigen (%s)', (_label, backend) => {
  useKernelBackend(backend);

  // Tolerances: a backward-stable reduction and QL iteration leave residuals of a few n·ε
  // (relative to max|S|) and orthogonality errors of a few n·ε; 20·n·ε covers the constants.
  it('reconstructs random symmetric matrices with orthonormal eigenvectors, ascending, as ml-matrix finds them (150 cases)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 2 ** 30 }), fc.constantFrom(1e-150, 1, 1e150), (n, seed, scale) => {
        const g = gaussianMatrix(n, n, createRng(seed));
        const sym = g.add(g.transpose()).mul(scale / 2);
        const s = Float64Array.from(sym.to1DArray());
        const before = s.slice();
        const { values, vectors } = symmetricEigen(s, n);
        expect(s).toEqual(before);
        const { reconstruction, orthogonality } = residuals(s, n, values, vectors);
        expect(reconstruction).toBeLessThan(20 * n * Number.EPSILON);
        expect(orthogonality).toBeLessThan(20 * n * Number.EPSILON);
        for (let k = 1; k < n; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
        const reference = new EigenvalueDecomposition(sym, { assumeSymmetric: true }).realEigenvalues.sort((x, y) => x - y);
        const top = Math.max(...reference.map(Math.abs));
        for (let k = 0; k < n; k++) expect(Math.abs(values[k] - reference[k])).toBeLessThanOrEqual(20 * n * Number.EPSILON * top);
      }),
      { numRuns: 150, seed: 111 },
    );
  });

  it('structured spectra: repeated, zero, negative and graded eigenvalues are found to a few ε·max|λ|', () => {
    const spectra: number[][] = [
      [1, 1, 1, 1, 1, 1], // S = I: any orthonormal basis
      [0, 0, 0, 2, 2, 5], // rank-deficient with repeats
      [-3, -3, 0, 1, 1, 4],
      Array.from({ length: 12 }, (_, k) => 10 ** (-k * 20 / 11)), // 20 decades: a covariance near singular
      Array.from({ length: 30 }, (_, k) => (k % 3) - 1), // three clusters of ten
    ];
    spectra.forEach((spectrum, t) => {
      const n = spectrum.length;
      const s = withSpectrum(spectrum, 200 + t);
      const { values, vectors } = symmetricEigen(s, n);
      const expected = [...spectrum].sort((x, y) => x - y);
      const top = Math.max(...spectrum.map(Math.abs));
      for (let k = 0; k < n; k++) expect(Math.abs(values[k] - expected[k])).toBeLessThanOrEqual(20 * n * Number.EPSILON * top);
      const { reconstruction, orthogonality } = residuals(s, n, values, vectors);
      expect(reconstruction).toBeLessThan(20 * n * Number.EPSILON);
      expect(orthogonality).toBeLessThan(20 * n * Number.EPSILON);
    });
  });

  it('small cases: 1×1, diagonal, zero, and the 2×2 example', () => {
    expect(Array.from(symmetricEigen(new Float64Array([-2]), 1).values)).toEqual([-2]);
    const diag = symmetricEigen(new Float64Array([3, 0, 0, 0, 1, 0, 0, 0, 2]), 3);
    expect(Array.from(diag.values)).toEqual([1, 2, 3]);
    expect(Array.from(diag.vectors).map(Math.abs)).toEqual([0, 1, 0, 0, 0, 1, 1, 0, 0]);
    const zero = symmetricEigen(new Float64Array(4), 2);
    expect(Array.from(zero.values)).toEqual([0, 0]);
    expect(residuals(new Float64Array(4), 2, zero.values, zero.vectors).orthogonality).toBe(0);
    const two = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
    expect(two.values[0]).toBeCloseTo(1, 15);
    expect(two.values[1]).toBeCloseTo(3, 15);
    expect(Math.abs(two.vectors[0] + two.vectors[1])).toBeLessThan(1e-15); // ±(1, −1)/√2
    expect(Math.abs(two.vectors[2] - two.vectors[3])).toBeLessThan(1e-15); // ±(1, 1)/√2
  });

  it('reads only the lower triangle', () => {
    const full = Float64Array.from(new Matrix([[4, 1, 2], [1, 3, 0], [2, 0, 5]]).to1DArray());
    const lower = Float64Array.from([4, 99, 99, 1, 3, 99, 2, 0, 5]);
    expect(symmetricEigen(lower, 3).values).toEqual(symmetricEigen(full, 3).values);
  });
});

describe('symmetricEigen: the two back ends agree', () => {
  it('to rounding on a 120×120 covariance (eigenvalues and the projector onto the top 10)', () => {
    const x = gaussianMatrix(120, 200, createRng(7));
    const s = Float64Array.from(x.mmul(x.transpose()).div(200).to1DArray());
    const run = (backend: 'js' | 'wasm') => {
      useKernelBackendNow(backend);
      return symmetricEigen(s, 120);
    };
    const js = run('js');
    const wasm = run('wasm');
    useKernelBackendNow('auto');
    for (let k = 0; k < 120; k++) expect(Math.abs(js.values[k] - wasm.values[k])).toBeLessThanOrEqual(1e-13 * js.values[119]);
    // The top-10 eigenvectors up to sign: compare the projectors.
    for (let i = 0; i < 120; i += 17) {
      for (let j = 0; j < 120; j += 13) {
        let a = 0;
        let b = 0;
        for (let k = 110; k < 120; k++) {
          a += js.vectors[k * 120 + i] * js.vectors[k * 120 + j];
          b += wasm.vectors[k * 120 + i] * wasm.vectors[k * 120 + j];
        }
        expect(Math.abs(a - b)).toBeLessThan(1e-12);
      }
    }
  });
});

function useKernelBackendNow(backend: 'js' | 'wasm' | 'auto'): void {
  setKernelBackend(backend, backend === 'wasm' ? { minWork: 0 } : {});
}
