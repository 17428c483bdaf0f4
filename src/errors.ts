/**
 * Error classes thrown by exact-dln. Every error the library throws on bad input is an
 * {@link ExactDlnError}; the subclass says what kind of problem it is and the message
 * names the argument, what was expected and what was given.
 *
 * @module
 */

/**
 * Base class of every error exact-dln throws on bad input.
 *
 * @example
 * ```ts
 * import { exactDynamics, ExactDlnError } from 'exact-dln';
 * try {
 *   exactDynamics({ w1: [[1, 0]], w2: [[1], [2]], sigmaYX: [[1]] });
 * } catch (e) {
 *   console.log(e instanceof ExactDlnError); // true
 * }
 * ```
 */
export class ExactDlnError extends Error {
  /** The name of the argument (or field) that was wrong, when there is one. */
  readonly argument: string | undefined;

  constructor(message: string, argument?: string) {
    super(message);
    this.name = new.target.name;
    this.argument = argument;
  }
}

/**
 * A matrix had the wrong shape, or two matrices do not fit together.
 *
 * @example
 * ```ts
 * import { balanceOf, ShapeError } from 'exact-dln';
 * try { balanceOf([[1, 2]], [[1, 2], [3, 4]]); } catch (e) { console.log(e instanceof ShapeError); } // w1 has 1 hidden unit, w2 expects 2
 * ```
 */
export class ShapeError extends ExactDlnError {}

/**
 * A number was NaN or infinite where a finite number was required.
 *
 * @example
 * ```ts
 * import { balanceOf, NonFiniteError } from 'exact-dln';
 * try { balanceOf([[NaN]], [[1]]); } catch (e) { console.log(e instanceof NonFiniteError); }
 * ```
 */
export class NonFiniteError extends ExactDlnError {}

/**
 * An argument had the right type but an invalid value (a non-integer width, a negative
 * time, an unknown option value, ...).
 *
 * @example
 * ```ts
 * import { randomTask, InvalidArgumentError } from 'exact-dln';
 * try { randomTask({ inputDim: 2.5, outputDim: 2, samples: 10, seed: 1 }); }
 * catch (e) { console.log(e instanceof InvalidArgumentError); }
 * ```
 */
export class InvalidArgumentError extends ExactDlnError {}

/**
 * The weights are not λ-balanced: W2ᵀW2 − W1W1ᵀ is not a multiple of the identity
 * within the tolerance (for a state P = QQᵀ given to `exactDynamicsFromQQt`: QᵀJQ with
 * J = diag(−I_Ni, I_No), for any factor Q). The error carries the measured λ̂ and relative
 * residual; `argument` is `'w1, w2'` or `'qqt'`.
 *
 * @example
 * ```ts
 * import { exactDynamics, NotBalancedError } from 'exact-dln';
 * try { exactDynamics({ w1: [[1, 0], [0, 2]], w2: [[1, 0], [0, 1]], sigmaYX: [[1, 0], [0, 1]] }); }
 * catch (e) { if (e instanceof NotBalancedError) console.log(e.residual); }
 * ```
 */
export class NotBalancedError extends ExactDlnError {
  /** λ̂ = tr(W2ᵀW2 − W1W1ᵀ)/Nh of the offending weights. */
  readonly lambda: number;
  /** ‖B − λ̂I‖_F / (‖B‖_F + 1), the relative distance from balance. */
  readonly residual: number;
  /** The tolerance the residual was compared with. */
  readonly tolerance: number;

  constructor(message: string, lambda: number, residual: number, tolerance: number, argument = 'w1, w2') {
    super(message, argument);
    this.lambda = lambda;
    this.residual = residual;
    this.tolerance = tolerance;
  }
}

/**
 * The input covariance Σxx = XXᵀ/P is not the identity, so the exact solution does not
 * apply; pass `whiten: true` to whiten the data first.
 *
 * @example
 * ```ts
 * import { taskFromData, NotWhitenedError } from 'exact-dln';
 * try { taskFromData([[1, 1], [1, 1]], [[1, 0]]); } catch (e) { console.log(e instanceof NotWhitenedError); }
 * ```
 */
export class NotWhitenedError extends ExactDlnError {
  /** max |Σxx − I| entry of the data. */
  readonly deviation: number;

  constructor(message: string, deviation: number) {
    super(message, 'X');
    this.deviation = deviation;
  }
}

/**
 * λ is impossible for the layer widths: λ > 0 needs hiddenDim ≤ outputDim and λ < 0
 * needs hiddenDim ≤ inputDim (W2ᵀW2 − W1W1ᵀ = λI has rank constraints, MATH.md §2).
 *
 * @example
 * ```ts
 * import { lambdaBalancedWeights, ImpossibleLambdaError } from 'exact-dln';
 * try { lambdaBalancedWeights({ inputDim: 3, hiddenDim: 4, outputDim: 2, lambda: 1, seed: 0 }); }
 * catch (e) { console.log(e instanceof ImpossibleLambdaError); }
 * ```
 */
export class ImpossibleLambdaError extends ExactDlnError {}

/**
 * Gradient descent diverged: the weights became non-finite (or overflowed) because the
 * learning rate is too large for the network and task. `step` is the step at which it
 * happened, counted from the start of the call, of `steps` requested; `learningRate` the
 * rate that was used. `argument` is `'learningRate'`.
 *
 * @example
 * ```ts
 * import { gradientDescentFromTask, DivergenceError } from 'exact-dln';
 * try {
 *   gradientDescentFromTask({ w1: [[1]], w2: [[1]], sigmaYX: [[2]], learningRate: 10, steps: 100 });
 * } catch (e) {
 *   if (e instanceof DivergenceError) console.log(e.step <= 100, e.learningRate); // true 10
 * }
 * ```
 */
export class DivergenceError extends ExactDlnError {
  /** The step (1-based, counted within the call) after which the weights were non-finite. */
  readonly step: number;
  /** The number of steps the call was asked to run. */
  readonly steps: number;
  /** The learning rate of the call. */
  readonly learningRate: number;

  constructor(message: string, step: number, steps: number, learningRate: number) {
    super(message, 'learningRate');
    this.step = step;
    this.steps = steps;
    this.learningRate = learningRate;
  }
}
