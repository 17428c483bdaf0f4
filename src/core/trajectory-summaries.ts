/**
 * Loss and mode-strength curves on a time grid, straight from the Riccati factor in the
 * task's singular basis (MATH.md §1, §4): the batched form of `Snapshot.loss` and
 * `Snapshot.singularProduct`, used by `ExactDynamics.summaries`, `lossCurve` and
 * `modeStrengthCurves`.
 *
 * @module
 */
import { ExactDlnError } from '../errors.js';
import { matmulT, matmulTNormal, powersOfTwo, timesPowerOfTwo } from '../linalg/dense.js';
import type { RiccatiSolution } from './riccati.js';
import { decoupledModes, decoupledStrengthsInto, type DecoupledModes } from './decoupled-modes.js';

/**
 * Loss and mode-strength curves of an exact trajectory, one entry per requested time
 * (see `ExactDynamics.summaries`).
 *
 * @example
 * ```ts
 * import { exactDynamics, lambdaBalancedWeights, randomTask, type TrajectorySummaries } from 'exact-dln';
 * const task = randomTask({ inputDim: 3, outputDim: 2, samples: 20, seed: 1 });
 * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 2, outputDim: 2, lambda: 0.5, scale: 0.05, seed: 2 });
 * const curves: TrajectorySummaries = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX }).summaries([0, 1, 10]);
 * console.log(curves.loss.length, curves.modeStrengths.length); // 3 2
 * ```
 */
export interface TrajectorySummaries {
  /** The times, a copy of the argument (same order). */
  readonly times: Float64Array;
  /**
   * loss[k] = ½‖Σyx − W2W1‖²_F at times[k]: the loss above its minimum for whitened
   * inputs (MATH.md §1), as `Snapshot.loss` (no cancellation, accurate for tiny losses).
   */
  readonly loss: Float64Array;
  /**
   * modeStrengths[α][k] = a_α(times[k]) = (Ũᵀ W2W1 Ṽ)_αα for α < min(Ni, No): how much of
   * task mode α has been learned (MATH.md §5); a_α → σ_α without a bottleneck.
   */
  readonly modeStrengths: Float64Array[];
  /** offDiagonal[k] = ‖offdiag(Ũᵀ W2W1 Ṽ)‖_F at times[k]: the part of the network off the task's modes. */
  readonly offDiagonal: Float64Array;
}

/**
 * Ũᵀ W2W1 Ṽ (No×Ni, row-major) from the N×Nh factor `z` in the task's singular basis
 * (input rows first): Z_out·Z_inᵀ, O(Ni·No·Nh). `careful`: avoid subnormal arithmetic
 * (`matmulTNormal`; see RiccatiSolution.productsMayUnderflow).
 *
 * @internal
 */
export function singularProductOf(z: Float64Array, ni: number, nh: number, no: number, out?: Float64Array, careful = false): Float64Array {
  return (careful ? matmulTNormal : matmulT)(z.subarray(ni * nh, (ni + no) * nh), z.subarray(0, ni * nh), no, nh, ni, out ?? new Float64Array(no * ni));
}

/**
 * ½‖diag(σ) − M‖²_F for M = Ũᵀ W2W1 Ṽ (No×Ni): each residual is formed before it is
 * squared, so there is no cancellation however small the loss.
 *
 * @internal
 */
export function lossOfSingularProduct(m: Float64Array, sigma: readonly number[], ni: number, no: number): number {
  let sum = 0;
  for (let o = 0; o < no; o++) {
    const mo = o * ni;
    for (let i = 0; i < ni; i++) {
      const r = (o === i ? sigma[o] : 0) - m[mo + i];
      sum += r * r;
    }
  }
  return 0.5 * sum;
}

/** Which curves {@link summariesOf} fills. */
export interface SummaryRequest {
  loss: boolean;
  modeStrengths: boolean;
  offDiagonal: boolean;
}

/**
 * Evaluates the requested curves at times (already validated, ≥ 0 and finite) for a
 * solution with time constant τ. One factor per time, in reused buffers, without the
 * left-over directions of the wider layer (RiccatiSolution.summaryInto: their part of the
 * loss comes as one number, at O(Nh²) per row of the other side); the product
 * Ũᵀ W2W1 Ṽ on the remaining directions only when the loss or the off-diagonal part is
 * asked for — mode strengths alone need its diagonal, O(min(Ni, No)·Nh).
 *
 * @internal
 */
export function summariesOf(solution: RiccatiSolution, times: readonly number[], tau: number, request: SummaryRequest): TrajectorySummaries {
  const nh = solution.hiddenDim;
  const r = Math.min(solution.inputDim, solution.outputDim);
  // Times at which the state depends on growth rates closer than their rounding are refused.
  let latest = 0;
  for (const t of times) latest = Math.max(latest, t);
  solution.assertResolvedAt(latest / tau);
  const decoupled = decoupledModes(solution);
  if (decoupled !== undefined) return decoupledSummaries(decoupled, solution.spectrum.sigma, r, times, tau, request);
  // The factor without the left-over directions of the wider layer (whose part of the
  // network, ‖M_⊥‖², comes separately): Ni', No' ≥ r.
  const { inputDim: ni, outputDim: no } = solution.summaryDims;
  const sigma = solution.spectrum.sigma;
  const count = times.length;
  const z = new Float64Array((ni + no) * nh);
  const full = request.loss || request.offDiagonal;
  const product = full ? new Float64Array(no * ni) : new Float64Array(0);
  const loss = new Float64Array(request.loss ? count : 0);
  const offDiagonal = new Float64Array(request.offDiagonal ? count : 0);
  const modeStrengths = request.modeStrengths ? Array.from({ length: r }, () => new Float64Array(count)) : [];
  // Powers of two of z's rows at late times (RiccatiSolution.summaryInto): the rows come
  // normalised, so their product needs no normalising pass of its own.
  const rowExponents = new Int32Array(ni + no);
  const inputExponents = rowExponents.subarray(0, ni);
  const outputExponents = rowExponents.subarray(ni);
  for (let k = 0; k < count; k++) {
    const t = times[k];
    const careful = solution.mayUnderflow(t / tau);
    const perp2 = solution.summaryInto(t / tau, z, careful ? rowExponents : undefined);
    const normalised = careful && rowExponents.some((e) => e !== 0);
    // Between the two thresholds the solve is plain but the product needs normalised rows.
    const productCareful = careful || solution.productsMayUnderflow(t / tau);
    let check = perp2;
    if (full) {
      if (normalised) {
        matmulT(z.subarray(ni * nh, (ni + no) * nh), z.subarray(0, ni * nh), no, nh, ni, product);
        scaleProductBack(product, no, ni, nh, outputExponents, inputExponents);
      } else {
        singularProductOf(z, ni, nh, no, product, productCareful);
      }
      // One pass: residual of the diagonal, off-diagonal mass, mode strengths. Each row in
      // three runs (left of the diagonal, the diagonal, right of it): no branch per entry.
      let sum = 0;
      let off2 = 0;
      for (let o = 0; o < no; o++) {
        const po = o * ni;
        const diag = Math.min(o, ni);
        for (let i = 0; i < diag; i++) {
          const x = product[po + i];
          sum += x * x;
          off2 += x * x;
        }
        if (o < ni) {
          const d = sigma[o] - product[po + o];
          sum += d * d;
        }
        for (let i = o + 1; i < ni; i++) {
          const x = product[po + i];
          sum += x * x;
          off2 += x * x;
        }
      }
      if (request.loss) loss[k] = 0.5 * (sum + perp2);
      if (request.offDiagonal) offDiagonal[k] = Math.sqrt(off2 + perp2);
      check += sum;
      if (request.modeStrengths) {
        for (let a = 0; a < r; a++) {
          const x = product[a * ni + a];
          modeStrengths[a][k] = x;
          check += x;
        }
      }
    } else {
      for (let a = 0; a < r; a++) {
        const zo = (ni + a) * nh;
        const zi = a * nh;
        let x = 0;
        for (let j = 0; j < nh; j++) x += z[zo + j] * z[zi + j];
        if (normalised) x = timesPowerOfTwo(x, outputExponents[a] + inputExponents[a]);
        modeStrengths[a][k] = x;
        check += x;
      }
    }
    if (!Number.isFinite(check)) {
      throw new ExactDlnError(`exact-dln internal error: non-finite state at t = ${t}; please report this configuration.`);
    }
  }
  return { times: Float64Array.from(times), loss, modeStrengths, offDiagonal };
}

/**
 * Ũᵀ W2W1 Ṽ from the product of the normalised rows (summariesOf at late times): entry (o, i)
 * times 2^{e_o + f_i}, except that off-diagonal entries certainly below 2⁻⁶⁰⁰ become 0 —
 * their squares are below 2⁻¹²⁰⁰, so they add exactly 0 to the loss and the off-diagonal
 * norm either way, while forming them (most would be subnormal) is about ten times slower
 * per entry. An entry x of the normalised product is at most 4·Nh (rotateNormalInto writes
 * rows with entries of at most about 2); the bound used, 16·Nh, leaves a margin. The
 * diagonal (the mode strengths) is scaled back exactly.
 */
function scaleProductBack(product: Float64Array, no: number, ni: number, nh: number, e: Int32Array, f: Int32Array): void {
  const table = powersOfTwo();
  const below = -600 - Math.ceil(Math.log2(16 * nh + 1));
  for (let o = 0; o < no; o++) {
    const po = o * ni;
    const eo = e[o];
    for (let i = 0; i < ni; i++) {
      const x = product[po + i];
      if (x === 0) continue;
      const k = eo + f[i];
      if (k >= -1022 && k <= 1023) product[po + i] = x * table[k + 1022];
      else product[po + i] = k < below && o !== i ? 0 : timesPowerOfTwo(x, k);
    }
  }
}

/**
 * {@link summariesOf} for a decoupled initialisation (src/core/decoupled-modes.ts): each
 * mode's closed form a_α(t), the loss ½Σ_α (σ_α − a_α)² (Ũᵀ W2W1 Ṽ is diagonal at every
 * time) and an off-diagonal part of exactly 0. O(min(Ni, No)) per time.
 */
function decoupledSummaries(
  d: DecoupledModes,
  sigma: readonly number[],
  r: number,
  times: readonly number[],
  tau: number,
  request: SummaryRequest,
): TrajectorySummaries {
  const count = times.length;
  const loss = new Float64Array(request.loss ? count : 0);
  const offDiagonal = new Float64Array(request.offDiagonal ? count : 0);
  const modeStrengths = request.modeStrengths ? Array.from({ length: r }, () => new Float64Array(count)) : [];
  const a = new Float64Array(r);
  for (let k = 0; k < count; k++) {
    decoupledStrengthsInto(d, times[k] / tau, a);
    let sum = 0;
    for (let m = 0; m < r; m++) {
      const res = sigma[m] - a[m];
      sum += res * res;
      if (request.modeStrengths) modeStrengths[m][k] = a[m];
    }
    if (!Number.isFinite(sum)) {
      throw new ExactDlnError(`exact-dln internal error: non-finite state at t = ${times[k]}; please report this configuration.`);
    }
    if (request.loss) loss[k] = 0.5 * sum;
  }
  return { times: Float64Array.from(times), loss, modeStrengths, offDiagonal };
}
