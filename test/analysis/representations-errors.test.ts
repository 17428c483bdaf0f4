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
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { ExactDlnError, InvalidArgumentError, NonFiniteError, ShapeError } from '../../src/errors.js';

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

/** Expects `f` to throw `type` with a message mentioning `argument`. */
function throwsNaming(f: () => unknown, type: new (...a: never[]) => ExactDlnError, argument: string): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(type);
  expect((caught as Error).message).toContain(argument);
}

describe('weights that do not fit together', () => {
  const bad = { w1, w2: [[1, 0, 0]] }; // w2 must have 2 columns
  it('every function throws ShapeError naming the weight', () => {
    throwsNaming(() => representationSimilarity(bad, { inputs: x }), ShapeError, 'network.w2');
    throwsNaming(() => ntk(bad, x), ShapeError, 'network.w2');
    throwsNaming(() => kernelDistance(net, bad), ShapeError, 'b.w2');
    throwsNaming(() => kernelDistance(bad, net), ShapeError, 'a.w2');
    throwsNaming(() => modeStrengths(bad, [[1, 0, 0], [0, 1, 0]]), ShapeError, 'network.w2');
    throwsNaming(() => kernelDistanceTrajectory({ times: [0, 1], w1: [w1, w1], w2: [w2, [[1]]] }), ShapeError, 'source[1].w2');
  });
  it('kernelDistance of networks with different Ni or No throws ShapeError; a run that changes width too', () => {
    throwsNaming(() => kernelDistance(net, { w1: [[1, 2]], w2: [[1], [1]] }), ShapeError, '`b`');
    throwsNaming(
      () => kernelDistanceTrajectory({ times: [0, 1], w1: [w1, w1], w2: [w2, [[1, 0], [0, 1], [1, 1]]] }),
      ShapeError,
      'source[1] (t = 1)',
    );
  });
  it('not a network at all: InvalidArgumentError', () => {
    throwsNaming(() => ntk([[1]] as never, x), InvalidArgumentError, 'network');
    throwsNaming(() => kernelDistance(net, null as never), InvalidArgumentError, '`b`');
    throwsNaming(() => representationSimilarity({ w1 } as never, { inputs: x }), InvalidArgumentError, 'network');
    throwsNaming(() => kernelDistanceTrajectory(42 as never, {}), InvalidArgumentError, 'source');
    // An array of states has an \`at\` method but is not an ExactDynamics.
    throwsNaming(() => kernelDistanceTrajectory([net, net] as never, [0, 1]), InvalidArgumentError, 'source');
  });
});

describe('probes of the wrong shape', () => {
  it('inputs must have Ni rows, outputs No rows', () => {
    throwsNaming(() => representationSimilarity(net, { inputs: [[1, 2]] }), ShapeError, 'inputs');
    throwsNaming(() => representationSimilarity(net, { outputs: [[1], [2], [3]] }), ShapeError, 'outputs');
    throwsNaming(() => ntk(net, [[1], [2]]), ShapeError, 'inputs');
    throwsNaming(() => kernelDistance(net, net, { inputs: [[1], [2]] }), ShapeError, 'inputs');
    throwsNaming(() => kernelDistance(net, net, { gram: [[1, 0], [0, 1]] }), ShapeError, 'gram');
    throwsNaming(() => modeStrengths(net, [[1, 0], [0, 1]]), ShapeError, 'sigmaYX');
  });
  it('ragged or empty probes', () => {
    throwsNaming(() => ntk(net, [[1, 2], [3], [4, 5]]), ShapeError, 'inputs');
    throwsNaming(() => representationSimilarity(net, { outputs: [] }), ShapeError, 'outputs');
  });
});

describe('NaN and infinite entries', () => {
  it('throw NonFiniteError naming the argument', () => {
    throwsNaming(() => representationSimilarity(net, { inputs: [[1], [NaN], [0]] }), NonFiniteError, 'inputs');
    throwsNaming(() => representationSimilarity(net, { outputs: [[Infinity], [0]] }), NonFiniteError, 'outputs');
    throwsNaming(() => ntk({ w1: [[NaN, 0, 0]], w2: [[1], [1]] }, x), NonFiniteError, 'network.w1');
    throwsNaming(() => kernelDistance(net, { w1, w2: [[1, NaN], [0, 1]] }), NonFiniteError, 'b.w2');
    throwsNaming(() => kernelDistance(net, net, { inputs: [[1], [NaN], [0]] }), NonFiniteError, 'inputs');
    throwsNaming(() => modeStrengths(net, [[1, 0, NaN], [0, 1, 0]]), NonFiniteError, 'sigmaYX');
    throwsNaming(() => kernelDistanceTrajectory({ times: [0, NaN], w1: [w1, w1], w2: [w2, w2] }), NonFiniteError, 'source.times[1]');
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
    throwsNaming(() => modeStrengths(net), InvalidArgumentError, 'sigmaYX');
    throwsNaming(() => modeStrengths(dyn.at(1), [[1, 0]]), ShapeError, 'sigmaYX');
    throwsNaming(() => modeStrengths(net, task, { basis: { u: [[1, 0], [0, 1]], v: [[1, 0], [0, 1]] } }), ShapeError, 'basis.v');
    throwsNaming(
      () => modeStrengths(net, task, { basis: { u: [[1, 1], [0, 1]], v: dyn.singularVectors.v } }),
      InvalidArgumentError,
      'basis.u',
    );
  });
  it('ntk: allowLarge must be a boolean', () => {
    throwsNaming(() => ntk(net, x, { allowLarge: 'yes' as never }), InvalidArgumentError, 'allowLarge');
  });
  it('representationSimilarity: pinvTolerance ≥ 0, and at least one probe', () => {
    throwsNaming(() => representationSimilarity(net, { outputs: [[1], [1]], pinvTolerance: -1 }), InvalidArgumentError, 'pinvTolerance');
    throwsNaming(() => representationSimilarity(net, {}), InvalidArgumentError, 'inputs');
  });
  it('kernelDistanceTrajectory: dynamics need times ≥ 0; runs need consistent arrays and matching times', () => {
    throwsNaming(() => kernelDistanceTrajectory(dyn, undefined as never), InvalidArgumentError, 'times');
    throwsNaming(() => kernelDistanceTrajectory(dyn, [1, -1]), InvalidArgumentError, 'times[1]');
    throwsNaming(() => kernelDistanceTrajectory({ times: [0, 1], w1: [w1], w2: [w2, w2] }), InvalidArgumentError, 'source.w1');
    throwsNaming(() => kernelDistanceTrajectory({ times: [0], w1: [w1, w1], w2: [w2, w2] }), InvalidArgumentError, 'source.times');
    throwsNaming(() => kernelDistanceTrajectory({ times: [], w1: [], w2: [] }), InvalidArgumentError, 'non-empty');
    throwsNaming(
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
    const before = JSON.stringify({
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
    const after = JSON.stringify({
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
    expect(after).toBe(before);
  });
});
