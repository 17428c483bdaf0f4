/**
 * `reversedTask`: the task of reversal learning (MATH.md §8) — the same task with the sign
 * of some or all of its singular modes flipped.
 *
 * @module
 */
import { Matrix } from 'ml-matrix';
import { fullSvd } from '../core/svd.js';
import type { Task } from '../core/task.js';
import { InvalidArgumentError } from '../errors.js';
import { fromArray, matmul, toArray } from '../linalg/dense.js';
import { assertKnownOptions, type MatrixLike, toIndexList, toMatrix } from '../validation.js';
import { assertWhitened, cloneTask, isTask } from '../core/task-input.js';

/**
 * Options of {@link reversedTask}.
 *
 * @example
 * ```ts
 * import type { ReversedTaskOptions } from 'exact-dln';
 * const flipFirstTwo: ReversedTaskOptions = { modes: [0, 1] };
 * ```
 */
export interface ReversedTaskOptions {
  /**
   * Indices α of the singular modes to flip, into σ sorted in descending order
   * (0 = strongest), distinct integers in [0, min(Ni, No)). Default: all modes (Σyx' = −Σyx).
   */
  modes?: readonly number[];
}

/**
 * The reversal of a task (MATH.md §8): with Σyx = Σ_α σ_α ũ_α ṽ_αᵀ (descending σ, `fullSvd`),
 *
 *     Σyx' = Σyx − 2 Σ_{α ∈ modes} σ_α ũ_α ṽ_αᵀ,
 *
 * i.e. the listed modes keep their singular vectors and value but change sign. Flipping all
 * modes (the default) gives exactly −Σyx. A network that has learned Σyx then sits, for
 * each flipped mode, at a strength a = −σ relative to the new task: at λ = 0 an aligned
 * network is stuck on a saddle forever, any λ ≠ 0 escapes (see `trainSequence`, MATH.md §8)
 * — in the closed form, any λ above its rounding level, |λ| > 32·(Ni + No)·ε·‖W‖² (below it
 * λ counts as 0; docs/model.md).
 *
 * For a {@link Task} (which must be whitened, Σxx = I) the result is a Task: Σyx' as above,
 * Y' = Y − 2 M X with M = Σ_{α ∈ modes} σ_α ũ_α ṽ_αᵀ (when the task carries X and Y; Y is
 * dropped when X is missing), X, Σxx and `samples` copied, and Σyy' = Σyy unchanged — for
 * whitened inputs Y'Y'ᵀ/P = Σyy − 2MΣyxᵀ − 2ΣyxMᵀ + 4MMᵀ and MΣyxᵀ = ΣyxMᵀ = MMᵀ, so the
 * flips cancel (the loss floor ½tr Σyy − ½‖Σyx‖²_F is unchanged too, since ‖Σyx'‖ = ‖Σyx‖).
 * For a matrix the result is the matrix Σyx'. Modes with a repeated singular value have no
 * unique singular vectors: flipping only part of such a group flips one valid choice.
 *
 * Cost: one SVD of Σyx, O(Ni·No·min(Ni, No)) (none when all modes are flipped), plus
 * O(No·Ni·P) for Y'. Inputs are never mutated.
 *
 * @param task - a whitened Task, or Σyx (No×Ni) as a `Matrix` or `number[][]`.
 * @param options - `{ modes? }`, see {@link ReversedTaskOptions}.
 * @returns the same kind as `task`: a new Task, or a new Matrix.
 * @throws {@link InvalidArgumentError} if a mode index is not an integer in [0, min(Ni, No)),
 *   repeats, or `modes` is not an array.
 * @throws {@link NotWhitenedError} if a Task's Σxx is not the identity.
 * @throws {@link ShapeError} / {@link NonFiniteError} for a malformed Σyx.
 * @example
 * ```ts
 * import { reversedTask, randomTask } from 'exact-dln';
 * const all = reversedTask([[3, 0], [0, 1]]);
 * console.log(all.get(0, 0), all.get(1, 1)); // -3 -1
 * const onlyWeak = reversedTask([[3, 0], [0, 1]], { modes: [1] });
 * console.log(onlyWeak.get(0, 0), Math.abs(onlyWeak.get(1, 1) + 1) < 1e-12); // 3 true
 * const task = randomTask({ inputDim: 3, outputDim: 2, samples: 10, seed: 1 });
 * const reversed = reversedTask(task);
 * console.log(reversed.sigmaYX.get(0, 0) === -task.sigmaYX.get(0, 0)); // true
 * ```
 */
export function reversedTask<T extends Task>(task: T, options?: ReversedTaskOptions): T;
export function reversedTask(sigmaYX: MatrixLike, options?: ReversedTaskOptions): Matrix;
export function reversedTask(task: Task | MatrixLike, options: ReversedTaskOptions = {}): Task | Matrix {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError('invalid argument. The options of reversedTask must be an object { modes? }.', 'options');
  }
  assertKnownOptions(options, 'reversedTask', { modes: true } satisfies Record<keyof ReversedTaskOptions, true>);
  const asTask = isTask(task);
  if (asTask) assertWhitened(task, 'task');
  const s = toMatrix(asTask ? task.sigmaYX : task, asTask ? 'task.sigmaYX' : 'task');
  const no = s.rows;
  const ni = s.columns;
  const r = Math.min(ni, no);
  const modes = options.modes === undefined ? undefined : toIndexList(options.modes, 'modes', r, 'the singular modes (descending σ)');

  // M = Σ_{α ∈ modes} σ_α ũ_α ṽ_αᵀ (or Σyx itself when every mode is flipped).
  let m: Matrix;
  if (modes === undefined || modes.length === r) {
    m = s;
  } else {
    const { u, s: sigma, v } = fullSvd(s);
    m = new Matrix(no, ni);
    for (const a of modes) {
      for (let o = 0; o < no; o++) {
        const uo = sigma[a] * u.get(o, a);
        if (uo === 0) continue;
        for (let i = 0; i < ni; i++) m.set(o, i, m.get(o, i) + uo * v.get(i, a));
      }
    }
  }
  const flipped = m === s ? s.clone().neg() : s.clone().sub(m.clone().mul(2));
  if (!asTask) return flipped;

  const out = cloneTask(task);
  out.sigmaYX = flipped;
  if (task.X !== undefined && task.Y !== undefined) {
    const x = toMatrix(task.X, 'task.X');
    const y = toMatrix(task.Y, 'task.Y');
    const p = x.columns;
    if (m === s) {
      out.Y = y.neg();
    } else {
      const mx = matmul(toArray(m), toArray(x), no, ni, p);
      const ya = toArray(y);
      for (let k = 0; k < ya.length; k++) ya[k] -= 2 * mx[k];
      out.Y = fromArray(ya, no, p);
    }
  } else {
    delete out.Y;
  }
  return out;
}
