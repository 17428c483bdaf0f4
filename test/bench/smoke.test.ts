/**
 * The benchmarks' smoke mode, in-process (what `npm run bench:smoke` runs in CI): every
 * benchmark runs on tiny sizes, returns finite positive timings, writes nothing, and the
 * numpy reference — when python3 and numpy are installed — agrees with the closed form to
 * ~1e-8 on a small case. Speed targets are not asserted here (CI machines vary); they are
 * reported by `npm run bench`.
 */
import { describe, expect, it } from 'vitest';
import { runClosedFormVsSimulation } from '../../bench/closed-form-vs-simulation.js';
import { fitExponent } from '../../bench/harness.js';
import { runKernelDistance } from '../../bench/kernel-distance.js';
import { numpyAvailable, runNumpyReference } from '../../bench/numpy-reference.js';
import { runParallel } from '../../bench/parallel.js';
import { runScaling } from '../../bench/scaling.js';
import { runWideNetwork } from '../../bench/wide-network.js';

const SMOKE = { smoke: true, print: false, write: false } as const;

function expectTimings(values: number[]): void {
  for (const v of values) {
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeGreaterThan(0);
  }
}

describe('benchmarks in smoke mode', () => {
  it('closed form vs simulation returns finite timings and matching losses', () => {
    const rows = runClosedFormVsSimulation(SMOKE);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expectTimings([r.exactSetup, r.exactSummaries, r.exactFull, r.simulationRecorded, r.simulationFinal, r.speedupSummaries, r.speedupFull]);
      // Gradient descent with η = 0.01 follows the flow to O(η).
      expect(Math.abs(r.lossExact - r.lossSimulation)).toBeLessThan(0.05 * Math.max(r.lossExact, 1e-12) + 1e-9);
      // The learning-curve error is first order in η: halving η halves it (to ±10 %: the
      // O(η²) remainder is ~η·γ_max ≈ 0.3 % of it here), which the equal-accuracy column assumes.
      expect(r.curveError / r.curveErrorHalfStep).toBeGreaterThan(1.8);
      expect(r.curveError / r.curveErrorHalfStep).toBeLessThan(2.2);
      expect(r.stepsEqualAccuracy).toBeGreaterThan(r.steps);
      expectTimings([r.speedupEqualAccuracy]);
    }
  });

  it('the parallel pool returns finite timings (its curves are checked against the serial ones inside)', async () => {
    const { rows, sweep, matrices } = await runParallel(SMOKE);
    expect(rows.length).toBeGreaterThan(0);
    expect(matrices.length).toBeGreaterThan(0);
    expectTimings([sweep.serial, sweep.pool, ...matrices.flatMap((r) => [r.serialPerPoint, r.poolPerPoint])]);
    for (const r of rows) expectTimings([r.poolStart, r.serial, r.poolSameNetwork, r.poolAlternating, r.simulationRecorded, r.speedupVsSerial, r.kernelSerial, r.kernelPool]);
  });

  it('scaling returns finite per-point costs and exponents', () => {
    const { rows, exponents } = runScaling(SMOKE);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) expectTimings([r.full, r.summaries, r.modeStrengths, r.kernelDistance]);
    expect(Number.isFinite(exponents.full.all)).toBe(true);
  });

  it('kernel distance returns finite timings for every P′ and the explicit NTK', () => {
    const result = runKernelDistance(SMOKE);
    for (const r of result.rows) expectTimings([r.trajectoryGram, r.pairGram, r.trajectoryInputs, r.gramBuild]);
    expectTimings(result.ntk.map((r) => r.ms));
    expectTimings([result.flatnessTrajectory, result.flatnessPair]);
  });

  it('the numpy reference agrees with the closed form to ~1e-8 (skipped without numpy)', () => {
    const result = runNumpyReference(SMOKE);
    if (!numpyAvailable().ok) {
      expect(result.available).toBe(false);
      expect(result.notice).toMatch(/skipped/);
      return;
    }
    expect(result.available).toBe(true);
    for (const r of result.rows) {
      expectTimings([r.tsSummaries, r.tsFull, r.numpySummaries, r.numpyFull]);
      expect(r.pRelativeDifference).toBeLessThan(1e-8);
      expect(r.lossRelativeDifference).toBeLessThan(1e-8);
      expect(r.strengthDifference).toBeLessThan(1e-8);
    }
  });

  it('the wide network returns finite timings for every workload', () => {
    const r = runWideNetwork(SMOKE);
    expect(r.ni - r.no).toBeGreaterThan(r.nh); // more left-over directions than hidden units
    expectTimings([r.setup, r.summariesPerPoint, r.atPerPoint, r.factorPerPoint, r.qqtPerPoint, r.kernelDistanceWhitenedPerPoint, r.kernelDistanceGramPerPoint, r.whitening, r.weights, r.sweep]);
    // Retained memory at smoke sizes is within the heap's noise (a few hundred bytes either way): finite, not signed.
    expect(Number.isFinite(r.dynamicsBytes) && Number.isFinite(r.snapshotBytes)).toBe(true);
  });

  it('fits the exponent of a power law exactly', () => {
    expect(fitExponent([2, 4, 8, 16], [3 * 8, 3 * 64, 3 * 512, 3 * 4096])).toBeCloseTo(3, 12);
  });
});
