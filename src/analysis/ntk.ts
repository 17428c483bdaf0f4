/**
 * `ntk`: the full Neural Tangent Kernel matrix of a two-layer linear network on a set of
 * probe inputs (MATH.md §6). For distances between kernels use `kernelDistance`, which
 * never builds this matrix.
 *
 * @module
 */
import { Matrix } from 'ml-matrix';
import { InvalidArgumentError } from '../errors.js';
import { matmul, tmatmul, toArray } from '../linalg/dense.js';
import { assertKnownOptions, assertShape, type MatrixLike, notRepresentable, toMatrix } from '../validation.js';
import { representationsOf, type NetworkState } from './network-representations.js';

/**
 * Largest side P'·No of the NTK matrix {@link ntk} builds without `allowLarge: true`
 * (4096: a 4096×4096 matrix of doubles already takes 128 MiB).
 */
export const NTK_MAX_SIZE = 4096;

/**
 * Options of {@link ntk}.
 *
 * @example
 * ```ts
 * import type { NtkOptions } from 'exact-dln';
 * const options: NtkOptions = { allowLarge: true };
 * ```
 */
export interface NtkOptions {
  /** Build the matrix even if P'·No exceeds {@link NTK_MAX_SIZE} (default false). */
  allowLarge?: boolean;
}

/**
 * The Neural Tangent Kernel of f(x) = W2W1x with respect to all parameters (W1, W2), on
 * the probe inputs X' = [x_1 … x_P'] (MATH.md §6):
 *
 *     K = I_No ⊗ (X'ᵀ W1ᵀW1 X') + (W2W2ᵀ) ⊗ (X'ᵀ X')        ((P'·No)×(P'·No)),
 *
 * ordered output-major: row/column index o·P' + p belongs to output unit o and probe p, and
 * one entry is
 *
 *     K[o·P' + p, o'·P' + p'] = Σ_θ ∂f_o(x_p)/∂θ · ∂f_o'(x_p')/∂θ
 *                             = δ_oo'·x_pᵀ W1ᵀW1 x_p' + (W2W2ᵀ)_oo'·x_pᵀ x_p'.
 *
 * The first term is the contribution of the second-layer parameters (hidden
 * representations W1x compared by inner product), the second that of the first-layer
 * parameters. K depends on the weights only through W1ᵀW1 and W2W2ᵀ; it is symmetric
 * positive semi-definite and is returned exactly symmetric.
 *
 * Shapes: `network` is a Snapshot or `{ w1: Nh×Ni, w2: No×Nh }`, `inputs` is Ni×P'.
 * Cost: O(Ni²·P' + Ni·P'²) for the two P'×P' blocks and O((P'·No)²) to fill K (memory
 * 8·(P'·No)² bytes), plus O(Nh·(Ni² + No²)) for W1ᵀW1 and W2W2ᵀ from weights.
 * Inputs are never mutated.
 *
 * @param network - a Snapshot (from `exactDynamics(...).at(t)`) or weights `{ w1, w2 }`.
 * @param inputs - the probe inputs X', Ni×P'.
 * @param options - `{ allowLarge? }`.
 * @returns K, a fresh (P'·No)×(P'·No) Matrix.
 * @throws {@link InvalidArgumentError} if P'·No > {@link NTK_MAX_SIZE} (4096) without
 *   `allowLarge: true` (checked before anything is allocated), if `allowLarge` is not a
 *   boolean, if `network` is neither a Snapshot nor a weight pair, if an entry of K
 *   overflows (probes or weights above ≈ 1e154), or if K does not fit in memory.
 * @throws {@link ShapeError} if `inputs` does not have Ni rows, or the weights do not fit.
 * @throws {@link NonFiniteError} for NaN or infinite entries.
 * @example
 * ```ts
 * import { ntk } from 'exact-dln';
 * // Ni = 2, Nh = 1, No = 2; two probes.
 * const K = ntk({ w1: [[1, 0]], w2: [[1], [2]] }, [[1, 0], [0, 1]]);
 * console.log(K.rows); // 4 = P'·No
 * console.log(K.get(0, 0)); // 2: x_1ᵀW1ᵀW1x_1 + (W2W2ᵀ)_00·x_1ᵀx_1 = 1 + 1
 * console.log(K.get(0, 2)); // 2: output 0 vs output 1, same probe: (W2W2ᵀ)_01·x_1ᵀx_1
 * ```
 */
export function ntk(network: NetworkState, inputs: MatrixLike, options: NtkOptions = {}): Matrix {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('invalid argument. The options of ntk must be an object { allowLarge? }.', 'options');
  }
  assertKnownOptions(options, 'ntk', { allowLarge: true } satisfies Record<keyof NtkOptions, true>);
  const allowLarge = options.allowLarge ?? false;
  if (typeof allowLarge !== 'boolean') {
    throw new InvalidArgumentError(
      `invalid argument. \`allowLarge\` must be a boolean. Value: ${String(allowLarge)}.`,
      'allowLarge',
    );
  }
  const rep = representationsOf(network, 'network');
  const x = toMatrix(inputs, 'inputs');
  const ni = rep.inputDim;
  const no = rep.outputDim;
  assertShape(x, ni, undefined, 'inputs', `input×probes; the network has Ni = ${ni} inputs`);
  const p = x.columns;
  const size = p * no;
  if (size > NTK_MAX_SIZE && !allowLarge) {
    throw new InvalidArgumentError(
      `invalid argument. The NTK on ${p} probes with ${no} outputs would be ${size}×${size} (P′·No = ${size} > ${NTK_MAX_SIZE}, ` +
        `${((8 * size * size) / 2 ** 20).toFixed(0)} MiB). Pass { allowLarge: true } to build it anyway, or use kernelDistance, ` +
        `which never builds the matrix.`,
      'inputs',
    );
  }
  try {
    return kernelMatrix(rep.a, rep.r, toArray(x), ni, no, p);
  } catch (error) {
    // { allowLarge: true } with tens of thousands of probes: the P′×P′ products or the matrix
    // itself do not fit in memory (a raw "Array buffer allocation failed" before).
    if (!(error instanceof RangeError)) throw error;
    throw new InvalidArgumentError(
      `invalid argument. The NTK on ${p} probes with ${no} outputs (${size}×${size}, ${((8 * size * size) / 2 ** 30).toFixed(1)} GiB, ` +
        `and P′×P′ products of ${((8 * p * p) / 2 ** 30).toFixed(1)} GiB each) does not fit in memory (${error.message}); ` +
        'use kernelDistance, which never builds the matrix, or fewer probes.',
      'inputs',
    );
  }
}

/** K = I ⊗ X′ᵀAX′ + R ⊗ X′ᵀX′ (size No·P′), refusing entries that overflow. */
function kernelMatrix(a: Float64Array, r: Float64Array, xa: Float64Array, ni: number, no: number, p: number): Matrix {
  const size = no * p;
  const s = matmul(a, xa, ni, ni, p);
  const inner = tmatmul(xa, s, ni, p, p); // X'ᵀ A X'
  const gram = tmatmul(xa, xa, ni, p, p); // X'ᵀ X' (exactly symmetric)
  for (let i = 0; i < p; i++) {
    for (let j = i + 1; j < p; j++) {
      const v = 0.5 * (inner[i * p + j] + inner[j * p + i]);
      inner[i * p + j] = v;
      inner[j * p + i] = v;
    }
  }
  const k = new Matrix(size, size);
  let bad = 0; // the first entry that overflowed, if any
  for (let o = 0; o < no; o++) {
    for (let o2 = 0; o2 < no; o2++) {
      const roo = r[o * no + o2];
      const same = o === o2;
      for (let i = 0; i < p; i++) {
        const row = o * p + i;
        for (let j = 0; j < p; j++) {
          const v = (same ? inner[i * p + j] : 0) + roo * gram[i * p + j];
          if (bad === 0 && !Number.isFinite(v)) bad = v;
          k.set(row, o2 * p + j, v);
        }
      }
    }
  }
  // Probes or weights above ≈ 1e154 overflowed X′ᵀX′ or X′ᵀAX′ (and 0·∞ made NaN entries).
  if (bad !== 0) throw notRepresentable('The NTK', 'inputs', bad);
  return k;
}
