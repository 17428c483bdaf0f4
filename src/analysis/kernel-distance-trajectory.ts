/**
 * `kernelDistanceTrajectory`: how far the Neural Tangent Kernel has moved from its
 * initial value, along an exact trajectory or a simulated run (MATH.md §6).
 *
 * @module
 */
import type { ExactDynamics } from '../core/exact-dynamics.js';
import type { RiccatiSolution } from '../core/riccati.js';
import type { Snapshot } from '../core/snapshot.js';
import { ExactDlnError, InvalidArgumentError } from '../errors.js';
import { toTimes, type MatrixLike } from '../validation.js';
import {
  assertSameWidths,
  distanceOfStates,
  distanceToReference,
  referenceKernel,
  probeGeometry,
  solutionGeometry,
  storedRepresentations,
  type KernelDistanceOptions,
  type ProbeGeometry,
} from './kernel-distance.js';
import { representationsOf, type NetworkRepresentations } from './network-representations.js';

/**
 * A recorded run of weights, as returned by `integrateGradientFlow` or
 * `simulateGradientDescent`: entry k of `w1`, `w2` belongs to `times[k]`.
 *
 * @example
 * ```ts
 * import type { WeightRun } from 'exact-dln';
 * const run: WeightRun = { times: [0, 1], w1: [[[1, 0]], [[1.5, 0]]], w2: [[[1]], [[1.2]]] };
 * ```
 */
export interface WeightRun {
  /** The time of each recorded state. */
  readonly times: ReadonlyArray<number>;
  /** W1 at each recorded time, Nh×Ni. */
  readonly w1: ReadonlyArray<MatrixLike>;
  /** W2 at each recorded time, No×Nh. */
  readonly w2: ReadonlyArray<MatrixLike>;
}

/**
 * The result of {@link kernelDistanceTrajectory}: `distance[k]` is the kernel distance
 * between the state at `times[k]` and the reference state.
 *
 * @example
 * ```ts
 * import type { KernelDistanceTrajectory } from 'exact-dln';
 * const r: KernelDistanceTrajectory = { times: [0, 1], distance: [0, 0.2] };
 * ```
 */
export interface KernelDistanceTrajectory {
  /** The times, in the order given (a copy). */
  times: number[];
  /** d(K(0), K(t)) at each time, in [0, 1]. */
  distance: number[];
}

function isDynamics(value: unknown): value is ExactDynamics {
  // Arrays have an `at` method too: a list of states is not a dynamics object.
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { at?: unknown }).at === 'function'
  );
}

function isRun(value: unknown): value is WeightRun {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { w1?: unknown }).w1) &&
    Array.isArray((value as { w2?: unknown }).w2)
  );
}

/**
 * Throws unless `times` — the second argument of `kernelDistanceTrajectory(dynamics, times)`
 * — is an array or a Float64Array (its entries are checked by `toTimes`). Shared with the
 * worker pool of 'exact-dln/parallel', which refuses as the serial call does.
 *
 * @internal
 */
export function assertTimesArgument(times: unknown): asserts times is readonly number[] | Float64Array {
  if (!Array.isArray(times) && !(times instanceof Float64Array)) {
    throw new InvalidArgumentError(
      'invalid argument. `times` must be an array (or Float64Array) of times ≥ 0 when the source is an ExactDynamics: ' +
        'kernelDistanceTrajectory(dynamics, times, { inputs }).',
      'times',
    );
  }
}

/**
 * The distance of the Neural Tangent Kernel at each time from the kernel at the start,
 * d(K(t_0), K(t)) with d = 1 − ⟨K_a, K_b⟩_F/(‖K_a‖_F‖K_b‖_F) as in {@link kernelDistance}
 * (MATH.md §6): the standard measure of how "rich" (feature-learning, d grows towards
 * O(1)) or "lazy" (kernel regime, d stays ≈ 0) training is.
 *
 * Two forms:
 *
 * - `kernelDistanceTrajectory(dynamics, times, options?)` — `dynamics` from
 *   `exactDynamics(...)`: the reference is `dynamics.at(0)` (whether or not 0 is among
 *   `times`), and `distance[k]` compares it with `dynamics.at(times[k])`. `times` are any
 *   finite times ≥ 0, in any order.
 * - `kernelDistanceTrajectory(run, options?)` — `run` a recorded simulation `{ times, w1[],
 *   w2[] }` as returned by `integrateGradientFlow` or `simulateGradientDescent`: the
 *   reference is the first recorded state (index 0: step 0 for gradient descent, and
 *   `times[0]` for `integrateGradientFlow`, which is t = 0 if you requested it first), and
 *   the result's `times` are `run.times`. A second argument that is an array is accepted
 *   only if it equals `run.times` (it is redundant); anything else throws, so a mismatch
 *   cannot go unnoticed.
 *
 * The reference kernel's pieces and the probes' Gram matrix are computed once.
 *
 * Cost: O(Ni²·P') once for the probes (none when whitened), then per time
 * O(Ni³ + No²) (O(Ni² + No²) for whitened probes) plus, for the exact dynamics, the cost of
 * `at(t)` and of W1ᵀW1, W2W2ᵀ (O((Ni² + No²)·Nh)), and for a run O(Nh·(Ni² + No²)).
 * Along exact dynamics of a wide network (Ni − No > Nh) the Ni − No input directions Σyx
 * does not reach are compressed to Nh (and likewise for tall networks), so Ni above
 * becomes No + Nh after an O(Ni³) rotation of the probes' Gram matrix once (784 inputs,
 * 100 hidden units, 10 outputs: 0.4 ms per time with whitened probes). Inputs are never
 * mutated.
 *
 * @param source - an `ExactDynamics` or a recorded run `{ times, w1, w2 }`.
 * @param times - (dynamics form) the times; (run form) omit.
 * @param options - `{ inputs?: Ni×P' }` or `{ gram?: Ni×Ni }`; default whitened probes.
 * @returns `{ times, distance }`.
 * @throws {@link InvalidArgumentError} if `source` is neither form, `times` is missing or not
 *   an array of finite times ≥ 0 (dynamics form) or differs from `run.times` (run form), a
 *   run's arrays have different lengths or are empty, a kernel is zero, or the probes are
 *   all zero.
 * @throws {@link ShapeError} if `inputs` does not have Ni rows, or the weights of a run do
 *   not fit together or change width along the run (the message names e.g. `source[3].w2`).
 * @throws {@link NonFiniteError} for NaN or infinite entries or times.
 * @example
 * ```ts
 * import { exactDynamics, integrateGradientFlow, kernelDistanceTrajectory, lambdaBalancedWeights, randomTask } from 'exact-dln';
 * const task = randomTask({ inputDim: 3, outputDim: 2, samples: 20, seed: 1 });
 * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 2, outputDim: 2, lambda: 0.5, scale: 0.05, seed: 2 });
 * const times = [0, 1, 2, 5, 10];
 * const exact = kernelDistanceTrajectory(exactDynamics({ w1, w2, sigmaYX: task.sigmaYX }), times, { inputs: task.X });
 * const run = integrateGradientFlow({ w1, w2, sigmaYX: task.sigmaYX, times });
 * const simulated = kernelDistanceTrajectory(run, { inputs: task.X });
 * console.log(exact.distance[0]); // 0
 * console.log(Math.abs(exact.distance[4] - simulated.distance[4]) < 1e-8); // true
 * ```
 */
export function kernelDistanceTrajectory(
  source: ExactDynamics,
  times: readonly number[] | Float64Array,
  options?: KernelDistanceOptions,
): KernelDistanceTrajectory;
export function kernelDistanceTrajectory(source: WeightRun, options?: KernelDistanceOptions): KernelDistanceTrajectory;
export function kernelDistanceTrajectory(
  source: WeightRun,
  times: readonly number[],
  options?: KernelDistanceOptions,
): KernelDistanceTrajectory;
export function kernelDistanceTrajectory(
  source: ExactDynamics | WeightRun,
  timesOrOptions?: readonly number[] | Float64Array | KernelDistanceOptions,
  maybeOptions?: KernelDistanceOptions,
): KernelDistanceTrajectory {
  if (isDynamics(source)) {
    assertTimesArgument(timesOrOptions);
    const times = toTimes(timesOrOptions, 'times');
    return alongDynamics(source.at(0), times, (t) => source.at(t), maybeOptions ?? {});
  }
  if (isRun(source)) {
    const n = source.w1.length;
    if (source.w2.length !== n || n === 0) {
      throw new InvalidArgumentError(
        `invalid argument. \`source.w1\` and \`source.w2\` must be non-empty arrays of the same length (one entry per recorded time). ` +
          `Value: lengths ${n} and ${source.w2.length}.`,
        'source',
      );
    }
    const times = toTimes(source.times, 'source.times');
    if (times.length !== n) {
      throw new InvalidArgumentError(
        `invalid argument. \`source.times\` must have one entry per recorded state (${n}). Value: length ${times.length}.`,
        'source.times',
      );
    }
    let options: KernelDistanceOptions;
    if (Array.isArray(timesOrOptions)) {
      const given = timesOrOptions as readonly number[];
      if (given.length !== n || given.some((t, k) => t !== times[k])) {
        throw new InvalidArgumentError(
          'invalid argument. With a recorded run the times come from `source.times`; call kernelDistanceTrajectory(run, { inputs }). ' +
            'The `times` given differ from `source.times`.',
          'times',
        );
      }
      options = maybeOptions ?? {};
    } else {
      if (maybeOptions !== undefined) {
        throw new InvalidArgumentError(
          'invalid argument. With a recorded run call kernelDistanceTrajectory(run, options); a third argument is not accepted.',
          'options',
        );
      }
      options = (timesOrOptions as KernelDistanceOptions | undefined) ?? {};
    }
    const state = (k: number): NetworkRepresentations =>
      representationsOf({ w1: source.w1[k], w2: source.w2[k] }, `source[${k}]`, true);
    const reference = state(0);
    const label = (k: number): string => `source[${k}] (t = ${times[k]})`;
    return trace(reference, times, (k) => (k === 0 ? reference : state(k)), options, 'source[0]', label);
  }
  throw new InvalidArgumentError(
    'invalid argument. `source` must be an ExactDynamics (from exactDynamics(...)) or a recorded run { times, w1: Matrix[], w2: Matrix[] } ' +
      '(from integrateGradientFlow or simulateGradientDescent).',
    'source',
  );
}

/**
 * `kernelDistanceTrajectory(dynamics, times, options)` for times checked by the caller, from
 * `start = dynamics.at(0)` and the Snapshot at each time from `snapshotAt` (`dynamics.at`,
 * or Snapshots the caller already has). Every term of the kernel distance is a trace,
 * unchanged by the change of basis to the task's singular vectors (A → ṼᵀAṼ, G → ṼᵀGṼ,
 * R → ŨᵀRŨ): the representations are read straight off the Snapshots' singular-basis
 * factors, with no rotation per time, and the probes' geometry is rotated once. For wide and
 * tall networks with more left-over directions than hidden units the factors are compressed
 * (A = W·a·Wᵀ or R = W·r·Wᵀ, W with orthonormal columns), and so is the geometry.
 */
function alongDynamics(
  start: Snapshot,
  times: number[],
  snapshotAt: (t: number, k: number) => Snapshot,
  options: KernelDistanceOptions,
): KernelDistanceTrajectory {
  const reference = storedRepresentations(start, undefined, true);
  // Each time's A and R overwrite the previous time's (the reference keeps its own arrays).
  let scratch: NetworkRepresentations | undefined;
  let current = start;
  const states = (k: number): NetworkRepresentations => {
    if (times[k] === 0) return reference;
    current = snapshotAt(times[k], k);
    return (scratch = storedRepresentations(current, scratch, true));
  };
  const nameAt = (k: number): string => `source.at(${times[k]})`;
  // Small distances of a lazy network again from the accurate change (distanceOfStates).
  const refined = (k: number, d: number, geometry: ProbeGeometry): number => (times[k] === 0 ? d : distanceOfStates(start, current, d, geometry));
  return trace(reference, times, states, options, 'source.at(0)', nameAt, start.solution, refined);
}

/**
 * `kernelDistanceTrajectory(dynamics, times, options)` — the same numbers, bit for bit —
 * from Snapshots the caller reads anyway (`snapshotAt(times[k], k)`, a Snapshot of
 * `dynamics` at that time), so each time's factor is not solved a second time. Called in
 * time order, once per time except times equal to 0, whose distance is 0 from the
 * reference `dynamics.at(0)`.
 *
 * @internal
 */
export function kernelDistanceOfSnapshots(
  dynamics: ExactDynamics,
  times: readonly number[],
  snapshotAt: (t: number, k: number) => Snapshot,
  options: KernelDistanceOptions = {},
): KernelDistanceTrajectory {
  const start = dynamics.at(0);
  const checked = (t: number, k: number): Snapshot => {
    const snap = snapshotAt(t, k);
    if (snap.solution !== start.solution || snap.t !== t) {
      throw new ExactDlnError('exact-dln internal error: kernelDistanceOfSnapshots needs the Snapshots of these dynamics at these times.');
    }
    return snap;
  };
  return alongDynamics(start, toTimes(times, 'times'), checked, options);
}

/**
 * Distances from `reference` to `stateAt(k)` for k = 0..times.length−1; the probe geometry
 * and the reference kernel's pieces are computed once.
 */
function trace(
  reference: NetworkRepresentations,
  times: number[],
  stateAt: (k: number) => NetworkRepresentations,
  options: KernelDistanceOptions,
  referenceName: string,
  nameAt: (k: number) => string,
  solution?: RiccatiSolution,
  refined?: (k: number, d: number, geometry: ProbeGeometry) => number,
): KernelDistanceTrajectory {
  const plain = probeGeometry(options, reference.inputDim, solution === undefined);
  const geometry = solution === undefined ? plain : solutionGeometry(plain, solution);
  const ref = referenceKernel(reference, geometry, referenceName);
  const distance = times.map((_, k) => {
    const rep = stateAt(k);
    const name = nameAt(k);
    assertSameWidths(reference, rep, referenceName, name);
    const d = distanceToReference(ref, rep, geometry, name);
    return refined === undefined ? d : refined(k, d, geometry);
  });
  return { times: times.slice(), distance };
}
