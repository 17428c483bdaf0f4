/**
 * ExactDynamics.summaries / lossCurve / modeStrengthCurves (src/core/trajectory-summaries.ts)
 * against the per-time Snapshot API they batch: the same numbers (the loss is summed in
 * the same order, so it is bit-identical), on random configurations of every kind the
 * closed form covers (bottlenecks, Nh above both widths, rank-deficient and repeated
 * singular values, large |λ|), at times up to 1e6·τ.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { modeStrengths } from '../../src/analysis/mode-strengths.js';
import { InvalidArgumentError, NonFiniteError } from '../../src/errors.js';
import { buildConfig, configParams, type ConfigParams } from '../helpers/configs.js';

const TIMES = [0, 1e-3, 0.05, 0.4, 1, 3, 10, 60, 1e3, 1e6];

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
        TIMES.forEach((t, k) => {
          const snap = dyn.at(t);
          expect(s.loss[k]).toBe(snap.loss);
          const product = snap.singularProduct;
          for (let a = 0; a < r; a++) expect(s.modeStrengths[a][k]).toBe(product.get(a, a));
          const off = modeStrengths(snap).offDiagonal;
          expect(Math.abs(s.offDiagonal[k] - off)).toBeLessThanOrEqual(1e-14 * (1 + off));
        });
        count++;
      }),
      { numRuns: 120, seed: 20261130 },
    );
    expect(count).toBe(120);
  });

  it('lossCurve and modeStrengthCurves return the same curves as summaries; any order of times, arrays or Float64Arrays', () => {
    const c = buildConfig({ ni: 5, no: 3, nhChoice: 3, lambda: 0.5, scale: 0.1, taskKind: 'generic', aligned: false, seed: 11 });
    const dyn = exactDynamics({ w1: c.w1, w2: c.w2, sigmaYX: c.sigmaYX });
    const times = Float64Array.from([7, 0, 2.5, 30, 0.1]);
    const s = dyn.summaries(times);
    expect(Array.from(dyn.lossCurve(Array.from(times)))).toEqual(Array.from(s.loss));
    const curves = dyn.modeStrengthCurves(times);
    expect(curves.map((x) => Array.from(x))).toEqual(s.modeStrengths.map((x) => Array.from(x)));
    expect(s.loss[1]).toBe(dyn.at(0).loss);
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
