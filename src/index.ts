/**
 * exact-dln — exact learning dynamics of two-layer linear networks y = W2·W1·x from
 * λ-balanced initialisations (W2ᵀW2 − W1W1ᵀ = λI). The mathematics is in MATH.md; each
 * function's documentation names its section.
 *
 * @packageDocumentation
 */
export {
  ExactDlnError,
  ShapeError,
  NonFiniteError,
  InvalidArgumentError,
  NotBalancedError,
  NotWhitenedError,
  ImpossibleLambdaError,
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
export { Matrix } from 'ml-matrix';
