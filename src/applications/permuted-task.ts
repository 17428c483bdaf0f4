/**
 * `permutedTask`: the same task structure with the items reassigned — a transfer target
 * that shares a source task's singular values but not its input-side singular vectors
 * (MATH.md §9).
 *
 * @module
 */
import type { Task } from '../core/task.js';
import { InvalidArgumentError } from '../errors.js';
import { fromArray, matmulT, toArray } from '../linalg/dense.js';
import { toMatrix, toPermutation } from '../validation.js';
import { assertWhitened, cloneTask, isTask } from '../core/task-input.js';

/**
 * Permutes the items of a task: the targets of item p become those of item
 * `permutation[p]`, the inputs stay where they are. With Y' = Y Π (column p of Y' is column
 * `permutation[p]` of Y) and X unchanged,
 *
 *     Σyx' = Y'Xᵀ/P,   Σyy' = Y'Y'ᵀ/P = Σyy,   Σxx' = Σxx.
 *
 * For one-hot items (X = sqrt(P)·I, e.g. {@link hierarchicalTask}) Σyx' is Σyx with its
 * columns permuted: the same singular values and output-side singular vectors Ũ, the
 * input-side vectors Ṽ permuted. So the output structure (the hierarchy) is preserved
 * but which input carries which item changes — what was learned about inputs must be
 * relearned, what was learned about outputs can be reused. All other fields (e.g.
 * `featureNames`, `levels`) are copied.
 *
 * Cost: O(No·Ni·P). Inputs are never mutated.
 *
 * @param task - a whitened Task with data X (Ni×P) and Y (No×P).
 * @param permutation - a permutation of 0..P−1 (P = number of samples = columns of Y).
 * @returns a new Task of the same kind.
 * @throws {@link InvalidArgumentError} if `permutation` is not a permutation of 0..P−1, or the
 *   task carries no data X, Y (a task given only by Σyx has no items to permute).
 * @throws {@link NotWhitenedError} if the task's Σxx is not the identity.
 * @example
 * ```ts
 * import { hierarchicalTask, permutedTask } from 'exact-dln';
 * const h = hierarchicalTask({ depth: 2 });
 * const swapped = permutedTask(h, [3, 2, 1, 0]);
 * console.log(swapped.Y!.getRow(1)); // [-1, -1, 1, 1]
 * console.log(swapped.featureNames[0]); // root
 * ```
 */
export function permutedTask<T extends Task>(task: T, permutation: readonly number[]): T {
  if (!isTask(task)) {
    throw new InvalidArgumentError('invalid argument. `task` must be a Task with data X and Y (e.g. from hierarchicalTask).', 'task');
  }
  assertWhitened(task, 'task');
  if (task.X === undefined || task.Y === undefined) {
    throw new InvalidArgumentError(
      'invalid argument. `task` must carry its data X and Y to permute its items; a task given only by Σyx has no items.',
      'task',
    );
  }
  const x = toMatrix(task.X, 'task.X');
  const y = toMatrix(task.Y, 'task.Y');
  const p = y.columns;
  const perm = toPermutation(permutation, p, 'permutation');
  const no = y.rows;
  const ni = x.rows;
  const ya = new Float64Array(no * p);
  for (let o = 0; o < no; o++) for (let k = 0; k < p; k++) ya[o * p + k] = y.get(o, perm[k]);
  const sigmaYX = matmulT(ya, toArray(x), no, p, ni);
  for (let k = 0; k < sigmaYX.length; k++) sigmaYX[k] /= p;
  const out = cloneTask(task);
  out.Y = fromArray(ya, no, p);
  out.sigmaYX = fromArray(sigmaYX, no, ni);
  return out;
}
