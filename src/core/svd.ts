/**
 * The full singular value decomposition m = U·diag(s)·Vᵀ with square orthogonal U and V,
 * as needed to build the spectrum of F (MATH.md §4) and aligned initialisations
 * (MATH.md §2, §5).
 *
 * @module
 * @internal
 */
import type { Matrix } from 'ml-matrix';
import { adoptArray, copyMatrix, sameEntries, timesPowerOfTwo, toArray, transpose } from '../linalg/dense.js';
import { tallSvd } from '../linalg/tall-svd.js';
import { kernelBackend, kernelSettings } from '../linalg/wasm.js';
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
 * The Golub–Kahan–Reinsch SVD of `tallSvd` (src/linalg/tall-svd.ts: Householder
 * bidiagonalisation and implicit-shift QR, row-major with WebAssembly SIMD kernels) is run
 * on the tall orientation (m or mᵀ, whichever has at least as many rows as columns); its
 * left factor is the product of the bidiagonalisation's reflectors, so it comes out square
 * and its columns beyond min(rows, cols) complete the basis.
 * Singular vectors of repeated or zero singular values are one valid choice among many.
 * The matrix is first scaled by an exact power of two so its largest entry is in [1, 2)
 * (squares of entries above ~1e154 would otherwise overflow, and those of entries of order
 * 1e-303 underflow); s is scaled back, so tiny and huge matrices work alike.
 *
 * Accuracy (measured in test/core/svd.test.ts and test/linalg/tall-svd.test.ts):
 * ‖m − u·diag(s)·vᵀ‖_F ≲ 1e-15·‖m‖_F·size and ‖uᵀu − I‖, ‖vᵀv − I‖ ≲ 1e-15·size for wide,
 * tall, square, rank-deficient and zero matrices.
 *
 * Cost: O(rows·cols·min(rows, cols)) for the bidiagonalisation and the QR iteration plus
 * O(max(rows, cols)²·min(rows, cols)) for the square left factor: 5 ms at 128×128
 * (ml-matrix's `SingularValueDecomposition`, used before: 45 ms). The input is not
 * modified. The last few decompositions of matrices with up to
 * {@link SVD_CACHE_MAX_ENTRIES} entries are kept, keyed by the exact entries (compared in
 * O(rows·cols)) and by the kernel settings in use ({@link setKernelBackend}: the two back
 * ends round differently): a sweep over λ or over initialisations for one task (every
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
  const kernels = `${kernelBackend()}/${kernelSettings().minWork}`;
  const hit = cache.findIndex((c) => c.rows === rows && c.cols === cols && c.kernels === kernels && sameEntries(c.entries, entries));
  let result: FullSvd;
  if (hit >= 0) {
    result = cache[hit].result;
    cache.splice(hit, 1);
  } else {
    result = computeFullSvd(m);
    if (cache.length >= SVD_CACHE_SIZE) cache.pop();
  }
  cache.unshift({ rows, cols, kernels, entries, result });
  return { u: copyMatrix(result.u), s: result.s.slice(), v: copyMatrix(result.v) };
}

/** Largest matrix (rows·cols) whose SVD is cached: 256×256 (three such arrays are 1.5 MB). */
export const SVD_CACHE_MAX_ENTRIES = 256 * 256;
/** Number of decompositions kept (most recently used first). */
const SVD_CACHE_SIZE = 4;
const cache: { rows: number; cols: number; kernels: string; entries: Float64Array; result: FullSvd }[] = [];

/** Empties the cache of {@link fullSvd} (for benchmarks that time a cold set-up). */
export function clearSvdCache(): void {
  cache.length = 0;
}

function computeFullSvd(m: Matrix): FullSvd {
  const rows = m.rows;
  const cols = m.columns;
  const wide = rows < cols;
  // Scale by a power of two (exact) so that the largest entry lies in [1, 2): squares of
  // entries above ~1e154 would overflow, and those of entries below ~1e-162 underflow.
  let largest = 0;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) largest = Math.max(largest, Math.abs(m.get(i, j)));
  const exponent = largest > 0 ? Math.floor(Math.log2(largest)) : 0;
  // The tall orientation (m or mᵀ), big×small with big ≥ small, row-major.
  const big = wide ? cols : rows;
  const small = wide ? rows : cols;
  const tall = new Float64Array(big * small);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const x = exponent === 0 ? m.get(i, j) : timesPowerOfTwo(m.get(i, j), -exponent);
      tall[wide ? j * small + i : i * small + j] = x;
    }
  }
  // tall = Ut·diag(s)·Vtᵀ, with Ut = utᵀ (big×big) and Vt = vtᵀ (small×small).
  const { s: scaledS, ut, vt } = tallSvd(tall, big, small);
  const s = Array.from(scaledS, (x) => timesPowerOfTwo(x, exponent));
  const full = adoptArray(transpose(ut, big, big), big, big);
  const thin = adoptArray(transpose(vt, small, small), small, small);
  // m = tall: u = Ut, v = Vt.  m = tallᵀ (wide): m = Vt·diag(s)·Utᵀ.
  return wide ? { u: thin, s, v: full } : { u: full, s, v: thin };
}
