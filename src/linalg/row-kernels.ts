/**
 * The row-oriented inner loops of the factorisations (the symmetric eigensolver, the SVD,
 * the graded orthogonalisation of the closed form's set-up): dot products of rows with a
 * vector, combinations of rows, rank-1 and rank-2 updates and plane rotations of two rows,
 * on row-major arrays with a row stride. One interface, two implementations: WebAssembly
 * SIMD (src/linalg/wasm.ts) and plain JavaScript, which give the same results up to
 * rounding.
 *
 * @module
 * @internal
 */
import { kernelsFor, type WasmKernels } from './wasm.js';

/** Rotates two rows of a fixed matrix: (row i, row j) ← (c·x − s·y, s·x + c·y). */
export type Rotation = (i: number, j: number, c: number, s: number) => void;

/**
 * The row kernels. Matrices are row-major, start at `offset` in their array and have row
 * stride `stride`; vectors start at their offset. Every array passed must come from the
 * same {@link rowKernels} call (in WebAssembly memory when those kernels run).
 *
 * @internal
 */
export interface RowKernels {
  /** out_r = (Σ_{c < len} A_rc·u_c)·scale for r < rows. */
  rowDots(a: Float64Array, offset: number, stride: number, rows: number, u: Float64Array, uOffset: number, len: number, scale: number, out: Float64Array): void;
  /** out_c = Σ_{r < rows} v_r·A_rc for c < len (vᵀA). */
  columnCombination(a: Float64Array, offset: number, stride: number, rows: number, v: Float64Array, vOffset: number, len: number, out: Float64Array): void;
  /** A_rc −= v_r·u_c for r < rows, c < cols. */
  rank1(a: Float64Array, offset: number, stride: number, rows: number, cols: number, v: Float64Array, vOffset: number, u: Float64Array, uOffset: number): void;
  /** A_jk −= u_j·q_k + q_j·u_k for j, k < len (A at offset 0; u, q at offset 0). */
  rank2(a: Float64Array, stride: number, len: number, u: Float64Array, q: Float64Array): void;
  /** A function rotating rows of z (row length len); z must not change while it is used. */
  rotator(z: Float64Array, len: number): Rotation;
}

/**
 * The row kernels for an operation of about `work` multiply-adds, with fresh arrays of the
 * given lengths for it (zero-filled only in the JavaScript case: callers initialise them).
 * WebAssembly SIMD where it is in use and worth it (see `kernelsFor`), JavaScript
 * otherwise or if the WebAssembly memory cannot hold the arrays. WebAssembly arrays stay
 * valid until the next kernel call that allocates scratch memory (any other factorisation
 * or blocked product): copy results out before calling one.
 *
 * @internal
 * @example
 * ```ts
 * import { rowKernels } from './row-kernels.js'; // internal
 * const { kernels, arrays } = rowKernels(4, [4, 2, 2]);
 * const [a, u, out] = arrays;
 * a.set([1, 2, 3, 4]); // the 2×2 matrix [[1, 2], [3, 4]]
 * u.set([1, 1]);
 * kernels.rowDots(a, 0, 2, 2, u, 0, 2, 1, out);
 * console.log(Array.from(out)); // [3, 7]
 * ```
 */
export function rowKernels(work: number, sizes: readonly number[]): { kernels: RowKernels; arrays: Float64Array[] } {
  const w = kernelsFor(work);
  const heap = w?.scratch(sizes);
  if (w === undefined || heap === undefined) return { kernels: JS_KERNELS, arrays: sizes.map((len) => new Float64Array(len)) };
  return { kernels: wasmRowKernels(w), arrays: heap.f64 };
}

const JS_KERNELS: RowKernels = {
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
  rank2(a, stride, len, u, q) {
    for (let j = 0; j < len; j++) {
      const rj = j * stride;
      const uj = u[j];
      const qj = q[j];
      for (let k = 0; k < len; k++) a[rj + k] -= uj * q[k] + qj * u[k];
    }
  },
  rotator: (z, len) => (i, j, c, s) => {
    const xo = i * len;
    const yo = j * len;
    for (let k = 0; k < len; k++) {
      const x = z[xo + k];
      const y = z[yo + k];
      z[xo + k] = c * x - s * y;
      z[yo + k] = s * x + c * y;
    }
  },
};

function wasmRowKernels(w: WasmKernels): RowKernels {
  return {
    rowDots: (a, offset, stride, rows, u, uOffset, len, scale, out) =>
      w.rowDots(offset === 0 ? a : a.subarray(offset), stride, rows, uOffset === 0 ? u : u.subarray(uOffset), len, scale, out),
    columnCombination: (a, offset, stride, rows, v, vOffset, len, out) =>
      w.columnCombination(offset === 0 ? a : a.subarray(offset), stride, rows, vOffset === 0 ? v : v.subarray(vOffset), len, out),
    rank1: (a, offset, stride, rows, cols, v, vOffset, u, uOffset) =>
      w.rank1Update(offset === 0 ? a : a.subarray(offset), stride, rows, cols, vOffset === 0 ? v : v.subarray(vOffset), uOffset === 0 ? u : u.subarray(uOffset)),
    rank2: (a, stride, len, u, q) => w.rank2Update(a, stride, len, u, q),
    rotator: (z, len) => w.rowRotator(z, len),
  };
}
