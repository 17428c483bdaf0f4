/**
 * Results a caller may modify: ml-matrix's arithmetic (`sub`, `mul`, `add`, …) works in
 * place, so a cached Matrix handed out twice lets ordinary code such as
 * `snap.w2w1.sub(sigmaYX)` change what the Snapshot and everything computed from it later
 * report. Every Matrix a Snapshot or an ExactDynamics hands out is therefore a fresh copy,
 * and the singular values are a frozen array.
 */
import { describe, expect, it } from 'vitest';
import { Matrix } from 'ml-matrix';
import {
  exactDynamics,
  lambdaBalancedWeights,
  modeStrengths,
  ntk,
  randomTask,
  representationSimilarity,
  shallowDeviation,
  type Snapshot,
} from '../../src/index.js';

function setUp() {
  const task = randomTask({ inputDim: 3, outputDim: 2, samples: 20, seed: 2 });
  const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 2, outputDim: 2, lambda: 0.5, scale: 0.3, seed: 1 });
  return { task, dyn: exactDynamics({ w1, w2, sigmaYX: task.sigmaYX }) };
}

const getters = ['qqt', 'w2w1', 'w1tw1', 'w2w2t', 'factor', 'singularProduct'] as const;

/** Every matrix the Snapshot reports, as plain arrays (and the loss). */
function readings(s: Snapshot): Record<string, unknown> {
  const out: Record<string, unknown> = { loss: s.loss, w1: s.weights.w1.to2DArray(), w2: s.weights.w2.to2DArray() };
  for (const g of getters) out[g] = s[g].to2DArray();
  return out;
}

/** Scribbles over every entry of m in place, the way a caller's in-place arithmetic would. */
function scribble(m: Matrix): void {
  m.mul(-3).add(7);
}

describe('Snapshot and ExactDynamics hand out copies', () => {
  it('modifying every matrix read from a Snapshot changes nothing it reports later', () => {
    const { dyn } = setUp();
    for (const snap of [dyn.at(1), dyn.at(0), dyn.converged()]) {
      const before = readings(snap);
      for (const g of getters) scribble(snap[g]);
      const { w1, w2 } = snap.weights;
      scribble(w1);
      scribble(w2);
      expect(readings(snap)).toEqual(before);
      // Each read is a new object; a second read of the same getter is equal, not the same.
      for (const g of getters) expect(snap[g]).not.toBe(snap[g]);
    }
  });

  it('analyses of a Snapshot are unchanged after the caller modifies its matrices (ntk, mode strengths, similarity)', () => {
    const { task, dyn } = setUp();
    const s = dyn.at(1);
    const basis = dyn.singularVectors;
    const strengths = modeStrengths(s, undefined, { basis }).strengths;
    const kernel = ntk(s, task.X!).to2DArray();
    const similarity = representationSimilarity(s, { inputs: task.X! }).input!.to2DArray();
    // What a researcher might write to get a residual or to rescale for a plot.
    s.w2w1.sub(task.sigmaYX);
    s.w1tw1.mul(2);
    s.factor.mul(0);
    s.singularProduct.mul(0);
    expect(modeStrengths(s, undefined, { basis }).strengths).toEqual(strengths);
    expect(ntk(s, task.X!).to2DArray()).toEqual(kernel);
    expect(representationSimilarity(s, { inputs: task.X! }).input!.to2DArray()).toEqual(similarity);
  });

  it('modifying dynamics.sigmaYX or its singular vectors does not change later results', () => {
    const { task, dyn } = setUp();
    const deviation = shallowDeviation(dyn, [1]).deviation[0];
    const loss = dyn.at(2).loss;
    const curves = dyn.summaries([0.5, 2]);
    const { u, v } = dyn.singularVectors;
    const uBefore = u.to2DArray();
    dyn.sigmaYX.mul(3);
    scribble(u);
    scribble(v);
    expect(dyn.sigmaYX.to2DArray()).toEqual(task.sigmaYX.to2DArray());
    expect(dyn.singularVectors.u.to2DArray()).toEqual(uBefore);
    expect(shallowDeviation(dyn, [1]).deviation[0]).toBe(deviation);
    expect(dyn.at(2).loss).toBe(loss);
    expect(dyn.summaries([0.5, 2])).toEqual(curves);
  });

  it('the singular values are frozen: writing to them throws instead of changing the loss', () => {
    const { dyn } = setUp();
    const snap = dyn.at(1);
    const loss = snap.loss;
    expect(Object.isFrozen(dyn.sigma)).toBe(true);
    expect(Object.isFrozen(snap.sigma)).toBe(true);
    expect(() => {
      (dyn.sigma as number[])[0] = 0;
    }).toThrow(TypeError);
    expect(dyn.at(1).loss).toBe(loss);
    expect(dyn.lossCurve([1])[0]).toBe(loss);
  });
});
