/**
 * exact-dln — exact learning dynamics of two-layer linear networks y = W2·W1·x from
 * λ-balanced initialisations (W2ᵀW2 − W1W1ᵀ = λI). The mathematics is in MATH.md; each
 * function's documentation names its section.
 *
 * @module exact-dln
 */
export {
  ExactDlnError,
  ShapeError,
  NonFiniteError,
  InvalidArgumentError,
  NotBalancedError,
  NotWhitenedError,
  ImpossibleLambdaError,
  DivergenceError,
} from './errors.js';
export type { MatrixLike } from './validation.js';
export { createRng, type Rng } from './random.js';
export { balanceOf, type Balance } from './core/balance.js';
export { lambdaBalancedWeights, type BalancedWeights, type LambdaBalancedWeightsOptions } from './core/weights.js';
export {
  taskFromData,
  randomTask,
  taskFromSigmaYX,
  type Task,
  type RandomTaskOptions,
  type TaskFromDataOptions,
} from './core/task.js';
export {
  exactDynamics,
  exactDynamicsFromQQt,
  DEFAULT_BALANCE_TOLERANCE,
  type ExactDynamics,
  type ExactDynamicsOptions,
  type QQtDynamicsOptions,
} from './core/exact-dynamics.js';
export { Snapshot } from './core/snapshot.js';
export type { TrajectorySummaries } from './core/trajectory-summaries.js';
export { qqtOf } from './core/qqt.js';
export {
  integrateGradientFlow,
  type GradientFlowOptions,
  type GradientFlowResult,
} from './simulation/gradient-flow.js';
export {
  simulateGradientDescent,
  gradientDescentFromTask,
  type GradientDescentOptions,
  type TaskGradientDescentOptions,
  type GradientDescentResult,
} from './simulation/gradient-descent.js';
export type { NetworkState } from './analysis/network-representations.js';
export {
  representationSimilarity,
  DEFAULT_PINV_TOLERANCE,
  type RepresentationSimilarity,
  type RepresentationSimilarityOptions,
} from './analysis/representation-similarity.js';
export { ntk, NTK_MAX_SIZE, type NtkOptions } from './analysis/ntk.js';
export { kernelDistance, type KernelDistanceOptions } from './analysis/kernel-distance.js';
export {
  kernelDistanceTrajectory,
  type KernelDistanceTrajectory,
  type WeightRun,
} from './analysis/kernel-distance-trajectory.js';
export { modeStrengths, type ModeStrengths, type ModeStrengthsOptions } from './analysis/mode-strengths.js';
export { alignedMode, type AlignedMode, type AlignedModeOptions } from './analysis/aligned-mode.js';
export { learningTime, type LearningTimeOptions } from './analysis/learning-time.js';
export { convergence, type Convergence } from './analysis/convergence.js';
export { shallowDynamics, type ShallowDynamics, type ShallowDynamicsOptions } from './analysis/shallow-dynamics.js';
export { shallowDeviation, type ShallowDeviation } from './analysis/shallow-deviation.js';
export {
  convergedRepresentations,
  type ConvergedRepresentations,
  type ConvergedRepresentationsOptions,
} from './analysis/converged-representations.js';
export {
  lazyRichSweep,
  type LazyRichSweep,
  type LazyRichSweepOptions,
  type LazyRichRow,
} from './analysis/lazy-rich-sweep.js';
export {
  trainSequence,
  DEFAULT_POINTS_PER_SEGMENT,
  type SequenceStage,
  type TrainSequenceOptions,
  type SequenceSegment,
  type TaskSequence,
} from './applications/task-sequence.js';
export { forgetting, convergedForgetting, type Forgetting } from './applications/forgetting.js';
export { reversedTask, type ReversedTaskOptions } from './applications/reversed-task.js';
export {
  hierarchicalTask,
  MAX_HIERARCHY_DEPTH,
  type HierarchicalTask,
  type HierarchicalTaskOptions,
} from './applications/hierarchical-task.js';
export { permutedTask } from './applications/permuted-task.js';
export { featureFlip } from './applications/feature-flip.js';
export {
  transfer,
  TRANSFER_LOSS_FRACTION,
  type TransferOptions,
  type TransferRun,
  type TransferResult,
} from './applications/transfer.js';
export {
  expectedLambda,
  sampleStandardInit,
  STANDARD_INIT_SCHEMES,
  type StandardInitScheme,
  type StandardInitOptions,
  type SampleStandardInitOptions,
  type StandardInitWeights,
} from './applications/standard-init.js';
export { setKernelBackend, kernelBackend, DEFAULT_WASM_MIN_WORK, type KernelBackend } from './linalg/wasm.js';
export { Matrix } from 'ml-matrix';
