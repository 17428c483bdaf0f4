/**
 * `kernelDistance`: how far apart the Neural Tangent Kernels of two networks are (MATH.md
 * §6), computed from W1ᵀW1, W2W2ᵀ and the probes' Gram matrix without building either
 * kernel. The pieces are shared with `kernelDistanceTrajectory`.
 *
 * @module
 */
import type { Matrix } from 'ml-matrix';
import { ExactDlnError, InvalidArgumentError, ShapeError } from '../errors.js';
import type { RiccatiSolution } from '../core/riccati.js';
import { Snapshot } from '../core/snapshot.js';
import { choleskyInPlace, gramOfRows, gramOfRowsNormal, matmul, powerOfTwoTowardOne, readArray, sameEntries, tmatmul, toArray } from '../linalg/dense.js';
import { symmetricEigen } from '../linalg/symmetric-eigen.js';
import { assertKnownOptions, assertShape, type MatrixLike, toMatrix } from '../validation.js';
import { representationChange, type RepresentationChange } from './representation-change.js';
import { extremeScale, largestDiagonal, representationsOf, representationsOutOfRange, type NetworkRepresentations, type NetworkState } from './network-representations.js';

/**
 * Options of {@link kernelDistance} and `kernelDistanceTrajectory`: the probe inputs on
 * which the kernels are compared. Give `inputs` or `gram` (not both); with neither the
 * probes are whitened (X'X'ᵀ ∝ I).
 *
 * @example
 * ```ts
 * import type { KernelDistanceOptions } from 'exact-dln';
 * const onData: KernelDistanceOptions = { inputs: [[1, 0, 1], [0, 1, 1]] };
 * const whitened: KernelDistanceOptions = {};
 * ```
 */
export interface KernelDistanceOptions {
  /** Probe inputs X', Ni×P' (any P' ≥ 1). Only G = X'X'ᵀ is used. */
  inputs?: MatrixLike;
  /**
   * The probes' Gram matrix G = X'X'ᵀ directly (Ni×Ni, symmetric positive semi-definite),
   * e.g. P·Σxx of a data set; an alternative to `inputs` when P' is large.
   */
  gram?: MatrixLike;
}

/** Relative asymmetry and negative eigenvalue tolerated in a user-supplied `gram`. */
const GRAM_TOLERANCE = 1e-12;

/**
 * Negative distances down to −1e-15 are rounding (d ≥ 0 by Cauchy–Schwarz) and are
 * returned as 0; anything more negative is reported as an internal error, never hidden.
 */
const NEGATIVE_ROUNDING_SLACK = 1e-15;

/**
 * The probe geometry, normalised to tr G = 1 (d is invariant under X' → cX', so only the
 * shape of G matters; normalising keeps G² clear of overflow and underflow).
 *
 * @internal
 */
export interface ProbeGeometry {
  /** Ni. */
  readonly inputDim: number;
  /**
   * The size of `g` and `g2`: Ni, or fewer when the geometry is compressed to the span of a
   * W with orthonormal columns (g = WᵀGW/tr G, g2 = WᵀG²W/(tr G)²; see `solutionGeometry`).
   */
  readonly size: number;
  /** G/tr G, size×size row-major, symmetric (empty when `identity`). */
  readonly g: Float64Array;
  /** (G/tr G)², size×size row-major (empty when `identity`). */
  readonly g2: Float64Array;
  /** tr((G/tr G)²) = ‖G/tr G‖²_F. */
  readonly trG2: number;
  /** True when G/tr G = I/Ni exactly (the default, whitened probes): the traces need no products, and g, g2 are not stored. */
  readonly identity: boolean;
}

/**
 * The pieces of one kernel K(A, R) = I_No ⊗ X'ᵀAX' + R ⊗ X'ᵀX', scaled to ‖K‖_F = 1: K is
 * linear in (A, R), so Â = A/‖K‖, R̂ = R/‖K‖ describe K/‖K‖.
 *
 * @internal
 */
export interface KernelPieces {
  /** Ni, No. */
  readonly inputDim: number;
  readonly outputDim: number;
  /** Â, Ni×Ni row-major (the geometry's size when compressed). */
  readonly a: Float64Array;
  /** R̂, No×No row-major (rSize×rSize when compressed). */
  readonly r: Float64Array;
  readonly rSize: number;
}

/**
 * The probe matrices of kernel-distance options, as copies: checks that `options` is an
 * object and gives `inputs` or `gram` but not both (their shapes and values are checked by
 * {@link probeGeometry}). Shared with the worker pool of 'exact-dln/parallel', which checks
 * and copies the probes before it sends them out.
 *
 * @internal
 */
export function probeMatrices(options: KernelDistanceOptions): { inputs?: Matrix; gram?: Matrix } {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('invalid argument. The options must be an object { inputs?, gram? }.', 'options');
  }
  assertKnownOptions(options, 'the kernel-distance probes', {
    inputs: true,
    gram: true,
  } satisfies Record<keyof KernelDistanceOptions, true>);
  if (options.inputs !== undefined && options.gram !== undefined) {
    throw new InvalidArgumentError(
      'invalid argument. Give probe `inputs` (Ni×P′) or their Gram matrix `gram` (Ni×Ni), not both.',
      'gram',
    );
  }
  if (options.inputs !== undefined) return { inputs: toMatrix(options.inputs, 'inputs') };
  if (options.gram !== undefined) return { gram: toMatrix(options.gram, 'gram') };
  return {};
}

/**
 * Builds the normalised probe geometry from `inputs`, `gram` or neither (whitened).
 * Cost O(Ni²·P') for `inputs`, O(Ni³/6) for `gram` (a Cholesky factorisation to check it
 * is positive semi-definite, an eigendecomposition when that is in doubt), plus O(Ni³) for
 * G² — left out (`g2` empty) with `squared = false`, for {@link solutionGeometry}, which
 * forms the square in its own basis.
 *
 * @internal
 */
export function probeGeometry(options: KernelDistanceOptions, ni: number, squared = true): ProbeGeometry {
  const { inputs, gram } = probeMatrices(options);
  let g: Float64Array;
  if (inputs !== undefined) {
    assertShape(inputs, ni, undefined, 'inputs', `input×probes; the networks have Ni = ${ni} inputs`);
    // G = X′X′ᵀ from toMatrix's own copy of the probes, read in place. The geometry is
    // normalised by tr G below, so probes of extreme size (whose G would underflow or
    // overflow) are scaled by a power of two first.
    const x = readArray(inputs);
    const f = extremeScale(x);
    g = gramOfRows(f === 1 ? x : x.map((v) => v * f), ni, inputs.columns);
  } else if (gram !== undefined) {
    assertShape(gram, ni, ni, 'gram', `the probes' Gram matrix X′X′ᵀ, Ni×Ni with Ni = ${ni}`);
    g = toArray(gram);
    // The distance is unchanged by G → cG: a Gram matrix of extreme size is scaled by a power
    // of two first (entries near 1e308 overflowed tr G, and the kernel was called zero).
    const f = extremeScale(g);
    if (f !== 1) for (let k = 0; k < g.length; k++) g[k] *= f;
    checkGram(g, ni);
  } else {
    // Whitened probes: G/tr G = I/Ni, which the traces use without storing it.
    return { inputDim: ni, size: ni, g: new Float64Array(0), g2: new Float64Array(0), trG2: 1 / ni, identity: true };
  }
  let trace = 0;
  for (let i = 0; i < ni; i++) trace += g[i * ni + i];
  if (!(trace > 0)) {
    const name = options.inputs !== undefined ? 'inputs' : 'gram';
    throw new InvalidArgumentError(
      `invalid argument. \`${name}\` is zero: the NTK on these probes vanishes and the kernel distance is undefined.`,
      name,
    );
  }
  for (let k = 0; k < g.length; k++) g[k] /= trace;
  const g2 = squared ? matmul(g, g, ni, ni, ni) : new Float64Array(0);
  let trG2 = 0;
  for (let k = 0; k < g.length; k++) trG2 += g[k] * g[k];
  return { inputDim: ni, size: ni, g, g2, trG2, identity: false };
}

/**
 * The quick accept of {@link checkGram}: a Cholesky factorisation of G + δI with
 * δ = (GRAM_TOLERANCE/2)·max(max_i |G_ii|, ‖G‖_F/√n) ≤ (GRAM_TOLERANCE/2)·max|λ(G)| succeeds
 * only if λ_min(G) ≥ −δ up to the factorisation's rounding (backward error ≈ n·ε·‖G‖), i.e.
 * well inside the tolerance: O(n³/6) instead of an eigendecomposition (784 inputs: ~10 ms
 * instead of ~3 s). When it fails (G indefinite, or singular so that rounding beats δ) the
 * eigenvalues decide, as before.
 */
function shiftedCholeskySucceeds(g: Float64Array, n: number): boolean {
  let diagonal = 0;
  let frobenius2 = 0;
  for (let i = 0; i < n; i++) diagonal = Math.max(diagonal, Math.abs(g[i * n + i]));
  for (let k = 0; k < g.length; k++) frobenius2 += g[k] * g[k];
  const shift = (GRAM_TOLERANCE / 2) * Math.max(diagonal, Math.sqrt(frobenius2 / n));
  if (!(shift > 0)) return false;
  const shifted = g.slice();
  for (let i = 0; i < n; i++) shifted[i * n + i] += shift;
  return choleskyInPlace(shifted, n);
}

function checkGram(g: Float64Array, n: number): void {
  let scale = 0;
  for (let k = 0; k < g.length; k++) scale = Math.max(scale, Math.abs(g[k]));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const gap = Math.abs(g[i * n + j] - g[j * n + i]);
      if (gap > GRAM_TOLERANCE * scale) {
        throw new InvalidArgumentError(
          `invalid argument. \`gram\` must be symmetric (a Gram matrix X′X′ᵀ); entries (${i}, ${j}) and (${j}, ${i}) differ by ${gap}.`,
          'gram',
        );
      }
    }
  }
  if (shiftedCholeskySucceeds(g, n)) return;
  const { values } = symmetricEigen(g, n); // ascending
  const min = values[0];
  if (min < -GRAM_TOLERANCE * Math.max(Math.abs(values[0]), Math.abs(values[n - 1]))) {
    throw new InvalidArgumentError(
      `invalid argument. \`gram\` must be positive semi-definite (a Gram matrix X′X′ᵀ); its smallest eigenvalue is ${min}.`,
      'gram',
    );
  }
}

/** Σ_ij x_ij y_ij. */
function dot(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let k = 0; k < x.length; k++) s += x[k] * y[k];
  return s;
}

/** tr(M N) = Σ_ij M_ij N_ji for n×n row-major M, N. */
function traceOfProduct(m: Float64Array, q: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += m[i * n + j] * q[j * n + i];
  return s;
}

function trace(m: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += m[i * n + i];
  return s;
}

/**
 * ‖K(A, R)‖²_F = ‖I_No ⊗ X'ᵀAX' + R ⊗ G‖² for symmetric A, R and the normalised G
 * (MATH.md §6 with a = b): No·tr(AGAG) + 2·tr(R)·tr(AG²) + ‖R‖²_F·tr(G²). Linear-algebra
 * cost O(Ni³ + No²).
 */
function squaredNorm(a: Float64Array, r: Float64Array, rSize: number, no: number, geometry: ProbeGeometry): number {
  const ni = geometry.inputDim;
  const size = geometry.size;
  if (geometry.identity) {
    // G/tr G = I/Ni: tr(AGAG) = ‖A‖²_F/Ni², tr(AG²) = tr(A)/Ni², tr(G²) = 1/Ni. O(Ni² + No²).
    return (no * dot(a, a) + 2 * trace(r, rSize) * trace(a, size)) / (ni * ni) + dot(r, r) * geometry.trG2;
  }
  return squaredNormWith(a, matmul(a, geometry.g, size, size, size), r, rSize, no, geometry);
}

/** {@link squaredNorm} for probes that are not whitened, with A·G given. */
function squaredNormWith(a: Float64Array, ag: Float64Array, r: Float64Array, rSize: number, no: number, geometry: ProbeGeometry): number {
  return no * traceOfProduct(ag, ag, geometry.size) + 2 * trace(r, rSize) * dot(a, geometry.g2) + dot(r, r) * geometry.trG2;
}

/**
 * The normalised pieces of one network's kernel. Throws if the kernel is exactly zero.
 * Cost O(Ni³ + No²).
 *
 * @internal
 */
export function kernelPieces(rep: NetworkRepresentations, geometry: ProbeGeometry, name: string): KernelPieces {
  const [size, rSize] = sizesOf(rep, geometry);
  if (geometry.identity) {
    // Whitened probes: ‖K‖ from sums of the entries, then one division (as distanceToReference
    // divides, so a network's distance to itself is exactly 0 on either route).
    const c = whitenedKernelNorm(rep, size, rSize, geometry, name);
    return { inputDim: rep.inputDim, outputDim: rep.outputDim, a: divided(rep.a, c), r: divided(rep.r, c), rSize };
  }
  return piecesOf(rep, scaledState(rep, size, rSize, geometry, name), rSize);
}

/** x/c entry by entry, in a new array (a loop: TypedArray.prototype.map with a callback is several times slower in V8). */
function divided(x: Float64Array, c: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let k = 0; k < x.length; k++) out[k] = x[k] / c;
  return out;
}

/** The normalised pieces Â = A/‖K‖, R̂ = R/‖K‖ of a {@link ScaledState}. */
function piecesOf(rep: NetworkRepresentations, s: ScaledState, rSize: number): KernelPieces {
  return { inputDim: rep.inputDim, outputDim: rep.outputDim, a: divided(s.a, s.norm), r: divided(s.r, s.norm), rSize };
}

/**
 * d = 1 − ⟨K_a, K_b⟩/(‖K_a‖‖K_b‖) from normalised pieces. Because K is linear in (A, R)
 * and ‖K̂_a‖ = ‖K̂_b‖ = 1, d = ½‖K̂_a − K̂_b‖²_F = ½‖K(Â_a − Â_b, R̂_a − R̂_b)‖²_F, evaluated
 * with the trace identity of MATH.md §6 on the differences: no cancellation between two
 * numbers close to 1; what is left is the pieces' own rounding, a relative error of about
 * ε/√d in d (see `distanceOfStates` for the states of one dynamics).
 * Cost O(Ni³ + No²).
 *
 * @internal
 */
export function distanceBetween(pa: KernelPieces, pb: KernelPieces, geometry: ProbeGeometry): number {
  const da = new Float64Array(pa.a.length);
  const dr = new Float64Array(pa.r.length);
  for (let k = 0; k < da.length; k++) da[k] = pa.a[k] - pb.a[k];
  for (let k = 0; k < dr.length; k++) dr[k] = pa.r[k] - pb.r[k];
  const d = 0.5 * squaredNorm(da, dr, pa.rSize, pa.outputDim, geometry);
  return checkedDistance(d);
}

/**
 * Below this kernel distance, d from normalised pieces ({@link distanceBetween}) may have lost
 * digits to the rounding of a large representation (its relative error grows like 1/√d; a
 * review measured 8.8e-9 at d = 7.8e-10, about ε·800/√(2d)), and states of one dynamics whose
 * large block the balance identity gives are compared through their accurate change instead
 * ({@link distanceOfStates}).
 */
const ACCURATE_DISTANCE = 1e-6;

/**
 * The kernel distance between two Snapshots `a`, `b` of one dynamics, given `d`, the
 * distance from their normalised pieces (and their `representationChange` when the caller has it).
 * When d < 1e-6 and the balance identity gives the large block's change
 * (`representationChange`), d is computed again from that change
 * ({@link distanceFromChange}), accurate relative to d itself; otherwise `d` is returned.
 *
 * @internal
 */
export function distanceOfStates(a: Snapshot, b: Snapshot, d: number, geometry: ProbeGeometry, known?: RepresentationChange): number {
  if (!(d < ACCURATE_DISTANCE)) return d;
  const ra = known?.ra ?? unscaledOf(a);
  const rb = known?.rb ?? storedRepresentations(b);
  // Tiny representations formed unscaled (below 2⁻⁸⁰⁰) may have lost digits to subnormal
  // products; huge ones have not (distanceFromChange scales them by a power of two).
  if (!(largestDiagonal(ra) >= 2 ** -800 && largestDiagonal(rb) >= 2 ** -800)) return d;
  const change = known ?? representationChange(a, b, ra, rb);
  return change.route === 'difference' ? d : distanceFromChange(change, geometry, d);
}

/** The unscaled stored representations of a trajectory's reference, formed once. */
const unscaled = new WeakMap<Snapshot, NetworkRepresentations>();

function unscaledOf(s: Snapshot): NetworkRepresentations {
  let rep = unscaled.get(s);
  if (rep === undefined) unscaled.set(s, (rep = storedRepresentations(s)));
  return rep;
}

/**
 * d(a, b) from a's representations and the change (ΔA, ΔR) = b − a (`representationChange`). With u = (‖K_b‖ − ‖K_a‖)/‖K_a‖
 * = (2⟨K_a, ΔK⟩ + ‖ΔK‖²)/((‖K_a‖ + ‖K_b‖)‖K_a‖),
 *
 *     K̂_a − K̂_b = (u·K_a − ΔK)/‖K_b‖,   d = ½‖K(u·A_a − ΔA, u·R_a − ΔR)‖² / ‖K_b‖²,
 *
 * every term from the trace identity of MATH.md §6 (K is linear in (A, R)), so d is as
 * accurate as ΔA and ΔR are — not limited by the rounding of A_a and R_a themselves.
 * Returns `fallback` for a zero kernel (the caller's route reports it).
 *
 * @internal
 */
export function distanceFromChange(change: RepresentationChange, geometry: ProbeGeometry, fallback: number): number {
  const { ra } = change;
  const [size, rSize] = sizesOf(ra, geometry);
  // Everything scaled by one power of two (exactly) to entries of order 1: d is scale-free.
  const big = largestEntry(ra.a, ra.r);
  if (!(big > 0 && big < Infinity)) return fallback;
  const p = powerOfTwoTowardOne(big);
  const a = divided(ra.a, 1 / p);
  const r = divided(ra.r, 1 / p);
  const da = divided(change.da, 1 / p);
  const dr = divided(change.dr, 1 / p);
  const no = ra.outputDim;
  const ni = geometry.inputDim;
  const times = (x: Float64Array): Float64Array => (geometry.identity ? x : matmul(x, geometry.g, size, size, size));
  // ⟨K(x1, z1), K(x2, z2)⟩ for symmetric x, z (MATH.md §6 with the normalised G).
  const inner = (x1: Float64Array, x1g: Float64Array, z1: Float64Array, x2: Float64Array, x2g: Float64Array, z2: Float64Array): number =>
    geometry.identity
      ? (no * dot(x1, x2) + trace(z2, rSize) * trace(x1, size) + trace(z1, rSize) * trace(x2, size)) / (ni * ni) + dot(z1, z2) * geometry.trG2
      : no * traceOfProduct(x1g, x2g, size) + trace(z2, rSize) * dot(x1, geometry.g2) + trace(z1, rSize) * dot(x2, geometry.g2) + dot(z1, z2) * geometry.trG2;
  const ag = times(a);
  const dag = times(da);
  const na2 = inner(a, ag, r, a, ag, r);
  const cross = inner(a, ag, r, da, dag, dr);
  const dd = inner(da, dag, dr, da, dag, dr);
  const nb2 = na2 + 2 * cross + dd;
  if (!(na2 > 0 && nb2 > 0)) return fallback;
  const u = (2 * cross + dd) / ((Math.sqrt(na2) + Math.sqrt(nb2)) * Math.sqrt(na2));
  const x = new Float64Array(a.length);
  const z = new Float64Array(r.length);
  for (let k = 0; k < x.length; k++) x[k] = u * a[k] - da[k];
  for (let k = 0; k < z.length; k++) z[k] = u * r[k] - dr[k];
  const xg = times(x);
  const refined = (0.5 * inner(x, xg, z, x, xg, z)) / nb2;
  // The trace identity sums terms of order ‖ΔK‖²: an absolute error of about ε·‖ΔK‖²/‖K_b‖²,
  // which matters only when ΔA and ΔR nearly cancel in the kernel (d ≡ 0 for Ni = No = 1).
  // A result below that level is not resolved: keep the caller's (but a 0 that is the
  // underflow of a change below 1e-154 of the kernel is the answer).
  return refined < 8 * Number.EPSILON * (dd / nb2) ? fallback : checkedDistance(refined);
}

/** max |entry| of a and r. */
function largestEntry(a: Float64Array, r: Float64Array): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]));
  for (let k = 0; k < r.length; k++) m = Math.max(m, Math.abs(r[k]));
  return m;
}

/** Sums of rep's representations that fix ‖K(A, R)‖ for whitened probes: ‖A‖²_F, ‖R‖²_F, tr A, tr R (entries times p). */
function whitenedSums(a: Float64Array, r: Float64Array, size: number, rSize: number, p: number): [number, number, number, number] {
  let sa = 0;
  let sr = 0;
  for (let k = 0; k < a.length; k++) sa += a[k] * p * (a[k] * p);
  for (let k = 0; k < r.length; k++) sr += r[k] * p * (r[k] * p);
  return [sa, sr, trace(a, size) * p, trace(r, rSize) * p];
}

/**
 * ‖K(A, R)‖_F for whitened probes (G ∝ I): (No·‖A‖² + 2·tr R·tr A)/Ni² + ‖R‖²·tr(G²)/(tr G)²
 * from sums of the raw entries — scaled by a power of two first (exactly) when those sums
 * leave [2⁻⁹⁰⁰, 2⁹⁰⁰], so tiny and huge weights keep full precision. Throws for a zero kernel.
 */
function whitenedKernelNorm(rep: NetworkRepresentations, size: number, rSize: number, geometry: ProbeGeometry, name: string): number {
  const { a, r } = rep;
  let p = 1;
  let [sa, sr, ta, tr] = whitenedSums(a, r, size, rSize, p);
  const largest = Math.max(sa, sr);
  if (!(largest >= 2 ** -900 && largest <= 2 ** 900)) {
    // Also when the squares underflowed to 0 or overflowed to ∞ although entries are not 0.
    const m = largestEntry(a, r);
    if (m > 0) {
      p = powerOfTwoTowardOne(m);
      [sa, sr, ta, tr] = whitenedSums(a, r, size, rSize, p);
    }
  }
  const ni = geometry.inputDim;
  const norm2 = (rep.outputDim * sa + 2 * tr * ta) / (ni * ni) + sr * geometry.trG2;
  if (!(norm2 > 0)) throw zeroKernel(name);
  return Math.sqrt(norm2) / p;
}

/** The error for a kernel that is exactly zero on the probes. */
function zeroKernel(name: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `invalid argument. The NTK of \`${name}\` on these probes is zero (W2W2ᵀ = 0 and X′ᵀW1ᵀW1X′ = 0, e.g. all-zero weights), ` +
      'so the kernel distance (a cosine) is undefined.',
    name,
  );
}

/** ‖x/c − y‖²_F and tr(x/c − y) for n×n row-major x, y, each difference formed before it is squared. */
function differenceSums(x: Float64Array, y: Float64Array, n: number, c: number): [number, number] {
  let sum = 0;
  let tr = 0;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) {
      const d = x[row + j] / c - y[row + j];
      sum += d * d;
      if (i === j) tr += d;
    }
  }
  return [sum, tr];
}

/**
 * The reference kernel of a trajectory's distances: its normalised pieces and, for probes
 * that are not whitened, Â·G (one product, formed once).
 *
 * @internal
 */
export interface ReferenceKernel {
  readonly pieces: KernelPieces;
  /** Â·G/… as `distanceToReference` forms it for each time (size×size; empty for whitened probes). */
  readonly product: Float64Array;
  /** The last time's scaled state, whose arrays the next time reuses (general probes). */
  scratch?: ScaledState;
}

/** A network's representations scaled to O(1) (by `scale`), A·G of the scaled A, and ‖K‖ of the scaled kernel. */
interface ScaledState {
  a: Float64Array;
  r: Float64Array;
  ag: Float64Array;
  norm: number;
}

/**
 * {@link ScaledState} for a general probe geometry; throws for a zero kernel (as
 * `kernelPieces`). Its arrays are `into`'s when given (a trajectory's per-time scratch).
 */
function scaledState(rep: NetworkRepresentations, size: number, rSize: number, geometry: ProbeGeometry, name: string, into?: ScaledState): ScaledState {
  let scale = Math.max(Math.sqrt(dot(rep.a, rep.a)), Math.sqrt(dot(rep.r, rep.r)));
  if (!(scale >= 2 ** -450 && scale <= 2 ** 450)) scale = largestEntry(rep.a, rep.r);
  if (!(scale > 0)) throw zeroKernel(name);
  const a = reuse(into?.a, size);
  const r = reuse(into?.r, rSize);
  for (let k = 0; k < a.length; k++) a[k] = rep.a[k] / scale;
  for (let k = 0; k < r.length; k++) r[k] = rep.r[k] / scale;
  const ag = matmul(a, geometry.g, size, size, size, reuse(into?.ag, size));
  const norm2 = squaredNormWith(a, ag, r, rSize, rep.outputDim, geometry);
  if (!(norm2 > 0)) throw zeroKernel(name);
  return { a, r, ag, norm: Math.sqrt(norm2) };
}

/** The sizes of rep's (possibly compressed) representations, checked against the geometry. */
function sizesOf(rep: NetworkRepresentations, geometry: ProbeGeometry): [number, number] {
  const size = rep.aSize ?? rep.inputDim;
  if (size !== geometry.size) {
    throw new ExactDlnError(`exact-dln internal error: representations of size ${size} against a probe geometry of size ${geometry.size}.`);
  }
  return [size, rep.rSize ?? rep.outputDim];
}

/**
 * The {@link ReferenceKernel} of `rep` for {@link distanceToReference}: the pieces as
 * `kernelPieces` gives them and, for probes that are not whitened, Â·G formed exactly as
 * each time's is, so a state's distance to itself is exactly 0.
 *
 * @internal
 */
export function referenceKernel(rep: NetworkRepresentations, geometry: ProbeGeometry, name: string): ReferenceKernel {
  if (geometry.identity) return { pieces: kernelPieces(rep, geometry, name), product: new Float64Array(0) };
  const [size, rSize] = sizesOf(rep, geometry);
  const s = scaledState(rep, size, rSize, geometry, name);
  return { pieces: piecesOf(rep, s, rSize), product: divided(s.ag, s.norm) };
}

/**
 * d(K_ref, K(rep)), the kernel distance along a trajectory — `distanceBetween` of the two
 * normalised kernels, with less work per time:
 * - whitened probes (G ∝ I): two passes over rep and nothing allocated: ‖K(A, R)‖ from
 *   sums of the entries (`whitenedKernelNorm`), then the differences A/‖K‖ − Â_ref and
 *   R/‖K‖ − R̂_ref;
 * - other probes: one product A·G per time (was two: one for ‖K‖, one for the difference),
 *   since (ΔA)·G = A·G/‖K‖ − Â_ref·G with Â_ref·G formed once ({@link referenceKernel}).
 * Every difference is formed before it is squared (the trace identity of MATH.md §6 on the
 * differences), so small distances keep a relative accuracy of order ε/√d (below 1e-6
 * the caller refines them, `distanceOfStates`). Throws as `kernelPieces`
 * does for a zero kernel.
 *
 * @internal
 */
export function distanceToReference(ref: ReferenceKernel, rep: NetworkRepresentations, geometry: ProbeGeometry, name: string): number {
  const [size, rSize] = sizesOf(rep, geometry);
  const { pieces } = ref;
  if (pieces.a.length !== size * size || pieces.r.length !== rSize * rSize) {
    throw new ExactDlnError('exact-dln internal error: a reference kernel of other widths.');
  }
  const no = rep.outputDim;
  if (geometry.identity) {
    const ni = geometry.inputDim;
    const c = whitenedKernelNorm(rep, size, rSize, geometry, name);
    const [da2, tda] = differenceSums(rep.a, pieces.a, size, c);
    const [dr2, tdr] = differenceSums(rep.r, pieces.r, rSize, c);
    return checkedDistance(0.5 * ((no * da2 + 2 * tdr * tda) / (ni * ni) + dr2 * geometry.trG2));
  }
  const s = scaledState(rep, size, rSize, geometry, name, ref.scratch);
  ref.scratch = s;
  const { norm, ag } = s;
  const m = ref.product;
  // tr(ΔA·G·ΔA·G) with ΔA·G = A·G/‖K‖ − Â_ref·G, entry by entry.
  let agag = 0;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) agag += (ag[i * size + j] / norm - m[i * size + j]) * (ag[j * size + i] / norm - m[j * size + i]);
  }
  let ag2 = 0;
  for (let k = 0; k < s.a.length; k++) ag2 += (s.a[k] / norm - pieces.a[k]) * geometry.g2[k];
  const [dr2, tdr] = differenceSums(s.r, pieces.r, rSize, norm);
  return checkedDistance(0.5 * (no * agag + 2 * tdr * ag2 + dr2 * geometry.trG2));
}

/** d itself; negative values within rounding (Cauchy–Schwarz gives d ≥ 0) as 0, beyond it an internal error. */
function checkedDistance(d: number): number {
  if (d < 0) {
    if (d >= -NEGATIVE_ROUNDING_SLACK) return 0;
    throw new ExactDlnError(
      `exact-dln internal error: kernel distance ${d} < 0 beyond rounding (Cauchy–Schwarz gives d ≥ 0); please report this configuration.`,
    );
  }
  return d;
}

/** Throws {@link ShapeError} unless `b` has the same Ni and No as `a`. */
export function assertSameWidths(ra: NetworkRepresentations, rb: NetworkRepresentations, nameA: string, nameB: string): void {
  if (ra.inputDim !== rb.inputDim || ra.outputDim !== rb.outputDim) {
    throw new ShapeError(
      `invalid argument. \`${nameB}\` must have the same input and output widths as \`${nameA}\` (Ni = ${ra.inputDim}, ` +
        `No = ${ra.outputDim}) for their kernels to be compared. Value: Ni = ${rb.inputDim}, No = ${rb.outputDim}.`,
      nameB,
    );
  }
}

/**
 * The kernel distance between the Neural Tangent Kernels of two networks on the same
 * probes (MATH.md §6):
 *
 *     d(a, b) = 1 − ⟨K_a, K_b⟩_F / (‖K_a‖_F ‖K_b‖_F)     ∈ [0, 1],
 *
 * with K = I_No ⊗ (X'ᵀ W1ᵀW1 X') + (W2W2ᵀ) ⊗ (X'ᵀX') as built by `ntk`. d = 0 when the two
 * kernels are proportional (e.g. the lazy regime, where the kernel barely moves during
 * training); d grows as the network learns features (the rich regime). It depends on the
 * probes only through G = X'X'ᵀ, and is unchanged by X' → cX'.
 *
 * Never builds K: with A = W1ᵀW1, R = W2W2ᵀ,
 * ⟨K_a, K_b⟩ = No·tr(A_a G A_b G) + tr(R_b)·tr(A_a G²) + tr(R_a)·tr(A_b G²) + ⟨R_a, R_b⟩·tr(G²).
 * Since K is linear in (A, R), the implementation normalises each kernel (Â = A/‖K‖,
 * R̂ = R/‖K‖) and evaluates the same identity on the differences,
 * d = ½‖K̂_a − K̂_b‖²_F, which avoids the cancellation in 1 − (a number close to 1). Its
 * relative error is then about ε/√d, set by the rounding of the larger representation;
 * for two Snapshots of one dynamics with d < 1e-6, d is computed again from the
 * representations' change — from the balance identity when the hidden layer spans the large
 * side (Nh = No for λ > 0, Nh = Ni for λ < 0), else, when that change is small, as the
 * integral of its time derivative along the closed form — accurate relative to d itself
 * (docs/lazy-rich.md, "Accuracy deep in the lazy regime").
 * Mathematically d ≥ 0 (Cauchy–Schwarz) and d ≤ 1 (both kernels are positive
 * semi-definite, so ⟨K_a, K_b⟩ ≥ 0); a rounding result in [−1e-15, 0) is returned as 0.
 *
 * `inputs` omitted (and no `gram`): the whitened case G ∝ I (any whitened probe set, with
 * X'X'ᵀ = P'·I, gives the same d, since the scale cancels).
 *
 * The networks may be any mix of Snapshots and weight pairs; they must share Ni and No but
 * may differ in Nh (the kernel does not depend on it).
 *
 * Cost: O(Ni²·P') once to form G from `inputs` (none for the whitened default, O(Ni³) for a
 * `gram`), then O(Ni³ + No²) — independent of P'; O(Ni² + No²) for whitened probes — plus
 * O(Nh·(Ni² + No²)) per weight pair to form W1ᵀW1 and W2W2ᵀ. Two Snapshots of the same
 * dynamics are compared through their factors in the task's singular basis, as
 * `kernelDistanceTrajectory` does; for a wide network (Ni − No > Nh) Ni then becomes
 * No + Nh, and likewise No for a tall one. Inputs are never mutated.
 *
 * @param a - a Snapshot (from `exactDynamics(...).at(t)`) or weights `{ w1, w2 }`.
 * @param b - the same for the second network.
 * @param options - `{ inputs?: Ni×P' }` or `{ gram?: Ni×Ni }`; default whitened probes.
 * @returns d ∈ [0, 1].
 * @throws {@link ShapeError} if `b`'s Ni or No differs from `a`'s, `inputs` does not have Ni
 *   rows, `gram` is not Ni×Ni, or a weight pair does not fit together (w2 must be No×Nh for
 *   w1 Nh×Ni; the message names e.g. `a.w2`).
 * @throws {@link NonFiniteError} for NaN or infinite entries.
 * A network with Ni = No = 1 has d = 0 for every pair (each kernel is a multiple of X′ᵀX′),
 * and its converged Snapshot gives 0 even where the flow decays to the saddle at 0 (λ = 0,
 * w2·w1 < 0) and the converged kernel is itself 0: the limit of d(K(0), K(t)) as t → ∞.
 *
 * @throws {@link InvalidArgumentError} if either kernel is zero (distance undefined; except
 *   the converged Snapshot of a 1×Nh×1 network, above), the
 *   probes are all zero, both `inputs` and `gram` are given, `gram` is not symmetric positive
 *   semi-definite, or an argument is neither a Snapshot nor a weight pair.
 * @example
 * ```ts
 * import { exactDynamics, kernelDistance, lambdaBalancedWeights, randomTask } from 'exact-dln';
 * const task = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 1 });
 * const trained = (lambda: number) => {
 *   const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda, scale: 0.01, seed: 2 });
 *   const dyn = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX });
 *   return kernelDistance(dyn.at(0), dyn.at(20)); // whitened probes
 * };
 * console.log(trained(0) > 0.1);   // true: rich, the kernel moves
 * console.log(trained(50) < 1e-3); // true: lazy, it barely does
 * console.log(kernelDistance({ w1: [[1, 0]], w2: [[1]] }, { w1: [[2, 0]], w2: [[2]] })); // 0: proportional kernels
 * ```
 */
export function kernelDistance(a: NetworkState, b: NetworkState, options: KernelDistanceOptions = {}): number {
  if (a instanceof Snapshot && b instanceof Snapshot && a.solution === b.solution) {
    // Two states of one exact dynamics: their stored singular-basis (or compressed) factors,
    // as along kernelDistanceTrajectory — no rotation back, no Ni×Ni representations for
    // wide networks.
    // Small distances of a lazy network again from the representations' accurate change.
    const geometry = solutionGeometry(probeGeometry(options, a.inputDim, false), a.solution);
    if (a.inputDim === 1 && a.outputDim === 1 && (a.t === Infinity || b.t === Infinity)) {
      // Every NTK of a 1×Nh×1 network is a multiple of X′ᵀX′: d ≡ 0, and so is its limit
      // t → ∞ when the flow decays to the saddle at 0 (λ = 0, w2·w1 < 0; the kernel is 0 there).
      const finite = a.t === Infinity ? b : a;
      kernelPieces(storedRepresentations(finite, undefined, true), geometry, finite === a ? 'a' : 'b');
      return 0;
    }
    const d = distanceBetween(kernelPieces(storedRepresentations(a, undefined, true), geometry, 'a'), kernelPieces(storedRepresentations(b, undefined, true), geometry, 'b'), geometry);
    return distanceOfStates(a, b, d, geometry);
  }
  const ra = representationsOf(a, 'a', true);
  const rb = representationsOf(b, 'b', true);
  assertSameWidths(ra, rb, 'a', 'b');
  const geometry = probeGeometry(options, ra.inputDim);
  return distanceBetween(kernelPieces(ra, geometry, 'a'), kernelPieces(rb, geometry, 'b'), geometry);
}

/**
 * A = W1ᵀW1 and R = W2W2ᵀ of a Snapshot in the task's singular basis (ṼᵀAṼ and ŨᵀRŨ, or
 * their compressed forms): the Gram matrices of the input and output rows of its stored
 * factor, exactly symmetric, O((Ni'² + No'²)·Nh) for Ni', No' rows.
 *
 * @internal
 */
export function storedRepresentations(snapshot: Snapshot, into?: NetworkRepresentations, scaleFree = false): NetworkRepresentations {
  const { z, inputRows, outputRows, careful } = snapshot.storedFactor;
  const rep = factorRepresentations(z, snapshot.inputDim, snapshot.hiddenDim, snapshot.outputDim, inputRows, outputRows, careful, into);
  // For the kernel distance (scaleFree), A and R that lost digits to their size are formed
  // again from the factor scaled by a power of two, as in representationsOf: up to 2^{2k}.
  if (!scaleFree || !representationsOutOfRange(rep)) return rep;
  const f = extremeScale(z);
  if (f === 1) return rep;
  return factorRepresentations(z.map((x) => x * f), snapshot.inputDim, snapshot.hiddenDim, snapshot.outputDim, inputRows, outputRows, careful, rep);
}

/**
 * A and R as the Gram matrices of a factor's first aSize rows and its next rSize rows (Nh
 * columns); `careful`: without subnormal arithmetic (late times, see Snapshot.storedFactor).
 */
function factorRepresentations(
  z: Float64Array,
  ni: number,
  nh: number,
  no: number,
  aSize: number,
  rSize: number,
  careful: boolean,
  into?: NetworkRepresentations,
): NetworkRepresentations {
  const gram = careful ? gramOfRowsNormal : gramOfRows;
  return {
    inputDim: ni,
    hiddenDim: nh,
    outputDim: no,
    a: gram(z.subarray(0, aSize * nh), aSize, nh, reuse(into?.a, aSize)),
    r: gram(z.subarray(aSize * nh, (aSize + rSize) * nh), rSize, nh, reuse(into?.r, rSize)),
    aSize,
    rSize,
  };
}

/** `m` when it has size×size entries (an array to overwrite), else a new array. */
function reuse(m: Float64Array | undefined, size: number): Float64Array {
  return m?.length === size * size ? m : new Float64Array(size * size);
}

/** (M + Mᵀ)/2 of an n×n row-major M, in place. */
function symmetrised(m: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const mean = 0.5 * (m[i * n + j] + m[j * n + i]);
      m[i * n + j] = mean;
      m[j * n + i] = mean;
    }
  }
  return m;
}

/**
 * The probe geometry as the representations of `solution`'s Snapshots see it: in the task's
 * singular basis (G → ṼᵀGṼ), and compressed like the input side of their stored factors
 * when that is compressed (G → W′ᵀGW′ with W′ = Ṽ·blockdiag(I, basis), Ni × size,
 * orthonormal columns). With M = G·W′ the geometry is g = W′ᵀM and g2 = MᵀM = W′ᵀG²W′
 * (G symmetric), symmetrised; tr G² is unchanged, and whitened probes stay whitened.
 * `plain.g2` is not read (build `plain` with `probeGeometry(options, ni, false)`).
 *
 * Cost for a non-whitened G: O(Ni²·size + Ni·rows·Nh) when compressed (784 inputs, 100
 * hidden units and 10 outputs: size 110 — the full rotation, O(Ni³) several times, took
 * 0.8 s), else O(Ni³) once per (G, Ṽ): the rotated geometry is kept with `plain` and
 * reused for every solution of the same task (`lazyRichSweep`'s cells).
 *
 * @internal
 */
export function solutionGeometry(plain: ProbeGeometry, solution: RiccatiSolution): ProbeGeometry {
  const ni = plain.inputDim;
  const compression = solution.compression?.inputSide ? solution.compression : undefined;
  const keep = compression === undefined ? ni : ni - compression.rows;
  const size = compression === undefined ? ni : keep + compression.columns;
  if (plain.identity) return size === ni ? plain : { ...plain, size }; // WᵀṼᵀIṼW = I: still whitened
  const v = solution.vArr;
  if (compression === undefined) {
    const known = rotatedGeometries.get(plain);
    // Every solution of one task has the same Ṽ, in its own array (O(Ni²) to compare).
    if (known !== undefined && sameEntries(known.v, v)) return known.geometry;
    const geometry = projectedGeometry(plain, v, ni);
    rotatedGeometries.set(plain, { v, geometry });
    return geometry;
  }
  // W′ = [Ṽ's first `keep` columns, Ṽ's last `rows` columns · basis].
  const { rows, columns: k, basis } = compression;
  const last = new Float64Array(ni * rows);
  const w = new Float64Array(ni * size);
  for (let i = 0; i < ni; i++) {
    for (let j = 0; j < keep; j++) w[i * size + j] = v[i * ni + j];
    for (let j = 0; j < rows; j++) last[i * rows + j] = v[i * ni + keep + j];
  }
  const tail = matmul(last, basis, ni, rows, k);
  for (let i = 0; i < ni; i++) for (let j = 0; j < k; j++) w[i * size + keep + j] = tail[i * k + j];
  return projectedGeometry(plain, w, size);
}

/** The rotated geometry of each plain geometry, with the Ṽ it was rotated by (see {@link solutionGeometry}). */
const rotatedGeometries = new WeakMap<ProbeGeometry, { v: Float64Array; geometry: ProbeGeometry }>();

/** W′ᵀGW′ and (GW′)ᵀ(GW′) for W′ (Ni × size, orthonormal columns), symmetrised: O(Ni²·size + Ni·size²). */
function projectedGeometry(plain: ProbeGeometry, w: Float64Array, size: number): ProbeGeometry {
  const ni = plain.inputDim;
  const m = matmul(plain.g, w, ni, ni, size);
  const g = symmetrised(tmatmul(w, m, ni, size, size), size);
  const g2 = symmetrised(tmatmul(m, m, ni, size, size), size);
  return { inputDim: ni, size, g, g2, trG2: plain.trG2, identity: false };
}
