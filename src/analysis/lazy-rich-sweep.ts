/**
 * `lazyRichSweep`: where a network sits between the rich and the lazy regime, over a grid
 * of λ and initial scales, from exact trajectories (MATH.md §5, §6).
 *
 * @module
 */
import type { Matrix } from 'ml-matrix';
import { exactDynamics } from '../core/exact-dynamics.js';
import type { Task } from '../core/task.js';
import { balancedWeightsFromBasis, drawBalancedBasis, matchBasisDeterminantSign, type BalancedBasis } from '../core/weights.js';
import { InvalidArgumentError } from '../errors.js';
import { assertWhitened } from '../core/task-input.js';
import { frobenius } from '../linalg/dense.js';
import {
  assertFiniteNumber,
  assertInteger,
  assertSeed,
  assertKnownOptions,
  assertLambdaPossible,
  assertPositiveNumber,
  assertTime,
  type MatrixLike,
  toMatrix,
} from '../validation.js';
import {
  distanceBetween,
  distanceOfStates,
  kernelPieces,
  probeGeometry,
  solutionGeometry,
  storedRepresentations,
  type KernelDistanceOptions,
  type ProbeGeometry,
} from './kernel-distance.js';
import { representationsOutOfRange } from './network-representations.js';
import { representationChange } from './representation-change.js';

/**
 * Options of {@link lazyRichSweep}.
 *
 * @example
 * ```ts
 * import { randomTask, type LazyRichSweepOptions } from 'exact-dln';
 * const opts: LazyRichSweepOptions = {
 *   lambdas: [-10, 0, 10], scales: [0.01, 1], hiddenDim: 3, time: 5, seed: 1,
 *   task: randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 2 }),
 * };
 * ```
 */
export interface LazyRichSweepOptions {
  /** The λ values of the grid (each must be possible for the widths, MATH.md §2). */
  lambdas: readonly number[];
  /** Initial scales: the product W2W1(0) has singular values scale·|N(0,1)|. */
  scales: readonly number[];
  /** The task: a whitened {@link Task} (its Σxx is checked) or just `{ sigmaYX }` (No×Ni, whitened inputs assumed). */
  task: Task | { sigmaYX: MatrixLike };
  /** Hidden width Nh. */
  hiddenDim: number;
  /** The time t (in units of τ) at which the "during learning" columns are read. */
  time: number;
  /**
   * Seed of the initial weights. The same seed is used for every grid cell, so cells differ
   * only in λ and scale (same random singular vectors and directions): a controlled comparison.
   */
  seed: number;
  /** Time constant τ (default 1). */
  tau?: number;
  /** Probe inputs for the kernel distance (default whitened probes, X'X'ᵀ ∝ I). */
  kernel?: KernelDistanceOptions;
  /**
   * Draw the weights with `lambdaBalancedWeights`' `matchDeterminantSign: task.sigmaYX`
   * (default false): for Ni = No ≤ Nh, det(W2W1) gets det Σyx's sign in every cell. Half
   * of all seeds otherwise start the λ = 0 row on a saddle, where the weakest mode is never
   * learned (docs/model.md, "Saddles"); the row then measures that saddle, not the rich regime.
   */
  matchDeterminantSign?: boolean;
}

/**
 * One cell of the lazy–rich grid.
 *
 * @example
 * ```ts
 * import type { LazyRichRow } from 'exact-dln';
 * const lazy = (row: LazyRichRow) => row.convergedKernelDistance < 1e-5;
 * ```
 */
export interface LazyRichRow {
  lambda: number;
  scale: number;
  /** Kernel distance between the NTK at t = 0 and at `time` (MATH.md §6). */
  kernelDistance: number;
  /** Kernel distance between the NTK at t = 0 and the converged NTK. */
  convergedKernelDistance: number;
  /** ½‖Σyx − W2W1‖²_F at t = 0. */
  initialLoss: number;
  /** ½‖Σyx − W2W1‖²_F at `time`. */
  loss: number;
  /** ‖W1ᵀW1(time) − W1ᵀW1(0)‖_F: how much the input-side representation moved. */
  deltaW1tW1: number;
  /**
   * ‖W2W2ᵀ(time) − W2W2ᵀ(0)‖_F: how much the output-side representation moved. For large
   * |λ| the large representation's change (this one for λ > 0 with hiddenDim = outputDim,
   * ΔW1ᵀW1 for λ < 0 with hiddenDim = inputDim) comes from the balance identity, accurate
   * relative to the change itself; with a hidden layer narrower than the large side a small
   * change is integrated along the closed form instead (docs/lazy-rich.md, "Accuracy deep in
   * the lazy regime").
   */
  deltaW2W2t: number;
  /** ‖W1ᵀW1(∞) − W1ᵀW1(0)‖_F. */
  convergedDeltaW1tW1: number;
  /** ‖W2W2ᵀ(∞) − W2W2ᵀ(0)‖_F. */
  convergedDeltaW2W2t: number;
}

/**
 * The result of {@link lazyRichSweep}: one row per (λ, scale), λ-major in the order given.
 *
 * @example
 * ```ts
 * import type { LazyRichSweep } from 'exact-dln';
 * const lambdasOf = (s: LazyRichSweep) => s.rows.map((r) => r.lambda);
 * ```
 */
export interface LazyRichSweep {
  inputDim: number;
  hiddenDim: number;
  outputDim: number;
  time: number;
  rows: LazyRichRow[];
}

/**
 * Sweeps λ and the initial scale and reports, for each pair, how much the network's
 * kernel and representations move during learning — the lazy–rich picture of MATH.md §5–§6
 * from exact trajectories. For each cell: λ-balanced weights (`lambdaBalancedWeights` with
 * the given seed, and `matchDeterminantSign: task.sigmaYX` if asked), the exact dynamics on
 * the task, and the kernel distance and representation change between t = 0 and `time`,
 * and between t = 0 and convergence.
 *
 * What to expect (tested, see docs/lazy-rich.md): with equal widths the converged kernel
 * distance falls monotonically as |λ| grows, for both signs of λ — from above 1e-2 at
 * λ = 0 to below 1e-5 at |λ| = 100 (lazy). With unequal widths the sign of λ decides: for
 * No > Ni and Nh = Ni, λ = −100 is lazy while λ = +100 is not (the wide output layer must
 * rotate its column space onto the task's); mirrored for Ni > No.
 *
 * Deep in the lazy regime (|λ| ≫ ‖Σyx‖) the large representation (W2W2ᵀ ≈ λI for λ > 0)
 * changes by only ≈ ‖Σyx‖²/|λ|, far below its own rounding ε·|λ|: the changes and kernel
 * distances are taken from the balance identity where the hidden layer spans the large side
 * (MATH.md §5), and from the integral of their time derivatives where it does not (at `time`;
 * more costly), accurate to about 1e-13 relative (tested to λ = ±1e9 against RK4).
 *
 * Cost: per cell one SVD of Σyx plus three evaluations of the closed form and three kernel
 * distances, O((Ni+No)·Nh² + Nh³ + Ni³ + No²): a 100-cell grid of 10×10×10 networks takes
 * about 0.1 s.
 *
 * @throws {@link NotWhitenedError} if `task` is a Task whose Σxx is not the identity.
 * @throws {@link ImpossibleLambdaError} if a λ of the grid is impossible for the widths
 *   (λ > 0 needs hiddenDim ≤ outputDim, λ < 0 needs hiddenDim ≤ inputDim); the message
 *   names the offending λ.
 * @throws {@link InvalidArgumentError} / {@link NonFiniteError} for empty grids, NaN
 *   entries, non-positive scales, a negative time or a bad hidden width.
 * @example
 * ```ts
 * import { lazyRichSweep, randomTask } from 'exact-dln';
 * const task = randomTask({ inputDim: 5, outputDim: 5, samples: 50, seed: 1 });
 * const sweep = lazyRichSweep({
 *   lambdas: [-100, -10, 0, 10, 100], scales: [0.01], task, hiddenDim: 5, time: 10, seed: 2,
 *   matchDeterminantSign: true, // without it this seed starts λ = 0 on a saddle (converged loss 0.047)
 * });
 * for (const r of sweep.rows) console.log(r.lambda, r.convergedKernelDistance.toExponential(2));
 * ```
 */
export function lazyRichSweep(options: LazyRichSweepOptions): LazyRichSweep {
  const plan = sweepPlan(options);
  const rows = plan.lambdas.flatMap((lambda) => plan.scales.map((scale) => sweepCell(plan, lambda, scale)));
  return { inputDim: plan.sigmaYX.columns, hiddenDim: plan.hiddenDim, outputDim: plan.sigmaYX.rows, time: plan.time, rows };
}

/**
 * What every cell of a sweep shares: the validated grid and task, the random part of the
 * weights and the probes' geometry (all plain data, so a worker thread of
 * 'exact-dln/parallel' can be sent it).
 *
 * @internal
 */
export interface SweepPlan {
  lambdas: number[];
  scales: number[];
  sigmaYX: Matrix;
  hiddenDim: number;
  time: number;
  tau: number;
  /** Every cell has the same seed, so the same random directions and strengths. */
  basis: BalancedBasis;
  /** The probes' geometry before the per-cell change of basis (`solutionGeometry`). */
  geometry: ProbeGeometry;
}

/**
 * The arguments of {@link lazyRichSweep}, validated (every error it throws on bad input is
 * thrown here), with what its cells share.
 *
 * @internal
 */
export function sweepPlan(options: LazyRichSweepOptions): SweepPlan {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('invalid argument. lazyRichSweep expects an options object { lambdas, scales, task, hiddenDim, time, seed }.');
  }
  assertKnownOptions(options, 'lazyRichSweep', {
    lambdas: true,
    scales: true,
    task: true,
    hiddenDim: true,
    time: true,
    seed: true,
    tau: true,
    kernel: true,
    matchDeterminantSign: true,
  } satisfies Record<keyof LazyRichSweepOptions, true>);
  const lambdas = checkGrid(options.lambdas, 'lambdas', assertFiniteNumber);
  const scales = checkGrid(options.scales, 'scales', assertPositiveNumber);
  if (options.task === null || typeof options.task !== 'object') {
    throw new InvalidArgumentError('invalid argument. `task` must be a Task or { sigmaYX }.', 'task');
  }
  const sigmaYX = toMatrix(options.task.sigmaYX, 'task.sigmaYX');
  // A Task (with its Σxx) must be whitened, as everywhere else: the sweep's dynamics assume Σxx = I.
  if ((options.task as Partial<Task>).sigmaXX !== undefined) assertWhitened({ ...(options.task as Task), sigmaYX }, 'task');
  assertInteger(options.hiddenDim, 'hiddenDim');
  assertTime(options.time, 'time');
  assertSeed(options.seed, 'seed');
  const tau = options.tau ?? 1;
  assertPositiveNumber(tau, 'tau');
  const ni = sigmaYX.columns;
  const no = sigmaYX.rows;
  const nh = options.hiddenDim;
  lambdas.forEach((lambda) => assertLambdaPossible(lambda, ni, nh, no));
  // The probes' geometry once for the grid (O(Ni²·P′) for probe inputs), and the random
  // part of the weights once: the same numbers as lambdaBalancedWeights per cell (for
  // 784×100×10 most of a cell's time).
  const geometry = probeGeometry(options.kernel === undefined ? {} : options.kernel, ni, false); // G² per cell, in its basis (solutionGeometry)
  const basis = drawBalancedBasis(ni, nh, no, options.seed, undefined, true);
  const match = options.matchDeterminantSign ?? false;
  if (typeof match !== 'boolean') {
    throw new InvalidArgumentError(`invalid argument. \`matchDeterminantSign\` must be true or false. Value: ${String(match)}.`, 'matchDeterminantSign');
  }
  // The random strengths are positive (scale > 0 in every cell).
  if (match) matchBasisDeterminantSign(basis, sigmaYX, basis.unitStrengths.map(Math.sign));
  return { lambdas, scales, sigmaYX, hiddenDim: nh, time: options.time, tau, basis, geometry };
}

/**
 * One cell of a sweep: the weights at (λ, scale), their exact dynamics, and the kernel and
 * representation changes.
 *
 * @internal
 */
export function sweepCell(plan: Omit<SweepPlan, 'lambdas' | 'scales'>, lambda: number, scale: number): LazyRichRow {
  const { w1, w2 } = balancedWeightsFromBasis(plan.basis, lambda, scale);
  const dyn = exactDynamics({ w1, w2, sigmaYX: plan.sigmaYX, tau: plan.tau });
  const start = dyn.at(0);
  const mid = dyn.at(plan.time);
  const end = dyn.converged();
  // W1ᵀW1 and W2W2ᵀ in the task's singular basis (compressed for wide or tall networks):
  // an orthogonal change of basis, so their Frobenius distances are those of the originals.
  // The kernel distances as kernelDistance(start, ·) computes them for two Snapshots of one
  // dynamics, with the representations and the probes' geometry formed once.
  const snaps = [start, mid, end];
  const [a0, aMid, aEnd] = snaps.map((snap) => storedRepresentations(snap));
  // The kernels are scale-free: representations that lost digits to their size (a tiny
  // initialisation) are formed again from the factor scaled by a power of two.
  const [k0, kMid, kEnd] = [a0, aMid, aEnd].map((rep, i) => (representationsOutOfRange(rep) ? storedRepresentations(snaps[i], undefined, true) : rep));
  const geometry = solutionGeometry(plan.geometry, start.solution);
  // Ni = No = 1: every NTK is a multiple of X′ᵀX′, so d ≡ 0 — also in the limit t → ∞ when
  // the flow decays to the saddle at 0 (λ = 0, w2·w1 < 0), where the kernel itself is 0.
  const scalar = dyn.inputDim === 1 && dyn.outputDim === 1;
  const p0 = kernelPieces(k0, geometry, 'the network at t = 0');
  const pMid = scalar ? p0 : kernelPieces(kMid, geometry, `the network at t = ${plan.time}`);
  const pEnd = scalar ? p0 : kernelPieces(kEnd, geometry, 'the converged network');
  // The representation changes: for a large |λ| the large block's from the balance
  // identity, not from a difference of two matrices of size |λ| (representation-change.ts).
  const toMid = representationChange(start, mid, a0, aMid);
  const toEnd = representationChange(start, end, a0, aEnd);
  return {
    lambda,
    scale,
    kernelDistance: scalar ? 0 : distanceOfStates(start, mid, distanceBetween(p0, pMid, geometry), geometry, toMid),
    convergedKernelDistance: scalar ? 0 : distanceOfStates(start, end, distanceBetween(p0, pEnd, geometry), geometry, toEnd),
    initialLoss: start.loss,
    loss: mid.loss,
    deltaW1tW1: frobenius(toMid.da),
    deltaW2W2t: frobenius(toMid.dr),
    convergedDeltaW1tW1: frobenius(toEnd.da),
    convergedDeltaW2W2t: frobenius(toEnd.dr),
  };
}

function checkGrid(values: unknown, name: string, check: (x: unknown, n: string) => void): number[] {
  if (!Array.isArray(values) || values.length === 0) {
    throw new InvalidArgumentError(`invalid argument. \`${name}\` must be a non-empty array of numbers. Value: ${String(values)}.`, name);
  }
  values.forEach((x, i) => check(x, `${name}[${i}]`));
  return values.slice() as number[];
}
