/**
 * Small dense kernels on row-major Float64Array matrices. The hot paths of the exact
 * evaluator and the simulators use these instead of ml-matrix's general code; they are
 * tested on their own (test/linalg/dense.test.ts) and every caller uses this one module.
 *
 * Convention: a matrix is `{ data, rows, cols }` flattened row-major, or just a
 * Float64Array with the dimensions passed alongside.
 *
 * @module
 * @internal
 */
import { Matrix } from 'ml-matrix';

/** Row-major copy of an ml-matrix Matrix. */
export function toArray(m: Matrix): Float64Array {
  const out = new Float64Array(m.rows * m.columns);
  for (let i = 0; i < m.rows; i++) {
    const row = m.getRow(i);
    out.set(row, i * m.columns);
  }
  return out;
}

/** ml-matrix Matrix from a row-major array. */
export function fromArray(a: ArrayLike<number>, rows: number, cols: number): Matrix {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, a[i * cols + j]);
  return m;
}

/** C = A·B, A m×k, B k×n. */
export function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number, out = new Float64Array(m * n)): Float64Array {
  out.fill(0);
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

/** C = A·Bᵀ, A m×k, B n×k. */
export function matmulT(a: Float64Array, b: Float64Array, m: number, k: number, n: number, out = new Float64Array(m * n)): Float64Array {
  for (let i = 0; i < m; i++) {
    const ao = i * k;
    for (let j = 0; j < n; j++) {
      const bo = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ao + p] * b[bo + p];
      out[i * n + j] = s;
    }
  }
  return out;
}

/** C = Aᵀ·B, A k×m, B k×n. */
export function tmatmul(a: Float64Array, b: Float64Array, k: number, m: number, n: number, out = new Float64Array(m * n)): Float64Array {
  out.fill(0);
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

/** Transpose of an m×n matrix. */
export function transpose(a: Float64Array, m: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a[i * n + j];
  return out;
}

/**
 * In-place lower Cholesky factor of a symmetric positive definite n×n matrix (only the
 * lower triangle is read; the upper is zeroed). Returns false if a pivot is not positive.
 */
export function choleskyInPlace(s: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const jo = j * n;
    let d = s[jo + j];
    for (let k = 0; k < j; k++) d -= s[jo + k] * s[jo + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    s[jo + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const io = i * n;
      let v = s[io + j];
      for (let k = 0; k < j; k++) v -= s[io + k] * s[jo + k];
      s[io + j] = v / ljj;
    }
    for (let k = j + 1; k < n; k++) s[jo + k] = 0;
  }
  return true;
}

/**
 * Solves W·Cᵀ = G for W (each row w of W solves C·w = g), C lower triangular n×n,
 * G m×n. Overwrites G with W.
 */
export function solveRowsLowerTInPlace(g: Float64Array, m: number, c: Float64Array, n: number): void {
  for (let r = 0; r < m; r++) {
    const ro = r * n;
    for (let i = 0; i < n; i++) {
      const io = i * n;
      let v = g[ro + i];
      for (let k = 0; k < i; k++) v -= c[io + k] * g[ro + k];
      g[ro + i] = v / c[io + i];
    }
  }
}

/** Frobenius norm. */
export function frobenius(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}
