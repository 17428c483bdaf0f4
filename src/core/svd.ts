/**
 * The full singular value decomposition m = U·diag(s)·Vᵀ with square orthogonal U and V,
 * as needed to build the spectrum of F (MATH.md §4) and aligned initialisations
 * (MATH.md §2, §5).
 *
 * @module
 * @internal
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { completeOrthonormalBasis } from '../linalg/complete-basis.js';
import { fromArray, toArray } from '../linalg/dense.js';
import { assertFiniteMatrix } from '../validation.js';

/**
 * A full singular value decomposition m = u·diag(s)·vᵀ of a rows×cols matrix.
 *
 * @internal
 */
export interface FullSvd {
  /** rows×rows orthogonal; its first min(rows, cols) columns are left singular vectors. */
  u: Matrix;
  /** The min(rows, cols) singular values, descending, all ≥ 0. */
  s: number[];
  /** cols×cols orthogonal; its first min(rows, cols) columns are right singular vectors. */
  v: Matrix;
}

/**
 * Full singular value decomposition m = u·diag(s)·vᵀ (u rows×rows and v cols×cols both
 * orthogonal, s the min(rows, cols) singular values in descending order, all ≥ 0). The
 * columns of u beyond min(rows, cols) span the orthogonal complement of m's column space
 * (ũ⊥ in MATH.md §4), those of v beyond it the null space of m (ṽ⊥).
 *
 * ml-matrix's one-sided (Golub–Kahan) SVD is run on the tall orientation (m or mᵀ, whichever
 * has at least as many rows as columns); the thin factor it returns is then completed to a
 * full orthonormal basis by Gram–Schmidt (applied twice) against standard basis vectors.
 * Singular vectors of repeated or zero singular values are one valid choice among many.
 *
 * Accuracy (measured in test/core/svd.test.ts): ‖m − u·diag(s)·vᵀ‖_F ≲ 1e-15·‖m‖_F·size and
 * ‖uᵀu − I‖, ‖vᵀv − I‖ ≲ 1e-15 for wide, tall, square, rank-deficient and zero matrices.
 *
 * Cost: O(rows·cols·min(rows, cols)) for the SVD plus O(max(rows, cols)³) to complete the
 * basis. The input is not modified.
 *
 * @param m - a non-empty matrix with finite entries.
 * @returns `{ u, s, v }`.
 * @throws NonFiniteError if m contains NaN or ±Infinity.
 * @internal
 * @example
 * ```ts
 * import { Matrix } from 'exact-dln';
 * import { fullSvd } from './svd.js'; // internal: not re-exported from 'exact-dln'
 * const { u, s, v } = fullSvd(new Matrix([[3, 0, 0], [0, 0, 2]]));
 * console.log(s);                 // [3, 2]
 * console.log(u.rows, v.rows);    // 2 3
 * ```
 */
export function fullSvd(m: Matrix): FullSvd {
  assertFiniteMatrix(m, 'm');
  const rows = m.rows;
  const cols = m.columns;
  const wide = rows < cols;
  const tall = wide ? m.transpose() : m;
  // tall (R×C, R ≥ C) = U_thin (R×C) · diag(s) · Vᵀ (C×C).
  const svd = new SingularValueDecomposition(tall, {
    computeLeftSingularVectors: true,
    computeRightSingularVectors: true,
    autoTranspose: false,
  });
  const thin = svd.leftSingularVectors;
  const small = svd.rightSingularVectors;
  const s = svd.diagonal.slice(0, Math.min(rows, cols)).map((x) => Math.max(0, x));
  const big = tall.rows;
  const full = fromArray(completeOrthonormalBasis(toArray(thin), big, thin.columns), big, big);
  // m = tall (not wide): u = full, v = small.  m = tallᵀ (wide): m = small·diag(s)·fullᵀ.
  return wide ? { u: small, s, v: full } : { u: full, s, v: small };
}
