/**
 * Transfer learning (MATH.md §9): transfer() against gradient descent (O(η), halving), its
 * summaries (timeTo90 by bisection, representation similarity), the λ² symmetry of the
 * network function for square networks, and argument checks.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  exactDynamics,
  lambdaBalancedWeights,
  NotWhitenedError,
  ShapeError,
  simulateGradientDescent,
  InvalidArgumentError,
  type Task,
} from '../../src/index.js';
import { featureFlip } from '../../src/applications/feature-flip.js';
import { hierarchicalTask } from '../../src/applications/hierarchical-task.js';
import { permutedTask } from '../../src/applications/permuted-task.js';
import { transfer } from '../../src/applications/transfer.js';

const half = (a: Matrix, b: Matrix): number => 0.5 * a.clone().sub(b).norm('frobenius') ** 2;
const source = hierarchicalTask({ depth: 3 });
const target = permutedTask(source, [5, 2, 7, 0, 3, 6, 1, 4]);

describe('transfer vs gradient descent (depth-3 hierarchy → permuted hierarchy, 8×8×8)', () => {
  const pretrainTime = 20;
  const time = 20;
  const points = 41;

  /** Max relative gap of the target and source loss curves of both runs, GD with rate η vs exact. */
  function gap(eta: number, result: ReturnType<typeof transfer>, w1: Matrix, w2: Matrix): number {
    const every = Math.round(time / (points - 1) / eta);
    const pre = simulateGradientDescent({ w1, w2, X: source.X!, Y: source.Y!, learningRate: eta, steps: Math.round(pretrainTime / eta), recordEvery: 1e9 });
    const runs = [
      simulateGradientDescent({
        w1: pre.w1[1], w2: pre.w2[1], X: target.X!, Y: target.Y!, learningRate: eta, steps: Math.round(time / eta), recordEvery: every,
      }),
      simulateGradientDescent({ w1, w2, X: target.X!, Y: target.Y!, learningRate: eta, steps: Math.round(time / eta), recordEvery: every }),
    ];
    let worst = 0;
    [result.pretrained, result.scratch].forEach((exact, r) => {
      const run = runs[r];
      expect(run.times).toEqual(exact.times.map((t) => expect.closeTo(t, 9)));
      const scaleT = Math.max(...exact.targetLoss);
      const scaleS = Math.max(...exact.sourceLoss);
      run.w1.forEach((m, k) => {
        const w = run.w2[k].mmul(m);
        worst = Math.max(
          worst,
          Math.abs(half(target.sigmaYX, w) - exact.targetLoss[k]) / scaleT,
          Math.abs(half(source.sigmaYX, w) - exact.sourceLoss[k]) / scaleS,
        );
      });
    });
    return worst;
  }

  for (const lambda of [-1, 0.5]) {
    it(`λ = ${lambda}: both runs' target and source losses match GD within O(η) (gap < 5e-3, halving)`, () => {
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: 8, hiddenDim: 8, outputDim: 8, lambda, scale: 0.1, seed: 3 });
      const result = transfer({ w1, w2, source, target, pretrainTime, time, points });
      // Measured: 1.77e-3 → 8.85e-4 (λ = −1), 1.57e-3 → 7.85e-4 (λ = 0.5); ratios 2.00, 2.01.
      const g1 = gap(0.01, result, w1, w2);
      const g2 = gap(0.005, result, w1, w2);
      expect(g1).toBeLessThan(5e-3);
      expect(g1 / g2).toBeGreaterThan(1.8);
      expect(g1 / g2).toBeLessThan(2.2);
    });
  }
});

describe('transfer summaries', () => {
  it('timeTo90 is the first time the target loss reaches 0.1 × the initial loss (bisection on the closed form)', () => {
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 8, hiddenDim: 8, outputDim: 8, lambda: -1, scale: 0.1, seed: 3 });
    const r = transfer({ w1, w2, source, target, pretrainTime: 20, time: 20 });
    const { threshold } = r.timeTo90;
    expect(threshold).toBeCloseTo(0.1 * half(target.sigmaYX, w2.mmul(w1)), 14);
    for (const run of ['pretrained', 'scratch'] as const) {
      const t = r.timeTo90[run];
      const dyn = r[run].dynamics;
      expect(t).toBeGreaterThan(0);
      expect(dyn.at(t).loss).toBeLessThanOrEqual(threshold);
      expect(dyn.at(t - 1e-9).loss).toBeGreaterThan(threshold);
    }
    // The pretrained run's target phase starts where pretraining ended, at global time 20.
    expect(r.pretrained.start.t).toBe(20);
    expect(r.pretrained.start.w2w1.clone().sub(r.pretrained.sequence.at(20).w2w1).norm('frobenius')).toBeLessThan(1e-13);
    expect(r.scratch.start.t).toBe(0);
    expect(r.pretrained.sourceLoss[0]).toBeLessThan(1e-3); // the source was learned
  });

  it('representation similarity is the Frobenius cosine of W1ᵀW1 with the target ṼS̃Ṽᵀ', () => {
    // An even permutation (bit reversal of the item index): at λ = 0 an odd one would flip
    // sign det Σyx and leave the weakest mode on the determinant-sign saddle (reversal.test.ts).
    const evenTarget = permutedTask(source, [0, 4, 2, 6, 1, 5, 3, 7]);
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 8, hiddenDim: 8, outputDim: 8, lambda: 0, scale: 1e-3, seed: 1 });
    const r = transfer({ w1, w2, source, target: evenTarget, pretrainTime: 30, time: 60 });
    // λ = 0 converges to W1ᵀW1 = ṼS̃Ṽᵀ exactly (MATH.md §5): similarity 1 at the end of the scratch run.
    expect(r.scratch.end.loss).toBeLessThan(1e-20);
    expect(r.scratch.similarity.end).toBeCloseTo(1, 9);
    // The pretrained run does not get there: relative to the source's converged (aligned) state
    // two of the target's σ = 0.5 modes point backwards, and at λ = 0 they sit on the exact
    // reversal saddle of MATH.md §8 (loss 2 × ½·0.5² for ever).
    expect(r.pretrained.end.loss).toBeCloseTo(0.25, 9);
    expect(r.representationSimilarity.after).toBeLessThan(0.99);
    // Before, it is the similarity of the source's ṼS̃Ṽᵀ with the target's: compute it directly.
    const structure = (s: Matrix): Matrix => {
      // ṼS̃Ṽᵀ = (ΣyxᵀΣyx)^{1/2}, from an independent symmetric eigendecomposition.
      const evd = new EigenvalueDecomposition(s.transpose().mmul(s), { assumeSymmetric: true });
      const vals = evd.realEigenvalues.map((x) => Math.sqrt(Math.max(x, 0)));
      return evd.eigenvectorMatrix.mmul(Matrix.diag(vals)).mmul(evd.eigenvectorMatrix.transpose());
    };
    const a = structure(source.sigmaYX);
    const b = structure(evenTarget.sigmaYX);
    const cos = a.clone().mul(b).sum() / (a.norm('frobenius') * b.norm('frobenius'));
    expect(r.representationSimilarity.before).toBeCloseTo(cos, 6);
    expect(r.representationSimilarity.isotropic).toBeCloseTo((2 + 2 * Math.SQRT1_2 + 2) / (Math.sqrt(8) * 2), 12);
  });

  it('the similarities are cosines, scale-free: weights scaled by 2^±280 (W1ᵀW1 near 1e∓169) give the same start similarity', () => {
    // Σ a² of W1ᵀW1's entries overflowed beyond ~1e154 and vanished below ~1e-162: the cosine came back 0.
    const target = featureFlip(source, [0]);
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 8, hiddenDim: 8, outputDim: 8, lambda: -1, scale: 0.1, seed: 4 });
    const unit = transfer({ w1, w2, source, target, pretrainTime: 1, time: 1, points: 3 }).scratch.similarity.start;
    expect(unit).toBeGreaterThan(0.1);
    for (const k of [-280, 280]) {
      const f = 2 ** k; // exact: W1ᵀW1 scales by 4^k, its cosine not at all
      const r = transfer({ w1: w1.clone().mul(f), w2: w2.clone().mul(f), source, target, pretrainTime: 1e-300, time: 1e-300, points: 2 });
      expect(Math.abs(r.scratch.similarity.start - unit), `2^${k}`).toBeLessThan(1e-14);
    }
  });

  it('square networks: the loss curves depend on λ only through λ², the representations on its sign', () => {
    const runs = [2, -2].map((lambda) => {
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: 8, hiddenDim: 8, outputDim: 8, lambda, scale: 0.1, seed: 4 });
      return transfer({ w1, w2, source, target: featureFlip(source, [1]), pretrainTime: 10, time: 10, points: 11 });
    });
    runs[0].pretrained.targetLoss.forEach((l, k) => expect(Math.abs(l - runs[1].pretrained.targetLoss[k])).toBeLessThan(1e-12 * (1 + l)));
    expect(runs[0].timeTo90.pretrained).toBeCloseTo(runs[1].timeTo90.pretrained, 9);
    expect(runs[0].timeTo90.scratch).toBeCloseTo(runs[1].timeTo90.scratch, 9);
    // λ < 0 keeps the structure in W1ᵀW1 (plus |λ|·I): its similarity differs from λ > 0.
    expect(Math.abs(runs[0].representationSimilarity.before - runs[1].representationSimilarity.before)).toBeGreaterThan(1e-3);
  });

  it('featureFlip keeps the input structure: a λ < 0 pretrained network already has the right W1ᵀW1 and transfers faster', () => {
    const flipped = featureFlip(source, [7]);
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 8, hiddenDim: 8, outputDim: 8, lambda: -1, scale: 0.01, seed: 2 });
    const r = transfer({ w1, w2, source, target: flipped, pretrainTime: 40, time: 40 });
    expect(r.timeTo90.pretrained).toBeLessThan(r.timeTo90.scratch);
    expect(r.representationSimilarity.before).toBeCloseTo(r.representationSimilarity.after, 6);
  });

  it('validates its arguments and never mutates them', () => {
    const w1 = Matrix.eye(8).mul(0.1);
    const w2 = Matrix.eye(8).mul(0.1);
    const before = JSON.stringify([w1.to2DArray(), source.Y!.to2DArray()]);
    transfer({ w1, w2, source, target, pretrainTime: 1, time: 1, points: 3 });
    expect(JSON.stringify([w1.to2DArray(), source.Y!.to2DArray()])).toBe(before);
    expect(() => transfer({ w1, w2, source, target: [[1]], pretrainTime: 1, time: 1 })).toThrow(ShapeError);
    expect(() => transfer({ w1, w2, source, target, pretrainTime: -1, time: 1 })).toThrow(/pretrainTime/);
    expect(() => transfer({ w1, w2, source, target, pretrainTime: 1, time: 0 })).toThrow(/`time`/);
    expect(() => transfer({ w1, w2, source, target, pretrainTime: 1, time: 1, times: [2] })).toThrow(InvalidArgumentError);
    const skewed: Task = { ...target, sigmaXX: Matrix.eye(8).mul(2) };
    expect(() => transfer({ w1, w2, source, target: skewed, pretrainTime: 1, time: 1 })).toThrow(NotWhitenedError);
    expect(() => transfer({ w1, w2, source, target: 'x' as unknown as Task, pretrainTime: 1, time: 1 })).toThrow(/`target`/);
    // Scratch dynamics are those of exactDynamics on the target.
    const r = transfer({ w1, w2, source, target, pretrainTime: 1, time: 2, times: [2] });
    expect(r.scratch.targetLoss[0]).toBeCloseTo(exactDynamics({ w1, w2, sigmaYX: target.sigmaYX }).at(2).loss, 12);
  });
});
