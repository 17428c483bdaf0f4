/**
 * The singular value decomposition of a tall matrix on Float64Arrays: Householder
 * bidiagonalisation, then the implicit-shift QR iteration on the bidiagonal (Golub & Kahan
 * 1965; Golub & Reinsch 1970; in the form of LINPACK's dsvdc, with its relative
 * negligibility tests), written row-major with the singular vectors stored as rows so
 * that every reflection and rotation runs along contiguous memory.
 *
 * @module
 * @internal
 */
import { ExactDlnError } from '../errors.js';
import { rowKernels, type RowKernels } from './row-kernels.js';

/**
 * A full SVD A = U·diag(s)·Vᵀ of a tall m×n matrix A, with U = utᵀ and V = vtᵀ.
 *
 * @internal
 */
export interface TallSvd {
  /** The n singular values, descending, all ≥ 0. */
  s: Float64Array;
  /**
   * m×m row-major orthogonal; row k < n is the left singular vector of s[k], and rows
   * n…m−1 complete them to an orthonormal basis of R^m (they span the orthogonal
   * complement of A's column space when A has full column rank).
   */
  ut: Float64Array;
  /** n×n row-major orthogonal; row k is the right singular vector of s[k]. */
  vt: Float64Array;
}

/** QR sweeps allowed per singular value before giving up (LINPACK's dsvdc allows 30). */
const MAX_SWEEPS = 75;
const EPS = Number.EPSILON;
/** Below this, a bidiagonal entry is negligible whatever its neighbours (2^-966, as LINPACK). */
const TINY = 2 ** -966;

/**
 * Full singular value decomposition of the row-major m×n matrix `a` (m ≥ n ≥ 1; not
 * modified): A = U·diag(s)·Vᵀ with U (m×m) and V (n×n) orthogonal, returned as the rows
 * of ut = Uᵀ and vt = Vᵀ.
 *
 * Accuracy: backward stable — ‖A − U·S·Vᵀ‖ and ‖UᵀU − I‖, ‖VᵀV − I‖ of order
 * max(m, n)·ε·‖A‖ and max(m, n)·ε; each singular value to within a small multiple of
 * n·ε·‖A‖ (measured in test/linalg/tall-svd.test.ts). The caller scales A so that its
 * entries neither overflow when squared nor all underflow (core/svd.ts scales the largest
 * entry into [1, 2)).
 *
 * Cost: about 4mn² − 4n³/3 multiply-adds for the bidiagonalisation, 2(m²n − mn² + n³/3)
 * and 2n³/3 to form U and V from the reflectors, and about 6(m + n) per rotation of the QR
 * iteration (≈ 2n² rotations). With the WebAssembly SIMD row kernels (row-kernels.ts)
 * 128×128 takes ≈ 5 ms and 256×256 ≈ 31 ms, against ≈ 45 ms and ≈ 350 ms for ml-matrix's
 * `SingularValueDecomposition` (the same algorithm on number[][] with column access).
 *
 * @param a - row-major m×n, finite entries (the caller validates).
 * @param m - rows (≥ n).
 * @param n - columns (≥ 1).
 * @returns `{ s, ut, vt }`.
 * @throws RangeError if m < n or n < 1; ExactDlnError if the QR iteration does not converge
 *   (not observed; a guard).
 * @internal
 * @example
 * ```ts
 * import { tallSvd } from './tall-svd.js'; // internal
 * const { s, ut, vt } = tallSvd(new Float64Array([3, 0, 0, 2, 0, 0]), 3, 2);
 * console.log(s);           // Float64Array [3, 2]
 * console.log(ut.length);   // 9: U is 3×3
 * console.log(vt.length);   // 4
 * ```
 */
export function tallSvd(a: ArrayLike<number>, m: number, n: number): TallSvd {
  if (!(n >= 1 && m >= n)) throw new RangeError(`tallSvd: needs rows ≥ columns ≥ 1, got ${m}×${n}.`);
  const { kernels: ops, arrays } = rowKernels(m * n * n, [m * n, n * m, m * m, n * n, m]);
  const [b, left, ut, vt, x] = arrays;
  for (let k = 0; k < m * n; k++) b[k] = a[k];
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const hLeft = new Float64Array(n);
  const hRight = new Float64Array(n);
  bidiagonalise(b, m, n, d, e, left, hLeft, hRight, x, ops);
  leftProduct(left, hLeft, m, n, ut, x, ops);
  rightProduct(b, hRight, n, vt, x, ops);
  bidiagonalQr(d, e, ut, vt, m, n, ops);
  sortDescending(d, ut, vt, m, n);
  return { s: d, ut: ut.slice(), vt: vt.slice() };
}

/**
 * The Householder reflector I − v·vᵀ/h that maps x to (β, 0, …, 0), from x = t[at + k·step],
 * k < len, written into v[vAt…vAt+len−1]; returns h (0 when x = 0: no reflection, β = 0)
 * and β through `out`. x is scaled by Σ|x_k| first, so neither its squares overflow nor
 * all of them underflow; β = −sign(x_0)·‖x‖ so v_0 = x_0 − β involves no cancellation.
 */
function reflector(t: Float64Array, at: number, step: number, len: number, v: Float64Array, vAt: number, out: { beta: number }): number {
  let scale = 0;
  for (let k = 0; k < len; k++) scale += Math.abs(t[at + k * step]);
  if (scale === 0) {
    out.beta = 0;
    v.fill(0, vAt, vAt + len);
    return 0;
  }
  let norm2 = 0;
  for (let k = 0; k < len; k++) {
    const xk = t[at + k * step] / scale;
    v[vAt + k] = xk;
    norm2 += xk * xk;
  }
  const f = v[vAt];
  const g = f >= 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
  v[vAt] = f - g;
  out.beta = scale * g;
  return norm2 - f * g; // = vᵀv/2
}

/**
 * Householder bidiagonalisation of the m×n `b` (in place): H_{n−1}⋯H_0·A·G_0⋯G_{n−3} = B,
 * upper bidiagonal with diagonal d and superdiagonal e (e[k] = B(k, k+1), e[n−1] = 0).
 * The left reflector H_k (acting on rows k…m−1) is kept in row k of `left` (columns
 * k…m−1) with its h in hLeft[k]; the right reflector G_k (acting on columns k+1…n−1) in
 * row k of `b` itself (columns k+1…n−1) with its h in hRight[k]; h = 0 means identity.
 */
function bidiagonalise(
  b: Float64Array,
  m: number,
  n: number,
  d: Float64Array,
  e: Float64Array,
  left: Float64Array,
  hLeft: Float64Array,
  hRight: Float64Array,
  w: Float64Array,
  ops: RowKernels,
): void {
  const beta = { beta: 0 };
  for (let k = 0; k < n; k++) {
    // Left: column k, rows k…m−1.
    const rows = m - k;
    const h = rows === 1 ? 0 : reflector(b, k * n + k, n, rows, left, k * m + k, beta);
    d[k] = rows === 1 ? b[k * n + k] : beta.beta;
    hLeft[k] = h;
    const cols = n - k - 1;
    if (h !== 0 && cols > 0) {
      // B[k:, k+1:] −= v·(vᵀB[k:, k+1:])/h.
      ops.columnCombination(b, k * n + k + 1, n, rows, left, k * m + k, cols, w);
      for (let c = 0; c < cols; c++) w[c] /= h;
      ops.rank1(b, k * n + k + 1, n, rows, cols, left, k * m + k, w, 0);
    }
    // Right: row k, columns k+1…n−1.
    if (cols >= 2) {
      const hr = reflector(b, k * n + k + 1, 1, cols, b, k * n + k + 1, beta);
      e[k] = beta.beta;
      hRight[k] = hr;
      if (hr !== 0 && rows > 1) {
        // B[k+1:, k+1:] −= (B[k+1:, k+1:]·v/h)·vᵀ.
        ops.rowDots(b, (k + 1) * n + k + 1, n, rows - 1, b, k * n + k + 1, cols, 1 / hr, w);
        ops.rank1(b, (k + 1) * n + k + 1, n, rows - 1, cols, w, 0, b, k * n + k + 1);
      }
    } else {
      e[k] = cols === 1 ? b[k * n + k + 1] : 0;
      hRight[k] = 0;
    }
  }
}

/**
 * Uᵀ = H_{n−1}⋯H_0 (m×m, into `ut`), built as Y ← Y·H_k for k = n−1 … 0 from Y = I: before
 * step k, Y differs from I only in its trailing block from row and column k+1, so the step
 * touches only the block from (k, k): Y −= (Y·v)·vᵀ/h there.
 */
function leftProduct(left: Float64Array, hLeft: Float64Array, m: number, n: number, ut: Float64Array, z: Float64Array, ops: RowKernels): void {
  ut.fill(0);
  for (let i = 0; i < m; i++) ut[i * m + i] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const h = hLeft[k];
    if (h === 0) continue;
    const len = m - k;
    ops.rowDots(ut, k * m + k, m, len, left, k * m + k, len, 1 / h, z);
    ops.rank1(ut, k * m + k, m, len, len, z, 0, left, k * m + k);
  }
}

/** Vᵀ = G_{n−3}⋯G_0 (n×n, into `vt`), as {@link leftProduct} from the reflectors in b's rows. */
function rightProduct(b: Float64Array, hRight: Float64Array, n: number, vt: Float64Array, z: Float64Array, ops: RowKernels): void {
  vt.fill(0);
  for (let i = 0; i < n; i++) vt[i * n + i] = 1;
  for (let k = n - 3; k >= 0; k--) {
    const h = hRight[k];
    if (h === 0) continue;
    const at = k + 1;
    const len = n - at;
    ops.rowDots(vt, at * n + at, n, len, b, k * n + at, len, 1 / h, z);
    ops.rank1(vt, at * n + at, n, len, len, z, 0, b, k * n + at);
  }
}

/** The rotation of the last {@link givens} call: c·f + s·g = r, −s·f + c·g = 0. */
const rot = { c: 1, s: 0, r: 0 };

/**
 * Sets `rot` to the plane rotation with c·f + s·g = r = √(f² + g²) and −s·f + c·g = 0
 * ((1, 0) when f = g = 0). Math.hypot only where f² + g² could underflow or overflow.
 */
function givens(f: number, g: number): void {
  let r = Math.sqrt(f * f + g * g);
  if (!(r > 1e-150 && r < 1e150)) r = Math.hypot(f, g);
  if (r === 0) {
    rot.c = 1;
    rot.s = 0;
  } else {
    rot.c = f / r;
    rot.s = g / r;
  }
  rot.r = r;
}

/**
 * The implicit-shift QR iteration on the upper bidiagonal (d, e), applying each left
 * rotation to rows of ut (length m) and each right rotation to rows of vt (length n); on
 * return d holds the singular values (≥ 0, unsorted) and row k of ut / vt their vectors.
 * Entries are negligible when below ε times their neighbours (LINPACK's relative tests,
 * which keep small singular values to their absolute accuracy ε·‖B‖ without losing
 * large ones). Four cases per pass over the trailing unreduced block d[k…p−1]:
 * 1. d[p−1] negligible: chase e[p−2] away with right rotations;
 * 2. d[k−1] negligible (a split inside): chase e[k−1] away with left rotations;
 * 3. otherwise one QR sweep shifted by the eigenvalue of the trailing 2×2 of BᵀB nearer its
 *    last entry (Wilkinson);
 * 4. e[p−2] negligible: d[p−1] has converged; make it non-negative and deflate.
 */
function bidiagonalQr(d: Float64Array, e: Float64Array, ut: Float64Array, vt: Float64Array, m: number, n: number, ops: RowKernels): void {
  // LINPACK's rotations are (x, y) ← (c·x + s·y, −s·x + c·y): the kernels' with −s.
  const rotateU = ops.rotator(ut, m);
  const rotateV = ops.rotator(vt, n);
  let p = n;
  let sweeps = 0;
  while (p > 0) {
    // k: the largest index < p − 1 whose e[k] is negligible (−1 if none).
    let k = p - 2;
    for (; k >= 0; k--) {
      if (Math.abs(e[k]) <= TINY + EPS * (Math.abs(d[k]) + Math.abs(d[k + 1]))) {
        e[k] = 0;
        break;
      }
    }
    let kase: 1 | 2 | 3 | 4;
    if (k === p - 2) {
      kase = 4;
    } else {
      // ks: the largest index in (k, p−1] whose d[ks] is negligible (k if none).
      let ks = p - 1;
      for (; ks > k; ks--) {
        const t = Math.abs(e[ks]) + (ks !== k + 1 ? Math.abs(e[ks - 1]) : 0);
        if (Math.abs(d[ks]) <= TINY + EPS * t) {
          d[ks] = 0;
          break;
        }
      }
      if (ks === k) kase = 3;
      else if (ks === p - 1) kase = 1;
      else {
        kase = 2;
        k = ks;
      }
    }
    k++;
    if (kase === 1) {
      let f = e[p - 2];
      e[p - 2] = 0;
      for (let j = p - 2; j >= k; j--) {
        givens(d[j], f);
        const { c: cs, s: sn } = rot;
        d[j] = rot.r;
        if (j !== k) {
          f = -sn * e[j - 1];
          e[j - 1] = cs * e[j - 1];
        }
        rotateV(j, p - 1, cs, -sn);
      }
    } else if (kase === 2) {
      let f = e[k - 1];
      e[k - 1] = 0;
      for (let j = k; j < p; j++) {
        givens(d[j], f);
        const { c: cs, s: sn } = rot;
        d[j] = rot.r;
        f = -sn * e[j];
        e[j] = cs * e[j];
        rotateU(j, k - 1, cs, -sn);
      }
    } else if (kase === 3) {
      if (++sweeps > MAX_SWEEPS) {
        throw new ExactDlnError(`exact-dln internal error: the singular value iteration did not converge (${m}×${n}); please report this matrix.`);
      }
      const scale = Math.max(Math.abs(d[p - 1]), Math.abs(d[p - 2]), Math.abs(e[p - 2]), Math.abs(d[k]), Math.abs(e[k]));
      const sp = d[p - 1] / scale;
      const spm1 = d[p - 2] / scale;
      const epm1 = e[p - 2] / scale;
      const sk = d[k] / scale;
      const ek = e[k] / scale;
      const bb = ((spm1 + sp) * (spm1 - sp) + epm1 * epm1) / 2;
      const cc = sp * epm1 * (sp * epm1);
      let shift = 0;
      if (bb !== 0 || cc !== 0) {
        shift = Math.sqrt(bb * bb + cc);
        if (bb < 0) shift = -shift;
        shift = cc / (bb + shift);
      }
      let f = (sk + sp) * (sk - sp) + shift;
      let g = sk * ek;
      for (let j = k; j < p - 1; j++) {
        givens(f, g);
        let cs = rot.c;
        let sn = rot.s;
        if (j !== k) e[j - 1] = rot.r;
        f = cs * d[j] + sn * e[j];
        e[j] = cs * e[j] - sn * d[j];
        g = sn * d[j + 1];
        d[j + 1] = cs * d[j + 1];
        rotateV(j, j + 1, cs, -sn);
        givens(f, g);
        cs = rot.c;
        sn = rot.s;
        d[j] = rot.r;
        f = cs * e[j] + sn * d[j + 1];
        d[j + 1] = -sn * e[j] + cs * d[j + 1];
        g = sn * e[j + 1];
        e[j + 1] = cs * e[j + 1];
        rotateU(j, j + 1, cs, -sn);
      }
      e[p - 2] = f;
    } else {
      if (d[k] <= 0) {
        d[k] = d[k] < 0 ? -d[k] : 0;
        for (let c = 0; c < n; c++) vt[k * n + c] = -vt[k * n + c];
      }
      sweeps = 0;
      p--;
    }
  }
}

/** Sorts the singular values descending, moving the rows of ut (first n) and vt with them. */
function sortDescending(d: Float64Array, ut: Float64Array, vt: Float64Array, m: number, n: number): void {
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    for (let j = i + 1; j < n; j++) if (d[j] > d[k]) k = j;
    if (k === i) continue;
    const t = d[i];
    d[i] = d[k];
    d[k] = t;
    swapRows(ut, m, i, k);
    swapRows(vt, n, i, k);
  }
}

function swapRows(z: Float64Array, len: number, i: number, k: number): void {
  const row = z.slice(i * len, (i + 1) * len);
  z.copyWithin(i * len, k * len, (k + 1) * len);
  z.set(row, k * len);
}
