/**
 * Benchmark 5: an MNIST-sized network, Ni = 784, Nh = 100, No = 10 (smoke: 40×5×3), where
 * Ni − No = 774 input directions are left over (ṽ⊥: Σyx has only No singular values).
 * They all grow at the same rate −λ/2, so the closed form handles them through one Nh×Nh
 * Gram matrix (summaries) or compresses their part of the factor to Nh rows (Snapshots and
 * the kernel distance; see RiccatiSolution.compressedFactorAt).
 *
 * Measured, with λ = −0.5, Σyx of entries N(0, 0.05²), balanced weights of scale 0.05:
 *  - set-up: a cold `exactDynamics(...)` (SVD cache cleared);
 *  - per time point, on 50 times from 0.5τ to 25τ: `summaries` (loss, mode strengths),
 *    `at(t)` alone, `at(t).factor` (W1ᵀ and W2 in the original coordinates), `at(t).qqt`
 *    (the 794×794 matrix), `kernelDistanceTrajectory` with whitened probes and with the
 *    Gram matrix of 1000 random probes (its set-up — a rotation of G into the task's
 *    singular basis and its compression, O(Ni³) — divided over the 50 points);
 *  - `exactDynamicsFromQQt` restarting from the 794×794 state at 10τ (cold), whole call;
 *  - `taskFromData(X, Y, { whiten: true })` for 2000 correlated samples (one
 *    eigendecomposition of Σxx, the second whitening pass by a series);
 *  - `lambdaBalancedWeights` for these widths, and `lazyRichSweep` over four λ
 *    (−10, −1, −0.1, 0; kernel distances and representation changes at 10τ and at
 *    convergence), whole calls;
 *  - memory (`retainedBytes`: V8's heap and the ArrayBuffers' storage kept after full
 *    garbage collections): one `exactDynamics(...)` (Σyx's SVD cached beforehand, so its
 *    cache entry is not counted), and each Snapshot of `trajectory(times)`.
 */
import { Matrix } from 'ml-matrix';
import { exactDynamics, exactDynamicsFromQQt, kernelDistanceTrajectory, lambdaBalancedWeights, lazyRichSweep, taskFromData } from '../src/index.js';
import { clearSvdCache } from '../src/core/svd.js';
import { createRng, gaussianMatrix } from '../src/random.js';
import { formatBytes, formatMs, machineInfo, measure, printTable, retainedBytes, round, writeResults, type BenchRunOptions } from './harness.js';

/** Per-call costs in ms (per time point where stated). */
export interface WideNetworkResult {
  ni: number;
  nh: number;
  no: number;
  points: number;
  setup: number;
  summariesPerPoint: number;
  atPerPoint: number;
  factorPerPoint: number;
  qqtPerPoint: number;
  kernelDistanceWhitenedPerPoint: number;
  kernelDistanceGramPerPoint: number;
  /** `exactDynamicsFromQQt` from the 794×794 state at 10τ (cold: SVD cache cleared), whole call. */
  restart: number;
  /** Cold set-up of the same network at λ = 0 (W1 then has rank No: 774 left-over rows in few directions). */
  setupLambdaZero: number;
  /** Cold set-up at λ = −1e-12 (90 hidden directions of relative size 1e-6 beside the product's 10). */
  setupLambdaTiny: number;
  samples: number;
  whitening: number;
  weights: number;
  sweep: number;
  /** Bytes kept alive by one ExactDynamics (heap + ArrayBuffers). */
  dynamicsBytes: number;
  /** Bytes kept alive per Snapshot of `trajectory(times)` (heap + ArrayBuffers). */
  snapshotBytes: number;
}

const LAMBDA = -0.5;

export function runWideNetwork(options: BenchRunOptions = {}): WideNetworkResult {
  const smoke = options.smoke ?? false;
  const print = options.print ?? true;
  const write = options.write ?? !smoke;
  const [ni, nh, no] = smoke ? [40, 5, 3] : [784, 100, 10];
  const points = smoke ? 5 : 50;
  const samples = smoke ? 100 : 2000;
  const rng = createRng(5);
  const sigmaYX = gaussianMatrix(no, ni, rng).mul(0.05);
  const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda: LAMBDA, scale: 0.05, seed: 6 });
  const build = () => {
    clearSvdCache();
    return exactDynamics({ w1, w2, sigmaYX });
  };
  const dyn = build();
  const times = Array.from({ length: points }, (_, k) => (25 * (k + 1)) / points);
  const probes = gaussianMatrix(ni, smoke ? 50 : 1000, rng);
  const gram = probes.mmul(probes.transpose());
  const quick = { iterations: smoke ? 1 : 3, time: smoke ? 10 : 200 };
  const perPoint = (fn: () => unknown): number => measure(fn, quick).median / points;
  const setup = measure(build, quick).median;
  const coldSetup = (lambda: number): number => {
    const w = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda, scale: 0.05, seed: 6 });
    return measure(() => {
      clearSvdCache();
      return exactDynamics({ w1: w.w1, w2: w.w2, sigmaYX });
    }, quick).median;
  };
  const setupLambdaZero = coldSetup(0);
  const setupLambdaTiny = coldSetup(-1e-12);
  const summariesPerPoint = perPoint(() => dyn.summaries(times));
  const atPerPoint = perPoint(() => times.map((t) => dyn.at(t)));
  const factorPerPoint = perPoint(() => times.map((t) => dyn.at(t).factor));
  const qqtPerPoint = perPoint(() => times.map((t) => dyn.at(t).qqt));
  const kernelDistanceWhitenedPerPoint = perPoint(() => kernelDistanceTrajectory(dyn, times));
  const kernelDistanceGramPerPoint = perPoint(() => kernelDistanceTrajectory(dyn, times, { gram }));
  const state = dyn.at(10).qqt;
  const restart = measure(() => {
    clearSvdCache();
    return exactDynamicsFromQQt({ qqt: state, inputDim: ni, hiddenDim: nh, lambda: LAMBDA, sigmaYX });
  }, quick).median;
  // Correlated, uncentred inputs (a random mixing of Gaussian samples) and random targets.
  const mixing = gaussianMatrix(ni, ni, rng).add(Matrix.eye(ni).mul(2));
  const x = mixing.mmul(gaussianMatrix(ni, samples, rng)).add(0.3);
  const y = gaussianMatrix(no, samples, rng);
  const whitening = measure(() => taskFromData(x, y, { whiten: true }), { iterations: 1, time: 0, warmup: 0 }).median;
  const weights = measure(() => lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda: LAMBDA, scale: 0.05, seed: 7 }), quick).median;
  const sweep = measure(
    () => lazyRichSweep({ lambdas: [-10, -1, -0.1, 0], scales: [0.05], task: { sigmaYX }, hiddenDim: nh, time: 10, seed: 8 }),
    { iterations: 1, time: 0, warmup: 1 },
  ).median;
  const total = (b: { heap: number; arrayBuffers: number }): number => b.heap + b.arrayBuffers;
  retainedBytes(() => dyn.trajectory(times)); // once untimed: the first call's heap growth includes compiled code
  const dynamicsBytes = total(retainedBytes(() => exactDynamics({ w1, w2, sigmaYX })));
  const snapshotBytes = total(retainedBytes(() => dyn.trajectory(times))) / points;
  const result: WideNetworkResult = {
    ni,
    nh,
    no,
    points,
    setup,
    summariesPerPoint,
    atPerPoint,
    factorPerPoint,
    qqtPerPoint,
    kernelDistanceWhitenedPerPoint,
    kernelDistanceGramPerPoint,
    restart,
    setupLambdaZero,
    setupLambdaTiny,
    samples,
    whitening,
    weights,
    sweep,
    dynamicsBytes,
    snapshotBytes,
  };
  if (print) {
    printTable(
      `Benchmark 5 — a wide network, Ni = ${ni}, Nh = ${nh}, No = ${no}, λ = ${LAMBDA} (per time point over ${points} times up to 25τ)`,
      ['set-up (cold)', 'summaries', 'at(t)', 'at(t).factor', 'at(t).qqt', 'kernel distance (whitened)', 'kernel distance (Gram of probes)', 'restart from QQᵀ (cold)', 'set-up at λ = 0 (cold)', 'set-up at λ = −1e-12 (cold)', `taskFromData whiten (${samples} samples)`, 'lambdaBalancedWeights', 'lazyRichSweep (4 λ)', 'memory: dynamics', 'memory: per Snapshot'],
      [
        [
          formatMs(setup),
          formatMs(summariesPerPoint),
          formatMs(atPerPoint),
          formatMs(factorPerPoint),
          formatMs(qqtPerPoint),
          formatMs(kernelDistanceWhitenedPerPoint),
          formatMs(kernelDistanceGramPerPoint),
          formatMs(restart),
          formatMs(setupLambdaZero),
          formatMs(setupLambdaTiny),
          formatMs(whitening),
          formatMs(weights),
          formatMs(sweep),
          formatBytes(dynamicsBytes),
          formatBytes(snapshotBytes),
        ],
      ],
    );
  }
  if (write) {
    writeResults('wide-network', {
      benchmark: 'wide-network',
      description:
        'An MNIST-sized network (Ni = 784, Nh = 100, No = 10, λ = −0.5): cold set-up (ms), then ms per time point over 50 times up to 25τ for ' +
        'summaries, at(t), at(t).factor, at(t).qqt, kernelDistanceTrajectory with whitened probes and with the Gram matrix of 1000 probes ' +
        '(its O(Ni³) set-up included), exactDynamicsFromQQt from the 794×794 state at 10τ (cold, whole call, ms), setupLambdaZero and setupLambdaTiny: the cold set-up of the same network drawn at λ = 0 and λ = −1e-12 (ms), taskFromData(X, Y, { whiten: true }) on 2000 correlated samples, lambdaBalancedWeights, and lazyRichSweep over ' +
        'λ = −10, −1, −0.1, 0 (whole calls, ms); dynamicsBytes and snapshotBytes: bytes kept alive (V8 heap + ArrayBuffers, after full garbage collections) by one exactDynamics() ' +
        '(Σyx\'s SVD already cached) and by each Snapshot of trajectory(times).',
      machine: machineInfo(),
      result: Object.fromEntries(Object.entries(result).map(([k, v]) => [k, round(v)])),
    });
  }
  return result;
}
