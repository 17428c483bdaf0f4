/**
 * Forgetting in continual learning (MATH.md §7): how much a task's loss grows after its
 * own training ended, along the exact trajectory and at convergence.
 *
 * @module
 */
import type { Matrix } from 'ml-matrix';
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { toArray } from '../linalg/dense.js';
import { assertOptions, type MatrixLike } from '../validation.js';
import { halfSquaredDistance, type TaskSequence } from './task-sequence.js';
import { sigmaYXOf } from '../core/task-input.js';
import type { Task } from '../core/task.js';

/**
 * The result of {@link forgetting}.
 *
 * @example
 * ```ts
 * import { forgetting, trainSequence, type Forgetting } from 'exact-dln';
 * const seq = trainSequence({ w1: [[0.5]], w2: [[0.5]], tasks: [{ sigmaYX: [[1]], duration: 20 }, { sigmaYX: [[2]], duration: 20 }] });
 * const f: Forgetting = forgetting(seq, 0);
 * console.log(f.times[0]); // 20
 * ```
 */
export interface Forgetting {
  /** The stage whose forgetting is measured. */
  taskIndex: number;
  /** The end of that stage's own training, t_i = segments[i].end. */
  endTime: number;
  /** L_i(t_i) = ½‖Σyx_i − W2W1(t_i)‖²_F: the task's loss when its training stopped. */
  reference: number;
  /** The recorded times t ≥ t_i of the sequence (in the sequence's order). */
  times: number[];
  /** F_i(t) = L_i(t) − L_i(t_i) at each of `times` (0 at t_i; > 0 means forgotten). */
  forgetting: number[];
}

function checkIndex(value: unknown, name: string, count: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= count) {
    throw new InvalidArgumentError(
      `invalid argument. \`${name}\` must be an integer task index in [0, ${count}). Value: ${String(value)}.`,
      name,
    );
  }
  return value;
}

/**
 * The forgetting of stage i of a task sequence (MATH.md §7):
 * F_i(t) = L_i(t) − L_i(t_i) for t ≥ t_i, where t_i is the end of stage i's own segment and
 * L_i(t) = ½‖Σyx_i − W2W1(t)‖²_F its excess loss (whitened inputs). F_i > 0 means the later
 * tasks undid part of what task i taught; F_i < 0 that they helped it. During the
 * transients F_i depends on λ and the initialisation; once each later task is learned it
 * depends only on task similarity (see {@link convergedForgetting}).
 *
 * Reads `sequence.losses[i]` at the recorded times t ≥ t_i; L_i(t_i) is evaluated exactly
 * at t_i (whether or not t_i is on the grid). Cost: one state evaluation plus O(T).
 *
 * @param sequence - a {@link TaskSequence} from `trainSequence`.
 * @param taskIndex - the stage i, an integer in [0, K).
 * @returns `{ taskIndex, endTime, reference, times, forgetting }`.
 * @throws {@link InvalidArgumentError} if `taskIndex` is not an integer in [0, K) or
 *   `sequence` is not a TaskSequence.
 * @example
 * ```ts
 * import { forgetting, trainSequence } from 'exact-dln';
 * // λ = 0.75-balanced weights (W2ᵀW2 − W1W1ᵀ = I − 0.25·I); task 2 reverses the second mode.
 * const seq = trainSequence({
 *   w1: [[0.5, 0], [0, 0.5]], w2: [[1, 0], [0, 1]],
 *   tasks: [{ sigmaYX: [[1, 0], [0, 1]], duration: 40 }, { sigmaYX: [[1, 0], [0, -1]], duration: 40 }],
 * });
 * const f = forgetting(seq, 0);
 * console.log(f.forgetting[0]); // 0
 * console.log(Math.round(f.forgetting[f.forgetting.length - 1] * 1e6) / 1e6); // 2 (= ½‖Σ₂ − Σ₁‖²)
 * ```
 */
export function forgetting(sequence: TaskSequence, taskIndex: number): Forgetting {
  assertOptions(sequence, 'forgetting', '(a TaskSequence from trainSequence)');
  if (!Array.isArray(sequence.segments) || !Array.isArray(sequence.losses) || !Array.isArray(sequence.sigmaYXs) || typeof sequence.at !== 'function') {
    throw new InvalidArgumentError('invalid argument. `sequence` must be a TaskSequence returned by trainSequence.', 'sequence');
  }
  const i = checkIndex(taskIndex, 'taskIndex', sequence.segments.length);
  const endTime = sequence.segments[i].end;
  const reference = halfSquaredDistance(toArray(sequence.sigmaYXs[i]), toArray(sequence.at(endTime).w2w1));
  const times: number[] = [];
  const values: number[] = [];
  sequence.times.forEach((t, k) => {
    if (t >= endTime) {
      times.push(t);
      values.push(sequence.losses[i][k] - reference);
    }
  });
  return { taskIndex: i, endTime, reference, times, forgetting: values };
}

/**
 * Forgetting at convergence (MATH.md §7): after converging on task j and then on task k,
 * the loss of task i has changed by
 *
 *     F_i = ½(‖Σyx_k − Σyx_i‖²_F − ‖Σyx_j − Σyx_i‖²_F),
 *
 * because with whitened inputs the loss of task i at network W is ½‖Σyx_i − W‖²_F + const
 * and converging on a task sets W to its Σyx. That needs no bottleneck and a start from
 * which the task is reachable: always for λ ≠ 0 (generic start); at λ = 0 not from a
 * reversed mode (MATH.md §8) and, when Ni = No, only if sign det W2W1 = sign det Σyx —
 * λ = 0 conserves that sign, so the flow otherwise stops on the saddle that misses the
 * weakest mode (test/applications/reversal.test.ts). With j = i this is the forgetting
 * ½‖Σyx_k − Σyx_i‖²_F of task i relative to the end of its own (converged) training. It
 * depends only on task similarity, not on λ or the initialisation.
 *
 * Cost: O(Ni·No). Inputs are never mutated.
 *
 * @param sigmaYXs - the tasks, each a Σyx matrix (No×Ni) or a whitened Task.
 * @param i - the task whose loss is measured.
 * @param j - the task converged on first.
 * @param k - the task converged on afterwards.
 * @returns F_i (may be negative: task k is closer to task i than task j was).
 * @throws {@link InvalidArgumentError} if `sigmaYXs` is not an array or an index is not an integer in range.
 * @throws {@link ShapeError} if the three tasks do not have the same shape.
 * @throws {@link NotWhitenedError} if a Task is not whitened.
 * @example
 * ```ts
 * import { convergedForgetting } from 'exact-dln';
 * const tasks = [[[1, 0], [0, 1]], [[1, 0], [0, -1]], [[0, 1], [1, 0]]];
 * console.log(convergedForgetting(tasks, 0, 0, 1)); // 2
 * console.log(convergedForgetting(tasks, 0, 1, 2)); // 0
 * ```
 */
export function convergedForgetting(
  sigmaYXs: ReadonlyArray<MatrixLike | Task>,
  i: number,
  j: number,
  k: number,
): number {
  if (!Array.isArray(sigmaYXs)) {
    throw new InvalidArgumentError(
      `invalid argument. \`sigmaYXs\` must be an array of tasks (Σyx matrices or Tasks). Value: ${String(sigmaYXs)}.`,
      'sigmaYXs',
    );
  }
  const n = sigmaYXs.length;
  const [a, b, c] = [checkIndex(i, 'i', n), checkIndex(j, 'j', n), checkIndex(k, 'k', n)];
  const si = sigmaYXOf(sigmaYXs[a], `sigmaYXs[${a}]`);
  const same = (m: Matrix, idx: number): Float64Array => {
    if (m.rows !== si.rows || m.columns !== si.columns) {
      throw new ShapeError(
        `invalid argument. \`sigmaYXs[${idx}]\` must have the shape of sigmaYXs[${a}], ${si.rows}×${si.columns}. Value: ${m.rows}×${m.columns}.`,
        `sigmaYXs[${idx}]`,
      );
    }
    return toArray(m);
  };
  // Every task is checked, not only the three used: a bad entry is a bad argument.
  const all = Array.from(sigmaYXs, (t, idx) => (idx === a ? toArray(si) : same(sigmaYXOf(t, `sigmaYXs[${idx}]`), idx)));
  const [ti, tj, tk] = [all[a], all[b], all[c]];
  return halfSquaredDistance(tk, ti) - halfSquaredDistance(tj, ti);
}
