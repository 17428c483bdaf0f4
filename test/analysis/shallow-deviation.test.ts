/**
 * The lazy (shallow) limit of MATH.md §5: shallowDynamics is the one-layer flow
 * dW/dt = rate·(Σyx − W), and shallowDeviation — the distance between the exact two-layer
 * trajectory and that flow with rate |λ|/τ — falls like ~1/λ² as |λ| grows.
 */
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { shallowDeviation } from '../../src/analysis/shallow-deviation.js';
import { shallowDynamics } from '../../src/analysis/shallow-dynamics.js';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { randomTask } from '../../src/core/task.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { ExactDlnError, InvalidArgumentError, NonFiniteError, ShapeError } from '../../src/errors.js';
import { expectTypedError, thrown } from '../helpers/errors.js';

describe('shallowDynamics', () => {
  const w0 = new Matrix([[0.3, -1], [0.2, 0], [1, 2]]);
  const sigmaYX = new Matrix([[2, 0.5], [-1, 1], [0, 0.7]]);

  it('starts at W0, tends to Σyx and satisfies dW/dt = rate·(Σyx − W) (central differences)', () => {
    const rate = 3.2;
    const lazy = shallowDynamics({ w0, sigmaYX: sigmaYX.to2DArray(), rate });
    expect(lazy.rate).toBe(rate);
    expect(lazy.at(0).sub(w0).norm()).toBe(0);
    expect(lazy.at(50).sub(sigmaYX).norm()).toBeLessThan(1e-15 * sigmaYX.norm());
    // Central difference error ≈ h²·rate³·‖W0 − Σyx‖/6 ≈ 1e-10 at h = 1e-5; rounding ≈ 1e-16/h ≈ 1e-11.
    const h = 1e-5;
    for (const t of [0.01, 0.3, 1]) {
      const derivative = lazy.at(t + h).sub(lazy.at(t - h)).div(2 * h);
      const field = sigmaYX.clone().sub(lazy.at(t)).mul(rate);
      expect(derivative.sub(field).norm() / field.norm()).toBeLessThan(1e-8);
    }
    // Inputs are not mutated.
    expect(w0.get(0, 0)).toBe(0.3);
  });

  it('rejects mismatched shapes, bad rates and bad times', () => {
    expectTypedError(() => shallowDynamics({ w0: [[1, 2]], sigmaYX, rate: 1 }), ShapeError, '`w0`');
    expect(thrown(() => shallowDynamics({ w0, sigmaYX, rate: -1 }))).toBeInstanceOf(InvalidArgumentError);
    expectTypedError(() => shallowDynamics({ w0, sigmaYX, rate: NaN }), NonFiniteError, '`rate`');
    expect(thrown(() => shallowDynamics({ w0: [[NaN, 0], [0, 0], [0, 0]], sigmaYX, rate: 1 }))).toBeInstanceOf(NonFiniteError);
    expect(thrown(() => shallowDynamics({ w0, sigmaYX, rate: 1 }).at(-1))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => shallowDynamics(null as never))).toBeInstanceOf(ExactDlnError);
  });
});

describe('shallowDeviation', () => {
  const task = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 17 });

  function maxDeviation(lambda: number): number {
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda, scale: 1, seed: 23 });
    const tau = 2;
    const dyn = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX, tau });
    // The transient lasts a few τ/|λ|: sample 0 .. 15τ/|λ| densely.
    const times = Array.from({ length: 301 }, (_, k) => (k * 0.05 * tau) / Math.abs(lambda));
    const result = shallowDeviation(dyn, times);
    expect(result.times).toEqual(times);
    expect(result.deviation).toHaveLength(times.length);
    expect(result.deviation[0]).toBeLessThan(1e-14); // same start
    expect(result.maxDeviation).toBe(Math.max(...result.deviation));
    return result.maxDeviation;
  }

  it('falls roughly like 1/λ² for a unit-scale 3×3×3 network (λ = 10, 100, 1000 and negative)', () => {
    for (const sign of [1, -1]) {
      const d = [10, 100, 1000].map((l) => maxDeviation(sign * l));
      console.log(`max relative deviation from the lazy limit at λ = ${sign * 10}, ${sign * 100}, ${sign * 1000}: ${d.map((x) => x.toExponential(2)).join(', ')}`);
      expect(d[0]).toBeLessThan(0.2);
      // 1/λ² predicts 100× per decade; > 30× leaves room for the prefactor.
      expect(d[1]).toBeLessThan(d[0] / 30);
      expect(d[2]).toBeLessThan(d[1] / 30);
    }
  });

  it('is of order 1 in the rich regime (small λ, small initialisation)', () => {
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0.05, scale: 1e-3, seed: 23 });
    const dyn = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX });
    const times = Array.from({ length: 101 }, (_, k) => k * 2);
    expect(shallowDeviation(dyn, times).maxDeviation).toBeGreaterThan(0.3);
  });

  it('rejects λ = 0, empty or bad times, and non-dynamics', () => {
    const zero = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0, scale: 0.1, seed: 1 });
    const dyn0 = exactDynamics({ w1: zero.w1, w2: zero.w2, sigmaYX: task.sigmaYX });
    expectTypedError(() => shallowDeviation(dyn0, [0, 1]), InvalidArgumentError, 'λ = 0', '`dynamics`');

    const ok = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 5, scale: 0.1, seed: 1 });
    const dyn = exactDynamics({ w1: ok.w1, w2: ok.w2, sigmaYX: task.sigmaYX });
    expect(thrown(() => shallowDeviation(dyn, []))).toBeInstanceOf(InvalidArgumentError);
    expectTypedError(() => shallowDeviation(dyn, [0, NaN]), NonFiniteError, 'times[1]');
    expect(thrown(() => shallowDeviation(dyn, [0, -1]))).toBeInstanceOf(InvalidArgumentError);
    expect(thrown(() => shallowDeviation({ lambda: 1 } as never, [0]))).toBeInstanceOf(InvalidArgumentError);
  });
});
