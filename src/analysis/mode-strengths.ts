/**
 * `modeStrengths`: the network function W2W1 seen in the task's singular basis — how much
 * of each task mode the network has learned, and how much of the network lies off the
 * task's modes (MATH.md §4, §5).
 *
 * @module
 */
import { Matrix } from 'ml-matrix';
import { Snapshot } from '../core/snapshot.js';
import { fullSvd } from '../core/svd.js';
import { InvalidArgumentError } from '../errors.js';
import { fromArray, matmul, sameEntries, tmatmul, toArray } from '../linalg/dense.js';
import { assertKnownOptions, assertRepresentable, assertShape, type MatrixLike, toMatrix } from '../validation.js';
import { extremeScale, isWeightPair, toWeightPair, type NetworkState } from './network-representations.js';

/**
 * Largest ‖BᵀB − I‖_max accepted for a user-supplied basis matrix B: singular vectors from
 * `exactDynamics(...).singularVectors` or an SVD are orthogonal to ~1e-15; 1e-8 only
 * rejects matrices that are not meant to be orthogonal.
 */
const ORTHOGONALITY_TOLERANCE = 1e-8;

/**
 * Options of {@link modeStrengths}.
 *
 * @example
 * ```ts
 * import type { ModeStrengthsOptions } from 'exact-dln';
 * const options: ModeStrengthsOptions = { basis: { u: [[1, 0], [0, 1]], v: [[0, 1], [1, 0]] } };
 * ```
 */
export interface ModeStrengthsOptions {
  /**
   * The singular basis to project on: `u` (No×No) and `v` (Ni×Ni) orthogonal, column α
   * the α-th left/right singular vector of Σyx — typically `dynamics.singularVectors`.
   * Singular vectors are defined only up to sign (and, for repeated singular values, up
   * to rotation), so comparing simulated weights with a Snapshot is only meaningful in
   * the same basis: pass the dynamics' own basis here.
   */
  basis?: { u: MatrixLike; v: MatrixLike };
}

/**
 * The result of {@link modeStrengths}.
 *
 * @example
 * ```ts
 * import { modeStrengths, type ModeStrengths } from 'exact-dln';
 * const m: ModeStrengths = modeStrengths({ w1: [[1, 0], [0, 1]], w2: [[0.5, 0], [0, 0.25]] }, [[2, 0], [0, 1]]);
 * console.log(m.strengths, m.target); // [0.5, 0.25] [2, 1]
 * ```
 */
export interface ModeStrengths {
  /** a_α = (Ũᵀ W2W1 Ṽ)_αα, α < min(Ni, No): the learned strength of task mode α. */
  strengths: number[];
  /** σ_α, the singular values of Σyx (descending): what each a_α converges to. */
  target: number[];
  /** ‖offdiag(Ũᵀ W2W1 Ṽ)‖_F: the part of the network function not on the task's modes. */
  offDiagonal: number;
  /** offDiagonal/‖W2W1‖_F (0 if W2W1 = 0): 0 for aligned networks, up to 1. */
  relativeOffDiagonal: number;
}

/** uᵀ·m·v for row-major m (no×ni), u (no×no), v (ni×ni). */
function project(m: Float64Array, u: Float64Array, v: Float64Array, no: number, ni: number): Float64Array {
  return matmul(tmatmul(u, m, no, no, ni), v, no, ni, ni);
}

/**
 * The entries of the last bases {@link checkOrthogonal} accepted (most recent first, at most
 * four of up to 1024² entries): the same basis is usually passed for every recorded state
 * of a run (`{ basis: dynamics.singularVectors }`, a fresh copy each time), and recognising
 * it costs O(n²) where checking it costs O(n³) (784 inputs: 0.19 s per call instead of 2 ms).
 */
const acceptedBases: Float64Array[] = [];

function checkOrthogonal(b: Matrix, name: string): void {
  const n = b.rows;
  const a = toArray(b);
  const known = acceptedBases.findIndex((c) => sameEntries(c, a));
  if (known >= 0) {
    acceptedBases.unshift(...acceptedBases.splice(known, 1));
    return;
  }
  const g = tmatmul(a, a, n, n, n);
  let worst = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(g[i * n + j] - (i === j ? 1 : 0)));
  if (!(worst <= ORTHOGONALITY_TOLERANCE)) {
    throw new InvalidArgumentError(
      `invalid argument. \`${name}\` must be an orthogonal matrix (a full basis of singular vectors, e.g. dynamics.singularVectors.${name.slice(-1)}); ` +
        `max |${name}ᵀ${name} − I| = ${worst.toExponential(3)} > ${ORTHOGONALITY_TOLERANCE}.`,
      name,
    );
  }
  if (a.length <= 1 << 20) {
    acceptedBases.unshift(a);
    if (acceptedBases.length > 4) acceptedBases.pop();
  }
}

function summarise(product: Float64Array, no: number, ni: number, target: number[]): ModeStrengths {
  const r = Math.min(ni, no);
  const strengths: number[] = [];
  for (let i = 0; i < r; i++) strengths.push(product[i * ni + i]);
  // The squares are summed scaled by a power of two (exact) bringing an extreme largest entry
  // near 1: beyond ~1e154 they overflowed (relativeOffDiagonal NaN), below ~1e-162 they vanished (0).
  const p = extremeScale(product.subarray(0, no * ni));
  let off2 = 0;
  let all2 = 0;
  for (let o = 0; o < no; o++) {
    for (let i = 0; i < ni; i++) {
      const x = product[o * ni + i] * p;
      all2 += x * x;
      if (o !== i) off2 += x * x;
    }
  }
  const offDiagonal = Math.sqrt(off2) / p;
  const norm = Math.sqrt(all2) / p;
  return { strengths, target, offDiagonal, relativeOffDiagonal: norm > 0 ? offDiagonal / norm : 0 };
}

/**
 * The network function in the task's singular basis, M = Ũᵀ W2W1 Ṽ (No×Ni) with
 * Σyx = Ũ diag(σ) Ṽᵀ (MATH.md §4), summarised as mode strengths: its diagonal
 * a_α = ũ_αᵀ W2W1 ṽ_α is how much of task mode α has been learned (MATH.md §5: for an
 * aligned initialisation each a_α follows τ da/dt = sqrt(λ² + 4a²)(σ_α − a) on its own and
 * M stays diagonal; a_α → σ_α without a bottleneck), and its off-diagonal mass measures
 * how far the network is from the task's modes (exactly 0 at all times for aligned
 * initialisations, decaying to 0 for generic ones).
 *
 * Sources:
 * - a {@link Snapshot}: M is `snapshot.singularProduct`, already in the dynamics' basis
 *   (computed in O(Ni·No·Nh) without rotating back); `sigmaYX` is optional and, if given,
 *   only its shape is checked (it must be the dynamics' task); `target` is the snapshot's σ.
 * - weights `{ w1, w2 }`: `sigmaYX` is required; the basis is its full SVD (`fullSvd`),
 *   and `target` its singular values.
 * - `options.basis` (either source): project on exactly this basis instead. Singular
 *   vectors carry a sign ambiguity (ũ_α, ṽ_α → −ũ_α, −ṽ_α), and repeated singular values
 *   a rotational one; `offDiagonal` and `relativeOffDiagonal` are insensitive to signs but
 *   `strengths` are not, so to compare simulated weights with the exact dynamics pass
 *   `{ basis: dynamics.singularVectors }` — then both use the same Ũ, Ṽ and agree to
 *   rounding.
 *
 * Cost: from a Snapshot O(Ni·No·Nh) (O(Ni·No·(Ni + No)) more with a `basis`); from
 * weights O(Ni·No·Nh) for W2W1, O(Ni³ + No³) for the full SVD of Σyx (which also gives
 * `target`) and O(Ni·No·(Ni + No)) to project; a `basis` is checked for orthogonality in
 * O(Ni³ + No³). Inputs are never mutated.
 *
 * @param network - a Snapshot (from `exactDynamics(...).at(t)`) or weights `{ w1, w2 }`.
 * @param sigmaYX - the task's Σyx, No×Ni (required for weights, optional for a Snapshot).
 * @param options - `{ basis?: { u: No×No, v: Ni×Ni } }`.
 * @returns `{ strengths, target, offDiagonal, relativeOffDiagonal }`.
 * @throws {@link InvalidArgumentError} if `sigmaYX` is missing for weights, `network` is
 *   neither a Snapshot nor a weight pair, a basis matrix is not orthogonal, or W2W1 of the
 *   weights overflows (weights above ≈ 1e154).
 * @throws {@link ShapeError} if `sigmaYX` is not No×Ni, `basis.u` is not No×No, `basis.v` is
 *   not Ni×Ni, or the weights do not fit together.
 * @throws {@link NonFiniteError} for NaN or infinite entries.
 * @example
 * ```ts
 * import { exactDynamics, lambdaBalancedWeights, modeStrengths, randomTask } from 'exact-dln';
 * const task = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 1 });
 * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0, scale: 0.01, seed: 2, alignTo: task.sigmaYX });
 * const dyn = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX });
 * const early = modeStrengths(dyn.at(1));
 * console.log(early.relativeOffDiagonal < 1e-12); // true: aligned modes stay decoupled
 * const late = modeStrengths(dyn.converged());
 * console.log(late.strengths.map((a, i) => Math.abs(a - late.target[i]) < 1e-9)); // [true, true, true]
 * // Weights (e.g. from a simulation) projected on the dynamics' own basis:
 * const same = modeStrengths(dyn.at(1).weights, task.sigmaYX, { basis: dyn.singularVectors });
 * console.log(Math.abs(same.strengths[0] - early.strengths[0]) < 1e-12); // true
 * ```
 */
export function modeStrengths(network: NetworkState, sigmaYX?: MatrixLike, options: ModeStrengthsOptions = {}): ModeStrengths {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('invalid argument. The options of modeStrengths must be an object { basis? }.', 'options');
  }
  assertKnownOptions(options, 'modeStrengths', { basis: true } satisfies Record<keyof ModeStrengthsOptions, true>);
  let ni: number;
  let no: number;
  let product: Matrix; // W2W1 when a basis must be applied, else already Ũᵀ W2W1 Ṽ
  let target: number[];
  let inBasis: boolean;
  if (network instanceof Snapshot) {
    ni = network.inputDim;
    no = network.outputDim;
    if (sigmaYX !== undefined) {
      const s = toMatrix(sigmaYX, 'sigmaYX');
      assertShape(s, no, ni, 'sigmaYX', `output×input of the snapshot's network, ${no}×${ni}`);
    }
    target = network.sigma.slice();
    inBasis = options.basis === undefined;
    product = inBasis ? network.singularProduct : network.w2w1;
  } else if (isWeightPair(network)) {
    const { w1, w2 } = toWeightPair(network, 'network');
    ni = w1.columns;
    no = w2.rows;
    if (sigmaYX === undefined) {
      throw new InvalidArgumentError(
        'invalid argument. `sigmaYX` (the task, No×Ni) is required when `network` is a weight pair { w1, w2 }: ' +
          'the mode strengths are taken in its singular basis.',
        'sigmaYX',
      );
    }
    const s = toMatrix(sigmaYX, 'sigmaYX');
    assertShape(s, no, ni, 'sigmaYX', `output×input = network.w2.rows × network.w1.columns = ${no}×${ni}`);
    const svd = fullSvd(s);
    target = svd.s.slice();
    const w2w1 = matmul(toArray(w2), toArray(w1), no, w1.rows, ni);
    assertRepresentable(w2w1, 'W2W1', 'network'); // weights above ≈ 1e154 gave ∞ (and NaN) strengths
    const w = fromArray(w2w1, no, ni);
    if (options.basis === undefined) {
      product = fromArray(project(toArray(w), toArray(svd.u), toArray(svd.v), no, ni), no, ni);
      inBasis = true;
    } else {
      product = w;
      inBasis = false;
    }
  } else {
    throw new InvalidArgumentError(
      'invalid argument. `network` must be a Snapshot (from exactDynamics(...).at(t)) or a weight pair { w1, w2 }.',
      'network',
    );
  }
  if (inBasis) return summarise(toArray(product), no, ni, target);
  const basis = options.basis;
  if (basis === null || typeof basis !== 'object') {
    throw new InvalidArgumentError('invalid argument. `basis` must be an object { u, v } (e.g. dynamics.singularVectors).', 'basis');
  }
  const u = toMatrix(basis.u, 'basis.u');
  assertShape(u, no, no, 'basis.u', `left singular vectors, No×No with No = ${no}`);
  const v = toMatrix(basis.v, 'basis.v');
  assertShape(v, ni, ni, 'basis.v', `right singular vectors, Ni×Ni with Ni = ${ni}`);
  checkOrthogonal(u, 'basis.u');
  checkOrthogonal(v, 'basis.v');
  return summarise(project(toArray(product), toArray(u), toArray(v), no, ni), no, ni, target);
}
