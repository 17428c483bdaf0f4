/**
 * The one place that turns "a network" — a {@link Snapshot} of the exact dynamics or a
 * plain pair of weights `{ w1, w2 }` — into the two representations every kernel and
 * similarity quantity is built from (MATH.md §3, §6): the input-side A = W1ᵀW1 (Ni×Ni)
 * and the output-side R = W2W2ᵀ (No×No). Both are invariant under the hidden-layer
 * rotation W1 → OW1, W2 → W2Oᵀ, so a Snapshot (whose weights are known only up to that
 * rotation) and the weights it stands for give identical results.
 *
 * @module
 */
import type { Matrix } from 'ml-matrix';
import { Snapshot } from '../core/snapshot.js';
import { InvalidArgumentError } from '../errors.js';
import { matmulT, powerOfTwoTowardOne, tmatmul, toArray, transpose } from '../linalg/dense.js';
import { assertShape, toMatrix, type MatrixLike } from '../validation.js';

/**
 * A network as accepted by the analysis functions: a {@link Snapshot} (from
 * `exactDynamics(...).at(t)`) or first- and second-layer weights `{ w1: Nh×Ni, w2: No×Nh }`
 * (`Matrix` or `number[][]`, never mutated).
 *
 * @example
 * ```ts
 * import type { NetworkState } from 'exact-dln';
 * const net: NetworkState = { w1: [[1, 0], [0, 1]], w2: [[1, 2]] };
 * ```
 */
export type NetworkState = Snapshot | { readonly w1: MatrixLike; readonly w2: MatrixLike };

/**
 * The representations of one network, row-major and freshly allocated (callers may keep
 * them; the Snapshot's caches are never handed out).
 *
 * @internal
 */
export interface NetworkRepresentations {
  /** Ni, Nh, No. */
  readonly inputDim: number;
  readonly hiddenDim: number;
  readonly outputDim: number;
  /** A = W1ᵀW1, Ni×Ni row-major, exactly symmetric. */
  readonly a: Float64Array;
  /** R = W2W2ᵀ, No×No row-major, exactly symmetric. */
  readonly r: Float64Array;
  /**
   * When the representations are compressed — A = W·a·Wᵀ (or R = W·r·Wᵀ) for a W with
   * orthonormal columns, which keeps every trace the kernel distance needs — the sizes of
   * `a` and `r` (default Ni and No).
   */
  readonly aSize?: number;
  readonly rSize?: number;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value)})`;
  return `${typeof value} ${String(value)}`;
}

/** True for an object carrying `w1` and `w2` fields (not yet validated). */
export function isWeightPair(value: unknown): value is { w1: MatrixLike; w2: MatrixLike } {
  return typeof value === 'object' && value !== null && 'w1' in value && 'w2' in value;
}

/**
 * Checks a weight pair (`${name}.w1` Nh×Ni, `${name}.w2` No×Nh, finite) and returns fresh
 * copies.
 *
 * @internal
 */
export function toWeightPair(value: { w1: unknown; w2: unknown }, name: string): { w1: Matrix; w2: Matrix } {
  const w1 = toMatrix(value.w1, `${name}.w1`);
  const w2 = toMatrix(value.w2, `${name}.w2`);
  assertShape(
    w2,
    undefined,
    w1.rows,
    `${name}.w2`,
    `output×hidden; its columns must match the ${w1.rows} rows (hidden units) of ${name}.w1, which is ${w1.rows}×${w1.columns}`,
  );
  return { w1, w2 };
}

/**
 * A factor of a network: W1ᵀ (Ni×Nh) and W2 (No×Nh) as row-major arrays — for a Snapshot its
 * `factor` (the weights up to a hidden-layer rotation, which no representation sees), for a
 * weight pair the weights themselves, validated. Fresh arrays.
 *
 * @param network - a Snapshot or `{ w1, w2 }`.
 * @param name - the argument's name, used in error messages.
 * @throws as {@link representationsOf}.
 * @internal
 */
export function factorOf(network: unknown, name: string): { inputDim: number; hiddenDim: number; outputDim: number; w1t: Float64Array; w2: Float64Array } {
  if (network instanceof Snapshot) {
    const f = toArray(network.factor);
    const split = network.inputDim * network.hiddenDim;
    return { inputDim: network.inputDim, hiddenDim: network.hiddenDim, outputDim: network.outputDim, w1t: f.slice(0, split), w2: f.slice(split) };
  }
  if (!isWeightPair(network)) throw notANetwork(network, name);
  const { w1, w2 } = toWeightPair(network, name);
  return { inputDim: w1.columns, hiddenDim: w1.rows, outputDim: w2.rows, w1t: transpose(toArray(w1), w1.rows, w1.columns), w2: toArray(w2) };
}

function notANetwork(network: unknown, name: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `invalid argument. \`${name}\` must be a Snapshot (from exactDynamics(...).at(t)) or a weight pair { w1, w2 } ` +
      `(w1 hidden×input, w2 output×hidden). Value: ${describe(network)}.`,
    name,
  );
}

/**
 * 2^k bringing the largest |entry| of `arrays` into [1, 2) when it lies outside
 * [2⁻⁴⁰⁰, 2⁴⁰⁰] (products of such entries, as in A and R, would be subnormal or overflow),
 * else 1. @internal
 */
export function extremeScale(...arrays: Float64Array[]): number {
  let big = 0;
  for (const a of arrays) for (let p = 0; p < a.length; p++) big = Math.max(big, Math.abs(a[p]));
  return big > 0 && (big < 2 ** -400 || big > 2 ** 400) ? powerOfTwoTowardOne(big) : 1;
}

/**
 * Whether A and R, as formed, may be of a size at which their entries lose digits
 * (subnormal, or underflowed to zero) or overflow: the largest diagonal entry (the largest
 * squared row norm of the weights) is outside [2⁻⁸⁰⁰, 2⁸⁰⁰], or zero (then only the weights
 * tell: {@link extremeScale} is 1 for zero weights). O(Ni + No). @internal
 */
export function representationsOutOfRange(rep: NetworkRepresentations): boolean {
  const big = largestDiagonal(rep);
  return !(big >= NORMAL_SQUARES && big <= LARGE_SQUARES);
}

/**
 * The largest diagonal entry of A and R (sums of squares, ≥ 0): their size.
 *
 * @internal
 */
export function largestDiagonal(rep: NetworkRepresentations): number {
  const { a, r } = rep;
  const aSize = rep.aSize ?? rep.inputDim;
  const rSize = rep.rSize ?? rep.outputDim;
  let big = 0;
  for (let i = 0; i < aSize; i++) if (a[i * aSize + i] > big) big = a[i * aSize + i];
  for (let i = 0; i < rSize; i++) if (r[i * rSize + i] > big) big = r[i * rSize + i];
  return big;
}
const NORMAL_SQUARES = 2 ** -800;
const LARGE_SQUARES = 2 ** 800;

/** A copy of `a` times `f` (exact for a power of two), or `a` itself when f = 1. */
function scaledBy(a: Float64Array, f: number): Float64Array {
  return f === 1 ? a : a.map((x) => x * f);
}

/**
 * A = W1ᵀW1 and R = W2W2ᵀ of a Snapshot (from its cached `w1tw1`, `w2w2t` getters, copied)
 * or of a weight pair (O(Nh·(Ni² + No²))).
 *
 * @param network - a Snapshot or `{ w1, w2 }`.
 * @param name - the argument's name, used in error messages (`network`, `a`, ...).
 * @param scaleFree - A and R may come back multiplied by one power of two 2^{2k}, for users
 *   that do not see a common scale (the kernel distance): weights of extreme size
 *   ({@link extremeScale}) are scaled by 2^k first, so that A and R keep their digits.
 * @throws {@link InvalidArgumentError} if `network` is neither.
 * @throws {@link ShapeError}, {@link NonFiniteError} for malformed weights.
 * @internal
 */
export function representationsOf(network: unknown, name: string, scaleFree = false): NetworkRepresentations {
  if (network instanceof Snapshot) {
    const { inputDim: ni, hiddenDim: nh, outputDim: no } = network;
    const rep = { inputDim: ni, hiddenDim: nh, outputDim: no, a: toArray(network.w1tw1), r: toArray(network.w2w2t) };
    if (!scaleFree || !representationsOutOfRange(rep)) return rep;
    const f = extremeScale(network.storedFactor.z);
    if (f === 1) return rep;
    const z = scaledBy(toArray(network.factor), f); // [W1ᵀ; W2]·R, original coordinates
    return { ...rep, a: matmulT(z.subarray(0, ni * nh), z.subarray(0, ni * nh), ni, nh, ni), r: matmulT(z.subarray(ni * nh), z.subarray(ni * nh), no, nh, no) };
  }
  if (!isWeightPair(network)) throw notANetwork(network, name);
  const { w1, w2 } = toWeightPair(network, name);
  const ni = w1.columns;
  const nh = w1.rows;
  const no = w2.rows;
  let w1a = toArray(w1);
  let w2a = toArray(w2);
  if (scaleFree) {
    const f = extremeScale(w1a, w2a);
    w1a = scaledBy(w1a, f);
    w2a = scaledBy(w2a, f);
  }
  return {
    inputDim: ni,
    hiddenDim: nh,
    outputDim: no,
    a: tmatmul(w1a, w1a, nh, ni, ni), // W1ᵀW1: entry (i, j) and (j, i) are the same sum
    r: matmulT(w2a, w2a, no, nh, no), // W2W2ᵀ
  };
}
