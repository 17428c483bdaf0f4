/**
 * QQᵀ from a pair of weights, the quantity the closed form predicts (MATH.md §3).
 *
 * @module
 */
import { Matrix } from 'ml-matrix';
import { assertRepresentable, assertShape, toMatrix, type MatrixLike } from '../validation.js';

/**
 * P = QQᵀ with Q = [W1ᵀ; W2]: the (Ni+No)×(Ni+No) matrix
 * [[W1ᵀW1, W1ᵀW2ᵀ], [W2W1, W2W2ᵀ]] that holds the network function and both hidden
 * representations (MATH.md §3). Use it to compare simulated weights with
 * `exactDynamics(...).at(t).qqt`. Cost O((Ni+No)²·Nh).
 *
 * @param w1 - hidden×input weights (Nh×Ni).
 * @param w2 - output×hidden weights (No×Nh).
 * @throws {@link ShapeError} if w2.columns ≠ w1.rows; {@link NonFiniteError} for NaN entries;
 *   {@link InvalidArgumentError} if QQᵀ overflows (weights above ≈ 1e154).
 * @example
 * ```ts
 * import { qqtOf } from 'exact-dln';
 * const p = qqtOf([[1, 2]], [[3], [4]]); // 4×4: W1ᵀW1, W1ᵀW2ᵀ / W2W1, W2W2ᵀ
 * console.log(p.get(2, 0));             // (W2W1)[0][0] = 3
 * ```
 */
export function qqtOf(w1: MatrixLike, w2: MatrixLike): Matrix {
  const a = toMatrix(w1, 'w1');
  const b = toMatrix(w2, 'w2');
  assertShape(b, undefined, a.rows, 'w2', `output×hidden, hidden = w1.rows = ${a.rows}`);
  const q = new Matrix(a.columns + b.rows, a.rows);
  q.setSubMatrix(a.transpose(), 0, 0);
  q.setSubMatrix(b, a.columns, 0);
  const p = q.mmul(q.transpose());
  assertRepresentable(p.to1DArray(), 'QQᵀ', 'w1, w2'); // weights above ≈ 1e154 gave ∞ entries
  return p;
}
