/**
 * `shallowDynamics`: gradient flow of a one-layer linear model, the lazy limit of the
 * two-layer network (MATH.md §5).
 *
 * @module
 */
import type { Matrix } from 'ml-matrix';
import { InvalidArgumentError } from '../errors.js';
import { assertKnownOptions, assertNonNegativeNumber, assertShape, assertTime, type MatrixLike, toMatrix } from '../validation.js';

/**
 * Options of {@link shallowDynamics}.
 *
 * @example
 * ```ts
 * import type { ShallowDynamicsOptions } from 'exact-dln';
 * const options: ShallowDynamicsOptions = { w0: [[0, 0]], sigmaYX: [[1, 0.5]], rate: 10 };
 * ```
 */
export interface ShallowDynamicsOptions {
  /** W(0), the initial map, output×input (No×Ni). */
  w0: MatrixLike;
  /** Σyx of a whitened task, output×input (No×Ni). */
  sigmaYX: MatrixLike;
  /**
   * The relaxation rate in units of 1/t (≥ 0): W(t) − Σyx ∝ e^{−rate·t}. For the lazy limit of
   * a two-layer network with balance λ and time constant τ, rate = |λ|/τ.
   */
  rate: number;
}

/**
 * The trajectory of a one-layer linear model, as returned by {@link shallowDynamics}.
 *
 * @example
 * ```ts
 * import { shallowDynamics, type ShallowDynamics } from 'exact-dln';
 * const lazy: ShallowDynamics = shallowDynamics({ w0: [[0]], sigmaYX: [[2]], rate: 1 });
 * console.log(lazy.at(1).get(0, 0)); // 2(1 − e^{−1}) ≈ 1.264
 * ```
 */
export interface ShallowDynamics {
  /** The rate of {@link ShallowDynamicsOptions.rate}. */
  readonly rate: number;
  /**
   * W(t) = Σyx + (W(0) − Σyx)·e^{−rate·t}, a new No×Ni Matrix (exactly W(0) at t = 0).
   * Cost O(Ni·No). Throws for a
   * negative, NaN or infinite t.
   */
  at(t: number): Matrix;
}

/**
 * The exact gradient flow of a one-layer linear model ŷ = W·x on a whitened task
 * (MATH.md §1 with one layer: L − L* = ½‖Σyx − W‖²_F): dW/dt = rate·(Σyx − W), i.e.
 *
 *     W(t) = Σyx + (W(0) − Σyx)·e^{−rate·t}.
 *
 * This is the lazy (shallow) limit of the two-layer network (MATH.md §5): for |λ| → ∞ with
 * λ-balanced weights of bounded product, W2W1(t) → Σyx + (W2W1(0) − Σyx)·e^{−|λ|t/τ}, so
 * rate = |λ|/τ. {@link shallowDeviation} measures how far a two-layer network is from it.
 *
 * Cost: O(Ni·No) to build and per evaluation. The inputs are copied, never modified.
 *
 * @param options - `{ w0, sigmaYX, rate }`, see {@link ShallowDynamicsOptions}.
 * @returns a {@link ShallowDynamics} with `at(t)`.
 * @throws {@link ShapeError} if `w0` and `sigmaYX` do not have the same shape.
 * @throws {@link NonFiniteError} for NaN or infinite entries or rate.
 * @throws {@link InvalidArgumentError} if `rate` < 0 or an argument has the wrong type; `at`
 *   throws for a negative or non-finite time.
 * @example
 * ```ts
 * import { shallowDynamics } from 'exact-dln';
 * const lazy = shallowDynamics({ w0: [[0, 0], [0, 0]], sigmaYX: [[2, 0], [0, 1]], rate: 5 });
 * console.log(lazy.at(0.2).to2DArray()); // [[2(1 − e^{−1}), 0], [0, 1 − e^{−1}]] ≈ [[1.264, 0], [0, 0.632]]
 * ```
 */
export function shallowDynamics(options: ShallowDynamicsOptions): ShallowDynamics {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('invalid argument. shallowDynamics expects an options object { w0, sigmaYX, rate }.');
  }
  assertKnownOptions(options, 'shallowDynamics', {
    w0: true,
    sigmaYX: true,
    rate: true,
  } satisfies Record<keyof ShallowDynamicsOptions, true>);
  const sigmaYX = toMatrix(options.sigmaYX, 'sigmaYX');
  const w0 = toMatrix(options.w0, 'w0');
  assertShape(w0, sigmaYX.rows, sigmaYX.columns, 'w0', 'output×input, the shape of sigmaYX');
  const rate = options.rate;
  assertNonNegativeNumber(rate, 'rate');
  return {
    rate,
    at(t: number): Matrix {
      assertTime(t, 't');
      // W0·e + Σyx·(1 − e): exactly W0 at t = 0 and exactly Σyx once e underflows.
      const e = Math.exp(-rate * t);
      return w0.clone().mul(e).add(sigmaYX.clone().mul(-Math.expm1(-rate * t)));
    },
  };
}
