/**
 * Bad input to exactDynamics: every error path throws a typed error (a subclass of the
 * exported ExactDlnError) whose message names the problem; inputs are never mutated.
 */
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  ExactDlnError,
  ImpossibleLambdaError,
  InvalidArgumentError,
  NonFiniteError,
  NotBalancedError,
  NotWhitenedError,
  ShapeError,
} from '../../src/errors.js';
import { exactDynamics, exactDynamicsFromQQt } from '../../src/core/exact-dynamics.js';
import { Snapshot } from '../../src/core/snapshot.js';
import { randomTask, taskFromData } from '../../src/core/task.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { integrateGradientFlow } from '../../src/simulation/gradient-flow.js';
import { createRng, gaussianMatrix } from '../../src/random.js';
import { expectTypedError } from '../helpers/errors.js';

const good = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 2, outputDim: 4, lambda: 0.5, scale: 0.3, seed: 1 });
const rng = createRng(17);
const sigmaYX = gaussianMatrix(4, 3, rng);

describe('exactDynamics input validation', () => {
  it('rejects weights that are not λ-balanced, reporting λ̂ and the residual', () => {
    const w1 = good.w1.clone();
    w1.set(0, 0, w1.get(0, 0) + 0.1);
    const e = expectTypedError(() => exactDynamics({ w1, w2: good.w2, sigmaYX }), NotBalancedError, /balanced/, /residual/);
    expect(e).toBeInstanceOf(ExactDlnError);
    expect(e.residual).toBeGreaterThan(1e-3);
  });

  it('accepts slightly unbalanced weights with a looser balanceTolerance', () => {
    const w1 = good.w1.clone();
    w1.set(0, 0, w1.get(0, 0) + 1e-5);
    expect(() => exactDynamics({ w1, w2: good.w2, sigmaYX })).toThrow(NotBalancedError);
    expect(() => exactDynamics({ w1, w2: good.w2, sigmaYX, balanceTolerance: 1e-3 })).not.toThrow();
  });

  it('rejects mismatched shapes, naming the argument and both shapes', () => {
    expectTypedError(() => exactDynamics({ w1: good.w1, w2: good.w2, sigmaYX: gaussianMatrix(3, 4, rng) }), ShapeError, /sigmaYX/, /4×3/, /3×4/);
    expectTypedError(() => exactDynamics({ w1: good.w1, w2: gaussianMatrix(4, 3, rng), sigmaYX }), ShapeError, /w2/);
    expectTypedError(() => exactDynamics({ w1: [[1, 2], [3]], w2: good.w2, sigmaYX }), ShapeError, /rectangular/);
  });

  it('accepts rows given as Float64Arrays (a Float64Array[] is a matrix like number[][]), without changing them', () => {
    const asRows = (m: Matrix): Float64Array[] => m.to2DArray().map((row) => Float64Array.from(row));
    const w1 = asRows(good.w1);
    const w1Copy = w1.map((row) => row.slice());
    const typed = exactDynamics({ w1, w2: asRows(good.w2), sigmaYX: asRows(sigmaYX) });
    const plain = exactDynamics({ w1: good.w1.to2DArray(), w2: good.w2.to2DArray(), sigmaYX: sigmaYX.to2DArray() });
    expect(typed.at(2).qqt.to2DArray()).toEqual(plain.at(2).qqt.to2DArray());
    expect(w1).toEqual(w1Copy);
    expectTypedError(() => exactDynamics({ w1: [new Float64Array(3), new Float64Array(2)], w2: good.w2, sigmaYX }), ShapeError, /rectangular/);
  });

  it('takes a whitened Task as sigmaYX (checked), refuses a non-whitened one, and points a `task` option to sigmaYX', () => {
    const task = randomTask({ inputDim: 3, outputDim: 4, samples: 30, seed: 2 });
    const viaTask = exactDynamics({ ...good, sigmaYX: task });
    const viaMatrix = exactDynamics({ ...good, sigmaYX: task.sigmaYX });
    expect(viaTask.at(1.5).qqt.to2DArray()).toEqual(viaMatrix.at(1.5).qqt.to2DArray());
    // Inputs with Σxx ≠ I: the closed form would silently describe another task.
    const rngData = createRng(3);
    const raw = taskFromData(gaussianMatrix(3, 30, rngData), gaussianMatrix(4, 30, rngData), { tolerance: Infinity });
    expectTypedError(() => exactDynamics({ ...good, sigmaYX: raw }), NotWhitenedError, /not whitened/, /whiten: true/);
    const wrong = expectTypedError(() => exactDynamics({ ...good, task } as never), InvalidArgumentError, /`sigmaYX: task`/);
    expect(wrong.argument).toBe('task');
  });

  it('names a transposed argument as such (a layer given input×hidden was blamed on the other layer)', () => {
    // 3×2×3 weights against a 3×3 task: only the non-square ones can be told transposed.
    const w = lambdaBalancedWeights({ inputDim: 4, hiddenDim: 2, outputDim: 3, lambda: 0, seed: 5 });
    const task = gaussianMatrix(3, 4, rng);
    expectTypedError(() => exactDynamics({ w1: w.w1.transpose(), w2: w.w2, sigmaYX: task }), ShapeError, /`w1` looks transposed: it must be 2×4 \(hidden×input\)/, /w2 \(3×2\) and sigmaYX \(3×4\)/, /Value: 4×2/);
    expectTypedError(() => exactDynamics({ w1: w.w1, w2: w.w2.transpose(), sigmaYX: task }), ShapeError, /`w2` looks transposed: it must be 3×2/);
    expectTypedError(() => exactDynamics({ w1: w.w1, w2: w.w2, sigmaYX: task.transpose() }), ShapeError, /`sigmaYX` looks transposed: it must be 3×4/);
    expectTypedError(() => integrateGradientFlow({ w1: w.w1.transpose(), w2: w.w2, sigmaYX: task, times: [1] }), ShapeError, /`w1` looks transposed/);
    // Two wrong shapes: the plain message, naming the first one checked.
    expectTypedError(() => exactDynamics({ w1: w.w1.transpose(), w2: w.w2.transpose(), sigmaYX: task }), ShapeError, /`w2` must be any×4/);
  });

  it('rejects NaN and infinite entries', () => {
    const w2 = good.w2.clone();
    w2.set(1, 1, NaN);
    expectTypedError(() => exactDynamics({ w1: good.w1, w2, sigmaYX }), NonFiniteError, /w2/, /\(1, 1\)/);
    const s = sigmaYX.clone();
    s.set(0, 0, Infinity);
    expect(() => exactDynamics({ w1: good.w1, w2: good.w2, sigmaYX: s })).toThrow(NonFiniteError);
  });

  it('rejects bad times: negative, NaN, infinite, non-numbers', () => {
    const dyn = exactDynamics({ w1: good.w1, w2: good.w2, sigmaYX });
    for (const t of [-1, NaN, Infinity, -Infinity]) {
      expectTypedError(() => dyn.at(t), ExactDlnError, /`t`/);
    }
    expect(() => dyn.trajectory([0, 1, -2])).toThrow(/times\[2\]/);
    expect(() => dyn.at('1' as unknown as number)).toThrow(InvalidArgumentError);
  });

  it('rejects a non-positive τ or tolerance', () => {
    expect(() => exactDynamics({ ...good, sigmaYX, tau: 0 })).toThrow(/tau/);
    expect(() => exactDynamics({ ...good, sigmaYX, tau: NaN })).toThrow(NonFiniteError);
    expect(() => exactDynamics({ ...good, sigmaYX, balanceTolerance: -1 })).toThrow(/balanceTolerance/);
  });

  it('never mutates its inputs', () => {
    const w1 = good.w1.to2DArray();
    const w2 = good.w2.to2DArray();
    const s = sigmaYX.to2DArray();
    const before = JSON.stringify([w1, w2, s]);
    const dyn = exactDynamics({ w1, w2, sigmaYX: s });
    dyn.at(3).qqt.set(0, 0, 99);
    dyn.sigmaYX.set(0, 0, 99);
    expect(JSON.stringify([w1, w2, s])).toBe(before);
    expect(dyn.at(3).qqt.get(0, 0)).not.toBe(99);
  });

  it('exactDynamicsFromQQt rejects a state of rank above Nh and a bad inputDim', () => {
    const dyn = exactDynamics({ w1: good.w1, w2: good.w2, sigmaYX });
    const p = dyn.at(1).qqt;
    expect(() => exactDynamicsFromQQt({ qqt: Matrix.eye(7), inputDim: 3, hiddenDim: 2, lambda: 0.5, sigmaYX })).toThrow(/rank/);
    expect(() => exactDynamicsFromQQt({ qqt: p, inputDim: 9, hiddenDim: 2, lambda: 0.5, sigmaYX })).toThrow(/inputDim/);
    expect(() => exactDynamicsFromQQt({ qqt: p, inputDim: 3, hiddenDim: 2, lambda: 0.5, sigmaYX: gaussianMatrix(3, 3, rng) })).toThrow(ShapeError);
  });

  it('lambdaBalancedWeights refuses λ impossible for the widths', () => {
    expect(() => lambdaBalancedWeights({ inputDim: 3, hiddenDim: 4, outputDim: 2, lambda: 1, seed: 0 })).toThrow(ImpossibleLambdaError);
  });
});

describe('Snapshot', () => {
  it('is exported for instanceof, but `new Snapshot(…)` gives a typed error pointing to at(t), not a TypeError', () => {
    const snap = exactDynamics({ ...good, sigmaYX }).at(1);
    expect(snap).toBeInstanceOf(Snapshot);
    const construct = Snapshot as unknown as new (...args: unknown[]) => Snapshot;
    expectTypedError(() => new construct(), InvalidArgumentError, /not constructed directly/, /exactDynamics\(\.\.\.\)\.at\(t\)/);
    expectTypedError(() => new construct(1, 0, {}, new Float64Array(4)), InvalidArgumentError, /not constructed directly/);
    expectTypedError(() => new construct(1, 0, snap.solution, [1, 2]), InvalidArgumentError, /not constructed directly/);
  });
});
