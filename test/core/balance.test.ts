/**
 * balanceOf / assertBalanced (MATH.md §2): λ̂ = tr(B)/Nh and the relative residual
 * ‖B − λ̂I‖_F/(‖B‖_F + 1) of B = W2ᵀW2 − W1W1ᵀ, on weights built by hand.
 */
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { assertBalanced, balanceOf } from '../../src/core/balance.js';
import {
  ExactDlnError,
  InvalidArgumentError,
  NonFiniteError,
  NotBalancedError,
  ShapeError,
} from '../../src/errors.js';
import { createRng, gaussianMatrix, randomOrthogonal } from '../../src/random.js';
import { expectTypedError } from '../helpers/errors.js';

/**
 * Hand-built λ-balanced weights: W1 = R·[diag(c) 0], W2 = [diag(sqrt(c² + λ)); 0]·Rᵀ, so
 * W2ᵀW2 − W1W1ᵀ = R·diag(c² + λ − c²)·Rᵀ = λI. Needs c_i² + λ ≥ 0 and Nh ≤ min(Ni, No).
 */
function handBalanced(c: number[], lambda: number, ni: number, no: number, seed: number): { w1: Matrix; w2: Matrix } {
  const nh = c.length;
  const r = randomOrthogonal(nh, createRng(seed));
  const left = new Matrix(nh, ni);
  const right = new Matrix(no, nh);
  c.forEach((ci, i) => {
    left.set(i, i, ci);
    right.set(i, i, Math.sqrt(ci * ci + lambda));
  });
  return { w1: r.mmul(left), w2: right.mmul(r.transpose()) };
}

describe('balanceOf', () => {
  it('measures the exact λ of hand-built balanced weights (residual at rounding level)', () => {
    for (const [lambda, c, ni, no] of [
      [0.75, [1, 2], 3, 2],
      [-0.5, [1, 0.8, 3], 4, 3],
      [0, [0.1, 0.2, 0.3], 3, 5],
      [40, [0.01], 1, 1],
    ] as const) {
      const { w1, w2 } = handBalanced([...c], lambda, ni, no, 11);
      const b = balanceOf(w1, w2);
      expect(Math.abs(b.lambda - lambda)).toBeLessThan(1e-14 * (1 + Math.abs(lambda)) * 10);
      expect(b.residual).toBeLessThan(1e-15 * 10);
    }
  });

  it('a single hidden unit is always balanced: B is 1×1', () => {
    const w1 = [[1, -2, 3]];
    const w2 = [[0.5], [4]];
    // B = ‖w2‖² − ‖w1‖² = 16.25 − 14.
    const b = balanceOf(w1, w2);
    expect(b.lambda).toBeCloseTo(2.25, 14);
    expect(b.residual).toBe(0);
  });

  it('the residual is large for unbalanced weights', () => {
    // B = I − diag(1, 4) = diag(0, −3): λ̂ = −1.5, ‖B − λ̂I‖ = 1.5·√2, ‖B‖ = 3.
    const b = balanceOf([[1, 0], [0, 2]], [[1, 0], [0, 1]]);
    expect(b.lambda).toBeCloseTo(-1.5, 15);
    expect(b.residual).toBeCloseTo((1.5 * Math.SQRT2) / 4, 15);
    // Random Gaussian weights of moderate width are far from balanced.
    const rng = createRng(3);
    const r = balanceOf(gaussianMatrix(5, 3, rng), gaussianMatrix(2, 5, rng));
    expect(r.residual).toBeGreaterThan(0.1);
  });

  it('stays finite at extreme scales: weights of size 1e150 (B ≈ 1e300) give the relative residual', () => {
    // Unscaled: B = W2ᵀW2 − W1W1ᵀ = diag(0, −3), λ̂ = −1.5, ‖B − λ̂I‖_F/‖B‖_F = 1.5·√2/3 = 1/√2;
    // at 1e150 the +1 of the denominator is negligible, so the residual is exactly that.
    const big = balanceOf([[1e150, 0], [0, 2e150]], [[1e150, 0], [0, 1e150]]);
    expect(big.lambda / 1e300).toBeCloseTo(-1.5, 12);
    expect(big.residual).toBeCloseTo(Math.SQRT1_2, 12);
    const balanced = balanceOf([[1e150, 0]], [[2e150]]);
    expect(balanced.residual).toBe(0);
  });

  it('λ and the residual are invariant under a rotation of the hidden layer', () => {
    const rng = createRng(9);
    const w1 = gaussianMatrix(4, 3, rng);
    const w2 = gaussianMatrix(5, 4, rng);
    const r = randomOrthogonal(4, rng);
    const a = balanceOf(w1, w2);
    const b = balanceOf(r.mmul(w1), w2.mmul(r.transpose()));
    expect(b.lambda).toBeCloseTo(a.lambda, 13);
    expect(b.residual).toBeCloseTo(a.residual, 13);
  });

  it('accepts Matrix and number[][] alike and does not mutate its inputs', () => {
    const w1 = new Matrix([[1, 2], [3, 4]]);
    const w2 = [[5, 6]];
    const before = [w1.to2DArray(), JSON.stringify(w2)];
    const a = balanceOf(w1, w2);
    const b = balanceOf(w1.to2DArray(), new Matrix(w2));
    expect(a).toEqual(b);
    expect([w1.to2DArray(), JSON.stringify(w2)]).toEqual(before);
  });

  it('reports shape mismatches with both shapes', () => {
    expectTypedError(
      () => balanceOf([[1, 2, 3], [4, 5, 6]], [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]]),
      ShapeError,
      '2×3',
      '4×5',
    );
    expect(() => balanceOf([], [[1]])).toThrow(ShapeError);
    expect(() => balanceOf([[1, 2], [3]], [[1, 2]])).toThrow(ShapeError);
  });

  it('refuses non-finite entries and non-matrices, naming the argument', () => {
    expect(() => balanceOf([[Number.NaN]], [[1]])).toThrow(NonFiniteError);
    expect(() => balanceOf([[1]], [[Number.POSITIVE_INFINITY]])).toThrow(/w2/);
    expect(() => balanceOf('w1' as never, [[1]])).toThrow(InvalidArgumentError);
  });
});

describe('assertBalanced', () => {
  it('returns λ̂ for balanced weights', () => {
    const { w1, w2 } = handBalanced([0.3, 1.1], 2.5, 2, 3, 4);
    expect(assertBalanced(w1, w2, 1e-12)).toBeCloseTo(2.5, 13);
  });

  it('throws NotBalancedError reporting λ̂, the residual and the tolerance, and how to fix it', () => {
    const w1 = new Matrix([[1, 0], [0, 2]]);
    const w2 = Matrix.eye(2);
    const expected = balanceOf(w1, w2);
    const e = expectTypedError(() => assertBalanced(w1, w2, 1e-8), NotBalancedError);
    expect(e).toBeInstanceOf(ExactDlnError);
    expect(e.lambda).toBe(expected.lambda);
    expect(e.residual).toBe(expected.residual);
    expect(e.tolerance).toBe(1e-8);
    expect(e.message).toContain(String(expected.lambda));
    expect(e.message).toContain(expected.residual.toExponential(3));
    expect(e.message).toContain('1e-8');
    expect(e.message).toContain('lambdaBalancedWeights');
  });

  it('the tolerance decides: a slightly perturbed pair passes a loose tolerance only', () => {
    const { w1, w2 } = handBalanced([1, 2, 0.5], 0.4, 3, 3, 8);
    const perturbed = w1.clone();
    perturbed.set(0, 0, perturbed.get(0, 0) + 1e-6);
    const { residual } = balanceOf(perturbed, w2);
    expect(residual).toBeGreaterThan(1e-8);
    expect(residual).toBeLessThan(1e-5);
    expect(() => assertBalanced(perturbed, w2, 1e-8)).toThrow(NotBalancedError);
    expect(assertBalanced(perturbed, w2, 1e-5)).toBeCloseTo(0.4, 5);
  });

  it('refuses a negative or non-finite tolerance', () => {
    expect(() => assertBalanced([[1]], [[1]], -1)).toThrow(InvalidArgumentError);
    expect(() => assertBalanced([[1]], [[1]], Number.NaN)).toThrow(NonFiniteError);
  });
});
