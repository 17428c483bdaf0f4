/**
 * `hierarchicalTask`: the hierarchical ("semantic") task of MATH.md §9 — items at the
 * leaves of a binary tree, one output feature per split.
 *
 * @module
 */
import { Matrix } from 'ml-matrix';
import type { Task } from '../core/task.js';
import { InvalidArgumentError } from '../errors.js';
import { assertInteger, assertKnownOptions, assertOptions } from '../validation.js';

/**
 * Largest accepted depth (2^12 = 4096 items and features: a 4096×4096 task).
 *
 * @example
 * ```ts
 * import { MAX_HIERARCHY_DEPTH } from 'exact-dln';
 * console.log(MAX_HIERARCHY_DEPTH); // 12
 * ```
 */
export const MAX_HIERARCHY_DEPTH = 12;

/**
 * Options of {@link hierarchicalTask}.
 *
 * @example
 * ```ts
 * import type { HierarchicalTaskOptions } from 'exact-dln';
 * const o: HierarchicalTaskOptions = { depth: 3, breakDegeneracy: true };
 * ```
 */
export interface HierarchicalTaskOptions {
  /** D, the depth of the binary tree: P = 2^D items and 2^D features. An integer in [1, 12]. */
  depth: number;
  /** Multiply feature i (1-based, in feature order) by 1 + 0.1/i so that all singular values differ. Default false. */
  breakDegeneracy?: boolean;
}

/**
 * A hierarchical task: a whitened {@link Task} with data plus the meaning of its features.
 *
 * @example
 * ```ts
 * import { hierarchicalTask, type HierarchicalTask } from 'exact-dln';
 * const h: HierarchicalTask = hierarchicalTask({ depth: 2 });
 * console.log(h.featureNames); // ['root', 'items 0-1 vs 2-3', 'items 0 vs 1', 'items 2 vs 3']
 * ```
 */
export type HierarchicalTask = Task & {
  /** D. */
  depth: number;
  /** Feature f's name: 'root', or 'items a-b vs c-d' for the split of a node into its two subtrees. */
  featureNames: string[];
  /** Feature f's level: 0 for the root feature, ℓ + 1 for a split of a node at tree depth ℓ (1..D). */
  levels: number[];
};

function range(a: number, b: number): string {
  return a === b ? `${a}` : `${a}-${b}`;
}

/**
 * The hierarchical task of MATH.md §9. P = 2^D items are the leaves of a complete binary
 * tree of depth D. Inputs are one-hot item codes scaled so that Σxx = I: X = sqrt(P)·I_P
 * (Ni = P; without the scale Σxx would be I/P and time would run P times slower). Outputs:
 * one feature per tree node that splits — plus the root feature —
 * - feature 0 (root): +1 for every item;
 * - the split of a node at tree depth ℓ covering items [a, b): +1 for the left half, −1 for
 *   the right half, 0 elsewhere; listed level by level, left to right (1 + 2 + … + 2^{D−1}
 *   splits), so No = 2^D features (D = 3: 1 + 1 + 2 + 4 = 8).
 *
 * The rows of Y are orthogonal, so Σyx = YXᵀ/P = Y/sqrt(P) has singular value
 * ‖row_f‖/sqrt(P) for feature f with left singular vector e_f: 1 for the root and the top
 * split, 2^{−ℓ/2} for the 2^ℓ splits at tree depth ℓ (D = 3: 1, 1, 0.707 ×2, 0.5 ×4).
 * Coarse distinctions are stronger and, from a small initialisation, learned first. Each
 * group is degenerate; `breakDegeneracy` scales feature i (1-based) by 1 + 0.1/i, which
 * makes all singular values distinct and keeps them sorted in feature order, so mode α of
 * the SVD is feature α.
 *
 * Returns Σyx (No×Ni), Σxx = I exactly, Σyy = YYᵀ/P (diagonal), `samples` = P, the data
 * X (P×P) and Y (No×P), and `featureNames`, `levels`, `depth`.
 * Cost: O(4^D) (the matrices are 2^D × 2^D).
 *
 * @param options - `{ depth, breakDegeneracy = false }`.
 * @returns the {@link HierarchicalTask}.
 * @throws {@link InvalidArgumentError} if `depth` is not an integer in [1, 12] or
 *   `breakDegeneracy` is not a boolean.
 * @throws {@link NonFiniteError} if `depth` is NaN or infinite.
 * @example
 * ```ts
 * import { hierarchicalTask } from 'exact-dln';
 * const h = hierarchicalTask({ depth: 3 });
 * console.log(h.sigmaYX.rows, h.sigmaYX.columns, h.samples); // 8 8 8
 * console.log(h.levels); // [0, 1, 2, 2, 3, 3, 3, 3]
 * console.log(h.Y!.getRow(1)); // [1, 1, 1, 1, -1, -1, -1, -1]
 * ```
 */
export function hierarchicalTask(options: HierarchicalTaskOptions): HierarchicalTask {
  assertOptions(options, 'hierarchicalTask', '{ depth, breakDegeneracy? }');
  assertKnownOptions(options, 'hierarchicalTask', {
    depth: true,
    breakDegeneracy: true,
  } satisfies Record<keyof HierarchicalTaskOptions, true>);
  const { depth } = options;
  assertInteger(depth, 'depth', 1);
  if (depth > MAX_HIERARCHY_DEPTH) {
    throw new InvalidArgumentError(
      `invalid argument. \`depth\` must be an integer in [1, ${MAX_HIERARCHY_DEPTH}] (2^depth items). Value: ${depth}.`,
      'depth',
    );
  }
  const breakDegeneracy = options.breakDegeneracy ?? false;
  if (typeof breakDegeneracy !== 'boolean') {
    throw new InvalidArgumentError(`invalid argument. \`breakDegeneracy\` must be a boolean. Value: ${String(breakDegeneracy)}.`, 'breakDegeneracy');
  }
  const p = 2 ** depth;
  const y = new Matrix(p, p);
  const featureNames: string[] = ['root'];
  const levels: number[] = [0];
  for (let item = 0; item < p; item++) y.set(0, item, 1);
  let f = 1;
  for (let level = 0; level < depth; level++) {
    const width = p >> level; // items under a node at this depth
    for (let node = 0; node < 2 ** level; node++) {
      const a = node * width;
      const half = width / 2;
      for (let item = a; item < a + half; item++) y.set(f, item, 1);
      for (let item = a + half; item < a + width; item++) y.set(f, item, -1);
      featureNames.push(`items ${range(a, a + half - 1)} vs ${range(a + half, a + width - 1)}`);
      levels.push(level + 1);
      f++;
    }
  }
  if (breakDegeneracy) {
    for (let row = 0; row < p; row++) {
      const scale = 1 + 0.1 / (row + 1);
      for (let item = 0; item < p; item++) y.set(row, item, y.get(row, item) * scale);
    }
  }
  const root = Math.sqrt(p);
  const x = Matrix.eye(p, p).mul(root);
  // Σyx = Y·Xᵀ/P = Y/sqrt(P); Σyy = YYᵀ/P (diagonal: the rows are orthogonal).
  const sigmaYX = y.clone().div(root);
  const sigmaYY = new Matrix(p, p);
  for (let row = 0; row < p; row++) {
    let s = 0;
    for (let item = 0; item < p; item++) s += y.get(row, item) ** 2;
    sigmaYY.set(row, row, s / p);
  }
  return {
    sigmaYX,
    sigmaYY,
    sigmaXX: Matrix.eye(p, p),
    samples: p,
    X: x,
    Y: y,
    depth,
    featureNames,
    levels,
  };
}
