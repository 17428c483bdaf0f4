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
import { copyMatrix, fromArray, toArray } from '../linalg/dense.js';
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
 * full orthonormal basis with Householder reflectors (`completeOrthonormalBasis`).
 * Singular vectors of repeated or zero singular values are one valid choice among many.
 * The matrix is first scaled by an exact power of two so its largest entry is in [1, 2)
 * (without this, ml-matrix never returns on matrices with entries of order 1e-303, and
 * would overflow above ~1e154); s is scaled back, so tiny and huge matrices work alike.
 *
 * Accuracy (measured in test/core/svd.test.ts): ‖m − u·diag(s)·vᵀ‖_F ≲ 1e-15·‖m‖_F·size and
 * ‖uᵀu − I‖, ‖vᵀv − I‖ ≲ 1e-15 for wide, tall, square, rank-deficient and zero matrices.
 *
 * Cost: O(rows·cols·min(rows, cols)) for the SVD plus O(max(rows, cols)³) to complete the
 * basis. The input is not modified. The last few decompositions of matrices with up to
 * {@link SVD_CACHE_MAX_ENTRIES} entries are kept, keyed by the exact entries (compared in
 * O(rows·cols)): a sweep over λ or over initialisations for one task (every
 * `exactDynamics` call needs Σyx's SVD) pays for it once. A cached result is returned as a
 * fresh copy, identical to what a new decomposition would give.
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
  if (rows * cols > SVD_CACHE_MAX_ENTRIES) return computeFullSvd(m);
  const entries = toArray(m);
  const hit = cache.findIndex((c) => c.rows === rows && c.cols === cols && sameEntries(c.entries, entries));
  let result: FullSvd;
  if (hit >= 0) {
    result = cache[hit].result;
    cache.splice(hit, 1);
  } else {
    result = computeFullSvd(m);
    if (cache.length >= SVD_CACHE_SIZE) cache.pop();
  }
  cache.unshift({ rows, cols, entries, result });
  return { u: copyMatrix(result.u), s: result.s.slice(), v: copyMatrix(result.v) };
}

/** Largest matrix (rows·cols) whose SVD is cached: 256×256 (three such arrays are 1.5 MB). */
export const SVD_CACHE_MAX_ENTRIES = 256 * 256;
/** Number of decompositions kept (most recently used first). */
const SVD_CACHE_SIZE = 4;
const cache: { rows: number; cols: number; entries: Float64Array; result: FullSvd }[] = [];

/** Empties the cache of {@link fullSvd} (for benchmarks that time a cold set-up). */
export function clearSvdCache(): void {
  cache.length = 0;
}

/** Bit-for-bit equality (Object.is: distinguishes −0 from 0). */
function sameEntries(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function computeFullSvd(m: Matrix): FullSvd {
  const rows = m.rows;
  const cols = m.columns;
  const wide = rows < cols;
  // Scale by a power of two (exact) so that the largest entry lies in [1, 2): ml-matrix's
  // iteration never terminates on matrices whose entries are ~1e-300 or smaller (squares
  // underflow), and squares of entries above ~1e154 would overflow.
  let largest = 0;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) largest = Math.max(largest, Math.abs(m.get(i, j)));
  const exponent = largest > 0 ? Math.floor(Math.log2(largest)) : 0;
  const scaled = exponent === 0 ? m : timesPowerOfTwo(m, -exponent);
  const tall = wide ? scaled.transpose() : scaled;
  // tall (R×C, R ≥ C) = U_thin (R×C) · diag(s) · Vᵀ (C×C).
  const svd = new SingularValueDecomposition(tall, {
    computeLeftSingularVectors: true,
    computeRightSingularVectors: true,
    autoTranspose: false,
  });
  const thin = svd.leftSingularVectors;
  const small = svd.rightSingularVectors;
  const s = svd.diagonal.slice(0, Math.min(rows, cols)).map((x) => scaleByPowerOfTwo(Math.max(0, x), exponent));
  const big = tall.rows;
  const full = fromArray(completeOrthonormalBasis(toArray(thin), big, thin.columns), big, big);
  // m = tall (not wide): u = full, v = small.  m = tallᵀ (wide): m = small·diag(s)·fullᵀ.
  return wide ? { u: small, s, v: full } : { u: full, s, v: small };
}

/** x·2^k, exact whenever the result is a normal number (two steps so 2^k never overflows). */
function scaleByPowerOfTwo(x: number, k: number): number {
  const half = Math.trunc(k / 2);
  return x * 2 ** half * 2 ** (k - half);
}

/** m·2^k entrywise (a new matrix). */
function timesPowerOfTwo(m: Matrix, k: number): Matrix {
  const out = new Matrix(m.rows, m.columns);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.columns; j++) out.set(i, j, scaleByPowerOfTwo(m.get(i, j), k));
  return out;
}
