/**
 * 'exact-dln/parallel': the worker pool's curves are the serial methods' bit for bit (the
 * workers run the same code on parts of the grid, so there is no tolerance to justify:
 * any difference is a bug — a wrong split, a lost or reordered point, a stale cached
 * dynamics, kernel settings not passed on); its errors are the serial ones (class, message
 * and fields); its life cycle (closing, concurrent calls, a forgotten close()) behaves.
 * The workers run the TypeScript sources here (src/parallel/worker-source.mjs);
 * test/report/bundle-boundary.test.ts runs the built dist/parallel.js once.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import type { Matrix } from 'ml-matrix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ExactDlnError,
  InvalidArgumentError,
  NonFiniteError,
  NotBalancedError,
  ShapeError,
  ImpossibleLambdaError,
  exactDynamics,
  kernelDistanceTrajectory,
  lambdaBalancedWeights,
  lazyRichSweep,
  type LazyRichSweepOptions,
  randomTask,
  setKernelBackend,
  type ExactDynamicsOptions,
  type KernelDistanceOptions,
  type TrajectorySummaries,
} from '../../src/index.js';
import { createDynamicsPool, type DynamicsPool, type SnapshotMatrixName, type TrajectoryMatrices } from '../../src/parallel/index.js';
import { createRng, gaussianMatrix } from '../../src/random.js';
import { buildConfig, configParams } from '../helpers/configs.js';
import { thrown } from '../helpers/errors.js';

const root = join(__dirname, '..', '..');

let pool: DynamicsPool;
beforeAll(() => {
  pool = createDynamicsPool({ threads: 3 }); // more workers than this machine's 2 cores: the split must not care
});
afterAll(async () => {
  await pool.close();
});

/** Bitwise equality (Object.is per entry, so −0 and NaN would count). */
function expectSameArray(actual: Float64Array, expected: Float64Array, what: string): void {
  expect(actual, what).toBeInstanceOf(Float64Array);
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) {
    if (!Object.is(actual[k], expected[k])) expect.fail(`${what}[${k}]: ${actual[k]} instead of ${expected[k]}`);
  }
}

function expectSameSummaries(actual: TrajectorySummaries, expected: TrajectorySummaries): void {
  expectSameArray(actual.times, expected.times, 'times');
  expectSameArray(actual.loss, expected.loss, 'loss');
  expectSameArray(actual.offDiagonal, expected.offDiagonal, 'offDiagonal');
  expect(actual.modeStrengths.length).toBe(expected.modeStrengths.length);
  actual.modeStrengths.forEach((m, a) => expectSameArray(m, expected.modeStrengths[a], `modeStrengths[${a}]`));
}

/** A 12-wide network with a generic (unaligned) initialisation. */
function network(seed: number, lambda = 0.3, width = 12): ExactDynamicsOptions & { w1: Matrix; w2: Matrix; sigmaYX: Matrix } {
  const task = randomTask({ inputDim: width, outputDim: width, samples: 4 * width, seed });
  const { w1, w2 } = lambdaBalancedWeights({ inputDim: width, hiddenDim: width, outputDim: width, lambda, scale: 0.05, seed: seed + 1 });
  return { w1, w2, sigmaYX: task.sigmaYX };
}

/** Times 0 … 30 with a late tail (1e3, 1e5), out of order and with a repeat. */
const grid = [...Array.from({ length: 97 }, (_, k) => (30 * k) / 96), 1e3, 1e5, 7.5, 0];

describe('the pool computes the serial curves', () => {
  it('summaries, lossCurve and modeStrengthCurves equal the serial methods bit for bit', async () => {
    const opts = network(1);
    const serial = exactDynamics(opts);
    expectSameSummaries(await pool.summaries(opts, grid), serial.summaries(grid));
    expectSameArray(await pool.lossCurve(opts, Float64Array.from(grid)), serial.lossCurve(grid), 'lossCurve');
    const modes = await pool.modeStrengthCurves(opts, grid);
    const serialModes = serial.modeStrengthCurves(grid);
    expect(modes.length).toBe(12);
    modes.forEach((m, a) => expectSameArray(m, serialModes[a], `modeStrengthCurves[${a}]`));
  });

  it('on random configurations of every kind (wide, tall, bottlenecked, aligned, any λ, zero tasks)', async () => {
    await fc.assert(
      fc.asyncProperty(configParams, fc.integer({ min: 0, max: 9 }), async (p, count) => {
        const c = buildConfig(p);
        const times = Array.from({ length: count }, (_, k) => (k * k) / 3);
        const opts = { w1: c.w1, w2: c.w2, sigmaYX: c.sigmaYX };
        expectSameSummaries(await pool.summaries(opts, times), exactDynamics(opts).summaries(times));
      }),
      { numRuns: 60, seed: 20261129 },
    );
  });

  it('grids shorter than the pool (0, 1 and 2 times) and τ ≠ 1', async () => {
    const opts = { ...network(3), tau: 2.5 };
    for (const times of [[], [4], [0, 1e8]]) expectSameSummaries(await pool.summaries(opts, times), exactDynamics(opts).summaries(times));
  });

  it('a worker that cached one network answers for the next: A, B, A, and A with another τ', async () => {
    const a = network(5);
    const b = network(6, -0.5);
    for (const opts of [a, b, a, { ...a, tau: 3 }]) expectSameArray(await pool.lossCurve(opts, grid), exactDynamics(opts).lossCurve(grid), 'loss');
  });

  it('concurrent calls on one pool each get their own curves', async () => {
    const nets = [network(7), network(8, 1), network(9, -1, 6)];
    const results = await Promise.all(nets.map((opts) => pool.summaries(opts, grid)));
    results.forEach((r, i) => expectSameSummaries(r, exactDynamics(nets[i]).summaries(grid)));
  });

  it("uses the calling thread's kernel settings (JavaScript kernels give the JavaScript curve)", async () => {
    const opts = network(11, 0.25, 40); // large enough for the WebAssembly kernels
    const wasm = exactDynamics(opts).lossCurve(grid);
    setKernelBackend('js');
    try {
      const js = exactDynamics(opts).lossCurve(grid);
      // The two back ends round differently somewhere on this grid, so the test can tell them apart.
      expect(js.some((l, k) => l !== wasm[k])).toBe(true);
      expectSameArray(await pool.lossCurve(opts, grid), js, 'loss with JavaScript kernels');
    } finally {
      setKernelBackend('auto');
    }
    expectSameArray(await pool.lossCurve(opts, grid), wasm, 'loss with the default kernels');
  });

  it('never mutates its inputs', async () => {
    const opts = network(12);
    const before = { w1: opts.w1.toString(), w2: opts.w2.toString(), s: opts.sigmaYX.toString() };
    const times = Float64Array.from(grid);
    await pool.summaries(opts, times);
    expect({ w1: opts.w1.toString(), w2: opts.w2.toString(), s: opts.sigmaYX.toString() }).toEqual(before);
    expectSameArray(times, Float64Array.from(grid), 'times argument');
  });
});

describe('the pool computes the serial kernel distance', () => {
  /** Bitwise equality of two number arrays. */
  function expectSameNumbers(actual: number[], expected: number[], what: string): void {
    expect(Array.isArray(actual), `${what} is an array`).toBe(true);
    expectSameArray(Float64Array.from(actual), Float64Array.from(expected), what);
  }

  it('whitened probes, probe inputs and a probe Gram matrix, square and wide networks (compressed path)', async () => {
    const wideTask = randomTask({ inputDim: 30, outputDim: 3, samples: 90, seed: 21 });
    const wideWeights = lambdaBalancedWeights({ inputDim: 30, hiddenDim: 5, outputDim: 3, lambda: -0.5, scale: 0.1, seed: 22 });
    const nets: Array<{ opts: ExactDynamicsOptions; ni: number }> = [
      { opts: network(20), ni: 12 },
      { opts: { ...wideWeights, sigmaYX: wideTask.sigmaYX }, ni: 30 }, // Ni − No > Nh: the compressed traces
    ];
    for (const { opts, ni } of nets) {
      const x = gaussianMatrix(ni, 40, createRng(23));
      for (const probes of [undefined, { inputs: x }, { gram: x.mmul(x.transpose()) }]) {
        const serial = kernelDistanceTrajectory(exactDynamics(opts), grid, probes);
        const parallel = await pool.kernelDistanceTrajectory(opts, grid, probes);
        expectSameNumbers(parallel.times, serial.times, 'times');
        expectSameNumbers(parallel.distance, serial.distance, `distance (${probes === undefined ? 'whitened' : Object.keys(probes)[0]})`);
      }
    }
  });

  it('on random configurations of every kind', async () => {
    await fc.assert(
      fc.asyncProperty(configParams, async (p) => {
        const c = buildConfig(p);
        const opts = { w1: c.w1, w2: c.w2, sigmaYX: c.sigmaYX };
        const times = [0, 0.5, 1, 2, 4, 8, 16, 100];
        let serial: number[];
        try {
          serial = kernelDistanceTrajectory(exactDynamics(opts), times).distance;
        } catch (e) {
          // A network whose kernel is zero has no distance: the pool must say so the same way.
          const error = await pool.kernelDistanceTrajectory(opts, times).then(
            () => expect.fail('the pool resolved where the serial call threw'),
            (x: unknown) => x as Error,
          );
          expect(error.constructor).toBe((e as Error).constructor);
          expect(error.message).toBe((e as Error).message);
          return;
        }
        expectSameNumbers((await pool.kernelDistanceTrajectory(opts, times)).distance, serial, 'distance');
      }),
      { numRuns: 40, seed: 20261129 },
    );
  });
});

describe("the pool computes the serial trajectory's matrices", () => {
  const ALL = ['qqt', 'w2w1', 'w1tw1', 'w2w2t', 'factor', 'singularProduct'] as const;

  /** The loss and the getters of `exactDynamics(opts).trajectory(times)`, read in the order of `names`. */
  function serialMatrices(opts: ExactDynamicsOptions, times: readonly number[], names: readonly SnapshotMatrixName[]) {
    const snaps = exactDynamics(opts).trajectory(times);
    const loss = Float64Array.from(snaps, (snap) => snap.loss);
    const matrices = names.map((name) => [] as Matrix[]);
    for (const snap of snaps) names.forEach((name, i) => matrices[i].push(snap[name]));
    return { loss, matrices };
  }

  /**
   * `pool.trajectory(opts, times, names)` equals the serial loop; with `probes` (the fourth
   * argument's kernelDistance), its kernel distance equals `kernelDistanceTrajectory`'s
   * too, or the call rejects as that does.
   */
  async function expectSameMatrices(
    opts: ExactDynamicsOptions,
    times: readonly number[],
    names: readonly SnapshotMatrixName[],
    probes?: true | KernelDistanceOptions,
  ): Promise<void> {
    const serial = serialMatrices(opts, times, names);
    let result: TrajectoryMatrices<SnapshotMatrixName>;
    if (probes === undefined) {
      result = await pool.trajectory(opts, times, names);
      expect('kernelDistance' in result).toBe(false);
    } else {
      let distance: number[];
      try {
        distance = kernelDistanceTrajectory(exactDynamics(opts), times, probes === true ? {} : probes).distance;
      } catch (e) {
        // A network whose kernel is zero on the probes has no distance: the pool rejects the same way.
        const error = await pool.trajectory(opts, times, names, { kernelDistance: probes }).then(
          () => expect.fail('the pool resolved where the serial call threw'),
          (x: unknown) => x as Error,
        );
        expect(error.constructor).toBe((e as Error).constructor);
        expect(error.message).toBe((e as Error).message);
        return;
      }
      const withDistance = await pool.trajectory(opts, times, names, { kernelDistance: probes });
      expectSameArray(Float64Array.from(withDistance.kernelDistance), Float64Array.from(distance), 'kernelDistance');
      result = withDistance;
    }
    expectSameArray(result.times, Float64Array.from(times), 'times');
    expectSameArray(result.loss, serial.loss, 'loss');
    names.forEach((name, i) => {
      const list = result[name];
      expect(list.length, name).toBe(times.length);
      list.forEach((m, k) => {
        expect([m.rows, m.columns], `${name}[${k}] shape`).toEqual([serial.matrices[i][k].rows, serial.matrices[i][k].columns]);
        expectSameArray(Float64Array.from(m.to1DArray()), Float64Array.from(serial.matrices[i][k].to1DArray()), `${name}[${k}]`);
      });
    });
  }

  it('every getter, on a grid with late times and a repeat, bit for bit', async () => {
    await expectSameMatrices(network(31), grid, ALL);
  });

  it('on random configurations of every kind, in random getter orders (wide networks depend on the order), with and without the kernel distance', async () => {
    await fc.assert(
      fc.asyncProperty(
        configParams,
        fc.integer({ min: 0, max: 7 }),
        fc.shuffledSubarray([...ALL]),
        fc.constantFrom('none', 'whitened', 'inputs', 'gram'),
        async (p, count, names, probeKind) => {
          const c = buildConfig(p);
          const times = Array.from({ length: count }, (_, k) => (k * k) / 2);
          const x = gaussianMatrix(c.ni, c.ni + 3, createRng(p.seed + 11));
          const probes = { none: undefined, whitened: true as const, inputs: { inputs: x }, gram: { gram: x.mmul(x.transpose()) } }[probeKind];
          await expectSameMatrices({ w1: c.w1, w2: c.w2, sigmaYX: c.sigmaYX }, times, names, probes);
        },
      ),
      { numRuns: 60, seed: 20261130 },
    );
  });

  it('with the kernel distance: every getter and every kind of probes, square and wide networks, times 0 included', async () => {
    const wideTask = randomTask({ inputDim: 30, outputDim: 3, samples: 90, seed: 41 });
    const wideWeights = lambdaBalancedWeights({ inputDim: 30, hiddenDim: 5, outputDim: 3, lambda: -0.5, scale: 0.1, seed: 42 });
    const nets: Array<{ opts: ExactDynamicsOptions; ni: number }> = [
      { opts: network(35), ni: 12 },
      { opts: { ...wideWeights, sigmaYX: wideTask.sigmaYX }, ni: 30 }, // Ni − No > Nh: compressed factors
    ];
    for (const { opts, ni } of nets) {
      const x = gaussianMatrix(ni, 40, createRng(43));
      for (const probes of [true as const, { inputs: x }, { gram: x.mmul(x.transpose()) }]) await expectSameMatrices(opts, grid, ALL, probes);
    }
    // `kernelDistance: false` asks for nothing more.
    const plain = await pool.trajectory(network(35), [1, 2], ['w1tw1'], { kernelDistance: false as unknown as true });
    expect(Object.keys(plain).sort()).toEqual(['loss', 'times', 'w1tw1']);
  });

  it('no names: the loss alone; an empty grid: empty lists', async () => {
    const opts = network(32, -0.4, 5);
    const lossOnly = await pool.trajectory(opts, grid, []);
    expect(Object.keys(lossOnly).sort()).toEqual(['loss', 'times']);
    expectSameArray(lossOnly.loss, serialMatrices(opts, grid, []).loss, 'loss');
    const empty = await pool.trajectory(opts, [], ['qqt']);
    expect(empty.qqt).toEqual([]);
    expect(empty.loss.length).toBe(0);
  });

  it('the matrices are independent of each other and of the pool: writing one changes nothing else', async () => {
    const opts = network(33, 0.3, 6);
    const result = await pool.trajectory(opts, [1, 2], ['w1tw1', 'qqt']);
    const before = result.w1tw1[1].to2DArray();
    result.w1tw1[0].set(0, 0, 1e9);
    expect(result.w1tw1[1].to2DArray()).toEqual(before);
    expectSameArray(Float64Array.from((await pool.trajectory(opts, [1], ['w1tw1'])).w1tw1[0].to1DArray()), Float64Array.from(exactDynamics(opts).at(1).w1tw1.to1DArray()), 'w1tw1 after a write');
  });

  it('unknown names reject with an InvalidArgumentError listing the valid ones; bad options with the serial error', async () => {
    const opts = network(34, 0.3, 3);
    for (const names of [['qqt', 'W2W1'], 'qqt', [undefined]] as unknown as SnapshotMatrixName[][]) {
      const error = (await pool.trajectory(opts, [1], names).catch((e: unknown) => e)) as InvalidArgumentError;
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error.argument).toBe('names');
      expect(error.message).toContain("'qqt', 'w2w1', 'w1tw1', 'w2w2t', 'factor', 'singularProduct'");
    }
    const serial = thrown(() => exactDynamics({ ...opts, w2: [[1, 2]] }));
    const error = (await pool.trajectory({ ...opts, w2: [[1, 2]] }, [1], ['qqt']).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ShapeError);
    expect(error.message).toBe(serial.message);
  });

  it('a bad fourth argument rejects with an InvalidArgumentError saying what was expected; bad probes with the serial error', async () => {
    const opts = network(36, 0.3, 3);
    const bad: Array<[unknown, string, RegExp]> = [
      [null, 'also', /fourth argument of trajectory must be an options object \{ kernelDistance: true \| \{ inputs \} \| \{ gram \} \}; got null/],
      [3, 'also', /got number/],
      [[true], 'also', /got object/],
      [{ kernelDistances: true }, 'also', /Unknown option `kernelDistances` of trajectory/],
      [{ kernelDistance: 'yes' }, 'kernelDistance', /`kernelDistance` must be true or the probes \(\{ inputs \} or \{ gram \}\); got string/],
      [{ kernelDistance: null }, 'kernelDistance', /got null/],
    ];
    for (const [also, argument, message] of bad) {
      const error = (await pool.trajectory(opts, [1], ['qqt'], also as { kernelDistance: true }).catch((e: unknown) => e)) as InvalidArgumentError;
      expect(error, JSON.stringify(also)).toBeInstanceOf(InvalidArgumentError);
      expect(error.argument).toBe(argument);
      expect(error.message).toMatch(message);
    }
    for (const probes of [{ inputs: gaussianMatrix(4, 5, createRng(1)) }, { gram: [[1, 0], [0, 1]] }, { inputs: [[Number.NaN, 1, 2]] }]) {
      const serial = thrown(() => kernelDistanceTrajectory(exactDynamics(opts), [1], probes));
      const error = (await pool.trajectory(opts, [1], ['qqt'], { kernelDistance: probes }).catch((e: unknown) => e)) as Error;
      expect(error.constructor).toBe(serial.constructor);
      expect(error.message).toBe(serial.message);
    }
  });
});

describe('the pool computes the serial lazy–rich sweep', () => {
  it('the same rows, bit for bit: grids of 1, 2 and 15 cells, square and wide networks, probe inputs', async () => {
    const square = randomTask({ inputDim: 6, outputDim: 6, samples: 60, seed: 31 });
    const wide = randomTask({ inputDim: 20, outputDim: 3, samples: 60, seed: 32 });
    const probes = gaussianMatrix(20, 30, createRng(33));
    const sweeps: LazyRichSweepOptions[] = [
      { lambdas: [0], scales: [0.05], task: square, hiddenDim: 6, time: 5, seed: 1 },
      { lambdas: [-1, 1], scales: [0.1], task: square, hiddenDim: 4, time: 3, seed: 2, tau: 2 },
      { lambdas: [-10, -1, -0.1, 0, 0.5], scales: [0.01, 0.1, 1], task: wide, hiddenDim: 3, time: 4, seed: 3, kernel: { inputs: probes } },
    ];
    for (const options of sweeps) {
      const parallel = await pool.lazyRichSweep(options);
      const serial = lazyRichSweep(options);
      expect(parallel.rows.length).toBe(options.lambdas.length * options.scales.length);
      expect(parallel).toStrictEqual(serial); // Object.is on every number: the same bits
    }
  });

  it('bad grids reject with the serial errors', async () => {
    const task = randomTask({ inputDim: 3, outputDim: 2, samples: 20, seed: 34 });
    const good: LazyRichSweepOptions = { lambdas: [0], scales: [0.1], task, hiddenDim: 2, time: 1, seed: 1 };
    const cases: Array<[string, LazyRichSweepOptions]> = [
      ['an impossible λ', { ...good, hiddenDim: 3, lambdas: [0, 1] }],
      ['an empty grid', { ...good, scales: [] }],
      ['a negative scale', { ...good, scales: [0.1, -1] }],
      ['probes of the wrong shape', { ...good, kernel: { inputs: [[1, 2]] } }],
    ];
    for (const [what, options] of cases) {
      const serial = thrown(() => lazyRichSweep(options));
      expect(serial, what).toBeInstanceOf(ExactDlnError);
      const error = await pool.lazyRichSweep(options).then(
        () => expect.fail(`${what}: the pool resolved`),
        (e: unknown) => e as Error,
      );
      expect(error.constructor, what).toBe(serial.constructor);
      expect(error.message, what).toBe(serial.message);
    }
    expect(thrown(() => lazyRichSweep(cases[0][1]))).toBeInstanceOf(ImpossibleLambdaError);
  });
});

describe('errors', () => {
  /** The pool rejects with the serial error: same class, message and fields. */
  async function expectSameError(opts: ExactDynamicsOptions, times: readonly number[], type: abstract new (...args: never[]) => ExactDlnError): Promise<void> {
    const serial = thrown(() => exactDynamics(opts).summaries(times));
    expect(serial).toBeInstanceOf(type);
    const error = await pool.summaries(opts, times).then(
      () => expect.fail('the pool resolved'),
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe(serial.message);
    expect({ ...error }).toEqual({ ...serial });
  }

  it('bad options and times reject with the serial errors', async () => {
    const good = network(13, 0.3, 3);
    await expectSameError({ ...good, w2: [[1, 2]] }, [1], ShapeError);
    await expectSameError({ ...good, sigmaYX: [[1, 2, 3], [4, NaN, 6], [7, 8, 9]] }, [1], NonFiniteError);
    await expectSameError({ ...good, w1: good.w1.clone().mul(2) }, [1], NotBalancedError);
    await expectSameError({ ...good, tau: 0 }, [1], InvalidArgumentError);
    await expectSameError(good, [1, -1], InvalidArgumentError);
    await expectSameError(good, [1, Infinity], NonFiniteError);
    await expectSameError(null as unknown as ExactDynamicsOptions, [1], InvalidArgumentError);
  });

  it('bad probes reject with the serial errors, whether checked in the calling thread or in a worker', async () => {
    const opts = network(16, 0.3, 4);
    const dynamics = exactDynamics(opts);
    const cases: Array<[string, unknown]> = [
      ['not an object', 5],
      ['both inputs and gram', { inputs: [[1], [0], [0], [0]], gram: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] }],
      ['ragged inputs', { inputs: [[1, 2], [3]] }],
      ['inputs with the wrong number of rows', { inputs: [[1, 2], [3, 4]] }],
      ['NaN in the inputs', { inputs: [[1], [NaN], [0], [0]] }],
      ['all-zero probes', { inputs: [[0], [0], [0], [0]] }],
      ['a gram matrix that is not symmetric', { gram: [[1, 2, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] }],
      ['a gram matrix with a negative eigenvalue', { gram: [[1, 0, 0, 0], [0, -1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] }],
    ];
    for (const [what, probes] of cases) {
      const serial = thrown(() => kernelDistanceTrajectory(dynamics, [0, 1, 2], probes as never));
      expect(serial, what).toBeInstanceOf(ExactDlnError);
      const error = await pool.kernelDistanceTrajectory(opts, [0, 1, 2], probes as never).then(
        () => expect.fail(`${what}: the pool resolved`),
        (e: unknown) => e as Error,
      );
      expect(error.constructor, what).toBe(serial.constructor);
      expect(error.message, what).toBe(serial.message);
      expect({ ...error }, what).toEqual({ ...serial });
    }
  });

  it('refusals that differed from the serial call, or came from the workers: late times, a times argument that is no array, sparse names', async () => {
    // A grid whose later part the closed form cannot resolve (growth rates 1e-309 apart): the
    // serial call names the grid's latest time; each worker named its own part's.
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 1, hiddenDim: 1, outputDim: 2, lambda: 1, scale: 0.5, seed: 3 });
    const unresolved = { w1, w2, sigmaYX: [[7e-155], [0]] };
    const late = [1e303, 1e305];
    const serial = thrown(() => exactDynamics(unresolved).lossCurve(late));
    for (const call of [pool.lossCurve(unresolved, late), pool.summaries(unresolved, late), pool.modeStrengthCurves(unresolved, late)]) {
      const error = await call.then(() => expect.fail('the pool resolved'), (e: unknown) => e as Error);
      expect(error.constructor).toBe(serial.constructor);
      expect(error.message).toBe(serial.message);
    }
    // kernelDistanceTrajectory's own refusal of a times argument that is not an array.
    const opts = network(15, 0.3, 3);
    for (const times of ['abc', 5, null, new Float32Array([1])]) {
      const own = thrown(() => kernelDistanceTrajectory(exactDynamics(opts), times as never));
      const error = await pool.kernelDistanceTrajectory(opts, times as never).then(() => expect.fail('resolved'), (e: unknown) => e as Error);
      expect(error.message).toBe(own.message);
    }
    // A sparse names array got past the check (forEach skips holes) and failed in the workers
    // with "Cannot read properties of undefined".
    // eslint-disable-next-line no-sparse-arrays
    for (const names of [[, 'qqt'], new Array(2)]) {
      const error = await pool.trajectory(opts, [1, 2], names as never).then(() => expect.fail('resolved'), (e: unknown) => e as Error);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error.message).toContain('names[0] = undefined is not a Snapshot matrix name');
    }
  });

  it('a NotBalancedError keeps its fields (λ, residual, tolerance)', async () => {
    const good = network(14, 0.3, 3);
    const error = (await pool.lossCurve({ ...good, w1: good.w1.clone().mul(2) }, [1]).catch((e: unknown) => e)) as NotBalancedError;
    expect(error).toBeInstanceOf(NotBalancedError);
    expect(error.residual).toBeGreaterThan(error.tolerance);
    expect(error.tolerance).toBe(1e-8);
  });

  it('threads above max(16, 4 per core) are refused before any worker starts (1000 took minutes and ≈ 10 GB)', async () => {
    const { availableParallelism } = await import('node:os');
    const most = Math.max(16, 4 * availableParallelism());
    const e = thrown(() => createDynamicsPool({ threads: most + 1 }));
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.message).toContain(`\`threads\` = ${most + 1} is more than ${most}`);
  });

  it('threads must be an integer ≥ 1', () => {
    for (const threads of [0, -1, 1.5, Number.NaN, '2' as unknown as number]) {
      const e = thrown(() => createDynamicsPool({ threads }));
      expect(e).toBeInstanceOf(Number.isNaN(threads) ? NonFiniteError : InvalidArgumentError);
      expect(e.message).toContain('`threads`');
    }
    expect(thrown(() => createDynamicsPool(null as never))).toBeInstanceOf(InvalidArgumentError);
  });

  it('workerUrl must name an existing file (a path or a file: URL); the named worker is the one started', async () => {
    const missing = join(root, 'src', 'parallel', 'no-such-worker.js');
    // A folder is no file either (it was accepted, and calls then failed with Node's 'Directory import … is not supported').
    const folder = join(root, 'src', 'parallel');
    for (const workerUrl of [missing, pathToFileURL(missing), pathToFileURL(missing).href, 'https://example.org/worker.js', '', 5 as unknown as string, folder]) {
      const e = thrown(() => createDynamicsPool({ threads: 1, workerUrl })) as InvalidArgumentError;
      expect(e, String(workerUrl)).toBeInstanceOf(InvalidArgumentError);
      expect(e.argument).toBe('workerUrl');
    }
    expect(thrown(() => createDynamicsPool({ threads: 1, workerUrl: missing })).message).toContain(pathToFileURL(missing).href);
    expect(thrown(() => createDynamicsPool({ threads: 1, workerUrl: 'https://example.org/worker.js' })).message).toContain('there is none at https://example.org/worker.js');
    // … while a path with a colon is still a path.
    expect(thrown(() => createDynamicsPool({ threads: 1, workerUrl: 'v2:worker.js' })).message).toContain(pathToFileURL('v2:worker.js').href);
    // A worker file that fails on loading: its error reaches the call, so it is the file started.
    const dir = mkdtempSync(join(tmpdir(), 'exact-dln-worker-'));
    try {
      writeFileSync(join(dir, 'failing-worker.mjs'), "throw new Error('the named worker ran');\n");
      const failing = createDynamicsPool({ threads: 1, workerUrl: join(dir, 'failing-worker.mjs') });
      const error = await failing.lossCurve(network(18, 0.3, 3), [1]).then(() => expect.fail('resolved'), (e: unknown) => e as Error);
      expect(error.message).toContain('the named worker ran');
      // The worker's own failure as the library's error, the original as its cause (it was the raw Error).
      expect(error).toBeInstanceOf(ExactDlnError);
      expect(error.message).toMatch(/^exact-dln\/parallel: a worker thread failed \(Error: the named worker ran\)/);
      expect((error.cause as Error).message).toBe('the named worker ran');
      await failing.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const source = join(root, 'src', 'parallel', 'worker-source.mjs');
    const opts = network(17);
    for (const workerUrl of [source, pathToFileURL(source)]) {
      const own = createDynamicsPool({ threads: 2, workerUrl });
      try {
        expectSameArray(await own.lossCurve(opts, grid), exactDynamics(opts).lossCurve(grid), `loss with workerUrl ${String(workerUrl)}`);
      } finally {
        await own.close();
      }
    }
  });
});

describe('life cycle', () => {
  it('a closed pool rejects new calls, and a call running when it closes rejects', async () => {
    const own = createDynamicsPool({ threads: 1 });
    expect(own.threads).toBe(1);
    const opts = network(15, 0.3, 64);
    const running = own.lossCurve(opts, Array.from({ length: 2000 }, (_, k) => k / 100));
    await own.close();
    await expect(running).rejects.toThrow('closed');
    await expect(running).rejects.toBeInstanceOf(ExactDlnError); // typed, like every error of the library
    await expect(own.lossCurve(opts, [1])).rejects.toBeInstanceOf(InvalidArgumentError);
    // Whatever else is wrong with a call, a closed pool says so first (bad names were named first).
    await expect(own.trajectory(opts, [1], ['nope' as never])).rejects.toThrow('This DynamicsPool was closed');
    await expect(own.kernelDistanceTrajectory(opts, 'abc' as never)).rejects.toThrow('This DynamicsPool was closed');
    await expect(own.close()).resolves.toBeUndefined(); // closing twice is harmless
  });

  it('defaults to one worker per available core', async () => {
    const own = createDynamicsPool();
    const { availableParallelism } = await import('node:os');
    expect(own.threads).toBe(availableParallelism());
    await own.close();
  });

  it('a script that forgets close() still ends once its last call is answered', () => {
    const dir = mkdtempSync(join(root, 'node_modules', '.pool-exit-'));
    try {
      const script = join(dir, 'forgets-close.mts');
      writeFileSync(
        script,
        [
          `import { createDynamicsPool } from ${JSON.stringify(join(root, 'src', 'parallel', 'index.ts'))};`,
          'const pool = createDynamicsPool({ threads: 2 });',
          'const loss = await pool.lossCurve({ w1: [[0.1]], w2: [[0.1]], sigmaYX: [[1]] }, [0, 1, 2, 3]);',
          'console.log(loss.length);',
        ].join('\n'),
      );
      const r = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [script], { encoding: 'utf8', timeout: 30_000 });
      expect(r.error, 'the script did not end within 30 s').toBeUndefined();
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('4');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('… and so does one whose pool never ran a call, or whose only call was refused up front', () => {
    // Idle workers were unref'd before their 'message' listener was added, which refs them
    // again: a pool that never answered a call kept its script alive for ever.
    const dir = mkdtempSync(join(root, 'node_modules', '.pool-exit-'));
    try {
      const bodies = [
        ['const pool = createDynamicsPool({ threads: 2 });', "console.log('made', pool.threads);"],
        [
          'const pool = createDynamicsPool({ threads: 2 });',
          "const r = await pool.lossCurve({ w1: [[0.1]], w2: [[0.1]], sigmaYX: [[1]] }, [0, -1]).catch((e) => e.name);",
          'console.log(r);',
        ],
      ];
      const outputs = bodies.map((body, k) => {
        const script = join(dir, `idle-${k}.mts`);
        writeFileSync(script, [`import { createDynamicsPool } from ${JSON.stringify(join(root, 'src', 'parallel', 'index.ts'))};`, ...body].join('\n'));
        const r = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [script], { encoding: 'utf8', timeout: 30_000 });
        expect(r.error, `script ${k} did not end within 30 s`).toBeUndefined();
        expect(r.status, r.stderr).toBe(0);
        return r.stdout.trim();
      });
      expect(outputs).toEqual(['made 2', 'InvalidArgumentError']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
