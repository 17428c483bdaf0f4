/**
 * Householder QR (src/linalg/householder.ts) and the basis completion built on it
 * (src/linalg/complete-basis.ts), against their defining identities and against
 * ml-matrix's QrDecomposition as an independent oracle; orthonormalColumns's CholeskyQR2
 * fast path must hand over to Householder when it would lose orthogonality. Orthogonality to a few ulps per
 * dimension (Householder QR is backward stable: ‖QᵀQ − I‖ = O(n·u)).
 */
import fc from 'fast-check';
import { Matrix, QrDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { completeOrthonormalBasis } from '../../src/linalg/complete-basis.js';
import { fromArray, toArray } from '../../src/linalg/dense.js';
import { orthonormalColumns } from '../../src/linalg/householder.js';
import { createRng, gaussianMatrix, randomOrthogonal, randomOrthogonalColumns } from '../../src/random.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { balanceOf } from '../../src/core/balance.js';

const U = 2 ** -53;

/** max |QᵀQ − I| for row-major m×n Q. */
function orthogonalityError(q: Float64Array, m: number, n: number): number {
  const qm = fromArray(q, m, n);
  const e = qm.transpose().mmul(qm).sub(Matrix.eye(n)).abs();
  return e.max();
}

describe('orthonormalColumns (thin Householder QR, R with a positive diagonal)', () => {
  it('Q has orthonormal columns, QᵀA is upper triangular with a positive diagonal, and Q equals ml-matrix’s sign-fixed Q (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 2 ** 30 }), (n, extra, seed) => {
        const m = n + extra;
        const a = gaussianMatrix(m, n, createRng(seed));
        const q = orthonormalColumns(toArray(a), m, n);
        expect(orthogonalityError(q, m, n)).toBeLessThan(20 * m * U);
        const r = fromArray(q, m, n).transpose().mmul(a); // = R
        const scale = a.norm('frobenius');
        for (let i = 0; i < n; i++) {
          expect(r.get(i, i)).toBeGreaterThan(0);
          for (let j = 0; j < i; j++) expect(Math.abs(r.get(i, j))).toBeLessThan(20 * m * U * scale);
        }
        // The QR with a positive diagonal is unique: ml-matrix's, signs fixed, is the same Q.
        const qr = new QrDecomposition(a);
        const oq = qr.orthogonalMatrix;
        const od = qr.upperTriangularMatrix;
        for (let j = 0; j < n; j++) {
          const sign = od.get(j, j) < 0 ? -1 : 1;
          for (let i = 0; i < m; i++) expect(Math.abs(sign * oq.get(i, j) - q[i * n + j])).toBeLessThan(1e-10);
        }
      }),
      { numRuns: 120, seed: 8080 },
    );
  });
});

describe('orthonormalColumns on ill-conditioned matrices', () => {
  it('stays orthonormal when κ(A)² is beyond 1/u (CholeskyQR2 is rejected, Householder takes over)', () => {
    for (const eps of [1e-6, 1e-9, 1e-13]) {
      // Two columns at an angle of ~eps: κ(A) ≈ 1/eps.
      const m = 30;
      const n = 4;
      const a = gaussianMatrix(m, n, createRng(11));
      for (let i = 0; i < m; i++) a.set(i, 1, a.get(i, 0) + eps * a.get(i, 1));
      const q = orthonormalColumns(toArray(a), m, n);
      expect(orthogonalityError(q, m, n)).toBeLessThan(20 * m * U);
      const r = fromArray(q, m, n).transpose().mmul(a);
      for (let i = 0; i < n; i++) expect(r.get(i, i)).toBeGreaterThan(0);
      // A = Q·R holds to rounding.
      expect(fromArray(q, m, n).mmul(r).sub(a).norm('frobenius')).toBeLessThan(1e-13 * a.norm('frobenius'));
    }
  });
});

describe('completeOrthonormalBasis', () => {
  it('keeps the given columns exactly and completes them to an orthogonal matrix (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 2 ** 30 }), (n, rPick, seed) => {
        const r = rPick % (n + 1);
        const given = r === 0 ? new Float64Array(0) : orthonormalColumns(toArray(gaussianMatrix(n, r, createRng(seed))), n, r);
        const copy = given.slice();
        const full = completeOrthonormalBasis(given, n, r);
        expect(given).toEqual(copy); // input untouched
        for (let i = 0; i < n; i++) for (let j = 0; j < r; j++) expect(full[i * n + j]).toBe(given[i * r + j]);
        expect(orthogonalityError(full, n, n)).toBeLessThan(20 * n * U);
      }),
      { numRuns: 150, seed: 9090 },
    );
  });

  it('handles a missing direction spread evenly over every coordinate, and the identity', () => {
    // n − 1 columns orthogonal to (1, …, 1)/√n: every standard basis vector has only 1/n of
    // its length outside their span, the case that once broke a thresholded completion.
    const n = 9;
    const ones = new Matrix(n, 1).fill(1 / Math.sqrt(n));
    const basis = fromArray(completeOrthonormalBasis(toArray(ones), n, 1), n, n);
    const rest = basis.subMatrix(0, n - 1, 1, n - 1);
    const again = completeOrthonormalBasis(toArray(rest), n, n - 1);
    const last = Array.from({ length: n }, (_, i) => again[i * n + n - 1]);
    const aligned = Math.abs(last.reduce((s, x) => s + x / Math.sqrt(n), 0));
    expect(aligned).toBeGreaterThan(1 - 1e-14); // the completion is ±(1, …, 1)/√n
    const eye = completeOrthonormalBasis(new Float64Array(0), 4, 0);
    expect(orthogonalityError(eye, 4, 4)).toBeLessThan(1e-15);
    expect(() => completeOrthonormalBasis(new Float64Array(6), 2, 3)).toThrow(RangeError);
  });
});

describe('randomOrthogonalColumns', () => {
  it('is randomOrthogonal’s first k columns (to 1e-14), orthonormal, and leaves the generator where randomOrthogonal leaves it', () => {
    for (const [n, k] of [[1, 1], [5, 2], [30, 30], [60, 7]]) {
      const full = randomOrthogonal(n, createRng(n + k));
      const rng = createRng(n + k);
      const thin = randomOrthogonalColumns(n, k, rng);
      let worst = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) worst = Math.max(worst, Math.abs(thin[i * k + j] - full.get(i, j)));
      expect(worst, `n ${n}, k ${k}`).toBeLessThan(1e-14);
      const q = new Matrix(n, k);
      for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) q.set(i, j, thin[i * k + j]);
      const gram = q.transpose().mmul(q).sub(Matrix.eye(k));
      expect(Math.max(gram.max(), -gram.min())).toBeLessThan(1e-14);
      const after = createRng(n + k);
      randomOrthogonal(n, after);
      expect(rng.normal()).toBe(after.normal());
    }
  });

  it('beyond 4096 rows draws only the n·k numbers it uses (n² draws took minutes): orthonormal, reproducible, different per seed', () => {
    // (1e5 inputs with 3 hidden units: 8 minutes in lambdaBalancedWeights; a test's 5 s timeout would end it.)
    const n = 100_000;
    const k = 3;
    const a = randomOrthogonalColumns(n, k, createRng(5));
    const again = randomOrthogonalColumns(n, k, createRng(5));
    expect(a.every((x, i) => x === again[i])).toBe(true);
    expect(randomOrthogonalColumns(n, k, createRng(6))[0]).not.toBe(a[0]);
    for (let p = 0; p < k; p++) {
      for (let q = 0; q <= p; q++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += a[i * k + p] * a[i * k + q];
        expect(Math.abs(dot - (p === q ? 1 : 0))).toBeLessThan(1e-13);
      }
    }
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: n, hiddenDim: k, outputDim: 2, lambda: -0.5, scale: 0.1, seed: 1 });
    expect(Math.abs(balanceOf(w1, w2).lambda + 0.5)).toBeLessThan(1e-12);
  });
});
