/**
 * The row kernels (src/linalg/row-kernels.ts) behind the eigensolver, the SVD and the
 * graded orthogonalisation, on both back ends, on sub-blocks (offsets and row strides)
 * of every width 1…9 and 17 (the SIMD kernels work two lanes at a time, with a scalar
 * remainder):
 *  - rowDots and columnCombination against textbook loops within the error bound of a
 *    sum of k products, |fl(Σ) − Σ| ≤ γ_k·Σ|terms| with γ_k = k·u/(1 − k·u), u = 2⁻⁵³,
 *    for each of the two (any summation order has it, so they may differ by twice that);
 *  - the rank-1 and rank-2 updates and the rotations bit for bit against the same
 *    formula evaluated entry by entry (one product and one subtraction per term, in the
 *    same order, in both implementations);
 *  - entries outside the block are not touched.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { rowKernels } from '../../src/linalg/row-kernels.js';
import { setKernelBackend } from '../../src/linalg/wasm.js';
import { createRng } from '../../src/random.js';
import { KERNEL_BACKENDS } from '../helpers/backends.js';

const U = 2 ** -53;
const gamma = (k: number): number => (k * U) / (1 - k * U);
const WIDTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 17];

function fill(a: Float64Array, seed: number): void {
  const rng = createRng(seed);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
}

describe.each(KERNEL_BACKENDS)('row kernels (%s)', (_label, backend) => {
  afterAll(() => setKernelBackend('auto'));

  it('rowDots and columnCombination are within the dot-product bound on sub-blocks', () => {
    setKernelBackend(backend, { minWork: 0 });
    for (const len of WIDTHS) {
      const rows = 5;
      const stride = len + 3;
      const offset = 2 * stride + 1; // the block starts at row 2, column 1
      const { kernels, arrays } = rowKernels(1e9, [(rows + 2) * stride + 4, len + 2, rows + 2, len, rows]);
      const [a, u, v, out, dots] = arrays;
      fill(a, len);
      fill(u, 100 + len);
      fill(v, 200 + len);
      const before = a.slice();
      kernels.rowDots(a, offset, stride, rows, u, 1, len, 0.5, dots);
      for (let r = 0; r < rows; r++) {
        let exact = 0;
        let abs = 0;
        for (let c = 0; c < len; c++) {
          exact += a[offset + r * stride + c] * u[1 + c];
          abs += Math.abs(a[offset + r * stride + c] * u[1 + c]);
        }
        expect(Math.abs(dots[r] - 0.5 * exact)).toBeLessThanOrEqual(0.5 * 2 * gamma(len) * abs);
      }
      kernels.columnCombination(a, offset, stride, rows, v, 2, len, out);
      for (let c = 0; c < len; c++) {
        let exact = 0;
        let abs = 0;
        for (let r = 0; r < rows; r++) {
          exact += v[2 + r] * a[offset + r * stride + c];
          abs += Math.abs(v[2 + r] * a[offset + r * stride + c]);
        }
        expect(Math.abs(out[c] - exact)).toBeLessThanOrEqual(2 * gamma(rows) * abs);
      }
      expect(a).toEqual(before);
    }
  });

  it('rank-1 and rank-2 updates and rotations are the entry-wise formulas bit for bit, inside the block only', () => {
    setKernelBackend(backend, { minWork: 0 });
    for (const len of WIDTHS) {
      const stride = len + 2;
      const rows = 4;
      const offset = stride + 1;
      const { kernels, arrays } = rowKernels(1e9, [(rows + 2) * stride, len + 1, rows + 1, len * len + len, len, len]);
      const [a, u, v, sq, p, q] = arrays;
      fill(a, len);
      fill(u, 300 + len);
      fill(v, 400 + len);
      const want = a.slice();
      for (let r = 0; r < rows; r++) for (let c = 0; c < len; c++) want[offset + r * stride + c] = a[offset + r * stride + c] - v[1 + r] * u[1 + c];
      kernels.rank1(a, offset, stride, rows, len, v, 1, u, 1);
      expect(a).toEqual(want);
      // rank-2 on a len×len block with row stride len + 1 (the spare column untouched).
      fill(sq, 500 + len);
      fill(p, 600 + len);
      fill(q, 700 + len);
      const want2 = sq.slice();
      for (let j = 0; j < len; j++) for (let k = 0; k < len; k++) want2[j * (len + 1) + k] = sq[j * (len + 1) + k] - (p[j] * q[k] + q[j] * p[k]);
      kernels.rank2(sq, len + 1, len, p, q);
      expect(sq).toEqual(want2);
      // Rotations of rows 0 and 3, then 2 and 1, of a (rows + 2)×stride matrix.
      const z = a;
      const want3 = z.slice();
      const rotateBy = (i: number, j: number, c: number, s: number) => {
        for (let k = 0; k < stride; k++) {
          const x = want3[i * stride + k];
          const y = want3[j * stride + k];
          want3[i * stride + k] = c * x - s * y;
          want3[j * stride + k] = s * x + c * y;
        }
      };
      const rotate = kernels.rotator(z, stride);
      rotate(0, 3, 0.6, 0.8);
      rotateBy(0, 3, 0.6, 0.8);
      rotate(2, 1, Math.cos(1), -Math.sin(1));
      rotateBy(2, 1, Math.cos(1), -Math.sin(1));
      expect(z).toEqual(want3);
    }
  });
});
