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
  ShapeError,
} from '../../src/errors.js';
import { exactDynamics, exactDynamicsFromQQt } from '../../src/core/exact-dynamics.js';
import { Snapshot } from '../../src/core/snapshot.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { expectTypedError } from '../helpers/errors.js';

const good = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 2, outputDim: 4, lambda: 0.5, scale: 0.3, seed: 1 });
const sigmaYX = Matrix.rand(4, 3);

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
    expectTypedError(() => exactDynamics({ w1: good.w1, w2: good.w2, sigmaYX: Matrix.rand(3, 4) }), ShapeError, /sigmaYX/, /4×3/, /3×4/);
    expectTypedError(() => exactDynamics({ w1: good.w1, w2: Matrix.rand(4, 3), sigmaYX }), ShapeError, /w2/);
    expectTypedError(() => exactDynamics({ w1: [[1, 2], [3]], w2: good.w2, sigmaYX }), ShapeError, /rectangular/);
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
    expect(() => exactDynamicsFromQQt({ qqt: p, inputDim: 3, hiddenDim: 2, lambda: 0.5, sigmaYX: Matrix.rand(3, 3) })).toThrow(ShapeError);
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
