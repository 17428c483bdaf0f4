/**
 * The explorer's settings, their defaults and their bounds. Shared by the page, its Web
 * Worker and the browser test (test/explorer), so that the test can recompute the page's
 * numbers with the library in Node. Free of DOM and Node APIs.
 *
 * @module
 */

/** Which task the network learns: a random Σyx, or the hierarchical task of MATH.md §9. */
export type TaskKind = 'random' | 'hierarchical';

/** Everything the page shows is a function of these settings (they are also the URL). */
export interface ExplorerState {
  /** λ, the conserved balance W2ᵀW2 − W1W1ᵀ = λI (MATH.md §2). */
  lambda: number;
  /** Whether the λ slider moves on a signed log scale, λ = ±10^x, instead of linearly. */
  lambdaLog: boolean;
  /** Initial scale: the product W2W1(0) has singular values scale·|N(0,1)|. */
  scale: number;
  /** Ni, Nh, No (Ni and No are ignored by the hierarchical task, which fixes Ni = No = 2^depth). */
  inputDim: number;
  hiddenDim: number;
  outputDim: number;
  /** The task. */
  task: TaskKind;
  /** Seed of the random task. */
  taskSeed: number;
  /** Seed of the initial weights (random singular vectors, hidden rotation, singular values). */
  weightSeed: number;
  /**
   * Draw the weights with det(W2W1) of det Σyx's sign (`matchDeterminantSign`; matters for
   * Ni = No ≤ Nh, where at λ = 0 half of all starts otherwise stop on a saddle).
   */
  matchSign: boolean;
  /** Depth D of the hierarchical task's binary tree (2^D items). */
  depth: number;
  /** Rescale feature i by 1 + 0.1/i so that the hierarchical task's modes are distinct. */
  breakDegeneracy: boolean;
  /** Time horizon of the plots, in units of τ. */
  horizon: number;
  /** Whether the loss plot has a logarithmic y axis. */
  lossLog: boolean;
  /** The time cursor (in units of τ) at which the heatmaps are drawn, 0 ≤ cursor ≤ horizon. */
  cursor: number;
  /** Learning rate η of the simulated gradient descent (step k is t = k·η·τ, τ = 1). */
  learningRate: number;
}

/**
 * The page's default settings. With these the page shows an 8×8×8 network at λ = 0 from a
 * small initialisation (the rich regime) on a random task.
 *
 * The random task is `randomTask({ inputDim: Ni, outputDim: No, samples: Ni, seed: taskSeed })`
 * (see {@link RANDOM_TASK_SAMPLES_PER_INPUT}); the weights are
 * `lambdaBalancedWeights({ inputDim: Ni, hiddenDim: Nh, outputDim: No, lambda, scale, seed: weightSeed,
 * matchDeterminantSign: task.sigmaYX })` (without the last option when `matchSign` is off); τ = 1.
 */
export const DEFAULTS: Readonly<ExplorerState> = Object.freeze({
  lambda: 0,
  lambdaLog: false,
  scale: 0.01,
  inputDim: 8,
  hiddenDim: 8,
  outputDim: 8,
  task: 'random',
  taskSeed: 1,
  weightSeed: 2,
  matchSign: true,
  depth: 3,
  breakDegeneracy: true,
  horizon: 10,
  lossLog: false,
  cursor: 2,
  learningRate: 0.01,
});

/** The random task has P = this × Ni samples (the random numbers, and so Σyx, depend on P). */
export const RANDOM_TASK_SAMPLES_PER_INPUT = 1;

/** Number of time points of the trajectory views (evenly spaced on [0, horizon]). */
export const TIME_POINTS = 400;

/** Number of λ values of the final-kernel-distance sweep. */
export const LAMBDA_GRID_SIZE = 41;

/** Number of recorded gradient-descent points overlaid by "simulate". */
export const SIMULATION_POINTS = 60;

/** Bounds of the controls. */
export const LIMITS = Object.freeze({
  /** The linear λ slider spans [−20, 20]. */
  lambdaLinear: 20,
  /** The log λ slider spans |λ| = 10^x for x in [−2, 3] (and 0). */
  lambdaLogMin: -2,
  lambdaLogMax: 3,
  /** The numeric λ field accepts |λ| ≤ this. */
  lambdaMax: 1e4,
  /** The scale slider spans 10^x for x in [−4, 1]. */
  scaleLogMin: -4,
  scaleLogMax: 1,
  /** The numeric scale field accepts 0 < scale ≤ this. */
  scaleMax: 100,
  /** Widths are integers in [1, widthMax]. */
  widthMax: 24,
  /** The hierarchical task's depth is in [depthMin, depthMax]. */
  depthMin: 2,
  depthMax: 4,
  /** The horizon is in [horizonMin, horizonMax]. */
  horizonMin: 0.1,
  horizonMax: 1000,
  /** Gradient descent refuses to run more steps than this (raise η instead). */
  maxSteps: 2_000_000,
});
