/**
 * The explorer's computations: the task, the λ-balanced initial weights, the exact
 * dynamics and the series every view draws, all by the exact-dln library itself. Free of
 * DOM APIs, so the Web Worker and the page share it.
 *
 * @module
 */
import {
  convergence,
  ExactDlnError,
  exactDynamics,
  hierarchicalTask,
  kernelDistance,
  lambdaBalancedWeights,
  modeStrengths,
  randomTask,
  type BalancedWeights,
  type Convergence,
  type ExactDynamics,
  type Snapshot,
  type Task,
} from '../../src/index.js';
import { LAMBDA_GRID_SIZE, LIMITS, RANDOM_TASK_SAMPLES_PER_INPUT, TIME_POINTS, type ExplorerState } from './defaults.js';
import { effectiveWidths, lambdaProblem } from './state.js';

/** A key that changes exactly when the task changes. */
export function taskKey(state: ExplorerState): string {
  return state.task === 'hierarchical'
    ? `hierarchical:${state.depth}:${state.breakDegeneracy}`
    : `random:${state.inputDim}:${state.outputDim}:${state.taskSeed}`;
}

/** A key that changes exactly when everything but λ (task, Nh, scale, seed) changes: the λ sweep's cache key. */
export function sweepKey(state: ExplorerState): string {
  return `${taskKey(state)}|${state.hiddenDim}|${state.scale}|${state.weightSeed}|${state.matchSign}|${state.lambdaLog}`;
}

/** A key that changes exactly when the dynamics change. */
export function dynamicsKey(state: ExplorerState): string {
  return `${taskKey(state)}|${state.hiddenDim}|${state.scale}|${state.weightSeed}|${state.matchSign}|${state.lambda}`;
}

/**
 * The task of the settings: `randomTask({ inputDim: Ni, outputDim: No, samples: Ni, seed })`
 * or `hierarchicalTask({ depth, breakDegeneracy })` (MATH.md §9; Ni = No = 2^depth).
 */
export function buildTask(state: ExplorerState): Task {
  if (state.task === 'hierarchical') {
    return hierarchicalTask({ depth: state.depth, breakDegeneracy: state.breakDegeneracy });
  }
  return randomTask({
    inputDim: state.inputDim,
    outputDim: state.outputDim,
    samples: RANDOM_TASK_SAMPLES_PER_INPUT * state.inputDim,
    seed: state.taskSeed,
  });
}

/**
 * The λ-balanced initial weights of the settings for `task`, at a given λ (default the
 * settings' λ); with `matchSign`, det(W2W1) has det Σyx's sign.
 */
export function buildWeights(state: ExplorerState, task: Task, lambda = state.lambda): BalancedWeights {
  const { inputDim, hiddenDim, outputDim } = effectiveWidths(state);
  const match = state.matchSign ? { matchDeterminantSign: task.sigmaYX } : {};
  return lambdaBalancedWeights({ inputDim, hiddenDim, outputDim, lambda, scale: state.scale, seed: state.weightSeed, ...match });
}

/** The exact dynamics (τ = 1) of the settings on `task`, at a given λ (default the settings' λ). */
export function buildDynamics(state: ExplorerState, task: Task, lambda = state.lambda): ExactDynamics {
  const { w1, w2 } = buildWeights(state, task, lambda);
  return exactDynamics({ w1, w2, sigmaYX: task.sigmaYX, tau: 1 });
}

/**
 * The final kernel distance d(K(0), K(∞)) (MATH.md §6, whitened probes): how far the
 * Neural Tangent Kernel moves over the whole of learning. Near 0 is lazy, large is rich.
 */
export function finalKernelDistance(dyn: ExactDynamics): number {
  return kernelDistance(dyn.at(0), dyn.converged());
}

/**
 * Whether the flow learns the task or stops on a saddle (the library's `convergence`), in
 * words for the page when it stops, else `null`.
 */
export function saddleNote(dyn: ExactDynamics, c: Convergence = convergence(dyn)): string | null {
  if (c.reachesMinimum) return null;
  const modes = c.unlearnedModes.map((a) => `${a + 1}`);
  const which = modes.length === 0 ? 'Part of the task is' : `Mode${modes.length > 1 ? 's' : ''} ${modes.join(', ')} ${modes.length > 1 ? 'are' : 'is'}`;
  const head = `This start stops on a saddle: ${which} never learned by the exact flow (loss → ${c.loss.toPrecision(4)}, minimum ${c.minimumLoss === 0 ? '0' : c.minimumLoss.toPrecision(4)}). `;
  return c.determinantSign
    ? head +
        `At λ = 0 the flow keeps the sign of det(W2W1) when Ni = No, and this start has the other sign than det Σyx: ` +
        `tick “match det Σyx's sign”, or move λ off 0. Gradient descent escapes slowly, through its O(η) drift of λ.`
    : head + 'A hidden direction sits exactly on a saddle; gradient descent keeps such exact zeros too.';
}

/** `TIME_POINTS` evenly spaced times on [0, horizon]. */
export function timeGrid(horizon: number, points = TIME_POINTS): number[] {
  return Array.from({ length: points }, (_, k) => (horizon * k) / (points - 1));
}

/** What the time views draw: one entry per time of `times`. */
export interface TrajectorySeries {
  times: number[];
  /** ½‖Σyx − W2W1(t)‖²_F. */
  loss: number[];
  /** strengths[α][k]: (Ũᵀ W2W1 Ṽ)_αα at times[k], α < min(Ni, No). */
  strengths: number[][];
  /** σ_α, the targets of the strengths. */
  targets: number[];
  /** The smallest loss Nh hidden units can reach, ½Σ_{α ≥ Nh} σ_α² (0 unless a bottleneck). */
  minimumLoss: number;
  /** d(K(0), K(t)) at each time. */
  kernelDistance: number[];
}

/**
 * Loss, mode strengths and kernel distance from t = 0 along `times`, from one exact
 * evaluation per time. Cost per time O((Ni+No)·Nh² + Nh³ + Ni³ + No²).
 */
export function trajectorySeries(dyn: ExactDynamics, times: number[]): TrajectorySeries {
  const snapshots: Snapshot[] = dyn.trajectory(times);
  const modes = Math.min(dyn.inputDim, dyn.outputDim);
  const strengths = Array.from({ length: modes }, () => new Array<number>(times.length));
  const loss = new Array<number>(times.length);
  const distance = new Array<number>(times.length);
  const first = snapshots[0];
  snapshots.forEach((snap, k) => {
    loss[k] = snap.loss;
    const m = modeStrengths(snap).strengths;
    for (let a = 0; a < modes; a++) strengths[a][k] = m[a];
    distance[k] = k === 0 ? 0 : kernelDistance(first, snap);
  });
  const minimumLoss = 0.5 * dyn.sigma.slice(dyn.hiddenDim).reduce((sum, s) => sum + s * s, 0);
  return { times, loss, strengths, targets: dyn.sigma.slice(0, modes), minimumLoss, kernelDistance: distance };
}

/**
 * The λ values of the sweep: linear, `LAMBDA_GRID_SIZE` values evenly spaced on [−20, 20];
 * or signed-logarithmic, 0 and ±10^x for x evenly spaced on [−2, 3].
 */
export function lambdaGrid(logarithmic: boolean, size = LAMBDA_GRID_SIZE): number[] {
  if (!logarithmic) {
    const m = LIMITS.lambdaLinear;
    return Array.from({ length: size }, (_, k) => -m + (2 * m * k) / (size - 1));
  }
  const half = (size - 1) / 2;
  const span = LIMITS.lambdaLogMax - LIMITS.lambdaLogMin;
  const mags = Array.from({ length: half }, (_, k) => 10 ** (LIMITS.lambdaLogMin + (span * k) / (half - 1)));
  return [...mags.map((x) => -x).reverse(), 0, ...mags];
}

/**
 * One λ of the sweep: the final kernel distance, or `null` where λ is impossible for the
 * widths or the library could not evaluate it (`failure` then says why).
 */
export interface SweepPoint {
  lambda: number;
  distance: number | null;
  failure?: string;
}

/**
 * The final kernel distance d(K(0), K(∞)) over a grid of λ, everything else as in
 * `state` (same task, widths, scale and weight seed). λ values the widths forbid
 * (MATH.md §2) get `distance: null`; so does a λ the library refuses (one point, not the
 * whole sweep), with the reason in `failure`.
 */
export function lambdaSweep(state: ExplorerState, task: Task, grid: number[]): SweepPoint[] {
  const { inputDim, hiddenDim, outputDim } = effectiveWidths(state);
  return grid.map((lambda) => {
    if (lambdaProblem(lambda, inputDim, hiddenDim, outputDim) !== null) return { lambda, distance: null };
    try {
      return { lambda, distance: finalKernelDistance(buildDynamics(state, task, lambda)) };
    } catch (error) {
      if (!(error instanceof ExactDlnError)) throw error;
      return { lambda, distance: null, failure: error.message };
    }
  });
}

/**
 * A one-entry cache: `get(key, make)` returns the value made for the last key if the key
 * is unchanged, else makes (and keeps) a new one.
 */
export class LastValue<T> {
  private key: string | undefined;
  private value: T | undefined;

  /** The value kept for `key`, or undefined if the last key differs. */
  peek(key: string): T | undefined {
    return this.key === key ? this.value : undefined;
  }

  /** The value for `key`, made by `make` if the key differs from the last one. */
  get(key: string, make: () => T): T {
    if (this.key !== key || this.value === undefined) {
      this.value = make();
      this.key = key;
    }
    return this.value;
  }
}
