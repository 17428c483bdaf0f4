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
import { kernelsFor, type WasmKernels } from './wasm.js';

/**
 * A = Uᵀᵀ·diag(s)·V — i.e. A = U·S·Vᵀ with U = utᵀ, V = vtᵀ — for a tall m×n matrix A.
 *
 * @internal
 */
export interface TallSvd {
  /** The n singular values, descending, all ≥ 0. */
  s: Float64Array;
  /**
   * m×m row-major orthogonal; row k < n is the left singular vector of s[k], rows n…m−1
   * an orthonormal basis of the complement of A's column space… and of those left
   * vectors (together: the full U of a full SVD, as rows).
   */
  ut: Float64Array;
  /** n×n row-major orthogonal; row k is the right singular vector of s[k]. */
  vt: Float64Array;
}

/** QR sweeps allowed per singular value before giving up (LINPACK allows 30 in all per value). */
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
 * iteration (≈ 2n² rotations). With the WebAssembly SIMD kernels (rowDots,
 * columnCombination, rank1Update, rotateRows) 128×128 takes ≈ 7 ms against ≈ 44 ms for
 * ml-matrix's `SingularValueDecomposition` (the same algorithm on number[][] with column
 * access).
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
  const w = kernelsFor(m * n * n);
  const sizes = [m * n, n * m, m * m, n * n, m];
  const heap = w?.scratch(sizes);
  const [b, left, ut, vt, x] = heap === undefined ? sizes.map((len) => new Float64Array(len)) : heap.f64;
  const ops = w === undefined || heap === undefined ? jsOps() : wasmOps(w);
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
  return heap === undefined ? { s: d, ut, vt } : { s: d, ut: ut.slice(), vt: vt.slice() };
}

/** The inner loops, in JavaScript or WebAssembly; matrices are row-major with a row stride. */
interface SvdOps {
  /** out_r = (Σ_{c < len} A_rc·u_c)·scale for r < rows; A starts at `offset` of `a`. */
  rowDots(a: Float64Array, offset: number, stride: number, rows: number, u: Float64Array, uOffset: number, len: number, scale: number, out: Float64Array): void;
  /** out_c = Σ_{r < rows} v_r·A_rc for c < len. */
  columnCombination(a: Float64Array, offset: number, stride: number, rows: number, v: Float64Array, vOffset: number, len: number, out: Float64Array): void;
  /** A_rc −= v_r·u_c for r < rows, c < cols. */
  rank1(a: Float64Array, offset: number, stride: number, rows: number, cols: number, v: Float64Array, vOffset: number, u: Float64Array, uOffset: number): void;
  /** Rows i and j of z (length len) ← (c·x + s·y, −s·x + c·y). */
  rotate(z: Float64Array, len: number, i: number, j: number, c: number, s: number): void;
}

function jsOps(): SvdOps {
  return {
    rowDots(a, offset, stride, rows, u, uOffset, len, scale, out) {
      for (let r = 0; r < rows; r++) {
        const ar = offset + r * stride;
        let sum = 0;
        for (let c = 0; c < len; c++) sum += a[ar + c] * u[uOffset + c];
        out[r] = sum * scale;
      }
    },
    columnCombination(a, offset, stride, rows, v, vOffset, len, out) {
      out.fill(0, 0, len);
      for (let r = 0; r < rows; r++) {
        const vr = v[vOffset + r];
        if (vr === 0) continue;
        const ar = offset + r * stride;
        for (let c = 0; c < len; c++) out[c] += vr * a[ar + c];
      }
    },
    rank1(a, offset, stride, rows, cols, v, vOffset, u, uOffset) {
      for (let r = 0; r < rows; r++) {
        const vr = v[vOffset + r];
        if (vr === 0) continue;
        const ar = offset + r * stride;
        for (let c = 0; c < cols; c++) a[ar + c] -= vr * u[uOffset + c];
      }
    },
    rotate(z, len, i, j, c, s) {
      const xo = i * len;
      const yo = j * len;
      for (let k = 0; k < len; k++) {
        const xk = z[xo + k];
        const yk = z[yo + k];
        z[xo + k] = c * xk + s * yk;
        z[yo + k] = c * yk - s * xk;
      }
    },
  };
}

/** The same loops in WebAssembly SIMD; every array must be a view into the module's memory. */
function wasmOps(w: WasmKernels): SvdOps {
  return {
    rowDots: (a, offset, stride, rows, u, uOffset, len, scale, out) =>
      w.rowDots(a.subarray(offset), stride, rows, u.subarray(uOffset), len, scale, out),
    columnCombination: (a, offset, stride, rows, v, vOffset, len, out) =>
      w.columnCombination(a.subarray(offset), stride, rows, v.subarray(vOffset), len, out),
    rank1: (a, offset, stride, rows, cols, v, vOffset, u, uOffset) =>
      w.rank1Update(a.subarray(offset), stride, rows, cols, v.subarray(vOffset), u.subarray(uOffset)),
    // The kernel rotates by (c·x − s·y, s·x + c·y).
    rotate: (z, len, i, j, c, s) => w.rotateRows(z, i, j, len, c, -s),
  };
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
  ops: SvdOps,
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
function leftProduct(left: Float64Array, hLeft: Float64Array, m: number, n: number, ut: Float64Array, z: Float64Array, ops: SvdOps): void {
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
function rightProduct(b: Float64Array, hRight: Float64Array, n: number, vt: Float64Array, z: Float64Array, ops: SvdOps): void {
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

/** (c, s) with c·f + s·g = r = hypot(f, g) and −s·f + c·g = 0; (1, 0) when f = g = 0. */
function givens(f: number, g: number): [number, number, number] {
  const r = Math.hypot(f, g);
  return r === 0 ? [1, 0, 0] : [f / r, g / r, r];
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
function bidiagonalQr(d: Float64Array, e: Float64Array, ut: Float64Array, vt: Float64Array, m: number, n: number, ops: SvdOps): void {
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
        const [cs, sn, t] = givens(d[j], f);
        d[j] = t;
        if (j !== k) {
          f = -sn * e[j - 1];
          e[j - 1] = cs * e[j - 1];
        }
        ops.rotate(vt, n, j, p - 1, cs, sn);
      }
    } else if (kase === 2) {
      let f = e[k - 1];
      e[k - 1] = 0;
      for (let j = k; j < p; j++) {
        const [cs, sn, t] = givens(d[j], f);
        d[j] = t;
        f = -sn * e[j];
        e[j] = cs * e[j];
        ops.rotate(ut, m, j, k - 1, cs, sn);
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
        let [cs, sn, t] = givens(f, g);
        if (j !== k) e[j - 1] = t;
        f = cs * d[j] + sn * e[j];
        e[j] = cs * e[j] - sn * d[j];
        g = sn * d[j + 1];
        d[j + 1] = cs * d[j + 1];
        ops.rotate(vt, n, j, j + 1, cs, sn);
        [cs, sn, t] = givens(f, g);
        d[j] = t;
        f = cs * e[j] + sn * d[j + 1];
        d[j + 1] = -sn * e[j] + cs * d[j + 1];
        g = sn * e[j + 1];
        e[j + 1] = cs * e[j + 1];
        ops.rotate(ut, m, j, j + 1, cs, sn);
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
