/**
 * Householder QR on row-major Float64Arrays: the orthogonal factor's columns without
 * ml-matrix's element-by-element `QrDecomposition` (which took 14 s to produce the thin
 * Q of a 2000×784 matrix). Used for Haar-random orthogonal matrices, whitened random
 * inputs and the completion of orthonormal bases.
 *
 * @module
 * @internal
 */
import { choleskyInPlace, gramLowerInto, solveRowsLowerTInPlace, transpose } from './dense.js';

/** The Householder factorisation A = Q·R of an m×n matrix, m ≥ n (Q = H_0⋯H_{n−1}). */
export interface Householder {
  readonly rows: number;
  /** v_k (unit length or all zero) of H_k = I − 2·v_k v_kᵀ; v_k lives in rows k..m−1. */
  readonly vectors: Float64Array[];
  /** R's diagonal (its sign decides Haar sign fixes). */
  readonly rDiag: Float64Array;
}

/**
 * Householder QR of the row-major m×n matrix `a` (m ≥ n; not modified). Each reflector
 * maps x = A[k:, k] to α·e_1 with α = −sign(x_0)·‖x‖ (no cancellation in v = x − α·e_1).
 * Cost ≈ 2·n²·(m − n/3) multiply-adds.
 */
export function householder(a: ArrayLike<number>, m: number, n: number): Householder {
  if (n > m) throw new RangeError(`householder: needs rows ≥ columns, got ${m}×${n}.`);
  const w = Float64Array.from({ length: m * n }, (_, k) => a[k]);
  const vectors: Float64Array[] = [];
  const rDiag = new Float64Array(n);
  const dots = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const len = m - k;
    const v = new Float64Array(len);
    let norm2 = 0;
    for (let i = 0; i < len; i++) {
      const x = w[(k + i) * n + k];
      v[i] = x;
      norm2 += x * x;
    }
    const alpha = v[0] >= 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    rDiag[k] = alpha;
    v[0] -= alpha;
    let vNorm2 = 0;
    for (let i = 0; i < len; i++) vNorm2 += v[i] * v[i];
    if (vNorm2 > 0) {
      const inv = 1 / Math.sqrt(vNorm2);
      for (let i = 0; i < len; i++) v[i] *= inv;
      // W[k:, k+1:] ← (I − 2vvᵀ)·W[k:, k+1:], row by row (contiguous): d = vᵀW, W −= 2v·dᵀ.
      dots.fill(0, k + 1, n);
      for (let i = 0; i < len; i++) {
        const vi = v[i];
        if (vi === 0) continue;
        const row = (k + i) * n;
        for (let j = k + 1; j < n; j++) dots[j] += vi * w[row + j];
      }
      for (let i = 0; i < len; i++) {
        const f = 2 * v[i];
        if (f === 0) continue;
        const row = (k + i) * n;
        for (let j = k + 1; j < n; j++) w[row + j] -= f * dots[j];
      }
    }
    vectors.push(v);
  }
  return { rows: m, vectors, rDiag };
}

/**
 * Columns from..from+count−1 of Q = H_0⋯H_{n−1} (m×m orthogonal), as a row-major m×count
 * array: the reflectors applied, last to first, to the matching columns of the identity.
 * Column j of the identity is untouched by every H_k with k > j, so for Q's leading
 * columns each reflector only works on the columns it can reach.
 */
export function reflectedColumns(h: Householder, from: number, count: number): Float64Array {
  const m = h.rows;
  const c = new Float64Array(m * count);
  for (let j = 0; j < count; j++) c[(from + j) * count + j] = 1;
  const d = new Float64Array(count);
  for (let k = h.vectors.length - 1; k >= 0; k--) {
    const v = h.vectors[k];
    const first = Math.max(0, k - from); // columns before it are still e_j with j < k: untouched
    if (first >= count) continue;
    d.fill(0, first, count);
    for (let i = 0; i < v.length; i++) {
      const vi = v[i];
      if (vi === 0) continue;
      const row = (k + i) * count;
      for (let j = first; j < count; j++) d[j] += vi * c[row + j];
    }
    for (let i = 0; i < v.length; i++) {
      const f = 2 * v[i];
      if (f === 0) continue;
      const row = (k + i) * count;
      for (let j = first; j < count; j++) c[row + j] -= f * d[j];
    }
  }
  return c;
}

/**
 * The thin orthogonal factor Q (m×n, row-major) of A = Q·R with R's diagonal made
 * non-negative — the unique QR of a full-rank A, and for a Gaussian A the Haar-distributed
 * orthonormal frame.
 *
 * Tried first: CholeskyQR2 on the blocked (WebAssembly) kernels — AᵀA = LLᵀ, Q₁ = A·L⁻ᵀ,
 * then the same once more on Q₁ — about 1.5·m·n² multiply-adds at BLAS-3 speed, and its
 * R = L₂ᵀL₁ᵀ has a positive diagonal, so it is the same Q. It is kept only if a Cholesky
 * succeeds and max |QᵀQ − I| ≤ 1e-12 (it loses orthogonality when κ(A)² approaches 1/u);
 * otherwise Householder QR, which is orthogonal to working precision for any A.
 */
export function orthonormalColumns(a: ArrayLike<number>, m: number, n: number): Float64Array {
  if (n > m) throw new RangeError(`orthonormalColumns: needs rows ≥ columns, got ${m}×${n}.`);
  const fast = choleskyQr2(a, m, n);
  if (fast !== undefined) return fast;
  const h = householder(a, m, n);
  const q = reflectedColumns(h, 0, n);
  for (let j = 0; j < n; j++) {
    if (h.rDiag[j] < 0) for (let i = 0; i < m; i++) q[i * n + j] = -q[i * n + j];
  }
  return q;
}

/** Largest |QᵀQ − I| entry accepted from CholeskyQR2. */
const CHOLESKY_QR_TOLERANCE = 1e-12;

/** CholeskyQR2 (see {@link orthonormalColumns}); undefined if it cannot be trusted. */
function choleskyQr2(a: ArrayLike<number>, m: number, n: number): Float64Array | undefined {
  const q = Float64Array.from({ length: m * n }, (_, k) => a[k]);
  const gram = new Float64Array(n * n);
  for (let pass = 0; pass < 3; pass++) {
    gramLowerInto(transpose(q, m, n), n, m, gram); // lower triangle of QᵀQ
    if (pass === 2) break;
    for (let i = 0; i < n; i++) gram.fill(0, i * n + i + 1, (i + 1) * n);
    if (!choleskyInPlace(gram, n)) return undefined; // QᵀQ = LLᵀ
    solveRowsLowerTInPlace(q, m, gram, n); // each row w of Q·L⁻ᵀ solves L·w = row
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const e = gram[i * n + j] - (i === j ? 1 : 0);
      if (!(Math.abs(e) <= CHOLESKY_QR_TOLERANCE)) return undefined;
    }
  }
  return q;
}
