/**
 * expOfProduct (src/core/riccati.ts): e^{a·s} without the rounding of a·s, which the
 * overflow-free evaluator uses to factor e^{(γ_i − g_j)s} = e^{γ_i s}·e^{−g_j s} up to
 * γ·s = 600 (MATH.md §4, step 2). A plain Math.exp(a * s) turns the product's rounding
 * into a relative error of up to |a·s|·2⁻⁵³.
 */
import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { expOfProduct } from '../../src/core/riccati.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { alignedMode } from '../../src/analysis/aligned-mode.js';
import { makeSigmaYX } from '../helpers/configs.js';
import { relErr, stackQ } from '../helpers/oracles.js';
import { integrateGradientFlow } from '../../src/simulation/gradient-flow.js';

const ULP = 2 ** -52;

describe('expOfProduct', () => {
  it('keeps the part of a·s that rounding drops: fl(1/3)·1800 = 600·(1 − 2⁻⁵⁴)', () => {
    // fl(1/3) = (1 − 2⁻⁵⁴)/3 exactly, so the exponent is 600 − 600·2⁻⁵⁴, which rounds to 600.
    const third = 1 / 3;
    expect(third * 3).toBe(1); // (the product 1 − 2⁻⁵⁴ itself rounds to 1)
    const want = 1 - 600 * 2 ** -54; // e^{−600·2⁻⁵⁴} to O(1e-27)
    expect(Math.exp(third * 1800) / Math.exp(600)).toBe(1); // the plain form loses it: 150 ulps
    expect(Math.abs(expOfProduct(third, 1800) / Math.exp(600) - want)).toBeLessThanOrEqual(2 * ULP);
  });

  it('e^{a(s1+s2)} = e^{a·s1}·e^{a·s2} to a few ulps for exponents up to ±600 (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        (rate, u1, u2, negative) => {
          const a = negative ? -rate : rate;
          // s1 + s2 exact: both multiples of 2⁻²⁰ below 2³⁰ (so no rounding in the sum).
          const s1 = Math.round(((u1 * 300) / rate) * 2 ** 20) / 2 ** 20;
          const s2 = Math.round(((u2 * 300) / rate) * 2 ** 20) / 2 ** 20;
          const whole = expOfProduct(a, s1 + s2);
          const parts = expOfProduct(a, s1) * expOfProduct(a, s2);
          expect(Math.abs(whole / parts - 1)).toBeLessThanOrEqual(6 * ULP);
        },
      ),
      { numRuns: 2000, seed: 6060 },
    );
  });

  it('passes through exact zero, the extremes and non-finite exponents like Math.exp', () => {
    expect(expOfProduct(0, 5)).toBe(1);
    expect(expOfProduct(3, 0)).toBe(1);
    expect(expOfProduct(-1, 1e6)).toBe(0);
    expect(expOfProduct(1, 1e6)).toBe(Infinity);
    expect(expOfProduct(1e300, 1e300)).toBe(Infinity);
    expect(expOfProduct(2, 0.5)).toBe(Math.E);
  });
});

describe('the closed form across the switch at γ_max·s = 600', () => {
  it('gives the same state just below and just above it (factored vs one exponential per entry)', () => {
    for (const lambda of [0.3, -0.3, 0]) {
      const sigmaYX = makeSigmaYX(4, 4, 'generic', 31);
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: 4, hiddenDim: 4, outputDim: 4, lambda, scale: 0.3, seed: 32 });
      const dyn = exactDynamics({ w1, w2, sigmaYX });
      const gammaMax = Math.hypot(dyn.sigma[0], lambda / 2);
      const below = dyn.at((600 / gammaMax) * (1 - 1e-9)).qqt;
      const above = dyn.at((600 / gammaMax) * (1 + 1e-9)).qqt;
      // Both sides also against the state a little earlier, computed on the factored path
      // only (the trajectory has long converged, so all three agree to rounding).
      const earlier = dyn.at(400 / gammaMax).qqt;
      expect(relErr(above, below)).toBeLessThan(1e-13);
      expect(relErr(below, earlier)).toBeLessThan(1e-13);
    }
  });
});

describe('beyond γ_max·s = 600: rows in bands sharing column exponentials', () => {
  it('the state is the same on both sides of a change of bands (different anchors for the same entries)', () => {
    // Σyx = diag(8, 7, 3, 1): the two fastest growing rates differ by ≈ 1, so at s ≈ 100/(γ1 − γ2)
    // (γ_max·s ≈ 800) their rows share a band just below that time and not just above it.
    const sigmaYX = Matrix.diag([8, 7, 3, 1]);
    for (const lambda of [0.4, -0.4]) {
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: 4, hiddenDim: 4, outputDim: 4, lambda, scale: 0.3, seed: 33 });
      const dyn = exactDynamics({ w1, w2, sigmaYX });
      const [g1, g2] = [8, 7].map((s) => Math.hypot(s, lambda / 2));
      const edge = 100 / (g1 - g2);
      expect(g1 * edge).toBeGreaterThan(600);
      const below = dyn.at(edge * (1 - 1e-12)).qqt;
      const above = dyn.at(edge * (1 + 1e-12)).qqt;
      // The trajectory has converged: over 2e-10 in t the state moves far below rounding.
      expect(relErr(above, below)).toBeLessThan(1e-13);
      expect(relErr(below, dyn.at(edge * 0.9).qqt)).toBeLessThan(1e-13);
    }
  });
  it('an aligned network half-way through learning its slow modes at γ_max·s ≈ 800: every mode as its scalar closed form', () => {
    // Rates 8.0, 7.0 (one band just below s = 100/(γ1 − γ2), two above) and ≈ 0.011, 0.008
    // (one band, anchored at the slower: the other row's part is e^{0.34} at s = 100); the
    // slow modes are still learning, so an error in their rows' exponentials shows in a(t).
    const sigma = [8, 7, 0.01, 0.006];
    const sigmaYX = Matrix.diag(sigma);
    const lambda = 0.01;
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 4, hiddenDim: 4, outputDim: 4, lambda, scale: 1e-4, seed: 34, alignTo: sigmaYX });
    const dyn = exactDynamics({ w1, w2, sigmaYX });
    const a0 = dyn.at(0).singularProduct;
    const edge = 100 / (Math.hypot(8, lambda / 2) - Math.hypot(7, lambda / 2));
    for (const t of [edge * 0.99, edge * 1.01, 160]) {
      const product = dyn.at(t).singularProduct;
      sigma.forEach((s, k) => {
        const exact = alignedMode({ sigma: s, a0: a0.get(k, k), lambda }).at(t);
        if (k >= 2) expect(exact / s).toBeGreaterThan(0.05); // still learning
        if (k >= 2) expect(exact / s).toBeLessThan(0.95);
        // Measured ≤ 3e-16·σ_α; 1e-14·σ_α leaves a few dozen ulps for the factorisation's rounding.
        expect(Math.abs(product.get(k, k) - exact), `t = ${t}, mode ${k}`).toBeLessThanOrEqual(1e-14 * s);
      });
    }
  });
});

describe('the closed form where exponentials reach the subnormal range', () => {
  it('matches RK4 through γ_max·s = 650–900, where factors below e^{−600} are flushed to zero', () => {
    // A wide network at λ < 0: its left-over input modes all grow at |λ|/2, far slower than
    // the task's modes (γ_max ≈ σ_max), so e^{(γ_i − g_j)s} sweeps through e^{−708…−745}.
    const sigmaYX = makeSigmaYX(3, 12, 'generic', 41).mul(4);
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 12, hiddenDim: 6, outputDim: 3, lambda: -0.5, scale: 0.3, seed: 42 });
    const dyn = exactDynamics({ w1, w2, sigmaYX });
    const gammaMax = Math.hypot(dyn.sigma[0], 0.25);
    // RK4 from the exact state at γ_max·s = 560 (the factored path) to the band and beyond.
    const t0 = 560 / gammaMax;
    const start = dyn.at(t0).weights;
    const marks = [650, 700, 720, 740, 760, 800, 900];
    const run = integrateGradientFlow({
      w1: start.w1,
      w2: start.w2,
      sigmaYX,
      times: marks.map((gs) => gs / gammaMax - t0),
      maxStep: 0.002 / gammaMax,
    });
    marks.forEach((gs, k) => {
      const q = stackQ(run.w1[k], run.w2[k]);
      const exact = dyn.at(gs / gammaMax).qqt;
      expect(exact.to1DArray().every(Number.isFinite)).toBe(true);
      expect(relErr(exact, q.mmul(q.transpose()))).toBeLessThan(1e-9);
    });
  });
});
