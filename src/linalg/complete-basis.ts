/**
 * Completing a set of orthonormal vectors to an orthonormal basis of Rⁿ. Used to turn the
 * thin singular-vector matrices of an SVD into full square orthogonal ones (ũ⊥, ṽ⊥ of
 * MATH.md §4) and to complete the hidden-layer basis of the graded orthogonalisation.
 *
 * @module
 * @internal
 */
import { householder, reflectedColumns } from './householder.js';

/**
 * Completes the r orthonormal columns of the row-major n×r array `q` to an n×n orthogonal
 * matrix (row-major), keeping the given columns as columns 0..r−1 (exactly).
 *
 * The new columns come from a Householder QR factorisation of q: with reflectors
 * H_0 … H_{r−1} such that H_{r−1}⋯H_0·q = [R; 0], the last n − r columns of
 * Q = H_0⋯H_{r−1} span the orthogonal complement of q's columns, and being columns of an
 * orthogonal matrix built from reflectors they are orthonormal, and orthogonal to q, to
 * working precision whatever q is. They are formed by applying the reflectors to
 * [0; I_{n−r}] in reverse order.
 *
 * Cost: O(n·r²) for the factorisation plus 2·n·r·(n − r) multiply-adds to form the new
 * columns (a few milliseconds for n = 784, r = 10; Gram–Schmidt against standard basis
 * vectors, used before, costs O(n²·(n − r)), a second). The input is not modified.
 *
 * @param q - row-major n×r array whose columns are orthonormal (r ≤ n; r = 0 allowed).
 * @param n - the dimension.
 * @param r - the number of given columns.
 * @returns a row-major n×n array; its first r columns equal those of `q`.
 */
export function completeOrthonormalBasis(q: ArrayLike<number>, n: number, r: number): Float64Array {
  if (r > n) throw new RangeError(`completeOrthonormalBasis: ${r} columns cannot be orthonormal in R^${n}.`);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < r; j++) out[i * n + j] = q[i * r + j];
  const m = n - r;
  if (m === 0) return out;
  const c = reflectedColumns(householder(q, n, r), r, m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * n + r + j] = c[i * m + j];
  return out;
}
