/**
 * The WebAssembly SIMD kernels (src/linalg/wasm.ts, compiled from wasm/kernels.ts):
 *  - the committed binary is the compilation of the committed source;
 *  - they are available here (Node 20 has WebAssembly SIMD), and the dense.ts entry points
 *    use them above the size threshold and the JavaScript kernels below it or when told to;
 *  - A·Bᵀ and A·Aᵀ against textbook loops within the error bound of a dot product, which
 *    holds for any summation order: |fl(Σ a_p b_p) − Σ a_p b_p| ≤ γ_k·Σ|a_p b_p| with
 *    γ_k = k·u/(1 − k·u), u = 2⁻⁵³; the textbook loop has the same bound, so the two may
 *    differ by 2γ_k·Σ|a_p b_p|;
 *  - the Cholesky factor and the triangular solve by their backward errors,
 *    |LLᵀ − S| ≤ γ_{n+1}·|L||L|ᵀ and |W·Cᵀ − G| ≤ γ_n·|W||C|ᵀ (entry-wise; Higham,
 *    Accuracy and Stability of Numerical Algorithms, Thms 8.5 and 10.3);
 *  - every remainder of the blocking (sizes 1…11, 16, 17, 33), declared leading zeros, and
 *    random shapes (fast-check, seeded);
 *  - memory growth, and that no input is changed.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { compileKernels, GENERATED_FILE } from '../../scripts/build-wasm.js';
import {
  choleskyInPlace,
  choleskyInPlaceJs,
  gramLowerInto,
  gramOfRows,
  matmulT,
  matmulTJs,
  scaleRowsColumnsInto,
  solveRowsLowerTInPlace,
} from '../../src/linalg/dense.js';
import { DEFAULT_WASM_MIN_WORK, kernelBackend, setKernelBackend, wasmKernels } from '../../src/linalg/wasm.js';
import { KERNELS_WASM_BASE64 } from '../../src/linalg/wasm-binary.generated.js';
import { createRng } from '../../src/random.js';
import * as publicApi from '../../src/index.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { expectTypedError } from '../helpers/errors.js';

const U = 2 ** -53;
const gamma = (k: number): number => (k * U) / (1 - k * U);
const SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 16, 17, 33];

function random(len: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: len }, () => rng.normal());
}

/** Σ_p a_ip b_jp and Σ_p |a_ip b_jp| for A m×k, B n×k. */
function reference(a: Float64Array, b: Float64Array, m: number, k: number, n: number): { c: Float64Array; abs: Float64Array } {
  const c = new Float64Array(m * n);
  const abs = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let p = 0; p < k; p++) {
        s += a[i * k + p] * b[j * k + p];
        t += Math.abs(a[i * k + p] * b[j * k + p]);
      }
      c[i * n + j] = s;
      abs[i * n + j] = t;
    }
  }
  return { c, abs };
}

/** max over entries of |x − ref| / (2γ_k·Σ|ab| + smallest normal): ≤ 1 means within the bound. */
function boundRatio(x: Float64Array, ref: { c: Float64Array; abs: Float64Array }, k: number, entries?: (q: number) => boolean): number {
  let worst = 0;
  for (let q = 0; q < ref.c.length; q++) {
    if (entries !== undefined && !entries(q)) continue;
    worst = Math.max(worst, Math.abs(x[q] - ref.c[q]) / (2 * gamma(k) * ref.abs[q] + 2.2e-308));
  }
  return worst;
}

afterEach(() => setKernelBackend('auto'));

describe('the WebAssembly binary', () => {
  it('is the compilation of wasm/kernels.ts (run `npm run build:wasm` after editing it)', async () => {
    const binary = await compileKernels();
    expect(Buffer.from(binary).toString('base64'), `${GENERATED_FILE} is out of date`).toBe(KERNELS_WASM_BASE64);
    expect(readFileSync(GENERATED_FILE, 'utf8')).toContain('do not edit');
  }, 120_000);

  it('runs here, and the backend can be switched (also through the public entry point)', () => {
    expect(kernelBackend()).toBe('wasm');
    setKernelBackend('js');
    expect(kernelBackend()).toBe('js');
    setKernelBackend('wasm');
    expect(kernelBackend()).toBe('wasm');
    publicApi.setKernelBackend('js');
    expect(publicApi.kernelBackend()).toBe('js');
    expect(kernelBackend()).toBe('js');
  });

  it('rejects an unknown backend or a bad minWork with a typed error naming the argument', () => {
    const e = expectTypedError(() => setKernelBackend('gpu' as 'js'), InvalidArgumentError, 'backend', "'wasm', 'js' or 'auto'", '"gpu"');
    expect(e.argument).toBe('backend');
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(expectTypedError(() => setKernelBackend('wasm', { minWork: bad }), InvalidArgumentError, 'minWork').argument).toBe('minWork');
    }
    expect(kernelBackend()).toBe('wasm'); // a rejected call changes nothing
  });
});

describe('dispatch between the WebAssembly and JavaScript kernels', () => {
  it('uses the JavaScript kernels below the threshold and when told to, bit for bit', () => {
    const m = 40;
    const a = random(m * m, 1);
    const b = random(m * m, 2);
    const js = matmulTJs(a, b, m, m, m);
    setKernelBackend('js');
    expect(Array.from(matmulT(a, b, m, m, m))).toEqual(Array.from(js));
    setKernelBackend('auto');
    const small = random(5 * 4, 3);
    expect(5 * 4 * 5).toBeLessThan(DEFAULT_WASM_MIN_WORK);
    expect(Array.from(matmulT(small, small, 5, 4, 5))).toEqual(Array.from(matmulTJs(small, small, 5, 4, 5)));
    // Above the threshold the WebAssembly kernel runs: within the bound, and (for this
    // size) not the same rounding as the JavaScript one.
    const wasm = matmulT(a, b, m, m, m);
    expect(boundRatio(wasm, reference(a, b, m, m, m), m)).toBeLessThanOrEqual(1);
    expect(Array.from(wasm)).not.toEqual(Array.from(js));
  });
});

describe.each([
  ['every operation', 0],
  ['large operations only (the default)', DEFAULT_WASM_MIN_WORK],
])('WebAssembly kernels on %s', (_label, minWork) => {
  it('A·Bᵀ is within the dot-product bound for every remainder of the 2×4 blocking, and leaves its inputs alone', () => {
    setKernelBackend('wasm', { minWork });
    let seed = 10;
    let worst = 0;
    for (const m of SIZES) {
      for (const n of [1, 2, 3, 4, 5, 7, 9, 33]) {
        for (const k of [1, 2, 3, 8, 31]) {
          const a = random(m * k, seed++);
          const b = random(n * k, seed++);
          const a0 = a.slice();
          const b0 = b.slice();
          const buffer = new Float64Array(m * n + 2).fill(-7);
          matmulT(a, b, m, k, n, buffer.subarray(1, 1 + m * n));
          worst = Math.max(worst, boundRatio(buffer.subarray(1, 1 + m * n), reference(a, b, m, k, n), k));
          expect([buffer[0], buffer[m * n + 1]]).toEqual([-7, -7]);
          expect(a).toEqual(a0);
          expect(b).toEqual(b0);
          // A·Aᵀ through the same array for both operands.
          if (m === n) worst = Math.max(worst, boundRatio(matmulT(a, a, m, k, m), reference(a, a, m, k, m), k));
        }
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('the lower triangle of A·Aᵀ is within the bound, with and without declared leading zeros', () => {
    setKernelBackend('wasm', { minWork });
    let worst = 0;
    for (const m of SIZES) {
      for (const k of [1, 2, 5, m + 3]) {
        const a = random(m * k, 100 + m * 7 + k);
        const lo = Int32Array.from({ length: m }, (_, i) => Math.min(k, Math.max(0, m - 1 - i))); // non-increasing
        for (let i = 0; i < m; i++) a.fill(0, i * k, i * k + lo[i]);
        const ref = reference(a, a, m, k, m);
        const lower = (q: number): boolean => q % m <= Math.floor(q / m);
        const plain = new Float64Array(m * m);
        gramLowerInto(a, m, k, plain);
        const withLo = new Float64Array(m * m);
        gramLowerInto(a, m, k, withLo, lo);
        worst = Math.max(worst, boundRatio(plain, ref, k, lower), boundRatio(withLo, ref, k, lower));
        const full = gramOfRows(a, m, k);
        for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) expect(full[j * m + i]).toBe(full[i * m + j]);
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('Cholesky and the triangular solve meet their backward-error bounds; a matrix that is not positive definite is reported', () => {
    setKernelBackend('wasm', { minWork });
    for (const n of SIZES) {
      const b = random(n * (n + 2), 300 + n);
      const s = gramOfRows(b, n, n + 2);
      for (let i = 0; i < n; i++) s[i * n + i] += 0.5;
      const l = s.slice();
      expect(choleskyInPlace(l, n)).toBe(true);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(0);
      const llt = reference(l, l, n, n, n);
      for (let q = 0; q < n * n; q++) {
        const i = Math.floor(q / n);
        const j = q % n;
        if (j > i) continue;
        expect(Math.abs(llt.c[q] - s[q])).toBeLessThanOrEqual(gamma(n + 1) * llt.abs[q] + 2 * gamma(n) * llt.abs[q]);
      }

      const m = 11;
      const lo = Int32Array.from({ length: m }, (_, r) => Math.min(n, (r * 3) % (n + 1)));
      const g = random(m * n, 400 + n);
      for (let r = 0; r < m; r++) g.fill(0, r * n, r * n + lo[r]);
      const w = g.slice();
      solveRowsLowerTInPlace(w, m, l, n, lo);
      for (let r = 0; r < m; r++) for (let c = 0; c < lo[r]; c++) expect(w[r * n + c]).toBe(0);
      const back = reference(w, l, m, n, n); // W·Lᵀ
      for (let q = 0; q < m * n; q++) {
        expect(Math.abs(back.c[q] - g[q])).toBeLessThanOrEqual(gamma(n) * back.abs[q] + 2 * gamma(n) * back.abs[q] + 1e-300);
      }
    }
    const t = new Float64Array(9 * 9);
    for (let i = 0; i < 9; i++) t[i * 9 + i] = i === 8 ? -1 : 1;
    expect(choleskyInPlace(t, 9)).toBe(false);
    expect(choleskyInPlace(Float64Array.from([1, 2, 2, 1]), 2)).toBe(false);
  });
});

describe('WebAssembly row and column scaling', () => {
  it('is bit for bit the JavaScript scaling (A_ij·r_i)·c_j, in place or not, for odd and even widths', () => {
    const kernels = wasmKernels();
    expect(kernels).toBeDefined();
    for (const [m, n] of [
      [1, 1],
      [3, 5],
      [7, 8],
      [16, 33],
    ]) {
      const a = random(m * n, m * 100 + n);
      const r = random(m, 1 + m);
      const c = random(n, 2 + n);
      const js = new Float64Array(m * n);
      scaleRowsColumnsInto(a, r, c, m, n, js);
      const heap = kernels?.scratch([m * n, m, n, m * n]);
      if (heap === undefined) throw new Error('no scratch memory');
      const [ha, hr, hc, hout] = heap.f64;
      ha.set(a);
      hr.set(r);
      hc.set(c);
      kernels?.scaleRowsColumns(ha, hr, hc, m, n, hout);
      expect(Array.from(hout)).toEqual(Array.from(js));
      kernels?.scaleRowsColumns(ha, hr, hc, m, n, ha); // in place
      expect(Array.from(ha)).toEqual(Array.from(js));
    }
  });
});

describe('WebAssembly kernels on random shapes', () => {
  it('A·Bᵀ, A·Aᵀ, Cholesky and solve agree with the references (fast-check)', () => {
    setKernelBackend('wasm', { minWork: 0 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 48 }), fc.integer({ min: 1, max: 48 }), fc.integer({ min: 1, max: 48 }), fc.integer({ min: 0, max: 2 ** 30 }), (m, k, n, seed) => {
        const a = random(m * k, seed);
        const b = random(n * k, seed + 1);
        expect(boundRatio(matmulT(a, b, m, k, n), reference(a, b, m, k, n), k)).toBeLessThanOrEqual(1);
        const s = gramOfRows(b, n, k);
        for (let i = 0; i < n; i++) s[i * n + i] += 1;
        const lw = s.slice();
        const lj = s.slice();
        expect(choleskyInPlace(lw, n)).toBe(true);
        expect(choleskyInPlaceJs(lj, n)).toBe(true);
        // Both factors of a matrix with eigenvalues ≥ 1 agree to a few units of rounding of ‖S‖.
        let norm = 0;
        for (const x of s) norm = Math.max(norm, Math.abs(x));
        for (let q = 0; q < n * n; q++) expect(Math.abs(lw[q] - lj[q])).toBeLessThan(8 * gamma(n + 1) * norm);
        const g = random(m * n, seed + 2);
        const w = g.slice();
        solveRowsLowerTInPlace(w, m, lw, n);
        const back = reference(w, lw, m, n, n);
        for (let q = 0; q < m * n; q++) expect(Math.abs(back.c[q] - g[q])).toBeLessThanOrEqual(3 * gamma(n) * back.abs[q] + 1e-300);
      }),
      { numRuns: 150, seed: 424242 },
    );
  });

  it('says when its memory cannot grow (the callers then use the JavaScript kernels)', () => {
    setKernelBackend('wasm');
    const kernels = wasmKernels();
    expect(kernels).toBeDefined();
    expect(kernels?.scratch([2 ** 31])).toBeUndefined(); // 16 GiB: beyond any WebAssembly memory
    expect(kernels?.scratch([10])?.f64[0].length).toBe(10);
    const a = random(30 * 30, 8);
    expect(boundRatio(matmulT(a, a, 30, 30, 30), reference(a, a, 30, 30, 30), 30)).toBeLessThanOrEqual(1);
  });

  it('grows its memory for large operations and stays correct for small ones afterwards', () => {
    setKernelBackend('wasm');
    const m = 260; // three 260×260 arrays ≈ 1.6 MB: the memory starts at 64 KiB
    const a = random(m * m, 5);
    const b = random(m * m, 6);
    expect(boundRatio(matmulT(a, b, m, m, m), reference(a, b, m, m, m), m)).toBeLessThanOrEqual(1);
    const c = random(20 * 30, 7);
    expect(boundRatio(matmulT(c, c, 20, 30, 20), reference(c, c, 20, 30, 20), 30)).toBeLessThanOrEqual(1);
  });
});
