/**
 * lambdaBalancedWeights (MATH.md §2, §5): the weights are λ-balanced, the product has the
 * prescribed singular values (and, aligned, the task's singular vectors, with signs),
 * construction is reproducible by seed, and every bad input is refused by name.
 *
 * Tolerances: max |W2ᵀW2 − W1W1ᵀ − λI| ≤ 1e-13·(1 + |λ|) (measured ≤ 2.2e-14·(1 + |λ|) over
 * 20 000 random cases with |a_i| ≤ 30); product singular values within 1e-13·max|a_i|.
 */
import fc from 'fast-check';
import { LuDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { fullSvd } from '../../src/core/svd.js';
import { balancedWeightsFromBasis, drawBalancedBasis, lambdaBalancedWeights, type LambdaBalancedWeightsOptions } from '../../src/core/weights.js';
import {
  ImpossibleLambdaError,
  InvalidArgumentError,
  NonFiniteError,
  ShapeError,
} from '../../src/errors.js';
import { createRng, randomOrthogonal } from '../../src/random.js';
import { balanceOf } from '../../src/core/balance.js';
import { exactDynamics, exactDynamicsFromQQt } from '../../src/core/exact-dynamics.js';
import { sampleStandardInit } from '../../src/applications/standard-init.js';
import { randomTask } from '../../src/core/task.js';
import { expectTypedError, thrown } from '../helpers/errors.js';

function maxAbs(m: Matrix): number {
  return Math.max(m.max(), -m.min());
}

/** max |W2ᵀW2 − W1W1ᵀ − λI|. */
function balanceError(w1: Matrix, w2: Matrix, lambda: number): number {
  const b = w2.transpose().mmul(w2).sub(w1.mmul(w1.transpose()));
  return maxAbs(b.sub(Matrix.eye(w1.rows).mul(lambda)));
}

/** Singular values padded with zeros to length n, descending. */
function sortedAbs(a: number[], n: number): number[] {
  const out = a.map(Math.abs);
  while (out.length < n) out.push(0);
  return out.sort((x, y) => y - x).slice(0, n);
}

/**
 * c² for a product singular value a at balance λ: the non-negative root of x² + λx − a² = 0
 * (from c·d = a, d² = c² + λ), written so that neither sign of λ cancels.
 */
function cSquared(a: number, lambda: number): number {
  if (a === 0) return Math.max(-lambda, 0);
  const root = Math.hypot(lambda, 2 * a);
  return lambda >= 0 ? (2 * a * a) / (root + lambda) : (root - lambda) / 2;
}

/** A random Σyx = Ut[:, :r]·diag(σ)·Vt[:, :r]ᵀ with known factors and distinct σ > 0. */
function knownTask(no: number, ni: number, seed: number): { sigmaYX: Matrix; ut: Matrix; vt: Matrix } {
  const rng = createRng(seed);
  const ut = randomOrthogonal(no, rng);
  const vt = randomOrthogonal(ni, rng);
  const d = new Matrix(no, ni);
  for (let i = 0; i < Math.min(no, ni); i++) d.set(i, i, 5 - i);
  return { sigmaYX: ut.mmul(d).mmul(vt.transpose()), ut, vt };
}

/** Arbitrary widths, a λ that respects them, and a hidden width the λ allows. */
const configArb = fc
  .record({
    ni: fc.integer({ min: 1, max: 6 }),
    no: fc.integer({ min: 1, max: 6 }),
    nhChoice: fc.integer({ min: 1, max: 6 }),
    lambda: fc.oneof(
      { weight: 1, arbitrary: fc.constant(0) },
      { weight: 4, arbitrary: fc.double({ min: -50, max: 50, noNaN: true }) },
    ),
    scale: fc.double({ min: 1e-3, max: 10, noNaN: true }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .map((p) => {
    const maxNh = p.lambda > 0 ? p.no : p.lambda < 0 ? p.ni : 6;
    return { ...p, nh: 1 + ((p.nhChoice - 1) % maxNh) };
  });

describe('lambdaBalancedWeights: balance and product (property-based)', () => {
  it('W2ᵀW2 − W1W1ᵀ = λI to 1e-13·(1 + |λ|) for random widths, λ ∈ [−50, 50], scale ∈ [1e-3, 10]', () => {
    fc.assert(
      fc.property(configArb, ({ ni, nh, no, lambda, scale, seed }) => {
        const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda, scale, seed });
        expect([w1.rows, w1.columns, w2.rows, w2.columns]).toEqual([nh, ni, no, nh]);
        expect(balanceError(w1, w2, lambda)).toBeLessThanOrEqual(1e-13 * (1 + Math.abs(lambda)));
        // Random product singular values: min(Ni, Nh, No) of them, the rest of the product is zero.
        const s = fullSvd(w2.mmul(w1)).s;
        const r = Math.min(ni, nh, no);
        for (let i = r; i < s.length; i++) expect(s[i]).toBeLessThanOrEqual(1e-13 * (1 + s[0]));
      }),
      { numRuns: 100 },
    );
  });

  it('explicit productSingularValues (any signs): product and layer singular values are as prescribed', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 0, maxLength: 6 }),
        ({ ni, nh, no, lambda, scale, seed }, raw) => {
          const r = Math.min(ni, nh, no);
          const a = raw.slice(0, r).map((x) => 3 * scale * x);
          const { w1, w2 } = lambdaBalancedWeights({
            inputDim: ni, hiddenDim: nh, outputDim: no, lambda, seed, productSingularValues: a,
          });
          expect(balanceError(w1, w2, lambda)).toBeLessThanOrEqual(1e-13 * (1 + Math.abs(lambda)));
          const amax = Math.max(0, ...a.map(Math.abs));
          const product = fullSvd(w2.mmul(w1)).s;
          const want = sortedAbs(a, product.length);
          for (let i = 0; i < product.length; i++) {
            expect(Math.abs(product[i] - want[i])).toBeLessThanOrEqual(1e-13 * amax + 1e-300); // floor: subnormal a_i
          }
          // W1's squared singular values are the c_i² of every hidden direction: c(a_i) for the
          // product modes (i < min(Ni, No)), max(−λ, 0) for the other hidden directions.
          const c2 = Array.from({ length: nh }, (_, i) =>
            i < Math.min(ni, no) ? cSquared(Math.abs(a[i] ?? 0), lambda) : Math.max(-lambda, 0),
          ).sort((x, y) => y - x);
          const s1 = fullSvd(w1).s;
          for (let i = 0; i < s1.length; i++) {
            expect(Math.abs(s1[i] ** 2 - c2[i])).toBeLessThanOrEqual(1e-13 * (1 + Math.abs(lambda) + amax));
          }
          // W2's squared singular values are then d_i² = c_i² + λ.
          const s2 = fullSvd(w2).s;
          for (let i = 0; i < s2.length; i++) {
            expect(Math.abs(s2[i] ** 2 - (c2[i] + lambda))).toBeLessThanOrEqual(1e-13 * (1 + Math.abs(lambda) + amax));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('random product singular values are scale·|N(0,1)| (mean scale·√(2/π))', () => {
    const scale = 2;
    const n = 60;
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: n, hiddenDim: n, outputDim: n, lambda: 0.3, scale, seed: 12 });
    const s = fullSvd(w2.mmul(w1)).s.map((x) => x / scale);
    const mean = s.reduce((x, y) => x + y, 0) / n;
    const sd = Math.sqrt(1 - 2 / Math.PI) / Math.sqrt(n); // standard error of the mean of |N(0,1)|
    expect(Math.abs(mean - Math.sqrt(2 / Math.PI))).toBeLessThan(4 * sd);
  });

  it('no cancellation at |λ| ≫ a: λ = ±1e6 with a = 1e-3 keeps the product', () => {
    for (const lambda of [1e6, -1e6]) {
      const { w1, w2 } = lambdaBalancedWeights({
        inputDim: 2, hiddenDim: 2, outputDim: 2, lambda, seed: 1, productSingularValues: [1e-3, 2e-9],
      });
      const s = fullSvd(w2.mmul(w1)).s;
      expect(Math.abs(s[0] - 1e-3)).toBeLessThan(1e-12 * 1e-3);
      // The small mode is resolved to the rounding of W2W1 (~eps·‖W2‖‖W1‖ ≈ eps·1e-3).
      expect(Math.abs(s[1] - 2e-9)).toBeLessThan(1e-16);
      expect(balanceError(w1, w2, lambda)).toBeLessThan(1e-13 * 1e6);
    }
  });

  it('λ = 0 splits each mode evenly: W1ᵀW1 and W2W2ᵀ have the same spectrum', () => {
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 4, outputDim: 3, lambda: 0, seed: 5, scale: 0.7 });
    const a = fullSvd(w1).s;
    const b = fullSvd(w2).s;
    for (let i = 0; i < 3; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-14);
  });

  it('hidden widths between and beyond min(Ni, No) get d = √λ (λ > 0) or c = √−λ (λ < 0)', () => {
    // Ni = 2, Nh = 3, No = 5, λ = 2: the third hidden direction has d = √2, c = 0.
    const pos = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 3, outputDim: 5, lambda: 2, seed: 3 });
    expect(balanceError(pos.w1, pos.w2, 2)).toBeLessThan(1e-13 * 3);
    expect(fullSvd(pos.w2).s[2]).toBeCloseTo(Math.SQRT2, 13);
    // Ni = 5, Nh = 4, No = 2, λ = −3: W1 keeps rank 4, the two extra directions have c = √3.
    const neg = lambdaBalancedWeights({ inputDim: 5, hiddenDim: 4, outputDim: 2, lambda: -3, seed: 3 });
    expect(balanceError(neg.w1, neg.w2, -3)).toBeLessThan(1e-13 * 4);
    const s1 = fullSvd(neg.w1).s;
    expect(s1[3]).toBeCloseTo(Math.sqrt(3), 13);
    // λ = 0 with Nh > max(Ni, No): the extra hidden units are silent.
    const zero = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 5, outputDim: 3, lambda: 0, seed: 3 });
    expect(balanceError(zero.w1, zero.w2, 0)).toBeLessThan(1e-13);
    expect(fullSvd(zero.w1).s[1]).toBeGreaterThan(0);
    expect(fullSvd(zero.w2).s[2]).toBeLessThan(1e-15);
  });

  it('bottlenecked networks (Nh < min(Ni, No)) are balanced with a rank-Nh product', () => {
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 5, hiddenDim: 2, outputDim: 4, lambda: -0.7, seed: 8 });
    expect(balanceError(w1, w2, -0.7)).toBeLessThan(1e-13 * 1.7);
    const s = fullSvd(w2.mmul(w1)).s;
    expect(s[1]).toBeGreaterThan(0);
    expect(s[2]).toBeLessThan(1e-14);
  });
});

describe('lambdaBalancedWeights: aligned initialisation (MATH.md §5)', () => {
  it('Ũᵀ·W2W1·Ṽ = diag(a) to 1e-13, negative a_i included, for the task’s own singular vectors', () => {
    for (const [ni, nh, no, lambda] of [
      [3, 3, 3, 0],
      [3, 3, 3, 0.5],
      [4, 3, 5, 1.5],
      [5, 4, 3, -2],
      [2, 3, 5, 0.8],
      [5, 2, 4, 0],
    ] as const) {
      const { sigmaYX, ut, vt } = knownTask(no, ni, 100 + ni * 10 + no);
      const r = Math.min(ni, nh, no);
      const a = Array.from({ length: r }, (_, i) => (i % 2 === 0 ? 1 : -1) * (0.3 + 0.4 * i));
      const { w1, w2 } = lambdaBalancedWeights({
        inputDim: ni, hiddenDim: nh, outputDim: no, lambda, seed: 2, alignTo: sigmaYX, productSingularValues: a,
      });
      expect(balanceError(w1, w2, lambda)).toBeLessThan(1e-13 * (1 + Math.abs(lambda)));
      // Ut, Vt are the factors Σyx was built from: independent of fullSvd's sign choices
      // (a joint sign flip of ũ_i, ṽ_i leaves ũ_i a_i ṽ_iᵀ unchanged).
      const rotated = ut.transpose().mmul(w2.mmul(w1)).mmul(vt);
      const want = new Matrix(no, ni);
      a.forEach((x, i) => want.set(i, i, x));
      expect(maxAbs(rotated.sub(want))).toBeLessThan(1e-13);
    }
  });

  it('random product singular values are non-negative on the task’s modes', () => {
    const { sigmaYX, ut, vt } = knownTask(4, 3, 21);
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 4, lambda: 0.2, seed: 6, scale: 0.5, alignTo: sigmaYX });
    const rotated = ut.transpose().mmul(w2.mmul(w1)).mmul(vt);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 3; j++) {
        if (i === j) expect(rotated.get(i, i)).toBeGreaterThan(0);
        else expect(Math.abs(rotated.get(i, j))).toBeLessThan(1e-13);
      }
    }
  });

  it('does not mutate alignTo (Matrix or number[][])', () => {
    const { sigmaYX } = knownTask(3, 2, 4);
    const copy = sigmaYX.to2DArray();
    const asArray = sigmaYX.to2DArray();
    const a = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 2, outputDim: 3, lambda: 1, seed: 1, alignTo: sigmaYX });
    const b = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 2, outputDim: 3, lambda: 1, seed: 1, alignTo: asArray });
    expect(sigmaYX.to2DArray()).toEqual(copy);
    expect(asArray).toEqual(copy);
    expect(a.w1.to2DArray()).toEqual(b.w1.to2DArray());
    const psv = [0.5, -0.25];
    lambdaBalancedWeights({ inputDim: 2, hiddenDim: 2, outputDim: 3, lambda: 1, seed: 1, productSingularValues: psv });
    expect(psv).toEqual([0.5, -0.25]);
  });
});

describe('lambdaBalancedWeights: reproducibility', () => {
  const base: LambdaBalancedWeightsOptions = { inputDim: 4, hiddenDim: 3, outputDim: 5, lambda: 0.9, scale: 0.4, seed: 77 };

  it('the same seed gives identical weights', () => {
    const a = lambdaBalancedWeights(base);
    const b = lambdaBalancedWeights({ ...base });
    expect(a.w1.to2DArray()).toEqual(b.w1.to2DArray());
    expect(a.w2.to2DArray()).toEqual(b.w2.to2DArray());
  });

  it('different seeds give different weights', () => {
    const a = lambdaBalancedWeights(base);
    const b = lambdaBalancedWeights({ ...base, seed: 78 });
    expect(maxAbs(a.w1.clone().sub(b.w1))).toBeGreaterThan(1e-3);
    expect(maxAbs(a.w2.clone().sub(b.w2))).toBeGreaterThan(1e-3);
  });

  it('the random parts drawn once (as lazyRichSweep does) give every λ and scale bit for bit', () => {
    // Wide, tall, square and bottlenecked widths; λ of both signs where the widths allow them.
    for (const [ni, nh, no] of [[6, 3, 2], [2, 3, 6], [4, 4, 4], [5, 2, 4]] as const) {
      const basis = drawBalancedBasis(ni, nh, no, 31, undefined, true);
      const lambdas = [0, ...(nh <= no ? [0.7, 25] : []), ...(nh <= ni ? [-0.7, -25] : [])];
      for (const lambda of lambdas) {
        for (const scale of [1e-3, 0.5, 3]) {
          const once = balancedWeightsFromBasis(basis, lambda, scale);
          const direct = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda, scale, seed: 31 });
          expect(once.w1.to2DArray(), `${ni}×${nh}×${no} λ = ${lambda}`).toEqual(direct.w1.to2DArray());
          expect(once.w2.to2DArray(), `${ni}×${nh}×${no} λ = ${lambda}`).toEqual(direct.w2.to2DArray());
        }
      }
    }
  });
});

describe('lambdaBalancedWeights: errors name the field', () => {
  const ok: LambdaBalancedWeightsOptions = { inputDim: 3, hiddenDim: 2, outputDim: 4, lambda: 0.5, seed: 1 };

  /** lambdaBalancedWeights(options), deferred. */
  const build = (options: unknown) => () => lambdaBalancedWeights(options as LambdaBalancedWeightsOptions);

  it('widths must be positive integers', () => {
    for (const [field, value] of [
      ['inputDim', 2.5],
      ['hiddenDim', 0],
      ['outputDim', -1],
      ['inputDim', '3'],
    ] as const) {
      expect(expectTypedError(build({ ...ok, [field]: value }), InvalidArgumentError, field).argument).toBe(field);
    }
  });

  it('lambda and scale must be finite; scale ≥ 0', () => {
    for (const [field, value] of [
      ['lambda', Number.NaN],
      ['lambda', Number.POSITIVE_INFINITY],
      ['scale', Number.NEGATIVE_INFINITY],
      ['scale', Number.NaN],
    ] as const) {
      expectTypedError(build({ ...ok, [field]: value }), NonFiniteError, field);
    }
    expectTypedError(build({ ...ok, scale: -0.1 }), InvalidArgumentError, 'scale');
  });

  it('seed is required', () => {
    const { seed: _unused, ...noSeed } = ok;
    expectTypedError(build(noSeed), InvalidArgumentError, 'seed is required for reproducibility');
    expect(thrown(build({ ...ok, seed: Number.NaN }))).toBeInstanceOf(NonFiniteError);
  });

  it('seeds are integers of at most 53 bits, and different ones give different weights (fractions and high bits were cut off)', () => {
    // Seeds 0, 0.3, 0.9 and −0.5 gave the same weights, and so did 0 and 2^32.
    for (const seed of [0.3, -0.5, 1.7]) expectTypedError(build({ ...ok, seed }), InvalidArgumentError, '`seed` must be an integer');
    expectTypedError(build({ ...ok, seed: 2 ** 53 }), InvalidArgumentError, 'at most 53 bits');
    expectTypedError(() => createRng('1' as never), InvalidArgumentError, 'Value: string 1');
    expectTypedError(() => randomTask({ inputDim: 2, outputDim: 2, samples: 4, seed: 1.5 }), InvalidArgumentError, '`seed`');
    const seeds = [0, 1, -1, 2 ** 31, -(2 ** 31), 2 ** 32, -(2 ** 32), 2 ** 32 + 1, 2 ** 40, 2 ** 52 + 3, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    const first = seeds.map((seed) => lambdaBalancedWeights({ ...ok, seed }).w1.get(0, 0));
    expect(new Set(first).size).toBe(seeds.length);
    // Determinism for every seed.
    seeds.forEach((seed, k) => expect(lambdaBalancedWeights({ ...ok, seed }).w1.get(0, 0)).toBe(first[k]));
  });

  it('widths that need a matrix beyond 2^27 entries (1 GiB) are refused up front, naming it (they ran for hours or died allocating)', () => {
    expectTypedError(() => lambdaBalancedWeights({ inputDim: 1e9, hiddenDim: 3, outputDim: 3, lambda: 0, seed: 1 }), InvalidArgumentError, 'W1, 3×1000000000', 'at most 2^27 entries');
    expectTypedError(() => lambdaBalancedWeights({ inputDim: 2, hiddenDim: 12_000, outputDim: 2, lambda: 0, seed: 1 }), InvalidArgumentError, 'a random rotation of the hidden layer, 12000×12000');
    expectTypedError(() => randomTask({ inputDim: 100_000, outputDim: 3, samples: 100_000, seed: 1 }), InvalidArgumentError, 'the inputs X');
    expectTypedError(() => sampleStandardInit({ scheme: 'he', inputDim: 1e6, hiddenDim: 1e6, outputDim: 2, seed: 1 }), InvalidArgumentError, 'W1, 1000000×1000000');
    expectTypedError(
      () => exactDynamicsFromQQt({ qqt: [[1, 0], [0, 1]], inputDim: 1, hiddenDim: 1e9, sigmaYX: [[1]] }),
      InvalidArgumentError,
      'a factor Q of qqt',
    );
    const ni = 12_000; // Σyx's input singular basis alone would be 12000×12000
    expectTypedError(
      () => exactDynamics({ w1: [Array.from({ length: ni }, () => 0.01)], w2: [[0.01]], sigmaYX: [Array.from({ length: ni }, (_, i) => (i === 0 ? 1 : 0))] }),
      InvalidArgumentError,
      "the task's input singular basis, 12000×12000",
    );
  });

  it('alignTo must be outputDim×inputDim', () => {
    expectTypedError(build({ ...ok, alignTo: Matrix.ones(3, 4) }), ShapeError, 'alignTo', '4×3', '3×4');
  });

  it('λ must be possible for the widths', () => {
    const pos = expectTypedError(build({ inputDim: 3, hiddenDim: 4, outputDim: 2, lambda: 1, seed: 0 }), ImpossibleLambdaError);
    expect(pos.argument).toBe('lambda');
    expectTypedError(build({ inputDim: 2, hiddenDim: 3, outputDim: 5, lambda: -1, seed: 0 }), ImpossibleLambdaError, 'inputDim');
  });

  it('productSingularValues: at most min(widths) finite numbers', () => {
    expectTypedError(build({ ...ok, productSingularValues: [1, 2, 3] }), InvalidArgumentError, 'productSingularValues');
    expectTypedError(build({ ...ok, productSingularValues: [1, Number.NaN] }), NonFiniteError, 'productSingularValues[1]');
    expect(thrown(build({ ...ok, productSingularValues: 1 }))).toBeInstanceOf(InvalidArgumentError);
  });

  it('options must be an object', () => {
    expect(thrown(build(undefined))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(build(null))).toBeInstanceOf(InvalidArgumentError);
  });

  it('matchDeterminantSign must be outputDim×inputDim and finite, and not combined with alignTo', () => {
    expectTypedError(build({ ...ok, matchDeterminantSign: Matrix.ones(3, 4) }), ShapeError, 'matchDeterminantSign', '4×3', '3×4');
    const nan = Matrix.ones(4, 3);
    nan.set(1, 1, Number.NaN);
    expectTypedError(build({ ...ok, matchDeterminantSign: nan }), NonFiniteError, 'matchDeterminantSign');
    expectTypedError(build({ ...ok, alignTo: Matrix.ones(4, 3), matchDeterminantSign: Matrix.ones(4, 3) }), InvalidArgumentError, 'alignTo');
  });
});

describe('lambdaBalancedWeights: matchDeterminantSign (MATH.md §8: at λ = 0 the sign of det W2W1 is conserved)', () => {
  const det = (m: Matrix): number => new LuDecomposition(m).determinant;
  const n = 4;
  const task = randomTask({ inputDim: n, outputDim: n, samples: 40, seed: 1 });

  it('square networks, 40 seeds, λ ∈ {0, ±0.5}: det W2W1 takes the sign of det Σyx; the weights stay balanced with the same product singular values; only the starts of the wrong sign change', () => {
    let flipped = 0;
    for (const lambda of [0, 0.5, -0.5]) {
      for (let seed = 1; seed <= 40; seed++) {
        const base: LambdaBalancedWeightsOptions = { inputDim: n, hiddenDim: n, outputDim: n, lambda, scale: 0.3, seed };
        const plain = lambdaBalancedWeights(base);
        const matched = lambdaBalancedWeights({ ...base, matchDeterminantSign: task.sigmaYX });
        const before = det(plain.w2.mmul(plain.w1));
        const after = det(matched.w2.mmul(matched.w1));
        expect(Math.sign(after)).toBe(Math.sign(det(task.sigmaYX)));
        expect(Math.abs(after)).toBeCloseTo(Math.abs(before), 12);
        expect(balanceError(matched.w1, matched.w2, lambda)).toBeLessThan(1e-13 * (1 + Math.abs(lambda)));
        // The reflection acts on the input side only: W1W1ᵀ and W2 are those of the plain start.
        expect(maxAbs(matched.w1.mmul(matched.w1.transpose()).sub(plain.w1.mmul(plain.w1.transpose())))).toBeLessThan(1e-14);
        expect(maxAbs(matched.w2.clone().sub(plain.w2))).toBe(0);
        if (Math.sign(before) === Math.sign(after)) expect(maxAbs(matched.w1.clone().sub(plain.w1))).toBe(0);
        else flipped++;
      }
    }
    // Half the random starts have the other sign (a fair coin: 120 starts, 60 ± 5σ).
    expect(flipped).toBeGreaterThan(60 - 5 * Math.sqrt(30));
    expect(flipped).toBeLessThan(60 + 5 * Math.sqrt(30));
  });

  it('at λ = 0 every matched start learns the task (converged loss 0) where the unmatched ones of the other sign stop on the saddle ½σ_min²', () => {
    const sigmaMin = fullSvd(task.sigmaYX).s[n - 1];
    let stuck = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const base: LambdaBalancedWeightsOptions = { inputDim: n, hiddenDim: n, outputDim: n, lambda: 0, scale: 0.01, seed };
      const plain = lambdaBalancedWeights(base);
      const matched = lambdaBalancedWeights({ ...base, matchDeterminantSign: task.sigmaYX });
      // Loss relative to ½‖Σyx‖²: the task's residual loss (Σyy's part) is left out.
      const excess = (w: { w1: Matrix; w2: Matrix }): number => 0.5 * task.sigmaYX.clone().sub(exactDynamics({ ...w, sigmaYX: task.sigmaYX }).converged().w2w1).norm() ** 2;
      expect(excess(matched), `seed ${seed}`).toBeLessThan(1e-20);
      if (det(plain.w2.mmul(plain.w1)) * det(task.sigmaYX) < 0) {
        stuck++;
        expect(excess(plain) / (0.5 * sigmaMin ** 2), `seed ${seed}`).toBeCloseTo(1, 10);
      }
    }
    expect(stuck).toBeGreaterThan(0);
  });

  it('has no effect for a bottleneck or Ni ≠ No, for a singular Σyx, or for a zero product singular value', () => {
    // (Ni = No < Nh is matched: at λ = 0 those weights use Ni hidden directions and the
    // flow conserves the sign as for a square network; test/analysis/convergence.test.ts.)
    const cases: [LambdaBalancedWeightsOptions, Matrix][] = [
      [{ inputDim: 3, hiddenDim: 2, outputDim: 3, lambda: 0, seed: 3 }, Matrix.eye(3)],
      [{ inputDim: 3, hiddenDim: 3, outputDim: 4, lambda: 0, seed: 3 }, Matrix.eye(4, 3)],
      [{ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0, seed: 3 }, Matrix.diag([1, 0.5, 0])],
      [{ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0, seed: 3, productSingularValues: [1, 0.5] }, Matrix.eye(3)],
    ];
    for (const [options, sigmaYX] of cases) {
      for (const sign of [1, -1]) {
        const target = sigmaYX.clone().mulRow(0, sign);
        const plain = lambdaBalancedWeights(options);
        const matched = lambdaBalancedWeights({ ...options, matchDeterminantSign: target });
        expect(maxAbs(matched.w1.clone().sub(plain.w1))).toBe(0);
        expect(maxAbs(matched.w2.clone().sub(plain.w2))).toBe(0);
      }
    }
  });

  it('with explicit productSingularValues of any signs: det W2W1 still takes the sign of det Σyx', () => {
    for (const a of [[1, 0.5, 0.2], [1, -0.5, 0.2], [-1, -0.5, -0.2]]) {
      for (let seed = 1; seed <= 6; seed++) {
        const target = [[0, 1, 0], [1, 0, 0], [0, 0, 2]]; // det < 0, as number[][]
        const copy = target.map((row) => row.slice());
        const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0, seed, productSingularValues: a, matchDeterminantSign: target });
        expect(det(w2.mmul(w1))).toBeLessThan(0);
        expect(target).toEqual(copy); // not modified
      }
    }
  });
});

describe('lambdaBalancedWeights at the largest |λ| doubles hold', () => {
  it('gives finite weights balanced at λ up to ±1.7e308 (λ = 1e308 gave NaN: (√(λ² + 4a²) + λ)/2 overflowed)', () => {
    for (const lambda of [1e300, 1e308, 1.7e308, -1e308, -1.7e308]) {
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda, seed: 2 });
      for (const m of [w1, w2]) expect(m.to1DArray().every(Number.isFinite), String(lambda)).toBe(true);
      // B = W2ᵀW2 − W1W1ᵀ from weights scaled by 2⁻²⁰⁰ (exact), so that no square overflows: λ·2⁻⁴⁰⁰ I.
      const s = 2 ** -200;
      const b = balanceOf(w1.clone().mul(s), w2.clone().mul(s));
      expect(Math.abs(b.lambda / (lambda * s * s) - 1), String(lambda)).toBeLessThan(1e-12);
      expect(b.residual).toBeLessThan(1e-12);
    }
    // … and the smallest: a subnormal λ with a zero mode keeps its c = √|λ| (halving λ first flushed it to 0, and 0/0).
    for (const lambda of [5e-324, -5e-324]) {
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: 1, hiddenDim: 1, outputDim: 1, lambda, seed: 2, productSingularValues: [0] });
      expect([w1.get(0, 0), w2.get(0, 0)].every(Number.isFinite)).toBe(true);
      expect(Math.abs(lambda > 0 ? w2.get(0, 0) : w1.get(0, 0))).toBe(Math.sqrt(5e-324));
    }
  });
});
