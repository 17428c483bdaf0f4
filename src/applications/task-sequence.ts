/**
 * `trainSequence`: exact learning trajectories across a sequence of tasks — continual
 * learning (MATH.md §7).
 *
 * @module
 */
import type { Matrix } from 'ml-matrix';
import { exactDynamics, buildDynamics, type ExactDynamics } from '../core/exact-dynamics.js';
import type { Snapshot } from '../core/snapshot.js';
import type { Task } from '../core/task.js';
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { toArray } from '../linalg/dense.js';
import {
  assertGridPoints,
  assertInteger,
  assertKnownOptions,
  assertOptions,
  assertPositiveNumber,
  assertTime,
  type MatrixLike,
  optionalNumber,
  toMatrix,
  toTimes,
} from '../validation.js';
import { sigmaYXOf } from '../core/task-input.js';

/**
 * Default number of grid points per segment (both ends included) when `times` is omitted.
 *
 * @example
 * ```ts
 * import { DEFAULT_POINTS_PER_SEGMENT } from 'exact-dln';
 * console.log(DEFAULT_POINTS_PER_SEGMENT); // 101
 * ```
 */
export const DEFAULT_POINTS_PER_SEGMENT = 101;

/**
 * One stage of a task sequence: train on a task (given as a whitened {@link Task} or
 * directly by its Σyx — exactly one of the two) for `duration` (in units of t, > 0).
 *
 * @example
 * ```ts
 * import { randomTask, type SequenceStage } from 'exact-dln';
 * const stage: SequenceStage = { task: randomTask({ inputDim: 2, outputDim: 2, samples: 10, seed: 1 }), duration: 20 };
 * const byCovariance: SequenceStage = { sigmaYX: [[1, 0], [0, 0.5]], duration: 20 };
 * ```
 */
export interface SequenceStage {
  /** The task (must be whitened: Σxx = I to 1e-8). */
  task?: Task;
  /** Or its input–output covariance Σyx directly (No×Ni). */
  sigmaYX?: MatrixLike;
  /** How long this task is trained, a finite number > 0 (same units as t). */
  duration: number;
}

/**
 * Options of {@link trainSequence}.
 *
 * @example
 * ```ts
 * import type { TrainSequenceOptions } from 'exact-dln';
 * const o: TrainSequenceOptions = {
 *   w1: [[0.1, 0], [0, 0.1]], w2: [[0.1, 0], [0, 0.1]],
 *   tasks: [{ sigmaYX: [[1, 0], [0, 0.5]], duration: 10 }, { sigmaYX: [[0, 1], [1, 0]], duration: 10 }],
 * };
 * ```
 */
export interface TrainSequenceOptions {
  /** W1(0), hidden×input (Nh×Ni); together with `w2` λ-balanced. */
  w1: MatrixLike;
  /** W2(0), output×hidden (No×Nh). */
  w2: MatrixLike;
  /** The stages, trained one after the other; every task must be No×Ni. At least one. */
  tasks: readonly SequenceStage[];
  /** Time constant τ > 0 of the gradient flow; default 1. */
  tau?: number;
  /**
   * Global times in [0, total duration] at which to record the losses (any order; kept as
   * given). Default: {@link DEFAULT_POINTS_PER_SEGMENT} evenly spaced points per segment,
   * both ends included (so every switch time is on the grid, once).
   */
  times?: readonly number[];
  /** Points per segment of the default grid (integer ≥ 2); ignored when `times` is given. Default 101. */
  pointsPerSegment?: number;
  /** Largest accepted relative balance residual of w1, w2 (as in `exactDynamics`); default 1e-8. */
  balanceTolerance?: number;
}

/**
 * One segment of a {@link TaskSequence}: the exact dynamics of stage `index`, started from
 * the state reached at the end of the previous segment.
 *
 * @example
 * ```ts
 * import { trainSequence, type SequenceSegment } from 'exact-dln';
 * const seq = trainSequence({ w1: [[0.1]], w2: [[0.1]], tasks: [{ sigmaYX: [[1]], duration: 5 }, { sigmaYX: [[-1]], duration: 5 }] });
 * const second: SequenceSegment = seq.segments[1];
 * console.log(second.start, second.end); // 5 10
 * console.log(second.dynamics.at(2).t); // 7
 * ```
 */
export interface SequenceSegment {
  /** Index of the stage in `tasks`. */
  readonly index: number;
  /** Global start time (the sum of the earlier durations). */
  readonly start: number;
  /** Global end time, start + duration. */
  readonly end: number;
  /** The stage's duration. */
  readonly duration: number;
  /** The stage's Σyx (No×Ni): a fresh copy at every read. */
  readonly sigmaYX: Matrix;
  /**
   * The exact dynamics of this segment on its task. `dynamics.at(s)` takes the time s ∈
   * [0, duration] elapsed since the segment started and returns a Snapshot whose `t` is the
   * global time start + s (its `loss`, `sigma` and `singularProduct` refer to this
   * segment's task). Beyond `duration` it continues on this segment's task as if the next
   * one never came — a counterfactual, not the sequence: the sequence's state at a global
   * time t is `seq.at(t)`.
   */
  readonly dynamics: ExactDynamics;
}

/**
 * The result of {@link trainSequence}.
 *
 * @example
 * ```ts
 * import { trainSequence, type TaskSequence } from 'exact-dln';
 * const seq: TaskSequence = trainSequence({ w1: [[0.1]], w2: [[0.1]], tasks: [{ sigmaYX: [[1]], duration: 5 }] });
 * console.log(seq.times.length, seq.losses.length); // 101 1
 * ```
 */
export interface TaskSequence {
  /** λ of the initial weights, conserved through every switch (MATH.md §7). */
  readonly lambda: number;
  /** The time constant τ. */
  readonly tau: number;
  /** Ni, Nh, No. */
  readonly inputDim: number;
  readonly hiddenDim: number;
  readonly outputDim: number;
  /** The sum of all durations: the sequence covers t ∈ [0, totalDuration]. */
  readonly totalDuration: number;
  /** The recorded global times (the `times` option, or the default grid). */
  readonly times: number[];
  /** The K − 1 global times at which the task changes (end of segment k = start of k + 1). */
  readonly switchTimes: number[];
  /** The K segments, in order. */
  readonly segments: SequenceSegment[];
  /** The K tasks' Σyx, in stage order: fresh copies at every read. */
  readonly sigmaYXs: Matrix[];
  /**
   * losses[i][k] = ½‖Σyx_i − W2W1(times[k])‖²_F: the excess loss L_i − L_i* of every stage's
   * task i at every recorded time (not only while it is trained).
   */
  readonly losses: number[][];
  /**
   * The exact state at global time t ∈ [0, totalDuration]. At a switch time it returns the
   * state at the end of the earlier segment (equal to the start of the next one). The
   * Snapshot's `t` is global; its `loss`, `sigma` and `singularProduct` refer to the task of
   * the segment that contains t.
   */
  at(t: number): Snapshot;
  /** Index of the segment whose task is trained at time t (the earlier one at a switch). */
  segmentAt(t: number): number;
}

/**
 * ½‖a − b‖²_F for row-major arrays of equal length: the excess loss of a network W for a
 * task Σyx with whitened inputs (MATH.md §1). O(length).
 * @internal
 */
export function halfSquaredDistance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) {
    const d = a[k] - b[k];
    s += d * d;
  }
  return 0.5 * s;
}

/**
 * Trains a two-layer linear network on a sequence of tasks with exact trajectories
 * (MATH.md §7): stage k is trained for its `duration`, starting from the state reached at
 * the end of stage k − 1. The balance W2ᵀW2 − W1W1ᵀ = λI does not depend on the data,
 * so it is conserved across switches and each segment is again a closed-form Riccati
 * solution (MATH.md §3–§4) with F built from the new Σyx. Each restart uses the previous
 * segment's end-state factor [W1ᵀ; W2]·R (an exact factor of QQᵀ; `Snapshot.factor`), so no
 * eigendecomposition of QQᵀ is needed and nothing is approximated: the chained trajectory
 * is exactly gradient flow with a piecewise-constant task.
 *
 * Losses: for whitened inputs the excess loss of task i at network W = W2W1 is
 * ½‖Σyx_i − W‖²_F (MATH.md §1), so all K tasks are scored at every recorded time from the
 * No×Ni matrix W alone — QQᵀ is never built.
 *
 * Shapes: w1 Nh×Ni, w2 No×Nh, every task No×Ni (Σxx = I).
 * Cost: one SVD of each Σyx and O(N·Nh²) set-up per segment (N = Ni + No), then per
 * recorded time O(N·Nh² + Nh³ + Ni·No·Nh) for the state and O(K·Ni·No) for the K losses.
 * Inputs are never mutated.
 *
 * @param options - see {@link TrainSequenceOptions}.
 * @returns the {@link TaskSequence}: times, switch times, segments, all losses and `at(t)`.
 * @throws {@link InvalidArgumentError} if `tasks` is empty or not an array, a stage gives
 *   both or neither of `task`/`sigmaYX`, a duration is not > 0, a time lies outside
 *   [0, total duration] (the message names `tasks[k].duration` or `times[k]`).
 * @throws {@link NonFiniteError} for a NaN or infinite duration, time or matrix entry.
 * @throws {@link ShapeError} if a task is not No×Ni (`tasks[k]`) or the weights do not fit.
 * @throws {@link NotWhitenedError} if a Task's Σxx is not the identity.
 * @throws {@link NotBalancedError} if w1, w2 are not λ-balanced.
 * @example
 * ```ts
 * import { trainSequence, lambdaBalancedWeights, randomTask } from 'exact-dln';
 * const a = randomTask({ inputDim: 3, outputDim: 3, samples: 20, seed: 1 });
 * const b = randomTask({ inputDim: 3, outputDim: 3, samples: 20, seed: 2 });
 * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 1, scale: 0.1, seed: 3 });
 * const seq = trainSequence({ w1, w2, tasks: [{ task: a, duration: 30 }, { task: b, duration: 30 }] });
 * console.log(seq.switchTimes); // [30]
 * console.log(seq.losses[0][100] < 1e-9); // true: task a learned at t = 30
 * console.log(seq.losses[1][200] < 1e-9); // true: then task b
 * console.log(seq.at(45).t); // 45
 * ```
 */
export function trainSequence(options: TrainSequenceOptions): TaskSequence {
  assertOptions(options, 'trainSequence', '{ w1, w2, tasks, tau?, times?, pointsPerSegment?, balanceTolerance? }');
  assertKnownOptions(options, 'trainSequence', {
    w1: true,
    w2: true,
    tasks: true,
    tau: true,
    times: true,
    pointsPerSegment: true,
    balanceTolerance: true,
  } satisfies Record<keyof TrainSequenceOptions, true>);
  const w1 = toMatrix(options.w1, 'w1');
  const w2 = toMatrix(options.w2, 'w2');
  const tau = optionalNumber(options.tau, 1, 'tau', assertPositiveNumber);
  const { tasks } = options;
  if (!Array.isArray(tasks) || tasks.length === 0) {
    throw new InvalidArgumentError(
      `invalid argument. \`tasks\` must be a non-empty array of stages { task | sigmaYX, duration }. Value: ${
        Array.isArray(tasks) ? 'an empty array' : String(tasks)
      }.`,
      'tasks',
    );
  }
  const ni = w1.columns;
  const no = w2.rows;
  const sigmaYXs: Matrix[] = [];
  const durations: number[] = [];
  // An index loop, not forEach: forEach skips the holes of a sparse array ([a, , b]), and a
  // missing stage must be refused, not dropped.
  let total = 0;
  for (let k = 0; k < tasks.length; k++) {
    const stage: unknown = tasks[k];
    const name = `tasks[${k}]`;
    assertOptions(stage, name, '{ task | sigmaYX, duration }');
    assertKnownOptions(stage, `the stage \`${name}\``, { task: true, sigmaYX: true, duration: true } satisfies Record<keyof SequenceStage, true>);
    const hasTask = stage.task !== undefined;
    const hasSigma = stage.sigmaYX !== undefined;
    if (hasTask === hasSigma) {
      throw new InvalidArgumentError(
        `invalid argument. \`${name}\` must give exactly one of \`task\` and \`sigmaYX\`; it gives ${hasTask ? 'both' : 'neither'}.`,
        name,
      );
    }
    const s = hasTask ? sigmaYXOf(stage.task, `${name}.task`) : toMatrix(stage.sigmaYX, `${name}.sigmaYX`);
    if (s.rows !== no || s.columns !== ni) {
      throw new ShapeError(
        `invalid argument. \`${name}\` must be a task with Σyx of shape output×input = ${no}×${ni} ` +
          `(w2.rows × w1.columns${k > 0 ? ', like the earlier tasks' : ''}). Value: ${s.rows}×${s.columns}.`,
        name,
      );
    }
    assertPositiveNumber(stage.duration, `${name}.duration`);
    total += stage.duration as number;
    if (total === Number.POSITIVE_INFINITY) {
      throw new InvalidArgumentError(
        `invalid argument. \`${name}.duration\` (${String(stage.duration)}) makes the total duration of the sequence overflow ` +
          `(the durations up to it add up to more than ${Number.MAX_VALUE}).`,
        `${name}.duration`,
      );
    }
    sigmaYXs.push(s);
    durations.push(stage.duration as number);
  }

  // Segments, chained through the end-state factors.
  const segments: SequenceSegment[] = [];
  let start = 0;
  let dyn = exactDynamics({ w1, w2, sigmaYX: sigmaYXs[0], tau, balanceTolerance: options.balanceTolerance });
  const nh = dyn.hiddenDim;
  for (let k = 0; k < sigmaYXs.length; k++) {
    if (k > 0) {
      const previous = segments[k - 1];
      const factor = toArray(previous.dynamics.at(previous.duration).factor);
      dyn = buildDynamics(factor, ni, nh, no, dyn.lambda, sigmaYXs[k], tau, start);
    }
    const end = start + durations[k];
    const sigma = sigmaYXs[k];
    segments.push({
      index: k,
      start,
      end,
      duration: durations[k],
      get sigmaYX() {
        return sigma.clone(); // a fresh copy at every read: ml-matrix's arithmetic is in place
      },
      dynamics: dyn,
    });
    start = end;
  }
  const totalDuration = start;
  const lambda = segments[0].dynamics.lambda;

  const segmentAt = (t: number): number => {
    assertTime(t, 't');
    if (t > totalDuration) {
      throw new InvalidArgumentError(
        `invalid argument. \`t\` must lie in [0, ${totalDuration}] (the total duration of the sequence). Value: ${t}.`,
        't',
      );
    }
    let k = 0;
    while (k < segments.length - 1 && t > segments[k].end) k++;
    return k;
  };
  const at = (t: number): Snapshot => {
    const seg = segments[segmentAt(t)];
    return seg.dynamics.at(Math.min(Math.max(t - seg.start, 0), seg.duration));
  };

  let times: number[];
  if (options.times !== undefined) {
    times = toTimes(options.times, 'times');
    times.forEach((t, i) => {
      if (t > totalDuration) {
        throw new InvalidArgumentError(
          `invalid argument. \`times[${i}]\` must lie in [0, ${totalDuration}] (the total duration of the sequence). Value: ${t}.`,
          'times',
        );
      }
    });
  } else {
    const points = optionalNumber(options.pointsPerSegment, DEFAULT_POINTS_PER_SEGMENT, 'pointsPerSegment', (x, n) =>
      assertGridPoints(x, n, 2, segments.length),
    );
    times = [0];
    for (const seg of segments) {
      for (let j = 1; j < points; j++) times.push(j === points - 1 ? seg.end : seg.start + (seg.duration * j) / (points - 1));
    }
  }

  const targets = sigmaYXs.map(toArray);
  const losses: number[][] = sigmaYXs.map(() => new Array<number>(times.length));
  times.forEach((t, k) => {
    const w = toArray(at(t).w2w1);
    for (let i = 0; i < targets.length; i++) losses[i][k] = halfSquaredDistance(targets[i], w);
  });

  return {
    lambda,
    tau,
    inputDim: ni,
    hiddenDim: nh,
    outputDim: no,
    totalDuration,
    times,
    switchTimes: segments.slice(0, -1).map((s) => s.end),
    segments,
    get sigmaYXs() {
      return sigmaYXs.map((s) => s.clone()); // fresh copies at every read
    },
    losses,
    at,
    segmentAt,
  };
}
