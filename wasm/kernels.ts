// exact-dln — dense kernels in WebAssembly SIMD (f64x2), compiled by AssemblyScript.
//
// `npm run build:wasm` compiles this file to src/linalg/wasm-binary.generated.ts (the
// binary as base64); test/linalg/wasm.test.ts checks that the committed binary is the
// compilation of this source. The TypeScript side (src/linalg/wasm.ts) lays matrices out
// in the module's memory and calls these functions; src/linalg/dense.ts keeps plain
// JavaScript versions of the same kernels for environments without WebAssembly SIMD.
//
// Every matrix is row-major Float64; every pointer is a byte offset into linear memory.
// All the kernels run along rows (every operand contiguous), two lanes at a time: row dot
// products, row updates and row combinations; unaligned v128 loads are allowed. A dot
// product's two lanes (even and odd terms) are summed separately and added at the end, so
// results differ from the JavaScript kernels only by rounding.

// @ts-nocheck — AssemblyScript, not TypeScript: compiled by asc, never by tsc.

@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

@inline function at(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

/** Σ_{p < len} x_p·y_p, four terms at a time in two f64x2 accumulators. */
@inline function dot(x: usize, y: usize, len: i32): f64 {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  const end4: usize = <usize>(len & ~3) << 3;
  let p: usize = 0;
  for (; p < end4; p += 32) {
    s0 = f64x2.add(s0, f64x2.mul(v128.load(x + p), v128.load(y + p)));
    s1 = f64x2.add(s1, f64x2.mul(v128.load(x + p, 16), v128.load(y + p, 16)));
  }
  let s = hsum(f64x2.add(s0, s1));
  for (let q = len & ~3; q < len; q++) s += at(x, q) * at(y, q);
  return s;
}

/**
 * C (m×n, row stride ldc) = A (m×k) · Bᵀ with B n×k: C_ij = Σ_{p ≥ from} A_ip·B_jp. Rows
 * of A two at a time against rows of B four at a time (eight f64x2 accumulators).
 */
function rowProducts(a: usize, b: usize, m: i32, k: i32, n: i32, c: usize, ldc: i32, from: i32): void {
  const rowA: usize = <usize>k << 3;
  const len = k - from;
  const start: usize = <usize>from << 3;
  const end2: usize = start + (<usize>(len & ~1) << 3);
  const odd = (len & 1) != 0;
  const last: usize = <usize>(k - 1) << 3;
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const a0 = a + <usize>i * rowA;
    const a1 = a0 + rowA;
    const o0 = c + ((<usize>i * <usize>ldc) << 3);
    const o1 = o0 + (<usize>ldc << 3);
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = b + <usize>j * rowA;
      const b1 = b0 + rowA;
      const b2 = b1 + rowA;
      const b3 = b2 + rowA;
      let s00 = f64x2.splat(0), s01 = f64x2.splat(0), s02 = f64x2.splat(0), s03 = f64x2.splat(0);
      let s10 = f64x2.splat(0), s11 = f64x2.splat(0), s12 = f64x2.splat(0), s13 = f64x2.splat(0);
      for (let p = start; p < end2; p += 16) {
        const x0 = v128.load(a0 + p);
        const x1 = v128.load(a1 + p);
        let y = v128.load(b0 + p);
        s00 = f64x2.add(s00, f64x2.mul(x0, y));
        s10 = f64x2.add(s10, f64x2.mul(x1, y));
        y = v128.load(b1 + p);
        s01 = f64x2.add(s01, f64x2.mul(x0, y));
        s11 = f64x2.add(s11, f64x2.mul(x1, y));
        y = v128.load(b2 + p);
        s02 = f64x2.add(s02, f64x2.mul(x0, y));
        s12 = f64x2.add(s12, f64x2.mul(x1, y));
        y = v128.load(b3 + p);
        s03 = f64x2.add(s03, f64x2.mul(x0, y));
        s13 = f64x2.add(s13, f64x2.mul(x1, y));
      }
      let c00 = hsum(s00), c01 = hsum(s01), c02 = hsum(s02), c03 = hsum(s03);
      let c10 = hsum(s10), c11 = hsum(s11), c12 = hsum(s12), c13 = hsum(s13);
      if (odd) {
        const x0 = load<f64>(a0 + last);
        const x1 = load<f64>(a1 + last);
        let y = load<f64>(b0 + last);
        c00 += x0 * y;
        c10 += x1 * y;
        y = load<f64>(b1 + last);
        c01 += x0 * y;
        c11 += x1 * y;
        y = load<f64>(b2 + last);
        c02 += x0 * y;
        c12 += x1 * y;
        y = load<f64>(b3 + last);
        c03 += x0 * y;
        c13 += x1 * y;
      }
      const q0 = o0 + (<usize>j << 3);
      const q1 = o1 + (<usize>j << 3);
      store<f64>(q0, c00);
      store<f64>(q0, c01, 8);
      store<f64>(q0, c02, 16);
      store<f64>(q0, c03, 24);
      store<f64>(q1, c10);
      store<f64>(q1, c11, 8);
      store<f64>(q1, c12, 16);
      store<f64>(q1, c13, 24);
    }
    for (; j < n; j++) {
      const b0 = b + <usize>j * rowA;
      store<f64>(o0 + (<usize>j << 3), dot(a0 + start, b0 + start, len));
      store<f64>(o1 + (<usize>j << 3), dot(a1 + start, b0 + start, len));
    }
  }
  if (i < m) {
    const a0 = a + <usize>i * rowA;
    const o0 = c + ((<usize>i * <usize>ldc) << 3);
    for (let j = 0; j < n; j++) store<f64>(o0 + (<usize>j << 3), dot(a0 + start, b + <usize>j * rowA + start, len));
  }
}

/** C (m×n) = A (m×k) · Bᵀ, B n×k. */
export function matmulT(a: usize, b: usize, m: i32, k: i32, n: i32, c: usize): void {
  rowProducts(a, b, m, k, n, c, n, 0);
}

/**
 * The lower triangle (with the diagonal) of C = A·Aᵀ, A m×k, into C (m×m). Blocks that
 * straddle the diagonal are computed whole, so some entries just above it are written too
 * (with their correct values); the rest of the upper triangle is not touched.
 *
 * If lo ≠ 0 it points to m non-increasing i32: row i of A is zero before column lo[i], so
 * C_ij needs only p ≥ lo[max(i, j)] (the skipped terms are exact zeros).
 */
export function gramLower(a: usize, m: i32, k: i32, c: usize, lo: usize): void {
  const rowA: usize = <usize>k << 3;
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const a0 = a + <usize>i * rowA;
    // Column blocks of four up to the diagonal, as a 2×4 product of rows i, i+1 against
    // rows j..j+3 starting where the last of those rows starts.
    let j = 0;
    for (; j <= i + 1 && j + 3 < m; j += 4) {
      const top = max(i + 1, j + 3);
      const from = lo == 0 ? 0 : load<i32>(lo + (<usize>top << 2));
      rowProducts(a0, a + <usize>j * rowA, 2, k, 4, c + ((<usize>i * <usize>m + <usize>j) << 3), m, from);
    }
    for (; j <= i + 1; j++) {
      const top = max(i + 1, j);
      const from = lo == 0 ? 0 : load<i32>(lo + (<usize>top << 2));
      const bj = a + <usize>j * rowA + (<usize>from << 3);
      const len = k - from;
      store<f64>(c + ((<usize>i * <usize>m + <usize>j) << 3), dot(a0 + (<usize>from << 3), bj, len));
      store<f64>(c + (((<usize>i + 1) * <usize>m + <usize>j) << 3), dot(a0 + rowA + (<usize>from << 3), bj, len));
    }
  }
  if (i < m) {
    const a0 = a + <usize>i * rowA;
    for (let j = 0; j <= i; j++) {
      const from = lo == 0 ? 0 : load<i32>(lo + (<usize>i << 2));
      store<f64>(c + ((<usize>i * <usize>m + <usize>j) << 3), dot(a0 + (<usize>from << 3), a + <usize>j * rowA + (<usize>from << 3), k - from));
    }
  }
}

/**
 * In-place lower Cholesky factor of the symmetric positive definite n×n matrix S (only
 * the lower triangle is read; the upper is zeroed): L_ij = (S_ij − Σ_{k<j} L_ik L_jk)/L_jj.
 * Rows four at a time: their part left of the block is a triangular solve against the
 * rows above (sharing each loaded row of L between four dot products), the 4×4 diagonal
 * block is done row by row. Returns 0 if a pivot is not positive, 1 otherwise.
 */
export function cholesky(s: usize, n: i32): i32 {
  const row: usize = <usize>n << 3;
  for (let r0 = 0; r0 < n; r0 += 4) {
    const r1 = min(r0 + 4, n);
    solveRows(s + <usize>r0 * row, r1 - r0, s, r0, n, 0);
    for (let i = r0; i < r1; i++) {
      const si = s + <usize>i * row;
      for (let j = r0; j < i; j++) {
        const sj = s + <usize>j * row;
        const v = at(si, j) - dot(si, sj, j);
        store<f64>(si + (<usize>j << 3), v / at(sj, j));
      }
      const d = at(si, i) - dot(si, si, i);
      if (!(d > 0)) return 0;
      store<f64>(si + (<usize>i << 3), Math.sqrt(d));
      for (let j = i + 1; j < n; j++) store<f64>(si + (<usize>j << 3), 0);
    }
  }
  return 1;
}

/**
 * Solves W·Cᵀ = G for W (each row w of W solves C·w = g, C lower triangular n×n, G m×n)
 * and overwrites G with W: w_i = (g_i − Σ_{k<i} C_ik w_k)/C_ii.
 *
 * If lo ≠ 0 it points to m i32: row r of G is zero before column lo[r]; then so is row r
 * of W, and a block of rows starts at its smallest lo.
 */
export function solveRowsLowerT(g: usize, m: i32, c: usize, n: i32, lo: usize): void {
  solveRows(g, m, c, n, n, lo);
}

/**
 * {@link solveRowsLowerT} on the first `cols` columns of G and C, both with row stride
 * `stride` (≥ cols). Rows four at a time, sharing the loads of C.
 */
function solveRows(g: usize, m: i32, c: usize, cols: i32, stride: i32, lo: usize): void {
  const row: usize = <usize>stride << 3;
  let r = 0;
  for (; r + 3 < m; r += 4) {
    const w0 = g + <usize>r * row;
    const w1 = w0 + row;
    const w2 = w1 + row;
    const w3 = w2 + row;
    let start = 0;
    if (lo != 0) {
      const l = lo + (<usize>r << 2);
      start = min(min(load<i32>(l), load<i32>(l, 4)), min(load<i32>(l, 8), load<i32>(l, 12)));
    }
    for (let i = start; i < cols; i++) {
      const ci = c + <usize>i * row;
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
      const from: usize = <usize>start << 3;
      const end2: usize = from + (<usize>((i - start) & ~1) << 3);
      for (let p = from; p < end2; p += 16) {
        const x = v128.load(ci + p);
        s0 = f64x2.add(s0, f64x2.mul(x, v128.load(w0 + p)));
        s1 = f64x2.add(s1, f64x2.mul(x, v128.load(w1 + p)));
        s2 = f64x2.add(s2, f64x2.mul(x, v128.load(w2 + p)));
        s3 = f64x2.add(s3, f64x2.mul(x, v128.load(w3 + p)));
      }
      let t0 = hsum(s0), t1 = hsum(s1), t2 = hsum(s2), t3 = hsum(s3);
      if (((i - start) & 1) != 0) {
        const q: usize = <usize>(i - 1) << 3;
        const x = load<f64>(ci + q);
        t0 += x * load<f64>(w0 + q);
        t1 += x * load<f64>(w1 + q);
        t2 += x * load<f64>(w2 + q);
        t3 += x * load<f64>(w3 + q);
      }
      const d = at(ci, i);
      const o: usize = <usize>i << 3;
      store<f64>(w0 + o, (load<f64>(w0 + o) - t0) / d);
      store<f64>(w1 + o, (load<f64>(w1 + o) - t1) / d);
      store<f64>(w2 + o, (load<f64>(w2 + o) - t2) / d);
      store<f64>(w3 + o, (load<f64>(w3 + o) - t3) / d);
    }
  }
  for (; r < m; r++) {
    const w0 = g + <usize>r * row;
    const start = lo == 0 ? 0 : load<i32>(lo + (<usize>r << 2));
    const from: usize = <usize>start << 3;
    for (let i = start; i < cols; i++) {
      const ci = c + <usize>i * row;
      const o: usize = <usize>i << 3;
      store<f64>(w0 + o, (load<f64>(w0 + o) - dot(ci + from, w0 + from, i - start)) / at(ci, i));
    }
  }
}

/**
 * out_ij = (A_ij·r_i)·c_j for A m×n (row scaling, then column scaling: the same rounding
 * as the JavaScript kernel); `out` may be A itself.
 */
export function scaleRowsColumns(a: usize, r: usize, c: usize, m: i32, n: i32, out: usize): void {
  const row: usize = <usize>n << 3;
  const end2: usize = <usize>(n & ~1) << 3;
  const odd = (n & 1) != 0;
  const last: usize = <usize>(n - 1) << 3;
  for (let i = 0; i < m; i++) {
    const ai = a + <usize>i * row;
    const oi = out + <usize>i * row;
    const ri = load<f64>(r + (<usize>i << 3));
    const rv = f64x2.splat(ri);
    for (let p: usize = 0; p < end2; p += 16) {
      v128.store(oi + p, f64x2.mul(f64x2.mul(v128.load(ai + p), rv), v128.load(c + p)));
    }
    if (odd) store<f64>(oi + last, load<f64>(ai + last) * ri * load<f64>(c + last));
  }
}

// ---- Symmetric eigendecomposition (src/linalg/symmetric-eigen.ts drives these) ----------

/** out_r = (Σ_{c < len} A_rc·u_c)·scale for rows r < rows of A (row stride `stride`). */
export function rowDots(a: usize, stride: i32, rows: i32, u: usize, len: i32, scale: f64, out: usize): void {
  const row: usize = <usize>stride << 3;
  for (let r = 0; r < rows; r++) {
    store<f64>(out + (<usize>r << 3), dot(a + <usize>r * row, u, len) * scale);
  }
}

/**
 * A_jk −= u_j·q_k + q_j·u_k for j, k < len (row stride `stride`): the symmetric rank-2
 * update of the Householder reduction, in the JavaScript kernel's order of operations.
 */
export function rank2Update(a: usize, stride: i32, len: i32, u: usize, q: usize): void {
  const row: usize = <usize>stride << 3;
  const end2: usize = <usize>(len & ~1) << 3;
  const odd = (len & 1) != 0;
  const last: usize = <usize>(len - 1) << 3;
  for (let j = 0; j < len; j++) {
    const aj = a + <usize>j * row;
    const o: usize = <usize>j << 3;
    const ujs = load<f64>(u + o);
    const qjs = load<f64>(q + o);
    const uj = f64x2.splat(ujs);
    const qj = f64x2.splat(qjs);
    for (let p: usize = 0; p < end2; p += 16) {
      const t = f64x2.add(f64x2.mul(uj, v128.load(q + p)), f64x2.mul(qj, v128.load(u + p)));
      v128.store(aj + p, f64x2.sub(v128.load(aj + p), t));
    }
    if (odd) store<f64>(aj + last, load<f64>(aj + last) - (ujs * load<f64>(q + last) + qjs * load<f64>(u + last)));
  }
}

/** M_rc −= v_r·u_c for r < rows, c < cols (row stride `stride`). */
export function rank1Update(m: usize, stride: i32, rows: i32, cols: i32, v: usize, u: usize): void {
  const row: usize = <usize>stride << 3;
  const end2: usize = <usize>(cols & ~1) << 3;
  const odd = (cols & 1) != 0;
  const last: usize = <usize>(cols - 1) << 3;
  for (let r = 0; r < rows; r++) {
    const mr = m + <usize>r * row;
    const vrs = load<f64>(v + (<usize>r << 3));
    if (vrs == 0) continue;
    const vr = f64x2.splat(vrs);
    for (let p: usize = 0; p < end2; p += 16) v128.store(mr + p, f64x2.sub(v128.load(mr + p), f64x2.mul(vr, v128.load(u + p))));
    if (odd) store<f64>(mr + last, load<f64>(mr + last) - vrs * load<f64>(u + last));
  }
}

// ---- Singular value decomposition (src/linalg/svd.ts drives these and the two above) ----

/**
 * out_c = Σ_{r < rows} v_r·A_rc for c < len (row stride `stride`): vᵀA, accumulated row by
 * row (r ascending) so that every access is contiguous.
 */
export function columnCombination(a: usize, stride: i32, rows: i32, v: usize, len: i32, out: usize): void {
  const row: usize = <usize>stride << 3;
  const end2: usize = <usize>(len & ~1) << 3;
  const odd = (len & 1) != 0;
  const last: usize = <usize>(len - 1) << 3;
  memory.fill(out, 0, <usize>len << 3);
  for (let r = 0; r < rows; r++) {
    const ar = a + <usize>r * row;
    const vrs = load<f64>(v + (<usize>r << 3));
    if (vrs == 0) continue;
    const vr = f64x2.splat(vrs);
    for (let p: usize = 0; p < end2; p += 16) v128.store(out + p, f64x2.add(v128.load(out + p), f64x2.mul(vr, v128.load(ar + p))));
    if (odd) store<f64>(out + last, load<f64>(out + last) + vrs * load<f64>(ar + last));
  }
}

/** Rows x and y (n entries each) ← (c·x − s·y, s·x + c·y): one plane rotation. */
export function rotateRows(x: usize, y: usize, n: i32, c: f64, s: f64): void {
  const cv = f64x2.splat(c);
  const sv = f64x2.splat(s);
  const end2: usize = <usize>(n & ~1) << 3;
  for (let p: usize = 0; p < end2; p += 16) {
    const xv = v128.load(x + p);
    const yv = v128.load(y + p);
    v128.store(x + p, f64x2.sub(f64x2.mul(cv, xv), f64x2.mul(sv, yv)));
    v128.store(y + p, f64x2.add(f64x2.mul(sv, xv), f64x2.mul(cv, yv)));
  }
  if ((n & 1) != 0) {
    const o: usize = <usize>(n - 1) << 3;
    const xs = load<f64>(x + o);
    const ys = load<f64>(y + o);
    store<f64>(x + o, c * xs - s * ys);
    store<f64>(y + o, s * xs + c * ys);
  }
}
