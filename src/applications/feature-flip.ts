/**
 * `featureFlip`: the same task with some output features negated — a transfer target that
 * shares the source's input-side structure but contradicts part of its readout
 * (MATH.md §9).
 *
 * @module
 */
import type { Matrix } from 'ml-matrix';
import type { Task } from '../core/task.js';
import { toIndexList, toMatrix, type MatrixLike } from '../validation.js';
import { assertWhitened, cloneTask, isTask } from '../core/task-input.js';

/**
 * Negates the listed output features (rows) of a task: with D = diag(d), d_f = −1 for the
 * listed features and +1 otherwise,
 *
 *     Y' = D Y,   Σyx' = D Σyx,   Σyy' = D Σyy D,   X, Σxx unchanged.
 *
 * Σyx' has the same singular values and input-side singular vectors Ṽ as Σyx (D is
 * orthogonal), so the input representation W1ᵀW1 a network learned on the source is
 * exactly what the target needs — only the readout of the flipped features must change.
 * With one-hot hierarchical items, flipping a split feature reverses one distinction
 * (reversal learning, MATH.md §8, restricted to one output).
 *
 * Cost: O(No·(Ni + No + P)). Inputs are never mutated.
 *
 * @param task - a whitened Task, or Σyx (No×Ni) as a `Matrix` or `number[][]`.
 * @param features - distinct output-feature (row) indices in [0, No); may be empty.
 * @returns the same kind as `task`: a new Task (other fields copied) or a new Matrix.
 * @throws {@link InvalidArgumentError} if an index is not an integer in [0, No) or repeats.
 * @throws {@link NotWhitenedError} if a Task's Σxx is not the identity.
 * @example
 * ```ts
 * import { featureFlip, hierarchicalTask } from 'exact-dln';
 * console.log(featureFlip([[1, 2], [3, 4]], [1]).to2DArray()); // [[1, 2], [-3, -4]]
 * const h = featureFlip(hierarchicalTask({ depth: 2 }), [1]);
 * console.log(h.Y!.getRow(1)); // [-1, -1, 1, 1]
 * ```
 */
export function featureFlip<T extends Task>(task: T, features: readonly number[]): T;
export function featureFlip(sigmaYX: MatrixLike, features: readonly number[]): Matrix;
export function featureFlip(task: Task | MatrixLike, features: readonly number[]): Task | Matrix {
  const asTask = isTask(task);
  if (asTask) assertWhitened(task, 'task');
  const s = toMatrix(asTask ? task.sigmaYX : task, asTask ? 'task.sigmaYX' : 'task');
  const flips = toIndexList(features, 'features', s.rows, 'the output features (rows of Σyx)');
  const negateRows = (m: Matrix): Matrix => {
    for (const f of flips) for (let j = 0; j < m.columns; j++) m.set(f, j, -m.get(f, j));
    return m;
  };
  if (!asTask) return negateRows(s);
  const out = cloneTask(task);
  out.sigmaYX = negateRows(s);
  // Y and Σyy may be given as number[][] (as Σyx may): flip fresh Matrix copies, never the input.
  if (task.Y !== undefined) out.Y = negateRows(toMatrix(task.Y, 'task.Y').clone());
  // Σyy' = DΣyyD: negate the listed rows and columns (entries in both are negated twice).
  const syy = toMatrix(task.sigmaYY, 'task.sigmaYY').clone();
  out.sigmaYY = syy;
  for (const f of flips) for (let j = 0; j < syy.columns; j++) syy.set(f, j, -syy.get(f, j));
  for (const f of flips) for (let i = 0; i < syy.rows; i++) syy.set(i, f, -syy.get(i, f));
  return out;
}
