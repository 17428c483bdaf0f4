/**
 * `shallowDeviation`: how far a two-layer network's trajectory is from its lazy
 * (one-layer) limit (MATH.md §5).
 *
 * @module
 */
import type { Matrix } from 'ml-matrix';
import type { ExactDynamics } from '../core/exact-dynamics.js';
import { InvalidArgumentError } from '../errors.js';
import { frobenius, readArray } from '../linalg/dense.js';
import { toTimes } from '../validation.js';
import { shallowDynamics } from './shallow-dynamics.js';

/**
 * |λ| at or below this multiple of the weight scale (‖W1‖²_F + ‖W2‖²_F)/Nh is rounding in
 * the measured λ̂ = tr(W2ᵀW2 − W1W1ᵀ)/Nh, i.e. λ = 0.
 */
const ZERO_LAMBDA_TOLERANCE = 1e-12;

function trace(m: Matrix): number {
  let sum = 0;
  for (let i = 0; i < m.rows; i++) sum += m.get(i, i);
  return sum;
}

/**
 * The result of {@link shallowDeviation}.
 *
 * @example
 * ```ts
 * import type { ShallowDeviation } from 'exact-dln';
 * const d: ShallowDeviation = { times: [0, 1], deviation: [0, 0.01], maxDeviation: 0.01 };
 * ```
 */
export interface ShallowDeviation {
  /** The times, as given (a copy). */
  times: number[];
  /** Relative deviation ‖W2W1(t) − W_shallow(t)‖_F / ‖Σyx − W2W1(0)‖_F at each time. */
  deviation: number[];
  /** The largest entry of `deviation`. */
  maxDeviation: number;
}

/**
 * Compares the exact trajectory of a two-layer network with its lazy limit (MATH.md §5):
 * the one-layer model W_shallow(t) = Σyx + (W0 − Σyx)·e^{−|λ|t/τ} started from the same
 * function W0 = W2W1(0) (see {@link shallowDynamics}, here with rate = |λ|/τ). At each time
 *
 *     deviation(t) = ‖W2W1(t) − W_shallow(t)‖_F / max(‖Σyx − W0‖_F, ε·(‖Σyx‖_F + ‖W0‖_F), tiny),
 *
 * the error of the lazy prediction relative to the distance the network has to travel
 * (the floor ε = 2⁻⁵² keeps the ratio meaningful when the network starts at the solution,
 * tiny = the smallest positive double when everything is zero). For λ-balanced weights of
 * bounded product the deviation shrinks roughly like 1/λ² as |λ| grows (MATH.md §5 measured
 * ~1e-2, ~7e-5, ~7e-7 at λ = 10, 100, 1000 for unit-scale 3×3×3 networks); small |λ| with a
 * small initialisation (the rich regime) gives deviations of order 1.
 *
 * Cost: one `dynamics.at(t)` per time (O((Ni+No)·Nh² + Nh³)) plus O(Ni·No·Nh) for W2W1(t).
 *
 * @param dynamics - an {@link ExactDynamics} from `exactDynamics(...)` with λ ≠ 0.
 * @param times - times t ≥ 0 (finite; at least one).
 * @returns `{ times, deviation, maxDeviation }`.
 * @throws {@link InvalidArgumentError} if `dynamics` is not an exact-dynamics object, if its
 *   λ is 0 (there is no lazy limit: the rate |λ|/τ would be 0; λ̂ counts as 0 when
 *   |λ̂| ≤ 1e-12·(‖W1(0)‖²_F + ‖W2(0)‖²_F)/Nh, the rounding level of the measured balance),
 *   or if `times` is empty or not an array.
 * @throws {@link NonFiniteError} / {@link InvalidArgumentError} for a NaN, infinite or
 *   negative time (naming `times[i]`).
 * @example
 * ```ts
 * import { exactDynamics, lambdaBalancedWeights, randomTask, shallowDeviation } from 'exact-dln';
 * const task = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 1 });
 * const times = Array.from({ length: 51 }, (_, k) => k * 0.002);
 * for (const lambda of [10, 100]) {
 *   const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda, scale: 1, seed: 2 });
 *   const dyn = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX });
 *   // times cover 0 .. 10/λ, the transient; prints ≈ 0.025 for λ = 10, ≈ 2.9e-4 for λ = 100 (~1/λ²)
 *   console.log(lambda, shallowDeviation(dyn, times.map((t) => (t * 100) / lambda)).maxDeviation);
 * }
 * ```
 */
export function shallowDeviation(dynamics: ExactDynamics, times: readonly number[]): ShallowDeviation {
  if (
    dynamics === null ||
    typeof dynamics !== 'object' ||
    typeof dynamics.at !== 'function' ||
    typeof dynamics.lambda !== 'number' ||
    typeof dynamics.tau !== 'number' ||
    typeof dynamics.hiddenDim !== 'number' ||
    dynamics.sigmaYX === undefined
  ) {
    throw new InvalidArgumentError(
      'invalid argument. `dynamics` must be the result of exactDynamics(...) (an object with lambda, tau, sigmaYX and at(t)).',
      'dynamics',
    );
  }
  const start = dynamics.at(0);
  // λ̂ = tr(W2ᵀW2 − W1W1ᵀ)/Nh is measured, so weights built with λ = 0 give |λ̂| ~ 1e-16·‖W‖²/Nh.
  const weightScale = (trace(start.w1tw1) + trace(start.w2w2t)) / dynamics.hiddenDim;
  if (!(Math.abs(dynamics.lambda) > ZERO_LAMBDA_TOLERANCE * weightScale)) {
    throw new InvalidArgumentError(
      `invalid argument. \`dynamics\` has λ = 0 (λ̂ = ${dynamics.lambda}), which has no lazy (shallow) limit: the one-layer ` +
        'model would relax at rate |λ|/τ = 0. shallowDeviation needs λ ≠ 0 (the lazy regime is large |λ|).',
      'dynamics',
    );
  }
  const ts = toTimes(times, 'times');
  if (ts.length === 0) {
    throw new InvalidArgumentError('invalid argument. `times` must contain at least one time ≥ 0. Value: an empty array.', 'times');
  }
  const shallow = shallowDynamics({ w0: start.w2w1, sigmaYX: dynamics.sigmaYX, rate: Math.abs(dynamics.lambda) / dynamics.tau });
  // On Float64Arrays with norms scaled by powers of two (`frobenius`): ml-matrix's clone, sub
  // and norm made it 3–6× the cost of the W2W1(t) it compares, and its unscaled norms gave 0
  // (or NaN) for tasks beyond ~1e±155.
  const w0 = readArray(start.w2w1);
  const sigma = readArray(dynamics.sigmaYX);
  const diff = new Float64Array(w0.length);
  for (let k = 0; k < w0.length; k++) diff[k] = w0[k] - sigma[k];
  const scale = Math.max(frobenius(diff), Number.EPSILON * (frobenius(sigma) + frobenius(w0)), Number.MIN_VALUE);
  const deviation = ts.map((t) => {
    const p = readArray(dynamics.at(t).w2w1);
    // shallow.at(t) entry by entry: W0·e + Σyx·(1 − e), exactly W0 at t = 0 and Σyx once e underflows.
    const e = Math.exp(-shallow.rate * t);
    const f = -Math.expm1(-shallow.rate * t);
    for (let k = 0; k < p.length; k++) diff[k] = p[k] - (w0[k] * e + sigma[k] * f);
    return frobenius(diff) / scale;
  });
  let maxDeviation = 0;
  for (const d of deviation) maxDeviation = Math.max(maxDeviation, d);
  return { times: ts, deviation, maxDeviation };
}
