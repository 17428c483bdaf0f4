/**
 * `convergence`: does the exact flow learn the task from these weights, or stop on a saddle?
 * The converged state (MATH.md §5) against the best a network with Nh hidden units can do.
 *
 * @module
 */
import type { ExactDynamics } from '../core/exact-dynamics.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * What {@link convergence} reports.
 *
 * @example
 * ```ts
 * import type { Convergence } from 'exact-dln';
 * const c: Convergence = { loss: 0.5, minimumLoss: 0, excessLoss: 0.5, reachesMinimum: false, unlearnedModes: [1] };
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
   * than 1e-8·σ_α (plus rounding). Modes tied with σ_{Nh} when the hidden layer cuts
   * through a repeated singular value are judged by the loss alone (which of them the
   * network learns is then a matter of the initialisation, not a saddle).
   */
  unlearnedModes: number[];
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
 * flow, drifts λ by O(η) and eventually escapes; the flow, and this function, do not.
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
  const modes = sigma.length;
  let total = 0;
  let minimum = 0;
  for (let a = modes - 1; a >= 0; a--) {
    total += sigma[a] * sigma[a];
    if (a >= nh) minimum += sigma[a] * sigma[a];
  }
  total *= 0.5;
  minimum *= 0.5;
  const loss = state.loss;
  const excessLoss = loss - minimum;
  const top = sigma[0] ?? 0;
  // σ_{Nh} when the hidden layer cuts through the spectrum; modes tied with it are exempt.
  const cut = nh < modes ? sigma[nh] : -1;
  const product = state.singularProduct;
  const unlearnedModes: number[] = [];
  for (let a = 0; a < Math.min(nh, modes); a++) {
    if (!(sigma[a] > 0)) continue;
    if (cut >= 0 && Math.abs(sigma[a] - cut) <= 1e-12 * top) continue;
    const strength = product.get(a, a);
    if (sigma[a] - strength > 1e-8 * sigma[a] + 1e3 * Number.EPSILON * top) unlearnedModes.push(a);
  }
  const reachesMinimum = unlearnedModes.length === 0 && !(excessLoss > 1e-9 * total);
  return { loss, minimumLoss: minimum, excessLoss, reachesMinimum, unlearnedModes };
}
