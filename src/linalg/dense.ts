/**
 * Small dense kernels on row-major Float64Array matrices. The hot paths of the exact
 * evaluator and the simulators use these instead of ml-matrix's general code; they are
 * tested on their own (test/linalg/dense.test.ts), measured by the benchmarks in bench/,
 * and every caller uses this one module.
 *
 * Convention: a matrix is a Float64Array flattened row-major, with the dimensions passed
 * alongside. Every product is written as dot products of *rows* (C = A·Bᵀ): both operands
 * are then read contiguously, and a 2×4 block of C is kept in eight local accumulators, so
 * each loaded number is used two or four times. On V8 this runs at about one
 * multiply-add per clock cycle, 3–4× faster than the textbook i-k-j loop (docs/performance.md).
 * Products of another shape (A·B, Aᵀ·B) transpose an operand first (O(size) extra work).
 * Each entry of a result is one sum over the inner index in ascending order, so the
 * rounding does not depend on the blocking.
 *
 * Two implementations: the JavaScript kernels below (`…Js`) and WebAssembly SIMD versions
 * of the four heavy ones (wasm.ts: A·Bᵀ, A·Aᵀ, Cholesky, triangular solve; 4–5× faster).
 * The exported `matmulT`, `gramLowerInto`, `choleskyInPlace` and `solveRowsLowerTInPlace`
 * pick WebAssembly when it is available and the product is large enough to repay copying
 * the operands into its memory (wasm.ts `DEFAULT_WASM_MIN_WORK`); the two differ only by rounding
 * (WebAssembly sums even and odd terms separately).
 *
 * @module
 * @internal
 */
import { Matrix } from 'ml-matrix';
import { kernelsFor } from './wasm.js';

/** The row arrays of an ml-matrix `Matrix` (its storage: one Float64Array per row), if available. */
export function rowsOf(m: Matrix): Float64Array[] | undefined {
  const data = (m as unknown as { data?: unknown }).data;
  if (!Array.isArray(data) || data.length !== m.rows) return undefined;
  for (const row of data) if (!(row instanceof Float64Array) || row.length !== m.columns) return undefined;
  return data as Float64Array[];
}

/**
 * The row-major entries of m for reading: a view of its storage when its rows are
 * consecutive views of one buffer (as {@link adoptArray} and {@link copyMatrix} make large
 * matrices), otherwise a copy ({@link toArray}). Never modify the result.
 */
export function readArray(m: Matrix): Float64Array {
  const rows = m instanceof Matrix ? rowsOf(m) : undefined;
  const n = m.rows * m.columns;
  if (rows !== undefined && rows.length > 0) {
    const first = rows[0];
    let contiguous = true;
    for (let i = 1; i < rows.length && contiguous; i++) {
      contiguous = rows[i].buffer === first.buffer && rows[i].byteOffset === first.byteOffset + 8 * i * m.columns;
    }
    if (contiguous) return new Float64Array(first.buffer, first.byteOffset, n);
  }
  return toArray(m);
}

/** Bit-for-bit equality of two arrays (Object.is: distinguishes −0 from 0, NaN equals NaN). */
export function sameEntries(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Row-major copy of an ml-matrix Matrix. */
export function toArray(m: Matrix): Float64Array {
  const out = new Float64Array(m.rows * m.columns);
  const rows = m instanceof Matrix ? rowsOf(m) : undefined;
  for (let i = 0; i < m.rows; i++) out.set(rows ? rows[i] : m.getRow(i), i * m.columns);
  return out;
}

/**
 * ml-matrix Matrix from a row-major array (copied into one buffer whose rows the Matrix
 * views, see {@link adoptArray}: ml-matrix's constructor allocates one Float64Array per row).
 */
export function fromArray(a: ArrayLike<number>, rows: number, cols: number): Matrix {
  if (rows * cols < ADOPT_MIN_ENTRIES) return plainMatrix(a, rows, cols);
  const copy = new Float64Array(rows * cols);
  if (a instanceof Float64Array) copy.set(a.subarray(0, rows * cols));
  else for (let k = 0; k < rows * cols; k++) copy[k] = a[k];
  return adoptArray(copy, rows, cols);
}

/**
 * A copy of an ml-matrix Matrix, row by row into one buffer (ml-matrix's own `clone()` walks
 * a generator entry by entry: ≈ 15 ms for 784×784 against ≈ 1 ms; and its constructor
 * allocates one Float64Array per row, most of the cost for small matrices).
 */
export function copyMatrix(m: Matrix): Matrix {
  const rows = rowsOf(m);
  if (rows === undefined) return m.clone();
  const cols = m.columns;
  if (m.rows * cols < ADOPT_MIN_ENTRIES) {
    const small = new Matrix(m.rows, cols);
    const data = rowsOf(small);
    if (data === undefined) return m.clone();
    for (let i = 0; i < m.rows; i++) data[i].set(rows[i]);
    return small;
  }
  const out = new Float64Array(m.rows * cols);
  for (let i = 0; i < m.rows; i++) out.set(rows[i], i * cols);
  return adoptArray(out, m.rows, cols);
}

/**
 * Below this many entries a new Matrix allocates its rows itself: V8 creates small
 * stand-alone typed arrays faster than views into a shared buffer (measured: the set-up
 * of a 4×4×4 network 75 µs with stand-alone rows, 86 µs with views; 16×16×16: 320 → 190 µs
 * the other way round).
 */
const ADOPT_MIN_ENTRIES = 64;

/** An ordinary ml-matrix Matrix (one Float64Array per row) from a row-major array. */
function plainMatrix(a: ArrayLike<number>, rows: number, cols: number): Matrix {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, a[i * cols + j]);
  return m;
}

/**
 * A Matrix whose rows are views of the row-major array `a` (no copy): the caller hands
 * `a` over and must not keep or modify it. ml-matrix stores a Matrix as one Float64Array
 * per row, and allocating those separately costs more than the arithmetic for matrices up
 * to about 64×64; views of one buffer are cheap. Falls back to an ordinary Matrix (a copy)
 * if the installed ml-matrix stores its data differently (checked once).
 */
export function adoptArray(a: Float64Array, rows: number, cols: number): Matrix {
  if (!(adoptionWorks ??= checkAdoption())) return plainMatrix(a, rows, cols);
  return wrapRows(a, rows, cols);
}

let adoptionWorks: boolean | undefined;

function wrapRows(a: Float64Array, rows: number, cols: number): Matrix {
  const data: Float64Array[] = [];
  const buffer = a.buffer;
  const offset = a.byteOffset;
  for (let i = 0; i < rows; i++) data.push(new Float64Array(buffer, offset + i * cols * 8, cols));
  const m = new Matrix(0, 0);
  const fields = m as unknown as { data: Float64Array[]; rows: number; columns: number };
  fields.data = data;
  fields.rows = rows;
  fields.columns = cols;
  return m;
}

function checkAdoption(): boolean {
  try {
    const a = Float64Array.from([0, 1, 2, 3, 4, 5]);
    const m = wrapRows(a, 2, 3);
    const ok =
      Matrix.isMatrix(m) &&
      m.rows === 2 &&
      m.columns === 3 &&
      m.get(1, 2) === 5 &&
      m.getRow(1)[0] === 3 &&
      m.clone().get(1, 1) === 4 &&
      m.transpose().get(2, 0) === 2 &&
      rowsOf(m) !== undefined;
    m.set(0, 0, 7);
    return ok && a[0] === 7 && m.to1DArray()[0] === 7;
  } catch {
    return false;
  }
}

/**
 * C = A·Bᵀ, A m×k, B n×k: C_ij = Σ_p A_ip B_jp (every entry summed in ascending p).
 * Cost m·n·k multiply-adds; `out` (m×n) is overwritten and must not alias A or B.
 */
export function matmulTJs(a: Float64Array, b: Float64Array, m: number, k: number, n: number, out: Float64Array = new Float64Array(m * n)): Float64Array {
  rowProductsJs(a, 0, b, 0, m, k, n, out, 0, n, 0);
  return out;
}

/**
 * The block kernel behind {@link matmulTJs} and {@link gramLowerIntoJs}: C_ij =
 * Σ_{p ≥ from} A_ip B_jp for the m rows of A starting at offset aOff and the n rows of B
 * starting at bOff (both with row length k), written to out[outOff + i·ldc + j]. Rows of
 * A three at a time against rows of B four at a time (twelve accumulators).
 */
function rowProductsJs(
  a: Float64Array,
  aOff: number,
  b: Float64Array,
  bOff: number,
  m: number,
  k: number,
  n: number,
  out: Float64Array,
  outOff: number,
  ldc: number,
  from: number,
): void {
  let i = 0;
  for (; i + 2 < m; i += 3) {
    const a0 = aOff + i * k;
    const a1 = a0 + k;
    const a2 = a1 + k;
    const o0 = outOff + i * ldc;
    const o1 = o0 + ldc;
    const o2 = o1 + ldc;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = bOff + j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0, s20 = 0, s21 = 0, s22 = 0, s23 = 0; // prettier-ignore
      for (let p = from; p < k; p++) {
        const x0 = a[a0 + p];
        const x1 = a[a1 + p];
        const x2 = a[a2 + p];
        let y = b[b0 + p];
        s00 += x0 * y;
        s10 += x1 * y;
        s20 += x2 * y;
        y = b[b1 + p];
        s01 += x0 * y;
        s11 += x1 * y;
        s21 += x2 * y;
        y = b[b2 + p];
        s02 += x0 * y;
        s12 += x1 * y;
        s22 += x2 * y;
        y = b[b3 + p];
        s03 += x0 * y;
        s13 += x1 * y;
        s23 += x2 * y;
      }
      out[o0 + j] = s00;
      out[o0 + j + 1] = s01;
      out[o0 + j + 2] = s02;
      out[o0 + j + 3] = s03;
      out[o1 + j] = s10;
      out[o1 + j + 1] = s11;
      out[o1 + j + 2] = s12;
      out[o1 + j + 3] = s13;
      out[o2 + j] = s20;
      out[o2 + j + 1] = s21;
      out[o2 + j + 2] = s22;
      out[o2 + j + 3] = s23;
    }
    for (; j < n; j++) {
      const b0 = bOff + j * k;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      for (let p = from; p < k; p++) {
        const y = b[b0 + p];
        s0 += a[a0 + p] * y;
        s1 += a[a1 + p] * y;
        s2 += a[a2 + p] * y;
      }
      out[o0 + j] = s0;
      out[o1 + j] = s1;
      out[o2 + j] = s2;
    }
  }
  // The last one or two rows.
  for (; i < m; i++) {
    const a0 = aOff + i * k;
    const o0 = outOff + i * ldc;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = bOff + j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0; // prettier-ignore
      for (let p = from; p < k; p++) {
        const x = a[a0 + p];
        s0 += x * b[b0 + p];
        s1 += x * b[b1 + p];
        s2 += x * b[b2 + p];
        s3 += x * b[b3 + p];
      }
      out[o0 + j] = s0;
      out[o0 + j + 1] = s1;
      out[o0 + j + 2] = s2;
      out[o0 + j + 3] = s3;
    }
    for (; j < n; j++) {
      const b0 = bOff + j * k;
      let s = 0;
      for (let p = from; p < k; p++) s += a[a0 + p] * b[b0 + p];
      out[o0 + j] = s;
    }
  }
}

/** C = A·B, A m×k, B k×n (B is transposed once, then {@link matmulT}). */
export function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number, out: Float64Array = new Float64Array(m * n)): Float64Array {
  if (m < 4) {
    out.fill(0, 0, m * n);
    for (let i = 0; i < m; i++) {
      const io = i * n;
      for (let p = 0; p < k; p++) {
        const aip = a[i * k + p];
        if (aip === 0) continue;
        const po = p * n;
        for (let j = 0; j < n; j++) out[io + j] += aip * b[po + j];
      }
    }
    return out;
  }
  return matmulT(a, transpose(b, k, n), m, k, n, out);
}

/** C = Aᵀ·B, A k×m, B k×n. */
export function tmatmul(a: Float64Array, b: Float64Array, k: number, m: number, n: number, out: Float64Array = new Float64Array(m * n)): Float64Array {
  if (m < 4) {
    out.fill(0, 0, m * n);
    for (let p = 0; p < k; p++) {
      const ao = p * m;
      const bo = p * n;
      for (let i = 0; i < m; i++) {
        const api = a[ao + i];
        if (api === 0) continue;
        const io = i * n;
        for (let j = 0; j < n; j++) out[io + j] += api * b[bo + j];
      }
    }
    return out;
  }
  return matmulT(transpose(a, k, m), transpose(b, k, n), m, k, n, out);
}

/** Transpose of an m×n matrix (in 16×16 tiles, so that neither side is walked with a large stride). */
export function transpose(a: Float64Array, m: number, n: number, out: Float64Array = new Float64Array(m * n)): Float64Array {
  if (m * n <= 1024) {
    for (let i = 0; i < m; i++) {
      const io = i * n;
      for (let j = 0; j < n; j++) out[j * m + i] = a[io + j];
    }
    return out;
  }
  const T = 16;
  for (let i0 = 0; i0 < m; i0 += T) {
    const i1 = Math.min(i0 + T, m);
    for (let j0 = 0; j0 < n; j0 += T) {
      const j1 = Math.min(j0 + T, n);
      for (let i = i0; i < i1; i++) {
        const io = i * n;
        for (let j = j0; j < j1; j++) out[j * m + i] = a[io + j];
      }
    }
  }
  return out;
}

/**
 * The lower triangle (with the diagonal) of C = A·Aᵀ, A m×k: C_ij = Σ_p A_ip A_jp for
 * j ≤ i, written to `out` (m×m), with the block kernel of {@link matmulTJs}: blocks that
 * straddle the diagonal are computed whole, so a few entries just above the diagonal are
 * written too (with their correct values); the rest of the strict upper triangle is not
 * touched. Cost m²·k/2.
 *
 * `lo` (optional, length m) declares sparsity: row i of A is zero before column lo[i],
 * and lo is non-increasing (lo[i] ≥ lo[i+1]), so that C_ij only needs p ≥ lo[min(i, j)].
 * Skipped terms are exact zeros, so the result is the same as without `lo`.
 */
export function gramLowerIntoJs(a: Float64Array, m: number, k: number, out: Float64Array, lo?: Int32Array): void {
  // Stripes of three rows against blocks of four columns up to the diagonal, each block
  // from the first p where any of its rows can be non-zero (lo of its largest index).
  for (let i = 0; i < m; i += 3) {
    const rows = Math.min(3, m - i);
    const last = i + rows - 1;
    for (let j = 0; j <= last; j += 4) {
      const cols = Math.min(4, m - j);
      const from = lo === undefined ? 0 : lo[Math.max(last, j + cols - 1)];
      rowProductsJs(a, i * k, a, j * k, rows, k, cols, out, i * m + j, m, from);
    }
  }
}

/** C = A·Aᵀ (m×m, exactly symmetric), A m×k. Cost m²·k/2. */
export function gramOfRows(a: Float64Array, m: number, k: number, out: Float64Array = new Float64Array(m * m)): Float64Array {
  gramLowerInto(a, m, k, out);
  mirrorLowerTriangle(out, m);
  return out;
}

/**
 * Copies the strict lower triangle of an m×m row-major matrix onto its upper triangle, in
 * 16×16 tiles (a plain loop reads a column per row: one cache miss per entry for large m).
 */
function mirrorLowerTriangle(c: Float64Array, m: number): void {
  const T = 16;
  for (let i0 = 0; i0 < m; i0 += T) {
    const i1 = Math.min(i0 + T, m);
    for (let j0 = i0; j0 < m; j0 += T) {
      const j1 = Math.min(j0 + T, m);
      for (let i = i0; i < i1; i++) {
        const io = i * m;
        for (let j = Math.max(j0, i + 1); j < j1; j++) c[io + j] = c[j * m + i];
      }
    }
  }
}

/**
 * In-place lower Cholesky factor of a symmetric positive definite n×n matrix (only the
 * lower triangle is read; the upper is zeroed). Returns false if a pivot is not positive.
 * Cost n³/6. Left-looking in panels of four columns, three rows at a time (twelve
 * accumulators); each entry is the same sequence of operations as the unblocked
 * algorithm (L_ij = (S_ij − Σ_{k<j} L_ik L_jk)/L_jj, k ascending).
 */
export function choleskyInPlaceJs(s: Float64Array, n: number): boolean {
  for (let j0 = 0; j0 < n; j0 += 4) {
    const j1 = Math.min(j0 + 4, n);
    // The diagonal block, unblocked.
    for (let j = j0; j < j1; j++) {
      const jo = j * n;
      let d = s[jo + j];
      for (let k = 0; k < j; k++) d -= s[jo + k] * s[jo + k];
      if (!(d > 0)) return false;
      const ljj = Math.sqrt(d);
      s[jo + j] = ljj;
      for (let i = j + 1; i < j1; i++) {
        const io = i * n;
        let v = s[io + j];
        for (let k = 0; k < j; k++) v -= s[io + k] * s[jo + k];
        s[io + j] = v / ljj;
      }
    }
    if (j1 - j0 < 4) break; // the last, partial panel has no rows below it
    // The rows below: columns j0..j0+3 of two rows at a time.
    const c0 = j0 * n;
    const c1 = c0 + n;
    const c2 = c1 + n;
    const c3 = c2 + n;
    const l00 = s[c0 + j0];
    const l10 = s[c1 + j0];
    const l11 = s[c1 + j0 + 1];
    const l20 = s[c2 + j0];
    const l21 = s[c2 + j0 + 1];
    const l22 = s[c2 + j0 + 2];
    const l30 = s[c3 + j0];
    const l31 = s[c3 + j0 + 1];
    const l32 = s[c3 + j0 + 2];
    const l33 = s[c3 + j0 + 3];
    let i = j1;
    for (; i + 2 < n; i += 3) {
      const io = i * n;
      const io1 = io + n;
      const io2 = io1 + n;
      let v0 = s[io + j0], v1 = s[io + j0 + 1], v2 = s[io + j0 + 2], v3 = s[io + j0 + 3]; // prettier-ignore
      let u0 = s[io1 + j0], u1 = s[io1 + j0 + 1], u2 = s[io1 + j0 + 2], u3 = s[io1 + j0 + 3]; // prettier-ignore
      let w0 = s[io2 + j0], w1 = s[io2 + j0 + 1], w2 = s[io2 + j0 + 2], w3 = s[io2 + j0 + 3]; // prettier-ignore
      for (let k = 0; k < j0; k++) {
        const x = s[io + k];
        const y = s[io1 + k];
        const z = s[io2 + k];
        let c = s[c0 + k];
        v0 -= x * c;
        u0 -= y * c;
        w0 -= z * c;
        c = s[c1 + k];
        v1 -= x * c;
        u1 -= y * c;
        w1 -= z * c;
        c = s[c2 + k];
        v2 -= x * c;
        u2 -= y * c;
        w2 -= z * c;
        c = s[c3 + k];
        v3 -= x * c;
        u3 -= y * c;
        w3 -= z * c;
      }
      v0 /= l00;
      v1 = (v1 - v0 * l10) / l11;
      v2 = (v2 - v0 * l20 - v1 * l21) / l22;
      v3 = (v3 - v0 * l30 - v1 * l31 - v2 * l32) / l33;
      u0 /= l00;
      u1 = (u1 - u0 * l10) / l11;
      u2 = (u2 - u0 * l20 - u1 * l21) / l22;
      u3 = (u3 - u0 * l30 - u1 * l31 - u2 * l32) / l33;
      w0 /= l00;
      w1 = (w1 - w0 * l10) / l11;
      w2 = (w2 - w0 * l20 - w1 * l21) / l22;
      w3 = (w3 - w0 * l30 - w1 * l31 - w2 * l32) / l33;
      s[io + j0] = v0;
      s[io + j0 + 1] = v1;
      s[io + j0 + 2] = v2;
      s[io + j0 + 3] = v3;
      s[io1 + j0] = u0;
      s[io1 + j0 + 1] = u1;
      s[io1 + j0 + 2] = u2;
      s[io1 + j0 + 3] = u3;
      s[io2 + j0] = w0;
      s[io2 + j0 + 1] = w1;
      s[io2 + j0 + 2] = w2;
      s[io2 + j0 + 3] = w3;
    }
    for (; i < n; i++) {
      const io = i * n;
      let v0 = s[io + j0], v1 = s[io + j0 + 1], v2 = s[io + j0 + 2], v3 = s[io + j0 + 3]; // prettier-ignore
      for (let k = 0; k < j0; k++) {
        const x = s[io + k];
        v0 -= x * s[c0 + k];
        v1 -= x * s[c1 + k];
        v2 -= x * s[c2 + k];
        v3 -= x * s[c3 + k];
      }
      v0 /= l00;
      v1 = (v1 - v0 * l10) / l11;
      v2 = (v2 - v0 * l20 - v1 * l21) / l22;
      v3 = (v3 - v0 * l30 - v1 * l31 - v2 * l32) / l33;
      s[io + j0] = v0;
      s[io + j0 + 1] = v1;
      s[io + j0 + 2] = v2;
      s[io + j0 + 3] = v3;
    }
  }
  for (let j = 0; j < n; j++) s.fill(0, j * n + j + 1, (j + 1) * n);
  return true;
}

/**
 * Solves W·Cᵀ = G for W (each row w of W solves C·w = g), C lower triangular n×n,
 * G m×n. Overwrites G with W. Cost m·n²/2.
 *
 * `lo` (optional, length m): row r of G is zero before column lo[r]; then so is row r of
 * W, and those columns are skipped (the result is the same as without `lo`). Rows are
 * solved three at a time, four unknowns at a time; each unknown is the same sequence of
 * operations as in plain forward substitution, w_i = (g_i − Σ_{k<i} C_ik w_k)/C_ii.
 */
export function solveRowsLowerTInPlaceJs(g: Float64Array, m: number, c: Float64Array, n: number, lo?: Int32Array): void {
  const m3 = m - (m % 3);
  for (let r = 0; r < m3; r += 3) {
    const r0 = r * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const start = lo === undefined ? 0 : Math.min(lo[r], lo[r + 1], lo[r + 2]);
    let i = start;
    for (; i + 3 < n; i += 4) {
      const c0 = i * n;
      const c1 = c0 + n;
      const c2 = c1 + n;
      const c3 = c2 + n;
      let v00 = g[r0 + i], v01 = g[r0 + i + 1], v02 = g[r0 + i + 2], v03 = g[r0 + i + 3]; // prettier-ignore
      let v10 = g[r1 + i], v11 = g[r1 + i + 1], v12 = g[r1 + i + 2], v13 = g[r1 + i + 3]; // prettier-ignore
      let v20 = g[r2 + i], v21 = g[r2 + i + 1], v22 = g[r2 + i + 2], v23 = g[r2 + i + 3]; // prettier-ignore
      for (let k = start; k < i; k++) {
        const x0 = g[r0 + k];
        const x1 = g[r1 + k];
        const x2 = g[r2 + k];
        let y = c[c0 + k];
        v00 -= y * x0;
        v10 -= y * x1;
        v20 -= y * x2;
        y = c[c1 + k];
        v01 -= y * x0;
        v11 -= y * x1;
        v21 -= y * x2;
        y = c[c2 + k];
        v02 -= y * x0;
        v12 -= y * x1;
        v22 -= y * x2;
        y = c[c3 + k];
        v03 -= y * x0;
        v13 -= y * x1;
        v23 -= y * x2;
      }
      // The 4×4 triangle of C on the diagonal, in the same order (k ascending).
      const l00 = c[c0 + i];
      const l10 = c[c1 + i];
      const l11 = c[c1 + i + 1];
      const l20 = c[c2 + i];
      const l21 = c[c2 + i + 1];
      const l22 = c[c2 + i + 2];
      const l30 = c[c3 + i];
      const l31 = c[c3 + i + 1];
      const l32 = c[c3 + i + 2];
      const l33 = c[c3 + i + 3];
      v00 /= l00;
      v01 = (v01 - l10 * v00) / l11;
      v02 = (v02 - l20 * v00 - l21 * v01) / l22;
      v03 = (v03 - l30 * v00 - l31 * v01 - l32 * v02) / l33;
      v10 /= l00;
      v11 = (v11 - l10 * v10) / l11;
      v12 = (v12 - l20 * v10 - l21 * v11) / l22;
      v13 = (v13 - l30 * v10 - l31 * v11 - l32 * v12) / l33;
      v20 /= l00;
      v21 = (v21 - l10 * v20) / l11;
      v22 = (v22 - l20 * v20 - l21 * v21) / l22;
      v23 = (v23 - l30 * v20 - l31 * v21 - l32 * v22) / l33;
      g[r0 + i] = v00;
      g[r0 + i + 1] = v01;
      g[r0 + i + 2] = v02;
      g[r0 + i + 3] = v03;
      g[r1 + i] = v10;
      g[r1 + i + 1] = v11;
      g[r1 + i + 2] = v12;
      g[r1 + i + 3] = v13;
      g[r2 + i] = v20;
      g[r2 + i + 1] = v21;
      g[r2 + i + 2] = v22;
      g[r2 + i + 3] = v23;
    }
    for (; i < n; i++) {
      const io = i * n;
      let v0 = g[r0 + i];
      let v1 = g[r1 + i];
      let v2 = g[r2 + i];
      for (let k = start; k < i; k++) {
        const y = c[io + k];
        v0 -= y * g[r0 + k];
        v1 -= y * g[r1 + k];
        v2 -= y * g[r2 + k];
      }
      const cii = c[io + i];
      g[r0 + i] = v0 / cii;
      g[r1 + i] = v1 / cii;
      g[r2 + i] = v2 / cii;
    }
  }
  for (let r = m3; r < m; r++) {
    const ro = r * n;
    const start = lo === undefined ? 0 : lo[r];
    for (let i = start; i < n; i++) {
      const io = i * n;
      let v = g[ro + i];
      for (let k = start; k < i; k++) v -= c[io + k] * g[ro + k];
      g[ro + i] = v / c[io + i];
    }
  }
}

/**
 * out_ij = r_i·A_ij·c_j for A m×n (row scaling times column scaling), written to `out`
 * (which may be A itself). Each entry is (A_ij·r_i)·c_j. Unrolled by four: a plain
 * element-wise loop costs V8 about 1.5–2 ns per entry, this one about 1.2.
 */
export function scaleRowsColumnsInto(a: Float64Array, r: Float64Array, c: Float64Array, m: number, n: number, out: Float64Array): void {
  const n4 = n - (n % 4);
  for (let i = 0; i < m; i++) {
    const io = i * n;
    const ri = r[i];
    let j = 0;
    for (; j < n4; j += 4) {
      const x0 = a[io + j] * ri * c[j];
      const x1 = a[io + j + 1] * ri * c[j + 1];
      const x2 = a[io + j + 2] * ri * c[j + 2];
      const x3 = a[io + j + 3] * ri * c[j + 3];
      out[io + j] = x0;
      out[io + j + 1] = x1;
      out[io + j + 2] = x2;
      out[io + j + 3] = x3;
    }
    for (; j < n; j++) out[io + j] = a[io + j] * ri * c[j];
  }
}

/**
 * Frobenius norm. When the sum of squares leaves [2⁻⁹⁰⁰, 2⁹⁰⁰] (entries below about 1e-154
 * square to subnormals or 0, above 1e154 to ∞) the entries are scaled by a power of two
 * first, exactly, so tiny and huge matrices keep their norm; otherwise the plain sum.
 */
export function frobenius(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  if (s >= 2 ** -900 && s <= 2 ** 900) return Math.sqrt(s);
  let big = 0;
  for (let i = 0; i < a.length; i++) big = Math.max(big, Math.abs(a[i]));
  if (!(big > 0 && big < Infinity)) return big === 0 ? 0 : Math.sqrt(s);
  const p = powerOfTwoTowardOne(big);
  let t = 0;
  for (let i = 0; i < a.length; i++) t += a[i] * p * (a[i] * p);
  return Math.sqrt(t) / p;
}

/**
 * C = A·Bᵀ, A m×k, B n×k: C_ij = Σ_p A_ip B_jp. Cost m·n·k multiply-adds; `out` (m×n) is
 * overwritten and must not alias A or B. WebAssembly SIMD or {@link matmulTJs}.
 */
export function matmulT(a: Float64Array, b: Float64Array, m: number, k: number, n: number, out: Float64Array = new Float64Array(m * n)): Float64Array {
  const w = kernelsFor(m * n * k);
  const same = a === b && m === n;
  const heap = w?.scratch([m * k, same ? 0 : n * k, m * n]);
  if (w === undefined || heap === undefined) return matmulTJs(a, b, m, k, n, out);
  const [ha, hb, hc] = heap.f64;
  ha.set(a.subarray(0, m * k));
  if (!same) hb.set(b.subarray(0, n * k));
  w.matmulT(ha, same ? ha : hb, m, k, n, hc);
  out.set(hc);
  return out;
}

/** 2^-1022, the smallest normal double: a product below it is subnormal and ≈ 10× slower. @internal */
export const SMALLEST_NORMAL = 2 ** -1022;
/**
 * Entries below this fraction of their row's largest are dropped where rows are normalised
 * to keep subnormal numbers out of their products ({@link matmulTNormal} and the others).
 * @internal
 */
export const ROW_FLUSH = 2 ** -200;

/**
 * C = A·Bᵀ as {@link matmulT}, without subnormal arithmetic. Subnormal numbers make every
 * multiply-add that touches them about ten times slower; they arise in the products of
 * the closed form's factors at late times, where rows of decayed modes hold entries like
 * e^{−400}·e^{−350}. If no product of two non-zero entries can be subnormal (the smallest
 * non-zero |A_ip| times the smallest non-zero |B_jp| is a normal number) this is matmulT,
 * bit for bit. Otherwise every row is scaled by a power of two so that its largest entry
 * lies in [1, 2) (exact), entries below 2⁻²⁰⁰ of their row's largest are dropped (a change
 * of at most 2⁻²⁰⁰·‖a_i‖_∞‖b_j‖_∞ per term, far inside a dot product's rounding bound
 * γ_k·Σ_p|A_ip B_jp|), the scaled rows are multiplied, and each entry is scaled back by
 * 2^{e_i + e_j} (exact unless the result itself is subnormal). One extra pass over A and B
 * decides; the other path costs two more passes and one over C.
 */
export function matmulTNormal(a: Float64Array, b: Float64Array, m: number, k: number, n: number, out: Float64Array = new Float64Array(m * n)): Float64Array {
  const smallA = smallestNonZero(a, m * k);
  const smallB = smallestNonZero(b, n * k);
  if (!(smallA * smallB < SMALLEST_NORMAL)) return matmulT(a, b, m, k, n, out);
  const ea = new Int32Array(m);
  const eb = new Int32Array(n);
  const sa = normaliseRowsInto(a, m, k, ea, new Float64Array(m * k));
  const sb = normaliseRowsInto(b, n, k, eb, new Float64Array(n * k));
  matmulT(sa, sb, m, k, n, out);
  return scaleEntriesBack(out, m, n, ea, eb);
}

/** c_ij·2^{e_i + f_j} in place (m×n): undoes the row normalisations of a product's factors. */
export function scaleEntriesBack(c: Float64Array, m: number, n: number, e: Int32Array, f: Int32Array): Float64Array {
  const table = powersOfTwo();
  for (let i = 0; i < m; i++) {
    const io = i * n;
    const ei = e[i];
    for (let j = 0; j < n; j++) {
      const x = c[io + j];
      const k = ei + f[j];
      // The table lookup inline (a call per entry of a 784×784 product costs milliseconds).
      if (x !== 0) c[io + j] = k >= -1022 && k <= 1023 ? x * table[k + 1022] : timesPowerOfTwo(x, k);
    }
  }
  return c;
}

/**
 * A·Aᵀ as {@link gramOfRows} (exactly symmetric), without subnormal arithmetic: the
 * symmetric case of {@link matmulTNormal}. If no product of two non-zero entries can be
 * subnormal this is gramOfRows, bit for bit; otherwise the rows are normalised by powers of
 * two (entries below 2⁻²⁰⁰ of their row dropped), their Gram matrix formed, and entry (i, j)
 * scaled back by 2^{e_i + e_j} (exact unless the result itself is subnormal).
 */
export function gramOfRowsNormal(a: Float64Array, m: number, k: number, out: Float64Array = new Float64Array(m * m)): Float64Array {
  const small = smallestNonZero(a, m * k);
  if (!(small * small < SMALLEST_NORMAL)) return gramOfRows(a, m, k, out);
  const e = new Int32Array(m);
  gramLowerInto(normaliseRowsInto(a, m, k, e, new Float64Array(m * k)), m, k, out);
  for (let i = 0; i < m; i++) {
    const io = i * m;
    const ei = e[i];
    for (let j = 0; j <= i; j++) {
      const x = out[io + j];
      if (x !== 0) out[io + j] = timesPowerOfTwo(x, ei + e[j]);
    }
  }
  mirrorLowerTriangle(out, m);
  return out;
}

/**
 * x·2^e: one exact multiplication while 2^e is a normal number (then a normal result is
 * exact), two halves otherwise. The powers come from a table: Math.pow per entry would
 * dominate the passes that use this.
 */
export function timesPowerOfTwo(x: number, e: number): number {
  if (e >= -1022 && e <= 1023) return x * powersOfTwo()[e + 1022];
  const half = e >> 1;
  return x * 2 ** half * 2 ** (e - half);
}
let powers: Float64Array | undefined;
/** 2^k at index k + 1022 for k = −1022 … 1023 (all normal numbers). @internal */
export function powersOfTwo(): Float64Array {
  return (powers ??= Float64Array.from({ length: 2046 }, (_, i) => 2 ** (i - 1022)));
}

/**
 * 2^k bringing a magnitude `big` > 0 to [1, 2), with |k| ≤ 1000 so that 2^k itself is a
 * normal number (a subnormal `big` is brought up as far as that allows): the exact scaling
 * of arrays of extreme size before forming products of their entries. @internal
 */
export function powerOfTwoTowardOne(big: number): number {
  return 2 ** Math.max(-1000, Math.min(1000, -Math.floor(Math.log2(big))));
}

/** The smallest non-zero |a_p| over the first len entries (Infinity if all are zero). @internal */
export function smallestNonZero(a: Float64Array, len: number): number {
  let small = Infinity;
  for (let p = 0; p < len; p++) {
    const x = Math.abs(a[p]);
    if (x !== 0 && x < small) small = x;
  }
  return small;
}

/**
 * The rows of a (rows×k) scaled by 2^{−e_i} so that their largest entry lies in [1, 2)
 * (exact), with entries below 2⁻²⁰⁰ of that set to zero, into `out` (which may be a); e_i
 * into `exponents` (0 for a zero row). Undo with {@link scaleRowsByPowersOfTwo}. For a
 * row-wise linear computation (a triangular solve, a product), this keeps subnormal
 * numbers out of the arithmetic at a change of at most 2⁻²⁰⁰ of each row's largest entry.
 */
export function normaliseRowsInto(a: Float64Array, rows: number, k: number, exponents: Int32Array, out: Float64Array): Float64Array {
  for (let i = 0; i < rows; i++) {
    const io = i * k;
    let big = 0;
    for (let p = 0; p < k; p++) big = Math.max(big, Math.abs(a[io + p]));
    exponents[i] = 0;
    if (big === 0) {
      if (out !== a) out.fill(0, io, io + k);
      continue;
    }
    // e with big·2^{−e} in [1, 2) (Math.log2 may be off by one next to a power of two).
    let e = Math.floor(Math.log2(big));
    const unit = timesPowerOfTwo(big, -e);
    if (unit >= 2) e++;
    else if (unit < 1) e--;
    exponents[i] = e;
    if (e > -1023) {
      const f = timesPowerOfTwo(1, -e); // a normal number: one exact multiplication per entry
      for (let p = 0; p < k; p++) {
        const x = a[io + p] * f;
        out[io + p] = Math.abs(x) < ROW_FLUSH ? 0 : x;
      }
    } else {
      for (let p = 0; p < k; p++) {
        const x = timesPowerOfTwo(a[io + p], -e);
        out[io + p] = Math.abs(x) < ROW_FLUSH ? 0 : x;
      }
    }
  }
  return out;
}

/**
 * Row factors for a normalised row and column scaling: f_i = r_i·2^{−e_i} (into `factors`,
 * which may be r; e_i into `exponents`) such that the largest entry of row i of
 * (A_ij·f_i)·c_j — {@link scaleRowsColumnsInto} or the WebAssembly kernel with r = f — is
 * near 1 (in [1/2, 4)), found from max_j |A_ij|·c_j and r_i in log₂ space without forming
 * r_i·c_j. Where r_i·c_j spans more than the double range (a decayed row at a late time,
 * r_i = e^{γ_i s} ≈ e^{−500} against column factors c_j ≈ e^{−500}) the plain scaling writes
 * entries near 2⁻¹⁴⁰⁰, subnormal or flushed, and every pass over them runs about ten times
 * slower; scaled with these factors the same entries are normal numbers, and where the plain
 * entries are normal these are the same numbers times 2^{−e_i}, bit for bit (same products,
 * same order). The c_j must be normal numbers or zero. A zero row (no A_ij ≠ 0 with c_j ≠ 0)
 * gets e_i = 0 and f_i = 0. Returns the rows this cannot normalise (the largest |A_ij|·c_j is
 * subnormal or underflows to 0 — a small row, such as a small initialisation's — f_i would
 * leave the normal range, or A_ij·f_i could overflow in a column with c_j = 0): for them
 * f_i = r_i and e_i = 0 — scale them plainly and normalise them with {@link normaliseRowsInto}.
 */
export function normalisedRowFactors(a: Float64Array, r: Float64Array, c: Float64Array, m: number, n: number, exponents: Int32Array, factors: Float64Array): number[] {
  const plain: number[] = [];
  for (let i = 0; i < m; i++) {
    const io = i * n;
    const ri = r[i];
    exponents[i] = 0;
    let big = 0;
    let bigA = 0;
    let nonZero = false;
    if (ri !== 0) {
      for (let j = 0; j < n; j++) {
        const x = Math.abs(a[io + j]);
        const y = x * c[j];
        if (y > big) big = y;
        if (x > bigA) bigA = x;
        if (x !== 0 && c[j] !== 0) nonZero = true;
      }
    }
    if (!nonZero) {
      factors[i] = 0;
      continue;
    }
    const e = Math.floor(Math.log2(big) + Math.log2(Math.abs(ri)));
    const f = timesPowerOfTwo(ri, -e);
    if (!(big >= SMALLEST_NORMAL && Math.abs(f) >= SMALLEST_NORMAL && bigA * Math.abs(f) < 2 ** 1000)) {
      plain.push(i);
      factors[i] = ri;
      continue;
    }
    exponents[i] = e;
    factors[i] = f;
  }
  return plain;
}

/**
 * The row and column scaling of {@link scaleRowsColumnsInto} with each row normalised by a
 * power of two on the way (see {@link normalisedRowFactors}): out_ij = (A_ij·r_i·2^{−e_i})·c_j,
 * e_i into `exponents`, no subnormal number formed where the normalised entries are normal.
 * Undo with {@link scaleRowsByPowersOfTwoFlushed} or {@link scaleRowsByPowersOfTwo}.
 */
export function scaleRowsColumnsNormalInto(a: Float64Array, r: Float64Array, c: Float64Array, m: number, n: number, exponents: Int32Array, out: Float64Array): Float64Array {
  const f = new Float64Array(m);
  const plain = normalisedRowFactors(a, r, c, m, n, exponents, f);
  scaleRowsColumnsInto(a, f, c, m, n, out);
  for (const i of plain) {
    const row = out.subarray(i * n, (i + 1) * n);
    normaliseRowsInto(row, 1, n, exponents.subarray(i, i + 1), row);
  }
  return out;
}

/**
 * Undoes a row normalisation like {@link scaleRowsByPowersOfTwo}, but sets to zero every
 * entry whose value would be below 2⁻¹⁰⁰⁰ — subnormal, or close enough that the rotation
 * into the singular basis (coefficients below 1) and products with O(1) numbers would make
 * it so — so that later products over the rows run at full speed, provided the largest
 * entry of the result is at least 2⁻⁸⁰⁰ (the dropped entries are then below 2⁻²⁰⁰ of it:
 * far below any rounding error of a product of these rows). If it is smaller, no entry is
 * dropped (the plain undo).
 */
export function scaleRowsByPowersOfTwoFlushed(a: Float64Array, rows: number, k: number, exponents: Int32Array): void {
  // The largest entry is at least that of the row with the largest power of two (usually
  // enough to decide); only if that row is small are all rows searched.
  let first = 0;
  for (let i = 1; i < rows; i++) if (exponents[i] > exponents[first]) first = i;
  let top = rows === 0 ? -Infinity : rowTop(a, first, k, exponents[first]);
  if (!(top >= -800)) for (let i = 0; i < rows; i++) top = Math.max(top, rowTop(a, i, k, exponents[i]));
  if (!(top >= -800)) {
    scaleRowsByPowersOfTwo(a, rows, k, exponents);
    return;
  }
  for (let i = 0; i < rows; i++) {
    const e = exponents[i];
    const io = i * k;
    // |x|·2^e < 2^−1000 ⟺ |x| < 2^(−1000−e) (the threshold is +∞ or 0 where out of range).
    const floor = timesPowerOfTwo(1, -1000 - e);
    if (e >= -1022 && e <= 1023) {
      const f = timesPowerOfTwo(1, e);
      for (let p = 0; p < k; p++) {
        const x = a[io + p];
        a[io + p] = Math.abs(x) < floor ? 0 : x * f;
      }
    } else {
      for (let p = 0; p < k; p++) {
        const x = a[io + p];
        a[io + p] = Math.abs(x) < floor ? 0 : timesPowerOfTwo(x, e);
      }
    }
  }
}

/** log2 of the largest |entry| of row i (k entries) times 2^e; −∞ for a zero row. */
function rowTop(a: Float64Array, i: number, k: number, e: number): number {
  let big = 0;
  for (let p = i * k; p < (i + 1) * k; p++) {
    const v = Math.abs(a[p]);
    if (v > big) big = v;
  }
  return big === 0 ? -Infinity : Math.log2(big) + e;
}

/** Row i of a (rows×k) times 2^{e_i}, in place (undoes {@link normaliseRowsInto}). */
export function scaleRowsByPowersOfTwo(a: Float64Array, rows: number, k: number, exponents: Int32Array): void {
  for (let i = 0; i < rows; i++) {
    const e = exponents[i];
    if (e === 0) continue;
    const io = i * k;
    if (e >= -1022 && e <= 1023) {
      const f = timesPowerOfTwo(1, e);
      for (let p = 0; p < k; p++) a[io + p] *= f;
    } else {
      for (let p = 0; p < k; p++) a[io + p] = timesPowerOfTwo(a[io + p], e);
    }
  }
}

/**
 * Sets to zero the entries of each row of a (rows×k) below 2⁻²⁰⁰ of that row's largest, in
 * place: for a Gram matrix of the rows, a change of at most k·2⁻²⁰⁰·‖a_i‖_∞‖a_j‖_∞ per
 * entry, which keeps subnormal products out of it.
 */
export function flushRowsRelative(a: Float64Array, rows: number, k: number): void {
  for (let i = 0; i < rows; i++) {
    const io = i * k;
    let big = 0;
    for (let p = 0; p < k; p++) big = Math.max(big, Math.abs(a[io + p]));
    const floor = big * ROW_FLUSH;
    for (let p = 0; p < k; p++) if (Math.abs(a[io + p]) < floor) a[io + p] = 0;
  }
}

/**
 * The lower triangle (with the diagonal) of C = A·Aᵀ, A m×k, into `out` (m×m); entries
 * above the diagonal may or may not be written. `lo` as in {@link gramLowerIntoJs}.
 * WebAssembly SIMD or {@link gramLowerIntoJs}.
 */
export function gramLowerInto(a: Float64Array, m: number, k: number, out: Float64Array, lo?: Int32Array): void {
  const w = kernelsFor((m * m * k) / 2);
  const heap = w?.scratch([m * k, m * m], lo === undefined ? [] : [m]);
  if (w === undefined || heap === undefined) {
    gramLowerIntoJs(a, m, k, out, lo);
    return;
  }
  const { f64, i32 } = heap;
  const [ha, hc] = f64;
  ha.set(a.subarray(0, m * k));
  hc.set(out.subarray(0, m * m)); // entries the kernel does not write keep their values
  if (lo !== undefined) i32[0].set(lo.subarray(0, m));
  w.gramLower(ha, m, k, hc, lo === undefined ? undefined : i32[0]);
  out.set(hc);
}

/**
 * In-place lower Cholesky factor of a symmetric positive definite n×n matrix (only the
 * lower triangle is read; the upper is zeroed). Returns false if a pivot is not positive.
 * WebAssembly SIMD or {@link choleskyInPlaceJs}.
 */
export function choleskyInPlace(s: Float64Array, n: number): boolean {
  const w = kernelsFor((n * n * n) / 6);
  const heap = w?.scratch([n * n]);
  if (w === undefined || heap === undefined) return choleskyInPlaceJs(s, n);
  const [hs] = heap.f64;
  hs.set(s.subarray(0, n * n));
  const ok = w.cholesky(hs, n);
  s.set(hs);
  return ok;
}

/**
 * Solves W·Cᵀ = G for W (C lower triangular n×n, G m×n), overwriting G; `lo` as in
 * {@link solveRowsLowerTInPlaceJs}. WebAssembly SIMD or {@link solveRowsLowerTInPlaceJs}.
 */
export function solveRowsLowerTInPlace(g: Float64Array, m: number, c: Float64Array, n: number, lo?: Int32Array): void {
  const w = kernelsFor((m * n * n) / 2);
  const heap = w?.scratch([m * n, n * n], lo === undefined ? [] : [m]);
  if (w === undefined || heap === undefined) {
    solveRowsLowerTInPlaceJs(g, m, c, n, lo);
    return;
  }
  const { f64, i32 } = heap;
  const [hg, hc] = f64;
  hg.set(g.subarray(0, m * n));
  hc.set(c.subarray(0, n * n));
  if (lo !== undefined) i32[0].set(lo.subarray(0, m));
  w.solveRowsLowerT(hg, m, hc, n, lo === undefined ? undefined : i32[0]);
  g.set(hg);
}
