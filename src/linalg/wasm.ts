/**
 * The WebAssembly SIMD kernels (wasm/kernels.ts, compiled by AssemblyScript and embedded
 * in wasm-binary.generated.ts): A·Bᵀ, the lower triangle of A·Aᵀ, a Cholesky factor,
 * a triangular solve and the inner loops of the symmetric eigensolver (row dot products,
 * rank-1 and rank-2 updates, plane rotations of two rows), two f64 lanes at a time. In V8 they run 4–5× faster than the
 * JavaScript kernels of dense.ts (about 11 G multiply-adds/s against 2 at n = 128); where
 * WebAssembly SIMD is missing (or {@link setKernelBackend} says so) the JavaScript
 * kernels are used instead, with the same results up to rounding.
 *
 * The module owns one linear memory used as scratch space by one operation at a time
 * (all callers are synchronous): an operation asks {@link WasmKernels.scratch} for its
 * arrays, which may grow the memory and so detach the views of any earlier operation,
 * fills them, runs kernels on them and copies its results out. The memory grows to the
 * largest operation so far and is kept (a WebAssembly memory cannot shrink): about
 * (2·(Ni+No)·Nh + Nh²)·8 bytes for the closed form, 40 MB at Ni = Nh = No = 1000.
 *
 * Public from 'exact-dln': {@link setKernelBackend}, {@link kernelBackend} and
 * {@link KernelBackend}; the rest is internal.
 *
 * @module
 */
import { ExactDlnError, InvalidArgumentError } from '../errors.js';
import { KERNELS_WASM_BASE64 } from './wasm-binary.generated.js';

/**
 * Which implementation of the dense linear algebra runs: `'wasm'` (WebAssembly SIMD, the
 * default wherever the environment has it: Node.js ≥ 16.4, current browsers) or `'js'`
 * (plain JavaScript, the fallback). They agree to rounding (about 1e-15 relative).
 *
 * @example
 * ```ts
 * import { kernelBackend, type KernelBackend } from 'exact-dln';
 * const backend: KernelBackend = kernelBackend();
 * console.log(backend === 'wasm' || backend === 'js'); // true
 * ```
 */
export type KernelBackend = 'wasm' | 'js';

interface KernelExports {
  matmulT(a: number, b: number, m: number, k: number, n: number, c: number): void;
  gramLower(a: number, m: number, k: number, c: number, lo: number): void;
  cholesky(s: number, n: number): number;
  solveRowsLowerT(g: number, m: number, c: number, n: number, lo: number): void;
  scaleRowsColumns(a: number, r: number, c: number, m: number, n: number, out: number): void;
  rowDots(a: number, stride: number, rows: number, u: number, len: number, scale: number, out: number): void;
  rank2Update(a: number, stride: number, len: number, u: number, q: number): void;
  rank1Update(m: number, stride: number, rows: number, cols: number, v: number, u: number): void;
  columnCombination(a: number, stride: number, rows: number, v: number, len: number, out: number): void;
  rotateRows(x: number, y: number, n: number, c: number, s: number): void;
}

/** The parts of the WebAssembly JavaScript API used here (typed locally: the build has no DOM lib). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

/** Byte offset of the first scratch array: pointer 0 means "no array" to the kernels. */
const HEAP_BASE = 64;
const PAGE = 65536;

/** The instantiated kernels with their memory. */
export class WasmKernels {
  private readonly memory: WasmMemory;
  private readonly fn: KernelExports;

  constructor(memory: WasmMemory, fn: KernelExports) {
    this.memory = memory;
    this.fn = fn;
  }

  /**
   * Fresh views on the module's memory, one Float64Array per entry of `f64` and one
   * Int32Array per entry of `i32` (contents unspecified), valid until the next call; or
   * undefined if the memory cannot grow that far (a WebAssembly memory is limited to
   * 4 GiB): the caller then uses the JavaScript kernels.
   */
  scratch(f64: readonly number[], i32: readonly number[] = []): { f64: Float64Array[]; i32: Int32Array[] } | undefined {
    let bytes = HEAP_BASE;
    for (const len of f64) bytes += 8 * len + 16; // 16: keeps each array 8-byte aligned with room to spare
    for (const len of i32) bytes += 4 * len + 8;
    const have = this.memory.buffer.byteLength;
    if (bytes > have) {
      try {
        this.memory.grow(Math.ceil((bytes - have) / PAGE));
      } catch {
        return undefined;
      }
    }
    const buffer = this.memory.buffer;
    let at = HEAP_BASE;
    const f = f64.map((len) => {
      const view = new Float64Array(buffer, at, len);
      at += 8 * len + 16;
      return view;
    });
    const i = i32.map((len) => {
      const view = new Int32Array(buffer, at, len);
      at += 4 * len + 8;
      return view;
    });
    return { f64: f, i32: i };
  }

  /** C (m×n) = A (m×k)·Bᵀ (B n×k); all three views from {@link WasmKernels.scratch}. */
  matmulT(a: Float64Array, b: Float64Array, m: number, k: number, n: number, c: Float64Array): void {
    this.fn.matmulT(this.ptr(a), this.ptr(b), m, k, n, this.ptr(c));
  }

  /** Lower triangle of C = A·Aᵀ (A m×k), as dense.ts `gramLowerInto`. */
  gramLower(a: Float64Array, m: number, k: number, c: Float64Array, lo?: Int32Array): void {
    this.fn.gramLower(this.ptr(a), m, k, this.ptr(c), lo === undefined ? 0 : this.ptr(lo));
  }

  /** In-place lower Cholesky factor, as dense.ts `choleskyInPlace`. */
  cholesky(s: Float64Array, n: number): boolean {
    return this.fn.cholesky(this.ptr(s), n) === 1;
  }

  /** W·Cᵀ = G solved in place, as dense.ts `solveRowsLowerTInPlace`. */
  solveRowsLowerT(g: Float64Array, m: number, c: Float64Array, n: number, lo?: Int32Array): void {
    this.fn.solveRowsLowerT(this.ptr(g), m, this.ptr(c), n, lo === undefined ? 0 : this.ptr(lo));
  }

  /** out_ij = (A_ij·r_i)·c_j (A m×n; `out` may be A), as dense.ts `scaleRowsColumnsInto`. */
  scaleRowsColumns(a: Float64Array, r: Float64Array, c: Float64Array, m: number, n: number, out: Float64Array): void {
    this.fn.scaleRowsColumns(this.ptr(a), this.ptr(r), this.ptr(c), m, n, this.ptr(out));
  }

  /**
   * out_r = (Σ_{c < len} A_rc·u_c)·scale for r < rows; A has row stride `stride` and starts
   * at `a`'s first entry. `u` and `out` are views (or subarrays of views) in the memory.
   */
  rowDots(a: Float64Array, stride: number, rows: number, u: Float64Array, len: number, scale: number, out: Float64Array): void {
    this.fn.rowDots(this.ptr(a), stride, rows, this.ptr(u), len, scale, this.ptr(out));
  }

  /** A_jk −= u_j·q_k + q_j·u_k for j, k < len (row stride `stride`). */
  rank2Update(a: Float64Array, stride: number, len: number, u: Float64Array, q: Float64Array): void {
    this.fn.rank2Update(this.ptr(a), stride, len, this.ptr(u), this.ptr(q));
  }

  /** M_rc −= v_r·u_c for r < rows, c < cols (row stride `stride`). */
  rank1Update(m: Float64Array, stride: number, rows: number, cols: number, v: Float64Array, u: Float64Array): void {
    this.fn.rank1Update(this.ptr(m), stride, rows, cols, this.ptr(v), this.ptr(u));
  }

  /** out_c = Σ_{r < rows} v_r·A_rc for c < len (row stride `stride`): vᵀA. */
  columnCombination(a: Float64Array, stride: number, rows: number, v: Float64Array, len: number, out: Float64Array): void {
    this.fn.columnCombination(this.ptr(a), stride, rows, this.ptr(v), len, this.ptr(out));
  }

  /**
   * A function that rotates rows i and j of z (row length n): (x, y) ← (c·x − s·y, s·x + c·y).
   * The QL and QR iterations rotate ≈ n² times, so z's address is checked once, here; z
   * must stay valid (no {@link WasmKernels.scratch} call) while the function is used.
   */
  rowRotator(z: Float64Array, n: number): (i: number, j: number, c: number, s: number) => void {
    const base = this.ptr(z);
    const row = 8 * n;
    const rotate = this.fn.rotateRows;
    return (i, j, c, s) => rotate(base + i * row, base + j * row, n, c, s);
  }

  private ptr(view: Float64Array | Int32Array): number {
    if (view.buffer !== this.memory.buffer) {
      throw new Error('exact-dln internal error: a WebAssembly kernel was given an array outside its memory');
    }
    return view.byteOffset;
  }
}

let loaded: WasmKernels | null | undefined;
let requested: KernelBackend | 'auto' = 'auto';

function decodeBase64(s: string): Uint8Array {
  const text = atob(s);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Compiles and instantiates the kernels; null where WebAssembly or its SIMD is missing. */
function load(): WasmKernels | null {
  try {
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (api === undefined) return null;
    const bytes = decodeBase64(KERNELS_WASM_BASE64);
    if (!api.validate(bytes)) return null; // no SIMD support
    const memory = new api.Memory({ initial: 1 });
    const instance = new api.Instance(new api.Module(bytes), { env: { memory } });
    return new WasmKernels(memory, instance.exports as unknown as KernelExports);
  } catch {
    // e.g. a browser that refuses synchronous compilation on its main thread
    return null;
  }
}

/**
 * Below this many multiply-adds an operation runs in JavaScript even where WebAssembly is
 * in use: copying the operands into its memory would cost more than it saves.
 *
 * @example
 * ```ts
 * import { DEFAULT_WASM_MIN_WORK } from 'exact-dln';
 * console.log(DEFAULT_WASM_MIN_WORK); // 2048
 * ```
 */
export const DEFAULT_WASM_MIN_WORK = 2048;
let currentMinWork = DEFAULT_WASM_MIN_WORK;

/**
 * The WebAssembly kernels if they are in use (available, and not switched off with
 * {@link setKernelBackend}), otherwise undefined.
 */
export function wasmKernels(): WasmKernels | undefined {
  if (requested === 'js') return undefined;
  if (loaded === undefined) loaded = load();
  return loaded ?? undefined;
}

/** The WebAssembly kernels for an operation of `work` multiply-adds, if they should run it. */
export function kernelsFor(work: number): WasmKernels | undefined {
  return work >= currentMinWork ? wasmKernels() : undefined;
}

/**
 * Chooses the implementation of the dense linear algebra behind every closed form,
 * simulation and kernel computation: `'wasm'` (WebAssembly SIMD; throws if this
 * environment cannot run it), `'js'` (plain JavaScript), or `'auto'` (the default:
 * WebAssembly SIMD where available, JavaScript otherwise). Both give the same results up
 * to rounding; choose `'js'` to reproduce numbers bit for bit across environments with
 * and without WebAssembly SIMD, or to compare speeds. Even with `'wasm'`, operations
 * below `minWork` multiply-adds (default {@link DEFAULT_WASM_MIN_WORK}; 0 sends every
 * operation to WebAssembly) run in JavaScript, where copying would cost more than it saves.
 * The setting is global to the JavaScript realm (a Web Worker has its own).
 *
 * @param backend - `'wasm'`, `'js'` or `'auto'`.
 * @param options - `minWork`: the smallest operation, in multiply-adds, given to WebAssembly.
 * @throws Error if `'wasm'` is asked for where WebAssembly SIMD is not available.
 * @example
 * ```ts
 * import { exactDynamics, kernelBackend, lambdaBalancedWeights, randomTask, setKernelBackend } from 'exact-dln';
 * const task = randomTask({ inputDim: 40, outputDim: 40, samples: 80, seed: 1 });
 * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 40, hiddenDim: 40, outputDim: 40, lambda: 0.5, scale: 0.1, seed: 2 });
 * const dynamics = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX });
 * const fast = dynamics.at(5).loss; // WebAssembly SIMD where available
 * setKernelBackend('js');
 * console.log(kernelBackend()); // js
 * const plain = dynamics.at(5).loss;
 * setKernelBackend('auto');
 * console.log(Math.abs(fast - plain) <= 1e-12 * plain); // true
 * ```
 */
export function setKernelBackend(backend: KernelBackend | 'auto', options: { minWork?: number } = {}): void {
  if (backend !== 'wasm' && backend !== 'js' && backend !== 'auto') {
    throw new InvalidArgumentError(`invalid argument. \`backend\` must be 'wasm', 'js' or 'auto', not ${JSON.stringify(backend)}.`, 'backend');
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(`invalid argument. The options of setKernelBackend must be an object { minWork? }, not ${options === null ? 'null' : typeof options}.`, 'options');
  }
  // (validation.ts's assertKnownOptions would import this module's importers back.)
  for (const key of Object.keys(options)) {
    if (key !== 'minWork') {
      throw new InvalidArgumentError(`invalid argument. Unknown option \`${key}\` for setKernelBackend; the options are \`minWork\`.`, key);
    }
  }
  const minWork = options.minWork ?? DEFAULT_WASM_MIN_WORK;
  if (!(Number.isFinite(minWork) && minWork >= 0)) {
    throw new InvalidArgumentError(`invalid argument. \`minWork\` must be a finite number ≥ 0, not ${String(minWork)}.`, 'minWork');
  }
  if (backend === 'wasm') {
    if (loaded === undefined) loaded = load();
    if (loaded === null) throw new ExactDlnError('WebAssembly SIMD is not available in this environment; use setKernelBackend("js") or "auto".');
  }
  requested = backend;
  currentMinWork = minWork;
}

/**
 * The settings last given to {@link setKernelBackend} (default `'auto'` and
 * {@link DEFAULT_WASM_MIN_WORK}), so that a worker thread can be given the same ones.
 *
 * @internal
 */
export function kernelSettings(): { backend: KernelBackend | 'auto'; minWork: number } {
  return { backend: requested, minWork: currentMinWork };
}

/**
 * The implementation of the dense linear algebra in use: `'wasm'` (WebAssembly SIMD) or
 * `'js'`. See {@link setKernelBackend}.
 *
 * @example
 * ```ts
 * import { kernelBackend, setKernelBackend } from 'exact-dln';
 * setKernelBackend('js');
 * console.log(kernelBackend()); // js
 * setKernelBackend('auto'); // WebAssembly SIMD where available
 * ```
 */
export function kernelBackend(): KernelBackend {
  return wasmKernels() === undefined ? 'js' : 'wasm';
}
