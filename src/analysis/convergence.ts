/**
 * `convergence`: does the exact flow learn the task from these weights, or stop on a saddle?
 * The converged state (MATH.md §5) against the best a network with Nh hidden units can do.
 *
 * @module
 */
import { LuDecomposition, type Matrix } from 'ml-matrix';
import type { ExactDynamics } from '../core/exact-dynamics.js';
import { LAMBDA_RESOLUTION } from '../core/riccati.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * What {@link convergence} reports.
 *
 * @example
 * ```ts
 * import type { Convergence } from 'exact-dln';
 * const c: Convergence = { loss: 0.5, minimumLoss: 0, excessLoss: 0.5, reachesMinimum: false, unlearnedModes: [1], determinantSign: true };
 * ```
 */
export interface Convergence {
  /** The loss ½‖Σyx − W2W1‖²_F as t → ∞. */
  loss: number;
  /**
   * The smallest loss any network with Nh hidden units reaches on the task,
   * ½·Σ_{α ≥ Nh} σ_α² (Eckart–Young: W2W1 of rank ≤ Nh; 0 when Nh ≥ rank Σyx).
   */
  minimumLoss: number;
  /** `loss − minimumLoss` (≥ 0 up to rounding). */
  excessLoss: number;
  /**
   * True when the flow learns everything the hidden layer has room for: no mode in
   * `unlearnedModes` and an excess loss at rounding level (≤ 1e-9·½Σσ²).
   */
  reachesMinimum: boolean;
  /**
   * The task modes α (0-based, in the order of `dyn.sigma`) among the Nh strongest that the
   * converged network does not learn: its strength (Ũᵀ W2W1 Ṽ)_αα stays below σ_α by more
   * than 1e-8·σ_α (plus rounding). Modes of a repeated singular value share an arbitrary
   * basis, so they are counted together — k unlearned directions among them are reported as
   * their last k modes. Modes tied with σ_{Nh} when the hidden layer cuts through a repeated
   * singular value are judged by the loss alone (which of them the network learns is then a
   * matter of the initialisation, not a saddle).
   */
  unlearnedModes: number[];
  /**
   * True when the flow stops on the λ = 0 determinant-sign saddle: Ni = No ≤ Nh, λ at the
   * rounding level of λ̂, and det(W2W1(0)) of the other sign than det Σyx — the case that
   * `lambdaBalancedWeights`' `matchDeterminantSign`, or a resolved λ ≠ 0, avoids. False for
   * other saddles (e.g. a hidden unit parked on a direction the task does not use), which
   * keep their exact zeros under gradient descent too.
   */
  determinantSign: boolean;
}

/**
 * The smallest |λ| the closed form tells from 0 for these weights: the rounding level of
 * λ̂, LAMBDA_RESOLUTION·N·ε·‖Q(0)‖²_F with N = Ni + No (src/core/riccati.ts; docs/model.md).
 *
 * @internal
 */
export function lambdaResolution(dyn: ExactDynamics): number {
  const q = dyn.at(0).qqt;
  let trace = 0;
  for (let i = 0; i < q.rows; i++) trace += q.get(i, i);
  return LAMBDA_RESOLUTION * q.rows * Number.EPSILON * trace;
}

/**
 * The sign of det m (1, −1, or 0 when it is singular to rounding) of a square matrix, from
 * its LU factors (not from an SVD like `lambdaBalancedWeights`' check of Σyx: that would
 * put the product into the SVD cache meant for tasks).
 */
function determinantSign(m: Matrix): number {
  const lu = new LuDecomposition(m);
  const n = m.rows;
  let sign = 1;
  let big = 0;
  for (let i = 0; i < n; i++) big = Math.max(big, Math.abs(m.getRow(i).reduce((x, y) => Math.max(x, Math.abs(y)), 0)));
  const u = lu.upperTriangularMatrix;
  for (let i = 0; i < n; i++) {
    const d = u.get(i, i);
    if (!(Math.abs(d) > n * Number.EPSILON * big)) return 0;
    sign *= Math.sign(d);
  }
  // Each row exchange of the pivoting flips the sign.
  const pivots = lu.pivotPermutationVector;
  const seen = new Array<boolean>(n).fill(false);
  for (let i = 0; i < n; i++) {
    if (seen[i]) continue;
    let length = 0;
    for (let j = i; !seen[j]; j = pivots[j]) {
      seen[j] = true;
      length++;
    }
    if (length % 2 === 0) sign = -sign;
  }
  return sign;
}

/**
 * Whether the exact gradient flow from `dyn`'s initial weights learns the task: the loss
 * at convergence (`dyn.converged()`, MATH.md §5) against the minimum a network with Nh
 * hidden units can reach, and the task modes it never learns.
 *
 * A flow that does not reach the minimum stops on a saddle. At λ = 0 this happens to half
 * of all random square starts (Ni = Nh = No): gradient flow conserves the sign of
 * det(W2W1), and a start whose sign differs from det Σyx's never learns the weakest mode
 * (docs/model.md, "Saddles"; `lambdaBalancedWeights({ …, matchDeterminantSign })` draws
 * starts of the right sign). Reversed aligned modes at λ = 0 (MATH.md §8) and hidden units
 * parked on directions the task does not use are saddles too. Gradient descent, unlike the
 * flow, drifts λ by O(η) and escapes the determinant-sign saddles eventually; the flow, and
 * this function, do not.
 *
 * Conventions (docs/model.md): λ below the resolution of λ̂ (32·N·ε·‖Q(0)‖²) counts as 0;
 * projections on a growing direction below the library's saddle threshold (1e-12·‖Q(0)‖)
 * count as exact zeros, so a right-sign start with a product singular value ~1e-22 of the
 * others is a saddle here; modes with σ_α below 1e3·ε·σ_max are beyond the resolution of
 * the strengths. For Ni = No ≤ Nh at λ = 0 the sign of det(W2W1(0)) decides (the closed
 * form can leave that saddle through the rounding of Σyx's SVD when σ_min ≲ 1e-5·σ_max).
 *
 * Cost: one converged state, O((Ni+No)·Nh² + Nh³ + Ni·No·Nh).
 *
 * @param dyn - the exact dynamics.
 * @returns the {@link Convergence}.
 * @throws {@link InvalidArgumentError} if `dyn` is not an ExactDynamics; as
 *   `dyn.converged()` otherwise.
 * @example
 * ```ts
 * import { convergence, exactDynamics } from 'exact-dln';
 * // 1×1×1 at λ = 0 from w2·w1 = −0.01 on σ = 1: the product shrinks to the saddle at 0.
 * const stuck = convergence(exactDynamics({ w1: [[0.1]], w2: [[-0.1]], sigmaYX: [[1]] }));
 * console.log(stuck.reachesMinimum, stuck.unlearnedModes, stuck.loss); // false [ 0 ] 0.5
 * const learns = convergence(exactDynamics({ w1: [[0.1]], w2: [[0.1]], sigmaYX: [[1]] }));
 * console.log(learns.reachesMinimum, learns.loss < 1e-20); // true true
 * ```
 */
export function convergence(dyn: ExactDynamics): Convergence {
  if (dyn === null || typeof dyn !== 'object' || typeof (dyn as Partial<ExactDynamics>).converged !== 'function') {
    throw new InvalidArgumentError('invalid argument. `dyn` must be an ExactDynamics (from exactDynamics or exactDynamicsFromQQt).', 'dyn');
  }
  const state = dyn.converged();
  const sigma = dyn.sigma;
  const nh = dyn.hiddenDim;
  const ni = dyn.inputDim;
  const modes = sigma.length;
  let total = 0;
  let minimum = 0;
  for (let a = modes - 1; a >= 0; a--) {
    total += sigma[a] * sigma[a];
    if (a >= nh) minimum += sigma[a] * sigma[a];
  }
  total *= 0.5;
  minimum *= 0.5;
  const top = sigma[0] ?? 0;
  // σ_{Nh} when the hidden layer cuts through the spectrum; modes tied with it are exempt.
  const cut = nh < modes ? sigma[nh] : -1;
  const tied = (x: number, y: number): boolean => Math.abs(x - y) <= 1e-12 * top;
  const product = state.singularProduct;
  let loss = state.loss;
  let unlearnedModes: number[] = [];
  // Modes of one singular value form a group: the basis inside it is arbitrary, so a group
  // is judged by its total deficit Σ(σ − a_α), which is σ times the number of its unlearned
  // directions; these are reported as the group's last modes.
  for (let a = 0; a < Math.min(nh, modes); ) {
    let b = a + 1;
    while (b < Math.min(nh, modes) && tied(sigma[b], sigma[a])) b++;
    if (sigma[a] > 0 && !(cut >= 0 && tied(sigma[a], cut))) {
      let deficit = 0;
      for (let c = a; c < b; c++) deficit += sigma[c] - product.get(c, c);
      const count = b - a === 1 ? (deficit > 1e-8 * sigma[a] + 1e3 * Number.EPSILON * top ? 1 : 0) : Math.min(b - a, Math.round(deficit / sigma[a]));
      for (let c = b - count; c < b; c++) unlearnedModes.push(c);
    }
    a = b;
  }
  // At λ = 0 with Ni = No ≤ Nh the flow conserves the sign of det(W2W1): a start of the other
  // sign than det Σyx stops with its weakest mode unlearned. The closed form can leave that
  // saddle through the rounding of Σyx's SVD when σ_min is tiny beside σ_max (rates ±σ_min
  // then nearly coincide; docs/model.md), so the sign decides here, not the converged state.
  let signSaddle = false;
  if (ni === dyn.outputDim && nh >= ni && modes === ni && sigma[ni - 1] > ni * Number.EPSILON * top && !(Math.abs(dyn.lambda) > lambdaResolution(dyn))) {
    const start = determinantSign(dyn.at(0).w2w1);
    const task = determinantSign(dyn.sigmaYX);
    if (start !== 0 && task !== 0 && start !== task) {
      signSaddle = true;
      if (unlearnedModes.length === 0) {
        unlearnedModes = [ni - 1];
        loss = minimum + 0.5 * sigma[ni - 1] * sigma[ni - 1];
      }
    }
  }
  const excessLoss = loss - minimum;
  const reachesMinimum = unlearnedModes.length === 0 && !(excessLoss > 1e-9 * total);
  return { loss, minimumLoss: minimum, excessLoss, reachesMinimum, unlearnedModes, determinantSign: signSaddle && !reachesMinimum };
}
