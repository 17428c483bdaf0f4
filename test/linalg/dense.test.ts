/**
 * The JavaScript Float64Array kernels of src/linalg/dense.ts against textbook triple loops
 * (the WebAssembly kernels, which sum in another order, are tested in wasm.test.ts), on sizes
 * that exercise every remainder path of the register blocking (1…11 and a few larger).
 * The blocked kernels promise the same sums in the same order as the simple loops, so most
 * comparisons are exact; the Cholesky factor and the triangular solve are also checked
 * against their defining identities.
 */
import { Matrix } from 'ml-matrix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adoptArray,
  choleskyInPlace,
  copyMatrix,
  fromArray,
  gramLowerInto,
  gramOfRows,
  gramOfRowsNormal,
  matmul,
  flushRowsRelative,
  matmulT,
  matmulTNormal,
  readArray,
  normaliseRowsInto,
  scaleRowsByPowersOfTwo,
  scaleRowsByPowersOfTwoFlushed,
  scaleRowsColumnsNormalInto,
  solveRowsLowerTInPlace,
  tmatmul,
  toArray,
  transpose,
} from '../../src/linalg/dense.js';
import { setKernelBackend } from '../../src/linalg/wasm.js';
import { createRng } from '../../src/random.js';

beforeAll(() => setKernelBackend('js'));
afterAll(() => setKernelBackend('auto'));

const SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 16, 17, 33];

function random(len: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: len }, () => rng.normal());
}

/** Σ_p a[i,p]·b[j,p] summed in ascending p: the order every kernel promises. */
function naiveABt(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[j * k + p];
      out[i * n + j] = s;
    }
  }
  return out;
}

describe('matmulT / matmul / tmatmul / transpose', () => {
  it('match the textbook loops exactly for every remainder of the 2×4 blocking', () => {
    let seed = 1;
    for (const m of SIZES) {
      for (const n of [1, 2, 3, 4, 5, 7, 9]) {
        for (const k of [1, 3, 8]) {
          const a = random(m * k, seed++);
          const b = random(n * k, seed++);
          expect(Array.from(matmulT(a, b, m, k, n))).toEqual(Array.from(naiveABt(a, b, m, k, n)));
          const bt = transpose(b, n, k); // k×n
          expect(Array.from(matmul(a, bt, m, k, n))).toEqual(Array.from(naiveABt(a, b, m, k, n)));
          const at = transpose(a, m, k); // k×m
          expect(Array.from(tmatmul(at, bt, k, m, n))).toEqual(Array.from(naiveABt(a, b, m, k, n)));
        }
      }
    }
  });

  it('write into subarray outputs without touching anything else', () => {
    const a = random(6 * 5, 3);
    const b = random(7 * 5, 4);
    const buffer = new Float64Array(2 + 6 * 7 + 2).fill(-1);
    matmulT(a, b, 6, 5, 7, buffer.subarray(2, 2 + 42));
    expect(Array.from(buffer.subarray(2, 44))).toEqual(Array.from(naiveABt(a, b, 6, 5, 7)));
    expect([buffer[0], buffer[1], buffer[44], buffer[45]]).toEqual([-1, -1, -1, -1]);
  });

  it('transpose works for non-square shapes larger than a tile', () => {
    const a = random(37 * 21, 5);
    const t = transpose(a, 37, 21);
    for (let i = 0; i < 37; i++) for (let j = 0; j < 21; j++) expect(t[j * 37 + i]).toBe(a[i * 21 + j]);
  });
});

describe('gramOfRows / gramLowerInto', () => {
  it('gramOfRows is A·Aᵀ, exactly symmetric', () => {
    for (const m of SIZES) {
      const k = (m % 5) + 2;
      const a = random(m * k, 10 + m);
      const g = gramOfRows(a, m, k);
      const ref = naiveABt(a, a, m, k, m);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j <= i; j++) {
          expect(g[i * m + j]).toBe(ref[i * m + j]);
          expect(g[j * m + i]).toBe(g[i * m + j]);
        }
      }
    }
  });

  it('skips leading zeros declared by a non-increasing `lo` without changing the lower triangle', () => {
    for (const m of SIZES) {
      const k = m + 3;
      const a = random(m * k, 40 + m);
      const lo = new Int32Array(m);
      for (let i = 0; i < m; i++) {
        lo[i] = Math.max(0, m - 1 - i); // row 0 has the most leading zeros
        a.fill(0, i * k, i * k + lo[i]);
      }
      const withLo = new Float64Array(m * m);
      gramLowerInto(a, m, k, withLo, lo);
      const ref = naiveABt(a, a, m, k, m);
      for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) expect(withLo[i * m + j]).toBe(ref[i * m + j]);
    }
  });
});

describe('choleskyInPlace and solveRowsLowerTInPlace', () => {
  it('factor S = LLᵀ (lower, upper zeroed) and solve W·Lᵀ = G, also with row sparsity', () => {
    for (const n of SIZES) {
      const b = random(n * (n + 2), 70 + n);
      const s = gramOfRows(b, n, n + 2);
      for (let i = 0; i < n; i++) s[i * n + i] += 0.5;
      const l = s.slice();
      expect(choleskyInPlace(l, n)).toBe(true);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(0);
      const llt = naiveABt(l, l, n, n, n);
      for (let q = 0; q < n * n; q++) expect(Math.abs(llt[q] - s[q])).toBeLessThan(1e-12 * (1 + Math.abs(s[q])));

      const m = 9;
      const lo = Int32Array.from({ length: m }, (_, r) => Math.min(n, (r * 3) % (n + 1)));
      const g = random(m * n, 90 + n);
      for (let r = 0; r < m; r++) g.fill(0, r * n, r * n + lo[r]);
      const w = g.slice();
      solveRowsLowerTInPlace(w, m, l, n, lo);
      const wPlain = g.slice();
      solveRowsLowerTInPlace(wPlain, m, l, n);
      expect(Array.from(w)).toEqual(Array.from(wPlain));
      const back = naiveABt(w, l, m, n, n); // W·Lᵀ
      for (let q = 0; q < m * n; q++) expect(Math.abs(back[q] - g[q])).toBeLessThan(1e-11 * (1 + Math.abs(g[q])));
      for (let r = 0; r < m; r++) for (let c = 0; c < lo[r]; c++) expect(w[r * n + c]).toBe(0);
    }
  });

  it('reports a matrix that is not positive definite', () => {
    const s = Float64Array.from([1, 2, 2, 1]);
    expect(choleskyInPlace(s, 2)).toBe(false);
    for (const n of [5, 9]) {
      const t = new Float64Array(n * n);
      for (let i = 0; i < n; i++) t[i * n + i] = i === n - 1 ? -1 : 1;
      expect(choleskyInPlace(t, n)).toBe(false);
    }
  });
});

describe('conversions to and from ml-matrix', () => {
  it('toArray, fromArray and adoptArray round-trip, and an adopted matrix behaves like any Matrix', () => {
    const a = random(5 * 3, 99);
    const m = fromArray(a, 5, 3);
    expect(Array.from(toArray(m))).toEqual(Array.from(a));
    const copy = a.slice();
    const adopted = adoptArray(copy, 5, 3);
    expect(Matrix.isMatrix(adopted)).toBe(true);
    expect(adopted.rows).toBe(5);
    expect(adopted.columns).toBe(3);
    expect(adopted.to2DArray()).toEqual(m.to2DArray());
    expect(adopted.mmul(adopted.transpose()).to2DArray()).toEqual(m.mmul(m.transpose()).to2DArray());
    expect(adopted.clone().sub(m).norm()).toBe(0);
    expect(Array.from(toArray(adopted))).toEqual(Array.from(a));
    adopted.set(4, 2, 7);
    expect(adopted.get(4, 2)).toBe(7);
    expect(adopted.getRow(4)[2]).toBe(7);
    expect(fromArray([1, 2, 3, 4], 2, 2).to2DArray()).toEqual([[1, 2], [3, 4]]);
  });

  it('readArray: the entries of any Matrix, in place for one adopted buffer and copied otherwise', () => {
    const a = random(40 * 33, 5);
    const adopted = adoptArray(a.slice(), 40, 33);
    const view = readArray(adopted);
    expect(Array.from(view)).toEqual(Array.from(a));
    adopted.set(1, 2, 42);
    expect(view[33 + 2]).toBe(42); // the Matrix's own storage: no copy
    const plain = new Matrix(Array.from({ length: 40 }, (_, i) => Array.from(a.subarray(i * 33, (i + 1) * 33))));
    const copied = readArray(plain);
    expect(Array.from(copied)).toEqual(Array.from(a));
    plain.set(0, 0, 99);
    expect(copied[0]).toBe(a[0]); // a copy: the Matrix's own rows are separate arrays
    // A sub-matrix view of a larger adopted buffer is read from the right offset.
    const big = a.slice();
    const tail = adoptArray(big.subarray(33 * 10), 30, 33);
    expect(Array.from(readArray(tail))).toEqual(Array.from(a.subarray(33 * 10)));
  });

  it('copyMatrix equals clone() entry for entry (also −0) and shares no storage, for plain and adopted matrices', () => {
    for (const [rows, cols] of [[1, 1], [5, 3], [40, 33], [0, 4]]) {
      const a = random(rows * cols, rows + cols);
      if (a.length > 0) a[0] = -0;
      for (const m of [fromArray(a, rows, cols), adoptArray(a.slice(), rows, cols)]) {
        const copy = copyMatrix(m);
        expect(copy.rows).toBe(rows);
        expect(copy.columns).toBe(cols);
        expect(Array.from(toArray(copy))).toEqual(Array.from(toArray(m.clone())));
        if (rows > 0) {
          copy.set(0, 0, 123);
          expect(m.get(0, 0)).toBe(-0);
        }
      }
    }
  });
});

describe('products without subnormal arithmetic (late times of the closed form)', () => {
  const U = 2 ** -53;
  const TINY = 2 ** -200;
  /** Rows whose entries spread over 10^0 … 10^-spread, some rows scaled down by 10^-shift. */
  function spread(rows: number, k: number, seed: number, decades: number, shift: number): Float64Array {
    const rng = createRng(seed);
    const a = new Float64Array(rows * k);
    for (let i = 0; i < rows; i++) {
      const rowScale = i % 3 === 0 ? 10 ** -(shift * rng.uniform()) : 1;
      for (let p = 0; p < k; p++) a[i * k + p] = rng.normal() * rowScale * 10 ** -(decades * rng.uniform());
    }
    return a;
  }
  /**
   * Σ_p a_ip·b_jp and Σ_p |a_ip·b_jp| with every term formed at the scale of its two rows,
   * (a_ip·2^{−α_i})·(b_jp·2^{−β_j}) with α_i, β_j the exponents of the rows' largest entries,
   * summed by a plain loop and scaled back: no term underflows unless it is below 2^-1000 of
   * the rows' product, far inside the bound checked.
   */
  function reference(a: Float64Array, b: Float64Array, m: number, k: number, n: number): { c: Float64Array; abs: Float64Array } {
    const c = new Float64Array(m * n);
    const abs = new Float64Array(m * n);
    const exponent = (x: Float64Array, i: number): number => {
      const big = rowMax(x, i, k);
      return big === 0 ? 0 : Math.floor(Math.log2(big));
    };
    const scaled = (x: number, e: number): number => x * 2 ** (e >> 1) * 2 ** (e - (e >> 1));
    for (let i = 0; i < m; i++) {
      const ea = exponent(a, i);
      for (let j = 0; j < n; j++) {
        const eb = exponent(b, j);
        let sum = 0;
        let total = 0;
        for (let p = 0; p < k; p++) {
          const t = scaled(a[i * k + p], -ea) * scaled(b[j * k + p], -eb);
          sum += t;
          total += Math.abs(t);
        }
        c[i * n + j] = scaled(scaled(sum, ea), eb);
        abs[i * n + j] = scaled(scaled(total, ea), eb);
      }
    }
    return { c, abs };
  }
  const rowMax = (a: Float64Array, i: number, k: number): number => Math.max(...Array.from(a.subarray(i * k, (i + 1) * k), Math.abs));

  it('is matmulT bit for bit when no product of entries can be subnormal', () => {
    for (const [m, k, n] of [[5, 7, 3], [17, 16, 9]] as const) {
      const a = spread(m, k, m, 20, 100);
      const b = spread(n, k, n + 1, 20, 100);
      expect(matmulTNormal(a, b, m, k, n)).toEqual(matmulT(a, b, m, k, n));
    }
  });

  it('entries spread over 300 decades: within the dot-product bound plus the dropped 2^-200 parts, on both back ends', () => {
    for (const backend of ['js', 'wasm'] as const) {
      setKernelBackend(backend, { minWork: 0 });
      for (const [m, k, n] of [[6, 5, 4], [13, 33, 11], [9, 64, 17]] as const) {
        const a = spread(m, k, 3 * m, 300, 250);
        const b = spread(n, k, 5 * n, 300, 250);
        const before = a.slice();
        const c = matmulTNormal(a, b, m, k, n);
        expect(a).toEqual(before);
        const { c: ref, abs } = reference(a, b, m, k, n);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            const bound = 2 * ((k * U) / (1 - k * U)) * abs[i * n + j] + 2 * k * TINY * rowMax(a, i, k) * rowMax(b, j, k) + 2 ** -1074;
            expect(Math.abs(c[i * n + j] - ref[i * n + j]), `${backend} ${m}×${k}×${n} (${i}, ${j})`).toBeLessThanOrEqual(bound);
          }
        }
      }
    }
    setKernelBackend('js');
  });

  it('the symmetric case: gramOfRowsNormal is gramOfRows bit for bit without subnormal products, and within the bound with them', () => {
    const plain = spread(9, 16, 7, 20, 100);
    expect(gramOfRowsNormal(plain, 9, 16)).toEqual(gramOfRows(plain, 9, 16));
    for (const backend of ['js', 'wasm'] as const) {
      setKernelBackend(backend, { minWork: 0 });
      for (const [m, k] of [[6, 5], [13, 33], [40, 17]] as const) {
        const a = spread(m, k, 11 * m, 300, 250);
        const before = a.slice();
        const g = gramOfRowsNormal(a, m, k);
        expect(a).toEqual(before);
        const { c: ref, abs } = reference(a, a, m, k, m);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < m; j++) {
            expect(g[i * m + j]).toBe(g[j * m + i]); // exactly symmetric
            const bound = 2 * ((k * U) / (1 - k * U)) * abs[i * m + j] + 2 * k * TINY * rowMax(a, i, k) * rowMax(a, j, k) + 2 ** -1074;
            expect(Math.abs(g[i * m + j] - ref[i * m + j]), `${backend} ${m}×${k} (${i}, ${j})`).toBeLessThanOrEqual(bound);
          }
        }
      }
    }
    setKernelBackend('js');
  });

  it('normalised rows lie in [1, 2) with the dropped entries below 2^-200 of the largest, and scale back exactly', () => {
    const a = spread(7, 9, 77, 300, 300);
    a.fill(0, 9, 18); // a zero row
    const e = new Int32Array(7);
    const out = normaliseRowsInto(a, 7, 9, e, new Float64Array(63));
    for (let i = 0; i < 7; i++) {
      const big = rowMax(out, i, 9);
      if (i === 1) {
        expect(big).toBe(0);
        continue;
      }
      expect(big).toBeGreaterThanOrEqual(1);
      expect(big).toBeLessThan(2);
      for (let p = 0; p < 9; p++) {
        const x = out[i * 9 + p];
        if (x === 0) expect(Math.abs(a[i * 9 + p])).toBeLessThan(TINY * 2 * rowMax(a, i, 9));
      }
    }
    scaleRowsByPowersOfTwo(out, 7, 9, e);
    for (let q = 0; q < 63; q++) if (out[q] !== 0) expect(out[q]).toBe(a[q]); // powers of two: exact
    const f = a.slice();
    flushRowsRelative(f, 7, 9);
    for (let q = 0; q < 63; q++) expect(f[q] === 0 || f[q] === a[q]).toBe(true);
  });

  it('row and column scaling normalised on the way: (A_ij·r_i)·c_j up to a power of two per row, no subnormal number formed', () => {
    // Row factors e^{−500}…1 against column factors e^{−560}…1: the plain scaling would write
    // entries down to 2^-1600 (subnormal or zero); the normalised one keeps each row near 1.
    const m = 9;
    const n = 13;
    const rng = createRng(41);
    const a = spread(m, n, 42, 3, 0);
    a.fill(0, 2 * n, 3 * n); // a zero row
    const r = Float64Array.from({ length: m }, (_, i) => (i === 5 ? 0 : Math.exp(-500 * rng.uniform())));
    const c = Float64Array.from({ length: n }, (_, j) => (j === 4 ? 0 : Math.exp(-560 * rng.uniform())));
    const before = a.slice();
    const e = new Int32Array(m);
    const out = scaleRowsColumnsNormalInto(a, r, c, m, n, e, new Float64Array(m * n));
    expect(a).toEqual(before);
    for (let i = 0; i < m; i++) {
      const big = rowMax(out, i, n);
      if (i === 2 || i === 5) {
        expect(big).toBe(0);
        expect(e[i]).toBe(0);
        continue;
      }
      // The exponent comes from log2 sums, so the largest entry is within a factor 2 of [1, 2).
      expect(big).toBeGreaterThanOrEqual(0.5);
      expect(big).toBeLessThan(4);
      for (let j = 0; j < n; j++) {
        const x = out[i * n + j];
        expect(x === 0 || Math.abs(x) >= 2 ** -1022).toBe(true); // never subnormal
        // The value A_ij·c_j·r_i·2^{−e_i} to a few ulps, with r_i brought near 1 by a power of
        // two first and the rest of 2^{−e_i} applied to A_ij·c_j (a normal number here) in
        // two halves, so that no intermediate underflows.
        const k2 = -Math.round(Math.log2(r[i]));
        const k1 = -e[i] - k2;
        const exact = a[i * n + j] * c[j] * 2 ** Math.trunc(k1 / 2) * 2 ** (k1 - Math.trunc(k1 / 2)) * (r[i] * 2 ** k2);
        expect(Math.abs(x - exact)).toBeLessThanOrEqual(4 * U * Math.abs(exact));
        // Where the plain scaling's entry is a normal number, this one is it times 2^{−e_i}, bit for bit.
        const plain = a[i * n + j] * r[i] * c[j];
        if (Math.abs(plain) >= 2 ** -1022 && x !== 0) expect(x).toBe(plain * 2 ** -Math.trunc(e[i] / 2) * 2 ** -(e[i] - Math.trunc(e[i] / 2)));
      }
    }
  });

  it('a row whose entries are themselves subnormal is scaled plainly and normalised like normaliseRowsInto', () => {
    const a = Float64Array.from([-5e-324, 3e-320, 0, 1e-310, 2, 0.5]);
    const r = Float64Array.from([1, 0.25]);
    const c = Float64Array.from([1, 0.5, 1]);
    const e = new Int32Array(2);
    const out = scaleRowsColumnsNormalInto(a, r, c, 2, 3, e, new Float64Array(6));
    const plain = Float64Array.from(a, (x, q) => x * r[Math.floor(q / 3)] * c[q % 3]);
    const ref = new Int32Array(2);
    const expected = normaliseRowsInto(plain.subarray(0, 3), 1, 3, ref, new Float64Array(3));
    expect(Array.from(out.subarray(0, 3))).toEqual(Array.from(expected));
    expect(e[0]).toBe(ref[0]);
    expect(Number.isFinite(out[3]) && Number.isFinite(out[4]) && Number.isFinite(out[5])).toBe(true);
  });

  it('the flushed undo: entries that would be below 2^-1000 become zero, the others are scaled back exactly', () => {
    const k = 8;
    const x = spread(6, k, 43, 2, 0);
    const e = Int32Array.from([0, -300, -1015, -1030, -1100, 20]);
    const y = x.slice();
    scaleRowsByPowersOfTwoFlushed(y, 6, k, e);
    let dropped = 0;
    for (let i = 0; i < 6; i++) {
      for (let p = 0; p < k; p++) {
        const q = i * k + p;
        // x·2^e computed in two exact halves where the result is normal.
        const value = x[q] * 2 ** Math.trunc(e[i] / 2) * 2 ** (e[i] - Math.trunc(e[i] / 2));
        if (Math.log2(Math.abs(x[q])) + e[i] < -1000) {
          expect(y[q]).toBe(0);
          dropped++;
        } else {
          expect(y[q]).toBe(value);
        }
      }
    }
    expect(dropped).toBeGreaterThan(2 * k); // rows −1015, −1030 and −1100 mostly
    // With every entry tiny (the largest below 2^-800), nothing is dropped: the plain undo.
    const z = x.slice();
    const small = Int32Array.from({ length: 6 }, () => -1060);
    const plain = x.slice();
    scaleRowsByPowersOfTwo(plain, 6, k, small);
    scaleRowsByPowersOfTwoFlushed(z, 6, k, small);
    expect(z).toEqual(plain);
  });
});

