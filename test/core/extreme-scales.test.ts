/**
 * "Never a NaN result": every public computation on a network, at task scales from 1e-200 to
 * 1e150, weight scales from 1e-300 to 1e100 and λ from −1e200 to 1e200, returns finite numbers (or +Infinity where
 * documented) or throws one of the library's typed errors (ExactDlnError and subclasses) —
 * never NaN, never a plain Error. Property-based over random widths, scales and λ.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';
import { createRng, gaussianMatrix } from '../../src/random.js';

/** Every number reachable in v (numbers, arrays, typed arrays, Matrices, plain objects). */
function numbersIn(v: unknown, out: number[] = []): number[] {
  if (typeof v === 'number') out.push(v);
  else if (v instanceof Float64Array || Array.isArray(v)) for (const x of v) numbersIn(x, out);
  else if (v !== null && typeof v === 'object' && typeof (v as { to1DArray?: unknown }).to1DArray === 'function') {
    out.push(...(v as { to1DArray(): number[] }).to1DArray());
  } else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) numbersIn(x, out);
  return out;
}

/** Runs fn; its result must be free of NaN and −Infinity; a throw must be an ExactDlnError. */
function finiteOrTyped(label: string, fn: () => unknown): 'ok' | 'refused' {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    if (!(e instanceof lib.ExactDlnError)) throw new Error(`${label}: untyped error ${String(e)}`);
    return 'refused';
  }
  const bad = numbersIn(result).filter((x) => !(Number.isFinite(x) || x === Infinity));
  expect(bad, `${label}: non-finite values`).toEqual([]);
  return 'ok';
}

describe('extreme scales: finite results or typed errors', () => {
  it('exactDynamics, Snapshots, summaries, kernel distances, RSA, mode strengths, restarts, sequences (150 random cases)', () => {
    let ok = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(-200, -100, -8, 0, 8, 100, 150),
        fc.constantFrom(-300, -100, -8, 0, 4, 100),
        fc.constantFrom(0, 1e-200, 1e-8, 1, -1, -1e8, -1e200, 1e200),
        fc.constantFrom([3, 2, 3], [2, 2, 4], [5, 3, 2], [3, 3, 3]),
        fc.integer({ min: 0, max: 2 ** 30 }),
        (sExp, wExp, lambda, [ni, nh, no], seed) => {
          const label = `${ni}×${nh}×${no}, σ·1e${sExp}, scale 1e${wExp}, λ ${lambda}, seed ${seed}`;
          const sigmaYX = gaussianMatrix(no, ni, createRng(seed)).mul(10 ** sExp);
          let weights: lib.BalancedWeights;
          try {
            weights = lib.lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda, scale: 10 ** wExp, seed: seed + 1 });
          } catch (e) {
            expect(e).toBeInstanceOf(lib.ImpossibleLambdaError); // λ > 0 with Nh > No, λ < 0 with Nh > Ni
            return;
          }
          const dyn = lib.exactDynamics({ ...weights, sigmaYX });
          // Times spanning the dynamics: the rate bounds ‖F‖ + ‖P(0)‖.
          const rate = 10 ** sExp + Math.abs(lambda) + 10 ** wExp;
          const times = [0, 0.1 / rate, 1 / rate, 10 / rate, 1e3 / rate];
          const probes = gaussianMatrix(ni, 4, createRng(seed + 2));
          const cases: [string, () => unknown][] = [
            ['summaries', () => dyn.summaries(times)],
            ['Snapshot', () => { const s = dyn.at(times[2]); return [s.loss, s.qqt, s.w1tw1, s.w2w2t, s.w2w1, s.singularProduct, s.weights]; }],
            ['converged', () => { const s = dyn.converged(); return [s.loss, s.qqt, s.weights]; }],
            ['kernelDistance', () => [lib.kernelDistance(dyn.at(0), dyn.at(times[3])), lib.kernelDistance(dyn.at(0), dyn.at(times[3]), { inputs: probes })]],
            ['kernelDistanceTrajectory', () => lib.kernelDistanceTrajectory(dyn, times)],
            ['representationSimilarity', () => lib.representationSimilarity(dyn.at(times[2]), { inputs: probes, outputs: gaussianMatrix(no, 3, createRng(seed + 3)) })],
            ['modeStrengths', () => lib.modeStrengths(dyn.at(times[2]), sigmaYX)],
            ['restart from P', () => lib.exactDynamicsFromQQt({ qqt: dyn.at(times[2]).qqt, inputDim: ni, hiddenDim: nh, sigmaYX }).summaries(times)],
            ['restart from weights', () => lib.exactDynamics({ ...dyn.at(times[2]).weights, sigmaYX }).summaries(times)],
            ['trainSequence', () => lib.trainSequence({ ...weights, tasks: [{ sigmaYX, duration: 2 / rate }, { sigmaYX: sigmaYX.clone().mul(-1), duration: 2 / rate }] }).losses],
          ];
          for (const [name, fn] of cases) if (finiteOrTyped(`${label}: ${name}`, fn) === 'ok') ok++;
        },
      ),
      { numRuns: 250, seed: 101 },
    );
    expect(ok).toBeGreaterThan(500); // most cases compute (refusals are the exception)
  });
});
