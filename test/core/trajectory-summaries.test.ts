/**
 * ExactDynamics.summaries / lossCurve / modeStrengthCurves (src/core/trajectory-summaries.ts)
 * against the per-time Snapshot API they batch, on random configurations of every kind the
 * closed form covers (bottlenecks, Nh above both widths, rank-deficient and repeated
 * singular values, large |λ|, and wide or tall networks whose left-over directions the
 * summaries handle through one Gram matrix), at times up to 1e6·τ. Square networks give
 * bit-identical numbers (mode strengths below 2⁻¹⁰⁰⁰ aside, which one route flushes to zero);
 * with left-over directions the two evaluate the same closed form
 * in a different order, so they agree to rounding, as do decoupled (aligned) initialisations,
 * whose summaries come from each mode's closed form. Mode strengths: to 1e-13·(1 + ‖Σyx‖_F).
 * Loss: both sum squares of residuals σ − M formed entry by entry, so they agree to 1e-11
 * of the loss plus what an absolute rounding δ ≈ 1e-13·(1 + ‖Σyx‖_F) of the entries of M
 * does to it, ‖residual‖·δ = √(2·loss)·δ (once the loss is ~1e-14, that term dominates:
 * M ≈ σ is only known to a few ulps of σ), plus the loss's rounding floor
 * 1e-28·(1 + ‖Σyx‖²) (as in exact-dynamics.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactDynamics, type ExactDynamics } from '../../src/core/exact-dynamics.js';
import { decoupledModes } from '../../src/core/decoupled-modes.js';
import type { TrajectorySummaries } from '../../src/core/trajectory-summaries.js';
import { modeStrengths } from '../../src/analysis/mode-strengths.js';
import { InvalidArgumentError, NonFiniteError } from '../../src/errors.js';
import { buildConfig, configParams, type ConfigParams } from '../helpers/configs.js';

const TIMES = [0, 1e-3, 0.05, 0.4, 1, 3, 10, 60, 1e3, 1e6];

/** Checks summaries against at(t); returns the worst relative loss difference above the floor. */
function expectSummariesMatchSnapshots(dyn: ExactDynamics, s: TrajectorySummaries, times: readonly number[], exact: boolean): number {
  const r = Math.min(dyn.inputDim, dyn.outputDim);
  const norm = dyn.sigmaYX.norm('frobenius');
  const floor = 1e-28 * (1 + norm * norm);
  let worst = 0;
  times.forEach((t, k) => {
    const snap = dyn.at(t);
    const product = snap.singularProduct;
    if (exact) {
      expect(s.loss[k]).toBe(snap.loss);
      for (let a = 0; a < r; a++) {
        const got = s.modeStrengths[a][k];
        const want = product.get(a, a);
        // Below 2⁻¹⁰⁰⁰ the routes part: the Snapshot's factor drops its entries under 2⁻¹⁰⁰⁰
        // (RiccatiSolution.mayUnderflow), the summaries keep normalised rows, so a strength
        // that small may be a tiny number (or −0) on one side and +0 on the other.
        if (Math.abs(got) < 2 ** -1000 && Math.abs(want) < 2 ** -1000) continue;
        expect(got).toBe(want);
      }
    } else {
      const gap = Math.abs(s.loss[k] - snap.loss);
      expect(gap).toBeLessThanOrEqual(1e-11 * snap.loss + 1e-13 * (1 + norm) * Math.sqrt(2 * snap.loss) + floor);
      if (snap.loss > floor * 1e6) worst = Math.max(worst, gap / snap.loss);
      for (let a = 0; a < r; a++) expect(Math.abs(s.modeStrengths[a][k] - product.get(a, a))).toBeLessThanOrEqual(1e-13 * (1 + norm));
    }
    const off = modeStrengths(snap).offDiagonal;
    expect(Math.abs(s.offDiagonal[k] - off)).toBeLessThanOrEqual(1e-11 * off + 1e-14);
  });
  return worst;
}

describe('summaries(times) is the batched Snapshot', () => {
  it('matches at(t).loss, the diagonal of at(t).singularProduct and modeStrengths().offDiagonal on 120 random configurations', () => {
    let count = 0;
    fc.assert(
      fc.property(configParams, (p: ConfigParams) => {
        const c = buildConfig(p);
        const dyn = exactDynamics({ w1: c.w1, w2: c.w2, sigmaYX: c.sigmaYX, tau: 0.7 });
        const s = dyn.summaries(TIMES);
        const r = Math.min(c.ni, c.no);
        expect(Array.from(s.times)).toEqual(TIMES);
        expect(s.loss.length).toBe(TIMES.length);
        expect(s.modeStrengths.length).toBe(r);
        // Bit-identical for square networks on the general path; decoupled (aligned)
        // initialisations take the per-mode closed form and agree to rounding.
        expectSummariesMatchSnapshots(dyn, s, TIMES, c.ni === c.no && decoupledModes(dyn.at(0).solution) === undefined);
        count++;
      }),
      { numRuns: 120, seed: 20261130 },
    );
    expect(count).toBe(120);
  });

  it('on wide and tall networks (many left-over directions), growing or decaying, to 1e6·τ', () => {
    let worst = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 6, max: 40 }),
        fc.boolean(),
        fc.constantFrom(-2, -0.5, 0, 0.5, 2),
        fc.integer({ min: 0, max: 2 ** 30 }),
        (narrow, wide, tall, lambda, seed) => {
          const [ni, no] = tall ? [narrow, wide] : [wide, narrow];
          const maxNh = lambda > 0 ? no : lambda < 0 ? ni : ni + no;
          const nh = 1 + (seed % Math.min(maxNh, 12));
          const c = buildConfig({ ni, no, nhChoice: nh, lambda, scale: 0.3, taskKind: 'generic', aligned: false, seed });
          const dyn = exactDynamics({ w1: c.w1, w2: c.w2, sigmaYX: c.sigmaYX });
          const times = [0, 0.1, 1, 5, 30, 300, 1e6];
          worst = Math.max(worst, expectSummariesMatchSnapshots(dyn, dyn.summaries(times), times, false));
        },
      ),
      { numRuns: 150, seed: 4242 },
    );
    console.log(`summaries vs Snapshot with left-over directions: worst relative loss difference ${worst.toExponential(2)}`);
  });

  it('lossCurve and modeStrengthCurves return the same curves as summaries; any order of times, arrays or Float64Arrays', () => {
    const c = buildConfig({ ni: 5, no: 3, nhChoice: 3, lambda: 0.5, scale: 0.1, taskKind: 'generic', aligned: false, seed: 11 });
    const dyn = exactDynamics({ w1: c.w1, w2: c.w2, sigmaYX: c.sigmaYX });
    const times = Float64Array.from([7, 0, 2.5, 30, 0.1]);
    const s = dyn.summaries(times);
    expect(Array.from(dyn.lossCurve(Array.from(times)))).toEqual(Array.from(s.loss));
    const curves = dyn.modeStrengthCurves(times);
    expect(curves.map((x) => Array.from(x))).toEqual(s.modeStrengths.map((x) => Array.from(x)));
    // t = 0 (position 1): a 5×3 task has left-over input directions, which the summaries
    // fold into one number, so they agree with the Snapshot to rounding, not bit for bit.
    expect(Math.abs(s.loss[1] - dyn.at(0).loss)).toBeLessThanOrEqual(1e-14 * dyn.at(0).loss);
    expect(dyn.summaries([]).loss.length).toBe(0);
  });

  it('rejects times that at(t) rejects', () => {
    const c = buildConfig({ ni: 2, no: 2, nhChoice: 2, lambda: 0, scale: 0.1, taskKind: 'generic', aligned: false, seed: 3 });
    const dyn = exactDynamics({ w1: c.w1, w2: c.w2, sigmaYX: c.sigmaYX });
    for (const [bad, type] of [
      [-1, InvalidArgumentError],
      [Number.NaN, NonFiniteError],
      [Infinity, NonFiniteError],
    ] as const) {
      expect(() => dyn.at(bad)).toThrow(type);
      expect(() => dyn.summaries([1, bad])).toThrow(type);
      expect(() => dyn.lossCurve([bad])).toThrow(type);
      expect(() => dyn.modeStrengthCurves([bad])).toThrow(type);
    }
    expect(() => dyn.summaries('1' as unknown as number[])).toThrow(InvalidArgumentError);
  });
});
