/**
 * Decoupled (aligned) initialisations in ExactDynamics.summaries (src/core/decoupled-modes.ts):
 * detected on aligned λ-balanced weights of every kind (bottlenecks, Nh above both widths at
 * λ = 0, wide and tall networks with units on left-over directions, rank-deficient, repeated
 * and zero singular values, negative products), and then the per-mode closed form must give
 * what the general evaluator's Snapshots give — and what an RK4 integration of the weight
 * ODE gives. Anything not exactly decoupled must take the general path.
 */
import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { decoupledModes } from '../../src/core/decoupled-modes.js';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { alignedMode } from '../../src/analysis/aligned-mode.js';
import { modeStrengths } from '../../src/analysis/mode-strengths.js';
import { integrateGradientFlow } from '../../src/simulation/gradient-flow.js';
import { createRng, randomOrthogonal } from '../../src/random.js';
import { KERNEL_BACKENDS, useKernelBackend } from '../helpers/backends.js';
import { makeSigmaYX, maxHidden, type TaskKind } from '../helpers/configs.js';

const TIMES = [0, 1e-3, 0.05, 0.4, 1, 3, 10, 60, 1e3, 1e6];

interface Aligned {
  ni: number;
  no: number;
  nhChoice: number;
  lambda: number;
  kind: TaskKind;
  products: number[];
  seed: number;
}

const alignedArb: fc.Arbitrary<Aligned> = fc.record({
  ni: fc.integer({ min: 1, max: 6 }),
  no: fc.integer({ min: 1, max: 6 }),
  nhChoice: fc.integer({ min: 1, max: 7 }),
  lambda: fc.oneof(fc.constant(0), fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(-200, 50)),
  kind: fc.constantFrom<TaskKind>('generic', 'rank-deficient', 'repeated', 'zero'),
  products: fc.array(fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), fc.constantFrom(1e-9, -1e-9, 0)), { minLength: 6, maxLength: 6 }),
  seed: fc.integer({ min: 0, max: 2 ** 30 }),
});

function build(p: Aligned) {
  const nh = 1 + ((p.nhChoice - 1) % maxHidden(p.ni, p.no, p.lambda));
  const sigmaYX = makeSigmaYX(p.no, p.ni, p.kind, p.seed);
  const r = Math.min(p.ni, nh, p.no);
  const { w1, w2 } = lambdaBalancedWeights({
    inputDim: p.ni, hiddenDim: nh, outputDim: p.no, lambda: p.lambda, seed: p.seed + 1, alignTo: sigmaYX, productSingularValues: p.products.slice(0, r),
  });
  return { nh, sigmaYX, w1, w2 };
}

describe.each(KERNEL_BACKENDS)('%s', (_label, backend) => {
  useKernelBackend(backend);

  // Tolerances, as for the general summaries (trajectory-summaries.test.ts): the closed form
  // of each mode and the general evaluator are both exact to ≈ 1e-13 absolute relative to
  // (1 + ‖Σyx‖_F) (alignedMode's documented accuracy), so mode strengths agree to
  // 1e-12·(1 + ‖Σyx‖_F) (worst measured 1.3e-14) and the loss to 1e-11 of itself plus
  // √(2·loss) times that. 127 of the 200 cases are decoupled; the rest (a mode near its
  // saddle, or a rate near zero) take the general path.
  it('aligned initialisations are detected, and their curves equal the general evaluator\'s Snapshots (200 random cases)', () => {
    let worstMode = 0;
    let decoupled = 0;
    fc.assert(
      fc.property(alignedArb, (p) => {
        const { w1, w2, sigmaYX } = build(p);
        const dyn = exactDynamics({ w1, w2, sigmaYX, tau: 0.7 });
        // Detected unless a mode sits near its saddle (reversed at small |λ|) or its rate is
        // near zero: then the general path (and these comparisons hold trivially).
        const isDecoupled = decoupledModes(dyn.at(0).solution) !== undefined;
        if (isDecoupled) decoupled++;
        const s = dyn.summaries(TIMES);
        const norm = sigmaYX.norm('frobenius');
        const r = Math.min(p.ni, p.no);
        TIMES.forEach((t, k) => {
          const snap = dyn.at(t);
          const product = snap.singularProduct;
          for (let a = 0; a < r; a++) {
            const gap = Math.abs(s.modeStrengths[a][k] - product.get(a, a));
            worstMode = Math.max(worstMode, gap / (1 + norm));
            expect(gap).toBeLessThanOrEqual(1e-12 * (1 + norm));
          }
          const tolerance = 1e-11 * snap.loss + 1e-12 * (1 + norm) * Math.sqrt(2 * snap.loss) + 1e-28 * (1 + norm * norm);
          expect(Math.abs(s.loss[k] - snap.loss)).toBeLessThanOrEqual(tolerance);
          if (isDecoupled) {
            // The network stays on the task's modes: exactly in the closed form, to rounding
            // in the general evaluator.
            expect(s.offDiagonal[k]).toBe(0);
            expect(modeStrengths(snap).offDiagonal).toBeLessThanOrEqual(1e-12 * (1 + norm));
          }
        });
      }),
      { numRuns: 200, seed: 131 },
    );
    expect(worstMode).toBeLessThan(1e-12);
    expect(decoupled).toBeGreaterThan(100);
  });
});

describe('decoupled summaries against RK4 and the general path', () => {
  // RK4 with step 1e-3 on rates ≲ 5: global error ≲ 1e-12 relative; 1e-9 as in the core tests.
  it('agree with an RK4 integration of the weight ODE (λ = 0 rich, λ = 2, a reversed mode at λ = 0.5)', () => {
    const sigmaYX = makeSigmaYX(3, 4, 'generic', 141);
    for (const [lambda, products] of [[0, [0.01, 0.003, 1e-4]], [2, [0.5, -0.2, 0.1]], [0.5, [-0.8, 0.3, 0.05]]] as [number, number[]][]) {
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: 4, hiddenDim: 3, outputDim: 3, lambda, seed: 142, alignTo: sigmaYX, productSingularValues: products });
      const dyn = exactDynamics({ w1, w2, sigmaYX });
      expect(decoupledModes(dyn.at(0).solution)).toBeDefined();
      const times = [0.5, 2, 6];
      const s = dyn.summaries(times);
      const ref = integrateGradientFlow({ w1, w2, sigmaYX, times, maxStep: 1e-3 });
      times.forEach((t, k) => {
        const w = ref.w2[k].mmul(ref.w1[k]);
        const loss = 0.5 * sigmaYX.clone().sub(w).norm('frobenius') ** 2;
        expect(Math.abs(s.loss[k] - loss)).toBeLessThanOrEqual(1e-9 * loss + 1e-15);
      });
    }
  });

  it('a small mode beside a large one (products 1e-14 apart, and 1e-7 apart in the weights) is learned, as alignedMode says', () => {
    // Found with another seed of the property test above: the mode with product 4.6e-53 sat
    // below P̃'s rounding level next to the one with 4.3e-39, so it was taken for an absent
    // mode (a ≡ 0) while it is learned to σ. alignedMode evaluates each mode by itself:
    // exact to ≈ 1e-13·(1 + ‖Σyx‖_F), the tolerance of the tests above.
    const sigmaYX = makeSigmaYX(3, 3, 'generic', 0);
    const products = [4.609448907837977e-53, 0, 4.3248150805920556e-39];
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0, seed: 1, alignTo: sigmaYX, productSingularValues: products });
    const dyn = exactDynamics({ w1, w2, sigmaYX, tau: 0.7 });
    const norm = sigmaYX.norm('frobenius');
    const s = dyn.summaries(TIMES);
    TIMES.forEach((t, k) => {
      for (let a = 0; a < 3; a++) {
        const expected = alignedMode({ sigma: dyn.sigma[a], a0: products[a], lambda: 0, tau: 0.7 }).at(t);
        expect(Math.abs(s.modeStrengths[a][k] - expected), `mode ${a} at t = ${t}`).toBeLessThanOrEqual(1e-12 * (1 + norm));
      }
    });
    expect(s.modeStrengths[0][TIMES.length - 1]).toBeCloseTo(dyn.sigma[0], 12); // learned
  });

  it('takes the general path unless the initial state is exactly decoupled', () => {
    const sigmaYX = makeSigmaYX(3, 3, 'generic', 151);
    const aligned = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0.3, seed: 152, alignTo: sigmaYX, productSingularValues: [0.2, 0.1, 0.05] });
    expect(decoupledModes(exactDynamics({ ...aligned, sigmaYX }).at(0).solution)).toBeDefined();
    // Random (unaligned) weights.
    const random = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0.3, scale: 0.1, seed: 153 });
    expect(decoupledModes(exactDynamics({ ...random, sigmaYX }).at(0).solution)).toBeUndefined();
    // Aligned, then the input side rotated by 1e-6: balanced still, but the modes couple.
    const angle = 1e-6;
    const rot = new Matrix([[Math.cos(angle), -Math.sin(angle), 0], [Math.sin(angle), Math.cos(angle), 0], [0, 0, 1]]);
    const nudged = { w1: aligned.w1.mmul(rot), w2: aligned.w2 };
    const dyn = exactDynamics({ ...nudged, sigmaYX });
    expect(decoupledModes(dyn.at(0).solution)).toBeUndefined();
    // …and its curves are the general ones, bit for bit (square network).
    const s = dyn.summaries([0, 1, 10]);
    [0, 1, 10].forEach((t, k) => expect(s.loss[k]).toBe(dyn.at(t).loss));
  });

  it('a generic start at |λ| ≫ 1 is not taken for a decoupled one (couplings of the network function’s size are not rounding of W2W2ᵀ)', () => {
    // Its couplings are O(1) (W2W1), tr P̃(0) ≈ |λ|·Nh: measured against N·ε·tr P̃ they passed
    // for rounding from |λ| ≈ 1e10 on, and the per-mode curves were wrong — 2×2×2 at λ = 1e14:
    // loss 0.836 at t = 0 for ½‖Σyx − W2W1‖²_F = 1.418.
    for (const lambda of [1e10, 1e14, -1e14]) {
      const sigmaYX = [[1, 0], [0, 0]];
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 2, outputDim: 2, lambda, scale: 1, seed: 1 });
      const dyn = exactDynamics({ w1, w2, sigmaYX });
      expect(decoupledModes(dyn.at(0).solution), `λ = ${lambda}`).toBeUndefined();
      const initial = 0.5 * new Matrix(sigmaYX).sub(w2.mmul(w1)).norm('frobenius') ** 2; // from the weights themselves
      const times = [0, 1e-3 / Math.abs(lambda), 10 / Math.abs(lambda)];
      const s = dyn.summaries(times);
      expect(Math.abs(s.loss[0] - initial) / initial, `λ = ${lambda}`).toBeLessThan(1e-12);
      times.forEach((t, k) => expect(Math.abs(s.loss[k] - dyn.at(t).loss), `λ = ${lambda}, t = ${t}`).toBeLessThan(1e-12 * initial));
    }
  });

  it('a reversed mode at λ = 0 (on its saddle) is left to the general evaluator, which keeps it there', () => {
    // Its growing projection is zero up to rounding (and λ̂ is zero up to rounding): whether
    // it escapes is decided by the general evaluator's tolerances (MATH.md §8), not here.
    const sigmaYX = Matrix.diag([2, 1]);
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 2, outputDim: 2, lambda: 0, seed: 161, alignTo: sigmaYX, productSingularValues: [0.1, -0.5] });
    const dyn = exactDynamics({ w1, w2, sigmaYX });
    expect(decoupledModes(dyn.at(0).solution)).toBeUndefined();
    const s = dyn.summaries([0, 5, 50]);
    expect(s.modeStrengths[1][2]).toBeLessThanOrEqual(0); // never crosses zero
    expect(s.loss[2]).toBeCloseTo(0.5, 12); // ½σ₂² lost for ever
    expect(Math.abs(s.loss[2] - dyn.at(50).loss)).toBeLessThan(1e-12);
  });
});
