/**
 * The lazy–rich picture, quantitatively, from exact trajectories (MATH.md §5–§6): the
 * kernel distance between the t = 0 and the converged NTK (whitened probes) as a function
 * of λ and the initial scale, for equal and unequal widths.
 */
import { describe, expect, it } from 'vitest';
import { lazyRichSweep } from '../../src/analysis/lazy-rich-sweep.js';
import { kernelDistance } from '../../src/analysis/kernel-distance.js';
import { ntk } from '../../src/analysis/ntk.js';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { randomTask } from '../../src/core/task.js';
import { integrateGradientFlow } from '../../src/simulation/gradient-flow.js';
import { ExactDlnError, ImpossibleLambdaError, InvalidArgumentError, NonFiniteError } from '../../src/errors.js';
import { expectTypedError } from '../helpers/errors.js';

const magnitudes = [0, 0.3, 1, 3, 10, 30, 100];

describe('lazyRichSweep: equal widths (5×5×5)', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: the converged kernel distance falls monotonically with |λ|, >1e-2 at λ = 0, <1e-5 at |λ| = 100`, () => {
      const task = randomTask({ inputDim: 5, outputDim: 5, samples: 50, seed });
      const lambdas = [...magnitudes.map((m) => -m).reverse(), ...magnitudes.slice(1)];
      const sweep = lazyRichSweep({ lambdas, scales: [0.01, 1], task, hiddenDim: 5, time: 5, seed: seed + 10 });
      for (const scale of [0.01, 1]) {
        const d = new Map(sweep.rows.filter((r) => r.scale === scale).map((r) => [r.lambda, r.convergedKernelDistance]));
        expect(d.get(0)!).toBeGreaterThan(1e-2);
        for (const sign of [1, -1]) {
          for (let k = 1; k < magnitudes.length; k++) {
            expect(d.get(sign * magnitudes[k])!, `λ=${sign * magnitudes[k]}, scale ${scale}`).toBeLessThan(d.get(sign * magnitudes[k - 1])! * (1 + 1e-9));
          }
          expect(d.get(sign * 100)!).toBeLessThan(1e-5);
        }
      }
    });
  }
});

describe('lazyRichSweep: unequal widths, the sign of λ decides', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: No > Ni (3×3×6): λ = −100 lazy, λ = +100 not; mirrored for Ni > No (6×3×3)`, () => {
      const wideOut = lazyRichSweep({
        lambdas: [-100, 100], scales: [0.01, 1], task: randomTask({ inputDim: 3, outputDim: 6, samples: 30, seed }), hiddenDim: 3, time: 5, seed: seed + 20,
      });
      const wideIn = lazyRichSweep({
        lambdas: [-100, 100], scales: [0.01, 1], task: randomTask({ inputDim: 6, outputDim: 3, samples: 30, seed }), hiddenDim: 3, time: 5, seed: seed + 20,
      });
      for (const r of wideOut.rows) {
        if (r.lambda < 0) expect(r.convergedKernelDistance).toBeLessThan(1e-5);
        else expect(r.convergedKernelDistance).toBeGreaterThan(0.05);
      }
      for (const r of wideIn.rows) {
        if (r.lambda > 0) expect(r.convergedKernelDistance).toBeLessThan(1e-5);
        else expect(r.convergedKernelDistance).toBeGreaterThan(0.05);
      }
    });
  }
});

describe('lazyRichSweep: every column agrees with simulated networks', () => {
  it('kernel distance, loss and representation change at `time` match RK4-trained weights', () => {
    const task = randomTask({ inputDim: 4, outputDim: 3, samples: 40, seed: 5 });
    const time = 3;
    const sweep = lazyRichSweep({ lambdas: [-2, 0, 2], scales: [0.1], task, hiddenDim: 3, time, seed: 6 });
    for (const row of sweep.rows) {
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: 4, hiddenDim: 3, outputDim: 3, lambda: row.lambda, scale: 0.1, seed: 6 });
      const sim = integrateGradientFlow({ w1, w2, sigmaYX: task.sigmaYX, times: [time], maxStep: 1e-3 });
      // RK4 agrees with the closed form to ~1e-11 relative (core tests); derived quantities
      // inherit that up to their conditioning: 1e-8 is a safe bound.
      expect(kernelDistance({ w1, w2 }, { w1: sim.w1[0], w2: sim.w2[0] })).toBeCloseTo(row.kernelDistance, 8);
      expect(Math.abs(sim.loss[0] - row.loss)).toBeLessThan(1e-8 * (1 + row.initialLoss));
      const dA = sim.w1[0].transpose().mmul(sim.w1[0]).sub(w1.transpose().mmul(w1)).norm('frobenius');
      const dR = sim.w2[0].mmul(sim.w2[0].transpose()).sub(w2.mmul(w2.transpose())).norm('frobenius');
      expect(Math.abs(dA - row.deltaW1tW1)).toBeLessThan(1e-8 * (1 + dA));
      expect(Math.abs(dR - row.deltaW2W2t)).toBeLessThan(1e-8 * (1 + dR));
      // And the converged columns are those of the dynamics' own limit.
      const dyn = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX });
      expect(row.convergedKernelDistance).toBeCloseTo(kernelDistance(dyn.at(0), dyn.at(1e6)), 10);
      // The sweep draws the random weights once for all cells: the same weights as one
      // lambdaBalancedWeights call per cell, so the same numbers exactly.
      expect(row.initialLoss).toBe(dyn.at(0).loss);
      expect(row.loss).toBe(dyn.at(time).loss);
      expect(row.kernelDistance).toBe(kernelDistance(dyn.at(0), dyn.at(time)));
    }
  });
});

describe('lazyRichSweep: matchDeterminantSign', () => {
  it('5×5×5, seed 2 (a seed whose λ = 0 start sits on a saddle): every cell is the matched weights’ exact dynamics, and λ = 0 learns the task', () => {
    const task = randomTask({ inputDim: 5, outputDim: 5, samples: 50, seed: 1 });
    const options = { lambdas: [-10, 0, 10], scales: [0.01, 1], task, hiddenDim: 5, time: 10, seed: 2 };
    const plain = lazyRichSweep(options);
    const matched = lazyRichSweep({ ...options, matchDeterminantSign: true });
    for (const row of matched.rows) {
      const w = lambdaBalancedWeights({ inputDim: 5, hiddenDim: 5, outputDim: 5, lambda: row.lambda, scale: row.scale, seed: 2, matchDeterminantSign: task.sigmaYX });
      const dyn = exactDynamics({ ...w, sigmaYX: task.sigmaYX });
      expect(row.initialLoss).toBeCloseTo(dyn.at(0).loss, 12);
      expect(Math.abs(row.convergedKernelDistance - kernelDistance(dyn.at(0), dyn.converged()))).toBeLessThan(1e-12);
      // Converged, every cell has learned the task (loss 0 to rounding).
      expect(exactDynamics({ ...w, sigmaYX: task.sigmaYX }).converged().loss, `λ = ${row.lambda}, scale ${row.scale}`).toBeLessThan(1e-20);
    }
    // Without it the λ = 0, scale 0.01 cell stops on the saddle: loss ½σ_min² at convergence.
    const basisStart = lambdaBalancedWeights({ inputDim: 5, hiddenDim: 5, outputDim: 5, lambda: 0, scale: 0.01, seed: 2 });
    expect(exactDynamics({ ...basisStart, sigmaYX: task.sigmaYX }).converged().loss).toBeGreaterThan(0.04);
    const zero = (s: typeof plain) => s.rows.find((r) => r.lambda === 0 && r.scale === 0.01)!;
    expect(zero(plain).loss).toBeGreaterThan(0.04);
    expect(zero(matched).loss).toBeLessThan(zero(plain).loss);
    expectTypedError(() => lazyRichSweep({ ...options, matchDeterminantSign: 1 } as never), InvalidArgumentError, 'matchDeterminantSign');
  });
});

describe('lazyRichSweep: bad input', () => {
  const task = randomTask({ inputDim: 3, outputDim: 2, samples: 20, seed: 1 });
  it('a λ impossible for the widths names the λ', () => {
    expectTypedError(() => lazyRichSweep({ lambdas: [0, 5], scales: [1], task, hiddenDim: 3, time: 1, seed: 1 }), ImpossibleLambdaError, /λ = 5/);
  });
  it('NaN, empty grids, negative times and scales are typed errors naming the field', () => {
    expect(() => lazyRichSweep({ lambdas: [NaN], scales: [1], task, hiddenDim: 2, time: 1, seed: 1 })).toThrow(NonFiniteError);
    expect(() => lazyRichSweep({ lambdas: [], scales: [1], task, hiddenDim: 2, time: 1, seed: 1 })).toThrow(/lambdas/);
    expect(() => lazyRichSweep({ lambdas: [0], scales: [-1], task, hiddenDim: 2, time: 1, seed: 1 })).toThrow(/scales\[0\]/);
    expect(() => lazyRichSweep({ lambdas: [0], scales: [1], task, hiddenDim: 2, time: -1, seed: 1 })).toThrow(ExactDlnError);
    expect(() => lazyRichSweep({ lambdas: [0], scales: [1], task, hiddenDim: 2.5, time: 1, seed: 1 })).toThrow(InvalidArgumentError);
  });
});

describe('examples/lazy-rich.ts', () => {
  it('prints both tables and reproduces the lazy–rich facts', async () => {
    const { main } = await import('../../examples/lazy-rich.js');
    const lines: string[] = [];
    const { equal, wideOutput } = main((l) => lines.push(l));
    expect(lines.filter((l) => /^\s+-?\d+\s/.test(l))).toHaveLength(14);
    expect(lines.join('\n')).toMatch(/Equal widths 5×5×5/);
    const d = (s: typeof equal, lambda: number) => s.rows.find((r) => r.lambda === lambda && r.scale === 0.01)!.convergedKernelDistance;
    expect(d(equal, 100)).toBeLessThan(1e-5);
    expect(d(equal, -100)).toBeLessThan(1e-5);
    expect(d(wideOutput, -100)).toBeLessThan(1e-5);
    expect(d(wideOutput, 100)).toBeGreaterThan(0.05);
  });
});

describe('a 1×Nh×1 network at λ = 0 that decays to the saddle at 0 (from a review)', () => {
  // From w2·w1 < 0 on σ = 1 the product shrinks to 0 and the converged NTK is exactly 0.
  // Every kernel of a 1-input, 1-output network is a multiple of X′ᵀX′ (checked below with
  // the explicit NTK), so d(K(0), K(t)) = 0 at every t and its limit t → ∞ is 0; the sweep
  // threw "the NTK of the converged network is zero" and lost its whole grid.
  it('lazyRichSweep and kernelDistance(at(0), converged()) give the limit 0; a zero start still throws', () => {
    const probes = [[0.3, -1.2, 2]];
    const dyn = exactDynamics({ w1: [[0.5], [0.2]], w2: [[-0.5, -0.2]], sigmaYX: [[1]] });
    expect(dyn.lambda).toBeCloseTo(0, 14);
    expect(dyn.converged().loss).toBeCloseTo(0.5, 12);
    for (const t of [0.5, 3, 20]) {
      const k0 = ntk(dyn.at(0), probes);
      const kt = ntk(dyn.at(t), probes);
      const ratio = kt.get(0, 0) / k0.get(0, 0);
      expect(kt.clone().sub(k0.clone().mul(ratio)).norm() / kt.norm()).toBeLessThan(1e-12); // proportional kernels
    }
    expect(kernelDistance(dyn.at(0), dyn.converged(), { inputs: probes })).toBe(0);
    expect(kernelDistance(dyn.converged(), dyn.at(0))).toBe(0);
    let stalled = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const [row] = lazyRichSweep({ lambdas: [0], scales: [0.5], task: { sigmaYX: [[1]] }, hiddenDim: 2, time: 2, seed }).rows;
      expect(row.kernelDistance).toBe(0);
      expect(row.convergedKernelDistance).toBe(0);
      if (row.loss > 0.4) stalled++;
    }
    expect(stalled, 'some seeds start with w2·w1 < 0 and decay to the saddle').toBeGreaterThan(0);
    const zero = exactDynamics({ w1: [[0]], w2: [[0]], sigmaYX: [[1]] });
    expectTypedError(() => kernelDistance(zero.at(0), zero.converged()), InvalidArgumentError, 'is zero');
  });
});
