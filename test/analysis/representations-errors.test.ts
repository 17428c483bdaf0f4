/**
 * Bad input to representationSimilarity, ntk, kernelDistance, kernelDistanceTrajectory and
 * modeStrengths: typed errors whose messages name the argument; inputs never mutated.
 */
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { kernelDistance } from '../../src/analysis/kernel-distance.js';
import { kernelDistanceTrajectory } from '../../src/analysis/kernel-distance-trajectory.js';
import { modeStrengths } from '../../src/analysis/mode-strengths.js';
import { ntk } from '../../src/analysis/ntk.js';
import { representationSimilarity } from '../../src/analysis/representation-similarity.js';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { balanceOf } from '../../src/core/balance.js';
import { qqtOf } from '../../src/core/qqt.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { InvalidArgumentError, NonFiniteError, ShapeError } from '../../src/errors.js';
import { expectTypedError } from '../helpers/errors.js';

// Ni = 3, Nh = 2, No = 2.
const w1 = [
  [0.5, -0.2, 0.1],
  [0.3, 0.4, -0.6],
];
const w2 = [
  [1, 0.2],
  [-0.3, 0.8],
];
const net = { w1, w2 };
const x = [
  [1, 0],
  [0, 1],
  [1, 1],
];

describe('weights that do not fit together', () => {
  const bad = { w1, w2: [[1, 0, 0]] }; // w2 must have 2 columns
  it('every function throws ShapeError naming the weight', () => {
    expectTypedError(() => representationSimilarity(bad, { inputs: x }), ShapeError, 'network.w2');
    expectTypedError(() => ntk(bad, x), ShapeError, 'network.w2');
    expectTypedError(() => kernelDistance(net, bad), ShapeError, 'b.w2');
    expectTypedError(() => kernelDistance(bad, net), ShapeError, 'a.w2');
    expectTypedError(() => modeStrengths(bad, [[1, 0, 0], [0, 1, 0]]), ShapeError, 'network.w2');
    expectTypedError(() => kernelDistanceTrajectory({ times: [0, 1], w1: [w1, w1], w2: [w2, [[1]]] }), ShapeError, 'source[1].w2');
  });
  it('kernelDistance of networks with different Ni or No throws ShapeError; a run that changes width too', () => {
    expectTypedError(() => kernelDistance(net, { w1: [[1, 2]], w2: [[1], [1]] }), ShapeError, '`b`');
    expectTypedError(
      () => kernelDistanceTrajectory({ times: [0, 1], w1: [w1, w1], w2: [w2, [[1, 0], [0, 1], [1, 1]]] }),
      ShapeError,
      'source[1] (t = 1)',
    );
  });
  it('not a network at all: InvalidArgumentError', () => {
    expectTypedError(() => ntk([[1]] as never, x), InvalidArgumentError, 'network');
    expectTypedError(() => kernelDistance(net, null as never), InvalidArgumentError, '`b`');
    expectTypedError(() => representationSimilarity({ w1 } as never, { inputs: x }), InvalidArgumentError, 'network');
    expectTypedError(() => kernelDistanceTrajectory(42 as never, {}), InvalidArgumentError, 'source');
    // An array of states has an \`at\` method but is not an ExactDynamics.
    expectTypedError(() => kernelDistanceTrajectory([net, net] as never, [0, 1]), InvalidArgumentError, 'source');
  });
});

describe('probes of the wrong shape', () => {
  it('inputs must have Ni rows, outputs No rows', () => {
    expectTypedError(() => representationSimilarity(net, { inputs: [[1, 2]] }), ShapeError, 'inputs');
    expectTypedError(() => representationSimilarity(net, { outputs: [[1], [2], [3]] }), ShapeError, 'outputs');
    expectTypedError(() => ntk(net, [[1], [2]]), ShapeError, 'inputs');
    expectTypedError(() => kernelDistance(net, net, { inputs: [[1], [2]] }), ShapeError, 'inputs');
    expectTypedError(() => kernelDistance(net, net, { gram: [[1, 0], [0, 1]] }), ShapeError, 'gram');
    expectTypedError(() => modeStrengths(net, [[1, 0], [0, 1]]), ShapeError, 'sigmaYX');
  });
  it('ragged or empty probes', () => {
    expectTypedError(() => ntk(net, [[1, 2], [3], [4, 5]]), ShapeError, 'inputs');
    expectTypedError(() => representationSimilarity(net, { outputs: [] }), ShapeError, 'outputs');
  });
});

describe('NaN and infinite entries', () => {
  it('throw NonFiniteError naming the argument', () => {
    expectTypedError(() => representationSimilarity(net, { inputs: [[1], [NaN], [0]] }), NonFiniteError, 'inputs');
    expectTypedError(() => representationSimilarity(net, { outputs: [[Infinity], [0]] }), NonFiniteError, 'outputs');
    expectTypedError(() => ntk({ w1: [[NaN, 0, 0]], w2: [[1], [1]] }, x), NonFiniteError, 'network.w1');
    expectTypedError(() => kernelDistance(net, { w1, w2: [[1, NaN], [0, 1]] }), NonFiniteError, 'b.w2');
    expectTypedError(() => kernelDistance(net, net, { inputs: [[1], [NaN], [0]] }), NonFiniteError, 'inputs');
    expectTypedError(() => modeStrengths(net, [[1, 0, NaN], [0, 1, 0]]), NonFiniteError, 'sigmaYX');
    expectTypedError(() => kernelDistanceTrajectory({ times: [0, NaN], w1: [w1, w1], w2: [w2, w2] }), NonFiniteError, 'source.times[1]');
  });
});

describe('other invalid arguments', () => {
  const task = [
    [1, 0, 0],
    [0, 0.5, 0],
  ];
  const { w1: b1, w2: b2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 2, outputDim: 2, lambda: 0.2, scale: 0.3, seed: 1 });
  const dyn = exactDynamics({ w1: b1, w2: b2, sigmaYX: task });

  it('modeStrengths: weights need sigmaYX; a Snapshot checks its shape; a basis must be orthogonal and the right size', () => {
    expectTypedError(() => modeStrengths(net), InvalidArgumentError, 'sigmaYX');
    expectTypedError(() => modeStrengths(dyn.at(1), [[1, 0]]), ShapeError, 'sigmaYX');
    expectTypedError(() => modeStrengths(net, task, { basis: { u: [[1, 0], [0, 1]], v: [[1, 0], [0, 1]] } }), ShapeError, 'basis.v');
    expectTypedError(
      () => modeStrengths(net, task, { basis: { u: [[1, 1], [0, 1]], v: dyn.singularVectors.v } }),
      InvalidArgumentError,
      'basis.u',
    );
    // An accepted basis is remembered by its entries (checked once, not per call): a basis
    // that differs from it by one entry is checked afresh, and refused.
    const { u, v } = dyn.singularVectors;
    expect(modeStrengths(net, task, { basis: { u, v } }).strengths).toHaveLength(2);
    const bent = v.clone();
    bent.set(0, 0, v.get(0, 0) + 1e-6);
    expectTypedError(() => modeStrengths(net, task, { basis: { u, v: bent } }), InvalidArgumentError, 'basis.v');
    v.set(0, 0, v.get(0, 0) + 1e-6); // the accepted matrix itself, changed in place
    expectTypedError(() => modeStrengths(net, task, { basis: { u, v } }), InvalidArgumentError, 'basis.v');
  });
  it('results beyond double precision are refused with a typed error, never ∞ or NaN (weights or probes of 1e155)', () => {
    // They returned { lambda: NaN, residual: NaN }, ∞ entries, ∞ strengths and NaN NTK entries (0·∞).
    const huge = [[1e155, 0], [0, 1e155]];
    const unit = [[1, 0], [0, 1]];
    expectTypedError(() => balanceOf(huge, huge), InvalidArgumentError, 'too large for double precision');
    expectTypedError(() => qqtOf(huge, huge), InvalidArgumentError, 'QQᵀ is beyond double precision');
    expectTypedError(() => modeStrengths({ w1: huge, w2: huge }, unit), InvalidArgumentError, 'W2W1 is beyond double precision');
    expectTypedError(() => ntk({ w1: unit, w2: unit }, huge), InvalidArgumentError, 'The NTK is beyond double precision', '`inputs`');
    expectTypedError(() => representationSimilarity({ w1: unit, w2: unit }, { inputs: huge }), InvalidArgumentError, 'RSM_in', 'beyond double precision');
    // Just inside the range the same calls answer, and finitely.
    const big = [[1e150, 0], [0, 1e150]];
    expect(balanceOf(big, big)).toEqual({ lambda: 0, residual: 0 });
    expect(Number.isFinite(qqtOf(big, big).get(0, 0))).toBe(true);
    expect(ntk({ w1: unit, w2: unit }, big).to1DArray().every(Number.isFinite)).toBe(true);
  });
  it('ntk with allowLarge beyond memory: a typed error naming the sizes (a raw RangeError before)', () => {
    const probes = [Array.from({ length: 100_000 }, (_, k) => Math.cos(k))]; // K would be 10⁵×10⁵: 75 GiB
    expectTypedError(() => ntk({ w1: [[1]], w2: [[1]] }, probes, { allowLarge: true }), InvalidArgumentError, 'does not fit in memory', 'kernelDistance');
  });
  it('ntk: allowLarge must be a boolean', () => {
    expectTypedError(() => ntk(net, x, { allowLarge: 'yes' as never }), InvalidArgumentError, 'allowLarge');
  });
  it('representationSimilarity: pinvTolerance ≥ 0, and at least one probe', () => {
    expectTypedError(() => representationSimilarity(net, { outputs: [[1], [1]], pinvTolerance: -1 }), InvalidArgumentError, 'pinvTolerance');
    expectTypedError(() => representationSimilarity(net, {}), InvalidArgumentError, 'inputs');
  });
  it('kernelDistanceTrajectory: dynamics need times ≥ 0; runs need consistent arrays and matching times', () => {
    expectTypedError(() => kernelDistanceTrajectory(dyn, undefined as never), InvalidArgumentError, 'times');
    expectTypedError(() => kernelDistanceTrajectory(dyn, [1, -1]), InvalidArgumentError, 'times[1]');
    expectTypedError(() => kernelDistanceTrajectory({ times: [0, 1], w1: [w1], w2: [w2, w2] }), InvalidArgumentError, 'source.w1');
    expectTypedError(() => kernelDistanceTrajectory({ times: [0], w1: [w1, w1], w2: [w2, w2] }), InvalidArgumentError, 'source.times');
    expectTypedError(() => kernelDistanceTrajectory({ times: [], w1: [], w2: [] }), InvalidArgumentError, 'non-empty');
    expectTypedError(
      () => kernelDistanceTrajectory({ times: [0, 1], w1: [w1, w1], w2: [w2, w2] }, [0, 2] as never),
      InvalidArgumentError,
      'source.times',
    );
  });
});

describe('inputs are never mutated', () => {
  it('weights, probes, task, basis and the Snapshot caches are unchanged', () => {
    const { w1: b1, w2: b2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 2, outputDim: 4, lambda: 0.5, scale: 0.3, seed: 2 });
    const sigmaYX = new Matrix([
      [1, 0.2, 0],
      [0, 0.5, 0.1],
      [0.3, 0, 0],
      [0, 0, 0.2],
    ]);
    const dyn = exactDynamics({ w1: b1, w2: b2, sigmaYX });
    const snap = dyn.at(1);
    const probesIn = new Matrix([
      [1, 2, 0],
      [0, 1, 1],
      [3, 0, 1],
    ]);
    const probesOut = [
      [1, 0],
      [0, 1],
      [1, 1],
      [2, 0],
    ];
    const run = { times: [0, 1], w1: [b1.clone(), snap.weights.w1.clone()], w2: [b2.clone(), snap.weights.w2.clone()] };
    const state = () =>
      JSON.stringify({
        b1: b1.to2DArray(),
        b2: b2.to2DArray(),
        sigmaYX: sigmaYX.to2DArray(),
        probesIn: probesIn.to2DArray(),
        probesOut,
        a: snap.w1tw1.to2DArray(),
        r: snap.w2w2t.to2DArray(),
        sp: snap.singularProduct.to2DArray(),
        u: dyn.singularVectors.u.to2DArray(),
        run: { t: run.times, w1: run.w1.map((m) => m.to2DArray()), w2: run.w2.map((m) => m.to2DArray()) },
      });
    const before = state();
    representationSimilarity(snap, { inputs: probesIn, outputs: probesOut });
    representationSimilarity({ w1: b1, w2: b2 }, { inputs: probesIn, outputs: probesOut });
    ntk(snap, probesIn);
    ntk({ w1: b1, w2: b2 }, probesIn);
    kernelDistance(snap, { w1: b1, w2: b2 }, { inputs: probesIn });
    kernelDistance(snap, { w1: b1, w2: b2 }, { gram: probesIn.mmul(probesIn.transpose()) });
    kernelDistanceTrajectory(dyn, [0, 1], { inputs: probesIn });
    kernelDistanceTrajectory(run, { inputs: probesIn });
    modeStrengths(snap, sigmaYX);
    modeStrengths(snap, sigmaYX, { basis: dyn.singularVectors });
    modeStrengths({ w1: b1, w2: b2 }, sigmaYX, { basis: dyn.singularVectors });
    modeStrengths({ w1: b1, w2: b2 }, sigmaYX);
    expect(state()).toBe(before);
  });
});
