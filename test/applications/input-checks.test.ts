/**
 * Inputs an adversarial fuzz of the public API found unchecked: a non-whitened Task given to
 * lazyRichSweep (silently wrong rows), Tasks whose fields do not fit together (NaN entries or
 * a TypeError from deep inside), and generated grids so long that the engine aborts the
 * process (no try/catch sees that). Each is now a typed error that says what was wrong.
 */
import { describe, expect, it } from 'vitest';
import { Matrix } from 'ml-matrix';
import {
  alignedMode,
  exactDynamics,
  featureFlip,
  hierarchicalTask,
  InvalidArgumentError,
  kernelDistanceTrajectory,
  lambdaBalancedWeights,
  lazyRichSweep,
  NotWhitenedError,
  permutedTask,
  randomTask,
  reversedTask,
  ShapeError,
  taskFromData,
  trainSequence,
  transfer,
} from '../../src/index.js';
import { thrown } from '../helpers/errors.js';

const task = randomTask({ inputDim: 3, outputDim: 2, samples: 20, seed: 2 });
const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 2, outputDim: 2, lambda: 0.5, scale: 0.3, seed: 1 });

describe('input checks', () => {
  it('lazyRichSweep refuses a Task that is not whitened, as trainSequence and transfer do', () => {
    const X = [[1, 2, 0.5, 3, -1], [0, 1, 2, -1, 1], [1, 1, 1, 0, 2]];
    const raw = taskFromData(X, [[1, 0, 1, 2, 0], [0, 1, 1, 0, 1]], { tolerance: Infinity }); // Σxx[0][0] = 3.05
    const sweep = { lambdas: [0], scales: [0.1], hiddenDim: 2, time: 1, seed: 1 };
    const e = thrown(() => lazyRichSweep({ ...sweep, task: raw }));
    expect(e).toBeInstanceOf(NotWhitenedError);
    expect(e.message).toContain('`task` is not whitened');
    expect(thrown(() => trainSequence({ w1, w2, tasks: [{ task: raw, duration: 1 }] }))).toBeInstanceOf(NotWhitenedError);
    // A whitened Task, and a bare { sigmaYX } (whitened inputs assumed), still sweep.
    expect(lazyRichSweep({ ...sweep, task }).rows).toHaveLength(1);
    expect(lazyRichSweep({ ...sweep, task: { sigmaYX: raw.sigmaYX } }).rows).toHaveLength(1);
  });

  it('a Task whose data or covariances do not fit its Σyx is a ShapeError naming the field (a missing one an InvalidArgumentError)', () => {
    const h = hierarchicalTask({ depth: 2 }); // Σyx 7×4 (features × items), X = I₄·2
    const cases: [() => unknown, string, typeof ShapeError | typeof InvalidArgumentError][] = [
      [() => reversedTask({ ...task, X: new Matrix([[1, 2]]) }, { modes: [0] }), 'task.X', ShapeError],
      [() => permutedTask({ ...h, X: Matrix.eye(4, 3).mul(2) }, [1, 0, 3, 2]), 'task.X', ShapeError],
      [() => permutedTask({ ...h, X: Matrix.eye(3, 4).mul(2) }, [1, 0, 3, 2]), 'task.X', ShapeError],
      [() => featureFlip({ sigmaYX: task.sigmaYX, sigmaXX: task.sigmaXX } as never, [0]), 'task.sigmaYY', InvalidArgumentError],
      [() => featureFlip({ ...task, Y: new Matrix(1, 20) }, [1]), 'task.Y', ShapeError],
      [() => featureFlip({ ...task, sigmaYY: Matrix.eye(3) }, [1]), 'task.sigmaYY', ShapeError],
    ];
    for (const [call, field, type] of cases) {
      const e = thrown(call);
      expect(e, field).toBeInstanceOf(type);
      expect(e.argument, field).toBe(field);
    }
    // Well-formed Tasks pass through all three.
    expect(permutedTask(h, [1, 0, 3, 2]).sigmaYX.rows).toBe(h.sigmaYX.rows);
    expect(reversedTask(task, { modes: [0] }).Y!.columns).toBe(20);
    expect(featureFlip(task, [1]).Y!.rows).toBe(2);
  });

  it('featureFlip flips Y and Σyy given as number[][] too (they were left unflipped), and shares nothing with its input', () => {
    const t = randomTask({ inputDim: 2, outputDim: 2, samples: 6, seed: 3 });
    const asArrays = { ...t, Y: t.Y!.to2DArray(), sigmaYY: t.sigmaYY.to2DArray() } as never as typeof t;
    const flipped = featureFlip(asArrays, [0]);
    // Independently: Σyx′ = Y′Xᵀ/P and Σyy′ = Y′Y′ᵀ/P from the flipped data.
    const y = flipped.Y!;
    const p = t.X!.columns;
    const sigmaYX = y.mmul(t.X!.transpose()).div(p);
    const sigmaYY = y.mmul(y.transpose()).div(p);
    expect(flipped.sigmaYX.clone().sub(sigmaYX).abs().max()).toBeLessThan(1e-13);
    expect(flipped.sigmaYY.clone().sub(sigmaYY).abs().max()).toBeLessThan(1e-13);
    expect(y.getRow(0)).toEqual(t.Y!.getRow(0).map((v) => -v));
    expect((asArrays.Y as never as number[][])[0]).toEqual(t.Y!.getRow(0)); // the input is unchanged
  });

  it('generated grids longer than ten million times are refused before anything is allocated', () => {
    const sequence = (pointsPerSegment: number, stages = 1) =>
      trainSequence({ w1, w2, tasks: Array.from({ length: stages }, () => ({ sigmaYX: task.sigmaYX, duration: 1 })), pointsPerSegment });
    for (const [call, name] of [
      [() => sequence(2 ** 28), 'pointsPerSegment'], // was a fatal V8 error: the process aborted
      [() => sequence(6_000_000, 2), 'pointsPerSegment'], // 12 million in all
      [() => transfer({ w1, w2, source: task, target: task, pretrainTime: 1, time: 1, points: 2 ** 32 }), 'points'],
    ] as const) {
      const e = thrown(call);
      expect(e, name).toBeInstanceOf(InvalidArgumentError);
      expect(e.argument).toBe(name);
      expect(e.message).toContain('at most 10000000');
    }
    const e = thrown(() => alignedMode({ sigma: 1, a0: 0.1, lambda: 0 }).values({ length: 1e12 } as ArrayLike<number>));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.argument).toBe('times');
    expect(sequence(3, 2).times).toHaveLength(5);
  });

  it('kernelDistanceTrajectory takes a Float64Array of times, as summaries does', () => {
    const dyn = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX });
    const times = [0, 0.5, 2];
    expect(kernelDistanceTrajectory(dyn, Float64Array.from(times)).distance).toEqual(kernelDistanceTrajectory(dyn, times).distance);
  });
});
