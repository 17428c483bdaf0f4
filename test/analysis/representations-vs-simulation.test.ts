/**
 * Every representation quantity computed from the exact dynamics equals the same quantity
 * computed from simulated networks at the same times (MATH.md §11):
 *
 *  - RK4 (integrateGradientFlow, default step rule): its weights agree with the closed form
 *    to ~1e-12..1e-10 relative (MATH.md §11, oracle 1; gradient-flow.ts documents 1e-13 to
 *    1e-11 on random networks). The quantities here are smooth in the weights with O(1)
 *    condition (RSM_out: κ(W2W2ᵀ) ≲ 1e2 on these configurations), so 1e-8 holds with a
 *    margin of ≥ 100 and still catches any real discrepancy (which would be O(1e-2) or more).
 *  - gradient descent (simulateGradientDescent on the task's whitened data) follows the
 *    flow with an O(η) error (MATH.md §11): the gap must be below 5·η and roughly halve
 *    when η halves (ratio in [1.7, 2.3]).
 *
 * Probes are random (non-whitened) inputs X′ and outputs Y′; simulated weights are
 * projected on the dynamics' own singular basis for modeStrengths.
 */
import { Matrix } from 'ml-matrix';
import { afterAll, describe, expect, it } from 'vitest';
import { kernelDistanceTrajectory } from '../../src/analysis/kernel-distance-trajectory.js';
import { modeStrengths } from '../../src/analysis/mode-strengths.js';
import { representationSimilarity } from '../../src/analysis/representation-similarity.js';
import { exactDynamics, type ExactDynamics } from '../../src/core/exact-dynamics.js';
import { randomTask } from '../../src/core/task.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { createRng, gaussianMatrix } from '../../src/random.js';
import { integrateGradientFlow } from '../../src/simulation/gradient-flow.js';
import { simulateGradientDescent } from '../../src/simulation/gradient-descent.js';
import { relErr } from '../helpers/oracles.js';

const configs = [
  { ni: 3, nh: 3, no: 3, lambda: 0.5, scale: 0.3, seed: 1 },
  { ni: 4, nh: 2, no: 3, lambda: -1, scale: 0.5, seed: 2 },
  { ni: 2, nh: 3, no: 4, lambda: 1, scale: 0.2, seed: 3 },
  { ni: 3, nh: 4, no: 2, lambda: 0, scale: 0.4, seed: 4 },
];
const times = [0, 0.5, 1, 2, 4];

interface Gaps {
  kernel: number;
  rsmIn: number;
  rsmOut: number;
  modes: number;
}

function setup(c: (typeof configs)[number]) {
  const task = randomTask({ inputDim: c.ni, outputDim: c.no, samples: 4 * c.ni, seed: 10 + c.seed });
  const weights = lambdaBalancedWeights({
    inputDim: c.ni,
    hiddenDim: c.nh,
    outputDim: c.no,
    lambda: c.lambda,
    scale: c.scale,
    seed: 20 + c.seed,
  });
  const dyn = exactDynamics({ ...weights, sigmaYX: task.sigmaYX });
  const rng = createRng(30 + c.seed);
  const probes = { inputs: gaussianMatrix(c.ni, 5, rng), outputs: gaussianMatrix(c.no, 5, rng) };
  return { task, weights, dyn, probes };
}

/** Largest gaps between the exact quantities at `ts` and those of a run recorded at the same times. */
function gaps(
  dyn: ExactDynamics,
  ts: number[],
  run: { times: number[]; w1: Matrix[]; w2: Matrix[] },
  probes: { inputs: Matrix; outputs: Matrix },
): Gaps {
  const exactKernel = kernelDistanceTrajectory(dyn, ts, { inputs: probes.inputs }).distance;
  const simKernel = kernelDistanceTrajectory(run, { inputs: probes.inputs }).distance;
  const g: Gaps = { kernel: 0, rsmIn: 0, rsmOut: 0, modes: 0 };
  ts.forEach((t, k) => {
    g.kernel = Math.max(g.kernel, Math.abs(exactKernel[k] - simKernel[k]));
    const snap = dyn.at(t);
    const net = { w1: run.w1[k], w2: run.w2[k] };
    const a = representationSimilarity(snap, probes);
    const b = representationSimilarity(net, probes);
    g.rsmIn = Math.max(g.rsmIn, relErr(b.input, a.input));
    g.rsmOut = Math.max(g.rsmOut, relErr(b.output, a.output));
    const ma = modeStrengths(snap);
    const mb = modeStrengths(net, dyn.sigmaYX, { basis: dyn.singularVectors });
    g.modes = Math.max(g.modes, ...ma.strengths.map((x, i) => Math.abs(x - mb.strengths[i])), Math.abs(ma.offDiagonal - mb.offDiagonal));
  });
  return g;
}

describe('exact quantities = quantities of RK4-integrated networks', () => {
  const worst: Gaps = { kernel: 0, rsmIn: 0, rsmOut: 0, modes: 0 };
  afterAll(() =>
    console.log(
      `exact vs RK4: worst kernel distance ${worst.kernel.toExponential(2)}, RSM_in ${worst.rsmIn.toExponential(2)}, ` +
        `RSM_out ${worst.rsmOut.toExponential(2)} (relative), mode strengths ${worst.modes.toExponential(2)}`,
    ),
  );
  for (const c of configs) {
    it(`${c.ni}×${c.nh}×${c.no}, λ = ${c.lambda}: all within 1e-8 at t = ${times.join(', ')}`, () => {
      const { task, weights, dyn, probes } = setup(c);
      const run = integrateGradientFlow({ ...weights, sigmaYX: task.sigmaYX, times });
      const g = gaps(dyn, times, run, probes);
      for (const key of Object.keys(g) as (keyof Gaps)[]) {
        worst[key] = Math.max(worst[key], g[key]);
        expect(g[key], key).toBeLessThan(1e-8);
      }
      // The kernel does move (so the comparison is not vacuous).
      expect(kernelDistanceTrajectory(dyn, [4], { inputs: probes.inputs }).distance[0]).toBeGreaterThan(1e-4);
    });
  }
});

describe('exact quantities ≈ quantities of gradient descent, with an O(η) gap', () => {
  const report: string[] = [];
  afterAll(() => console.log(`exact vs gradient descent (gap at η = 0.01 → 0.005):\n  ${report.join('\n  ')}`));
  for (const c of configs.slice(0, 3)) {
    it(`${c.ni}×${c.nh}×${c.no}, λ = ${c.lambda}: gap < 5η and halves with η`, () => {
      const { task, weights, dyn, probes } = setup(c);
      const horizon = 4;
      const at = (eta: number): Gaps => {
        const run = simulateGradientDescent({
          ...weights,
          X: task.X!,
          Y: task.Y!,
          learningRate: eta,
          steps: Math.round(horizon / eta),
          recordEvery: Math.round(1 / eta),
        });
        return gaps(dyn, run.times, run, probes);
      };
      const coarse = at(0.01);
      const fine = at(0.005);
      for (const key of Object.keys(coarse) as (keyof Gaps)[]) {
        const ratio = coarse[key] / fine[key];
        report.push(`${c.ni}×${c.nh}×${c.no} ${key}: ${coarse[key].toExponential(2)} → ${fine[key].toExponential(2)} (ratio ${ratio.toFixed(3)})`);
        expect(coarse[key], key).toBeLessThan(5 * 0.01);
        expect(ratio, key).toBeGreaterThan(1.7);
        expect(ratio, key).toBeLessThan(2.3);
      }
    });
  }
});
