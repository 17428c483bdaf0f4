/**
 * Benchmark 6: learning curves on several cores ('exact-dln/parallel').
 *
 * For Ni = Nh = No = n (bench/harness.ts: `benchConfig`), the 1000-point grid of
 * benchmark 1 (t_k = 0.02·k up to 20τ):
 *  - serial: what benchmark 1 times — a cold `exactDynamics(...)` (Σyx's SVD cache cleared)
 *    plus `summaries(times)` in this thread;
 *  - pool, same network: `await pool.summaries(options, times)` on a started pool whose
 *    workers already hold this network's dynamics (the grid's evaluation alone, split over
 *    the workers, plus the messages);
 *  - pool, alternating networks: the same call alternating between two networks (different
 *    tasks and weights), so every call sets the dynamics up again in every worker (their
 *    SVD caches still hold both tasks' Σyx) — the cost of a new network's curves;
 *  - pool start: from `createDynamicsPool` to the answer of a first one-point call (worker
 *    start, library load, WebAssembly compilation, one set-up), once per pool;
 *  - gradient descent recorded every 2nd step, as in benchmark 1;
 *  - the kernel distance from t = 0 on the same grid (whitened probes):
 *    `kernelDistanceTrajectory(exactDynamics(...), times)` serially (cold set-up) and
 *    `pool.kernelDistanceTrajectory(...)` alternating between the two networks;
 *  - a lazy–rich sweep of an MNIST-sized network (Ni = 784, Nh = 100, No = 10; 4 λ × 2
 *    scales, whitened probes): `lazyRichSweep` against `pool.lazyRichSweep` with one worker
 *    per core;
 *  - full QQᵀ on a 200-point part of the grid (n = 64, 128): `trajectory(times)` and `.qqt`
 *    of every Snapshot in this thread (set-up done) against `pool.trajectory(options,
 *    times, ['qqt'])` with one worker per core holding the network.
 * With 1 worker and with one per core (`os.availableParallelism()`). Each measured result
 * is checked against the serial curves, bit for bit.
 */
import { availableParallelism } from 'node:os';
import {
  exactDynamics,
  gradientDescentFromTask,
  kernelDistanceTrajectory,
  lazyRichSweep,
  randomTask,
  type LazyRichSweep,
  type LazyRichSweepOptions,
  type TrajectorySummaries,
} from '../src/index.js';
import { clearSvdCache } from '../src/core/svd.js';
import { createDynamicsPool } from '../src/parallel/index.js';
import { LEARNING_RATE, T_END } from './closed-form-vs-simulation.js';
import {
  benchConfig,
  formatMs,
  machineInfo,
  measure,
  measureAsync,
  printTable,
  round,
  timeGrid,
  writeResults,
  type BenchRunOptions,
} from './harness.js';

/** One width and worker count (times in ms per call). */
export interface ParallelRow {
  n: number;
  threads: number;
  points: number;
  poolStart: number;
  serial: number;
  poolSameNetwork: number;
  poolAlternating: number;
  /** serial / poolAlternating. */
  speedupVsSerial: number;
  simulationRecorded: number;
  /** simulationRecorded / poolAlternating. */
  speedupVsSimulation: number;
  /** Kernel distance on the grid: cold set-up + kernelDistanceTrajectory in this thread. */
  kernelSerial: number;
  /** pool.kernelDistanceTrajectory alternating between two networks. */
  kernelPool: number;
}

/** The sweep part: widths, cells, and the two timings (ms per whole sweep). */
export interface ParallelSweep {
  inputDim: number;
  hiddenDim: number;
  outputDim: number;
  cells: number;
  threads: number;
  serial: number;
  pool: number;
}

function sameCurves(a: TrajectorySummaries, b: TrajectorySummaries): boolean {
  const same = (x: Float64Array, y: Float64Array): boolean => x.length === y.length && x.every((v, k) => Object.is(v, y[k]));
  return same(a.loss, b.loss) && same(a.offDiagonal, b.offDiagonal) && a.modeStrengths.every((m, i) => same(m, b.modeStrengths[i]));
}

export async function runParallel(options: BenchRunOptions & { sizes?: number[] } = {}): Promise<{ rows: ParallelRow[]; sweep: ParallelSweep; matrices: ParallelMatricesRow[] }> {
  const smoke = options.smoke ?? false;
  const print = options.print ?? true;
  const write = options.write ?? !smoke;
  const sizes = options.sizes ?? (smoke ? [8] : [16, 64, 128]);
  const points = smoke ? 40 : 1000;
  const times = timeGrid(points, T_END);
  const cores = availableParallelism();
  const threadCounts = cores > 1 ? [1, cores] : [1];
  const rows: ParallelRow[] = [];

  for (const n of sizes) {
    const a = benchConfig(n, 1);
    const b = benchConfig(n, 2);
    const optsA = { w1: a.w1, w2: a.w2, sigmaYX: a.sigmaYX };
    const optsB = { w1: b.w1, w2: b.w2, sigmaYX: b.sigmaYX };
    const heavy = n >= 64;
    const timing = { iterations: smoke ? 2 : heavy ? 3 : 5, time: smoke ? 10 : heavy ? 0 : 300 };
    const serialA = exactDynamics(optsA).summaries(times);
    const serialB = exactDynamics(optsB).summaries(times);
    const serial = measure(
      () => {
        clearSvdCache();
        return exactDynamics(optsA).summaries(times);
      },
      { ...timing, warmup: heavy ? 0 : 1 },
    ).median;
    const timesList = Array.from(times);
    const kernelA = kernelDistanceTrajectory(exactDynamics(optsA), timesList).distance;
    const kernelB = kernelDistanceTrajectory(exactDynamics(optsB), timesList).distance;
    const kernelSerial = measure(
      () => {
        clearSvdCache();
        return kernelDistanceTrajectory(exactDynamics(optsA), timesList);
      },
      { ...timing, warmup: heavy ? 0 : 1 },
    ).median;
    gradientDescentFromTask({ ...optsA, learningRate: LEARNING_RATE, steps: 20, recordEvery: 2 });
    const simulationRecorded = measure(
      () => gradientDescentFromTask({ ...optsA, learningRate: LEARNING_RATE, steps: Math.round(T_END / LEARNING_RATE), recordEvery: 2 }),
      { ...timing, iterations: smoke ? 2 : heavy ? 2 : 5, warmup: heavy ? 0 : 1 },
    ).median;

    for (const threads of threadCounts) {
      const started = performance.now();
      const pool = createDynamicsPool({ threads });
      try {
        await pool.lossCurve(optsA, [1]);
        const poolStart = performance.now() - started;
        if (!sameCurves(await pool.summaries(optsA, times), serialA)) throw new Error(`benchmark 6: the pool's curves differ from the serial ones (n = ${n})`);
        const poolSameNetwork = (await measureAsync(() => pool.summaries(optsA, times), { ...timing, warmup: 1 })).median;
        /** Median time of `call` alternating between networks B and A, every answer checked bit for bit. */
        const alternating = async <R>(call: (opts: typeof optsA) => Promise<R>, same: (r: R, second: boolean) => boolean, what: string): Promise<number> => {
          let second = false;
          const timingOfCalls = await measureAsync(
            async () => {
              second = !second;
              const r = await call(second ? optsB : optsA);
              if (!same(r, second)) throw new Error(`benchmark 6: the pool's ${what} differs from the serial one (n = ${n})`);
              return r;
            },
            { ...timing, warmup: 2 },
          );
          return timingOfCalls.median;
        };
        const poolAlternating = await alternating((o) => pool.summaries(o, times), (r, second) => sameCurves(r, second ? serialB : serialA), 'summaries');
        const kernelPool = await alternating(
          (o) => pool.kernelDistanceTrajectory(o, times),
          (r, second) => r.distance.every((d, k) => Object.is(d, (second ? kernelB : kernelA)[k])),
          'kernel distance',
        );
        rows.push({
          n,
          threads,
          points,
          poolStart,
          serial,
          poolSameNetwork,
          poolAlternating,
          speedupVsSerial: serial / poolAlternating,
          simulationRecorded,
          speedupVsSimulation: simulationRecorded / poolAlternating,
          kernelSerial,
          kernelPool,
        });
      } finally {
        await pool.close();
      }
    }
  }

  const sweep = await timeSweep(smoke, cores);
  const matrices = await timeMatrices(smoke, cores);

  if (print) {
    printTable(
      `Benchmark 6 — summaries on ${points} points with exact-dln/parallel (${cores} cores here): serial = cold set-up + summaries in this thread; ` +
        'pool = await pool.summaries(...), on a network the workers hold (same) or a new one each call (alternating: set-up in every worker)',
      ['n', 'threads', 'pool start', 'serial', 'pool, same', 'pool, alternating', '× vs serial', 'GD recorded', '× vs GD', 'kernel dist. serial', 'kernel dist. pool', '×'],
      rows.map((r) => [
        r.n,
        r.threads,
        formatMs(r.poolStart),
        formatMs(r.serial),
        formatMs(r.poolSameNetwork),
        formatMs(r.poolAlternating),
        r.speedupVsSerial.toFixed(2),
        formatMs(r.simulationRecorded),
        r.speedupVsSimulation.toFixed(1),
        formatMs(r.kernelSerial),
        formatMs(r.kernelPool),
        (r.kernelSerial / r.kernelPool).toFixed(2),
      ]),
    );
    printTable(
      `Benchmark 6, sweep — lazyRichSweep of a ${sweep.inputDim}×${sweep.hiddenDim}×${sweep.outputDim} network, ${sweep.cells} cells, serial vs pool.lazyRichSweep`,
      ['threads', 'serial', 'pool', '×'],
      [[sweep.threads, formatMs(sweep.serial), formatMs(sweep.pool), (sweep.serial / sweep.pool).toFixed(2)]],
    );
    printTable(
      `Benchmark 6, full QQᵀ — per time point on ${matrices[0].points} points: Snapshot.qqt in this thread vs pool.trajectory(options, times, ['qqt'])`,
      ['n', 'threads', 'serial', 'pool', '×'],
      matrices.map((r) => [r.n, r.threads, formatMs(r.serialPerPoint), formatMs(r.poolPerPoint), (r.serialPerPoint / r.poolPerPoint).toFixed(2)]),
    );
  }
  if (write) {
    writeResults('parallel', {
      benchmark: 'parallel',
      description:
        'Learning curves (summaries: loss, mode strengths, off-diagonal norm) on the 1000-point grid of benchmark 1 with createDynamicsPool({ threads }) from exact-dln/parallel. ' +
        'serial = cold exactDynamics() (SVD cache cleared) + summaries in the calling thread; poolSameNetwork = await pool.summaries() on a network the workers already hold; ' +
        'poolAlternating = the same alternating between two networks (every call sets up in every worker; their SVD caches hold both tasks); ' +
        'poolStart = createDynamicsPool to the answer of a first one-point call; simulationRecorded = gradientDescentFromTask, 2000 steps of η = 0.01 recorded every 2nd step. ' +
        'Times in ms per call (tinybench median). speedupVsSerial = serial / poolAlternating; speedupVsSimulation = simulationRecorded / poolAlternating. ' +
        'kernelSerialMs = cold exactDynamics() + kernelDistanceTrajectory(dynamics, times) (whitened probes) in the calling thread; kernelPoolMs = pool.kernelDistanceTrajectory() alternating between the two networks. ' +
        'sweep: lazyRichSweep (serial) vs pool.lazyRichSweep with one worker per core on an Ni = 784, Nh = 100, No = 10 network (randomTask, 1000 samples), λ = −10, −1, −0.1, 0 × scales 0.01, 0.1, time 10, whitened probes (ms per whole sweep). ' +
        "matrices: full QQᵀ per time point (ms) on 200 points of the grid, trajectory(times) and .qqt of every Snapshot in the calling thread (set-up done) vs pool.trajectory(options, times, ['qqt']) with one worker per core holding the network. " +
        'Every pool result is checked bit for bit against the serial one.',
      machine: machineInfo(),
      config: { ni: 'n', nh: 'n', no: 'n', lambda: 0.25, taskScale: '0.15/sqrt(n)', weightScale: 0.05, tEnd: T_END, points },
      rows: rows.map((r) => ({
        n: r.n,
        threads: r.threads,
        points: r.points,
        poolStartMs: round(r.poolStart),
        serialMs: round(r.serial),
        poolSameNetworkMs: round(r.poolSameNetwork),
        poolAlternatingMs: round(r.poolAlternating),
        speedupVsSerial: round(r.speedupVsSerial, 3),
        simulationRecordedMs: round(r.simulationRecorded),
        speedupVsSimulation: round(r.speedupVsSimulation, 3),
        kernelSerialMs: round(r.kernelSerial),
        kernelPoolMs: round(r.kernelPool),
        kernelSpeedup: round(r.kernelSerial / r.kernelPool, 3),
      })),
      sweep: {
        inputDim: sweep.inputDim,
        hiddenDim: sweep.hiddenDim,
        outputDim: sweep.outputDim,
        cells: sweep.cells,
        threads: sweep.threads,
        serialMs: round(sweep.serial),
        poolMs: round(sweep.pool),
        speedup: round(sweep.serial / sweep.pool, 3),
      },
      matrices: matrices.map((r) => ({
        n: r.n,
        threads: r.threads,
        points: r.points,
        serialPerPointMs: round(r.serialPerPoint, 4),
        poolPerPointMs: round(r.poolPerPoint, 4),
        speedup: round(r.serialPerPoint / r.poolPerPoint, 3),
      })),
    });
  }
  return { rows, sweep, matrices };
}

/** The full-QQᵀ part: per width, ms per time point in this thread and on the pool. */
export interface ParallelMatricesRow {
  n: number;
  threads: number;
  points: number;
  serialPerPoint: number;
  poolPerPoint: number;
}

/** Full QQᵀ at every time: the Snapshots' getter in this thread against pool.trajectory (one worker per core). */
async function timeMatrices(smoke: boolean, threads: number): Promise<ParallelMatricesRow[]> {
  const points = smoke ? 10 : 200;
  const times = Array.from(timeGrid(points, T_END));
  const out: ParallelMatricesRow[] = [];
  const pool = createDynamicsPool({ threads });
  try {
    for (const n of smoke ? [8] : [64, 128]) {
      const c = benchConfig(n, 1);
      const opts = { w1: c.w1, w2: c.w2, sigmaYX: c.sigmaYX };
      const dynamics = exactDynamics(opts);
      const expected = dynamics.trajectory(times).map((s) => s.qqt);
      const first = await pool.trajectory(opts, times, ['qqt']);
      const same = first.qqt.every((m, k) => {
        const [x, y] = [m.to1DArray(), expected[k].to1DArray()];
        return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
      });
      if (!same) throw new Error(`benchmark 6: the pool's QQᵀ differs from the serial one (n = ${n})`);
      const timing = { iterations: smoke ? 2 : 5, time: 0, warmup: 1 };
      const serial = measure(() => dynamics.trajectory(times).map((s) => s.qqt), timing).median;
      const poolTime = (await measureAsync(() => pool.trajectory(opts, times, ['qqt']), timing)).median;
      out.push({ n, threads, points, serialPerPoint: serial / points, poolPerPoint: poolTime / points });
    }
  } finally {
    await pool.close();
  }
  return out;
}

/** Whether two sweeps have the same rows, bit for bit. */
function sameSweep(a: LazyRichSweep, b: LazyRichSweep): boolean {
  return a.rows.length === b.rows.length && a.rows.every((row, k) => Object.entries(row).every(([key, v]) => Object.is(v, b.rows[k][key as keyof typeof row])));
}

async function timeSweep(smoke: boolean, threads: number): Promise<ParallelSweep> {
  const [ni, nh, no] = smoke ? [10, 4, 3] : [784, 100, 10];
  const task = randomTask({ inputDim: ni, outputDim: no, samples: smoke ? 40 : 1000, seed: 41 });
  const options: LazyRichSweepOptions = {
    lambdas: smoke ? [-1, 0] : [-10, -1, -0.1, 0],
    scales: smoke ? [0.1] : [0.01, 0.1],
    task: { sigmaYX: task.sigmaYX },
    hiddenDim: nh,
    time: 10,
    seed: 8,
  };
  const expected = lazyRichSweep(options);
  const timing = { iterations: smoke ? 2 : 5, time: smoke ? 10 : 0 };
  const serial = measure(() => lazyRichSweep(options), timing).median;
  const pool = createDynamicsPool({ threads });
  try {
    if (!sameSweep(await pool.lazyRichSweep(options), expected)) throw new Error("benchmark 6: the pool's sweep differs from the serial one");
    const poolTime = (await measureAsync(() => pool.lazyRichSweep(options), timing)).median;
    return { inputDim: ni, hiddenDim: nh, outputDim: no, cells: expected.rows.length, threads, serial, pool: poolTime };
  } finally {
    await pool.close();
  }
}
