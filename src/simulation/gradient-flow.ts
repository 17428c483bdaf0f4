/**
 * `integrateGradientFlow`: the weight ODE of a two-layer linear network (MATH.md §1)
 * integrated with the classical fourth-order Runge–Kutta method. It needs no balance
 * and no whitening, so it is the reference the closed form is validated against
 * (MATH.md §11, oracle 1).
 *
 * The module also holds the one kernel both simulators share: the vector field
 * −∇L(W1, W2) = (W2ᵀE, E W1ᵀ) with E = Σyx − W2W1Σxx. Gradient flow integrates it with
 * RK4; gradient descent (./gradient-descent.ts) is the explicit Euler method on it.
 *
 * @module
 */
import { Matrix } from 'ml-matrix';
import { fromArray, matmulT, toArray, transpose } from '../linalg/dense.js';
import { ExactDlnError, InvalidArgumentError } from '../errors.js';
import type { Task } from '../core/task.js';
import { isTask } from '../core/task-input.js';
import {
  assertKnownOptions,
  assertPositiveNumber,
  assertLayersNotTransposed,
  assertShape,
  type MatrixLike,
  optionalNumber,
  toMatrix,
  toTimes,
} from '../validation.js';

/**
 * The constant c of the default step rule h = c·τ/rate (see integrateGradientFlow).
 * With h·rate = 0.0025 the RK4 error per unit of rate·t is about (h·rate)⁴/120 ≈ 3e-13.
 */
const DEFAULT_STEP_FACTOR = 0.0025;

/** Relative asymmetry of Σxx tolerated (Σxx = XXᵀ/P is symmetric up to rounding). */
const SYMMETRY_TOLERANCE = 1e-10;

/**
 * Options of {@link integrateGradientFlow}.
 *
 * @example
 * ```ts
 * import type { GradientFlowOptions } from 'exact-dln';
 * const opts: GradientFlowOptions = { w1: [[0.1, 0]], w2: [[0.2]], sigmaYX: [[1, 0.5]], times: [0, 1, 2] };
 * ```
 */
export interface GradientFlowOptions {
  /** Input-to-hidden weights W1(0), hidden×input (Nh×Ni). Any values: no balance needed. */
  w1: MatrixLike;
  /** Hidden-to-output weights W2(0), output×hidden (No×Nh). */
  w2: MatrixLike;
  /**
   * Input–output covariance Σyx = YXᵀ/P, output×input (No×Ni) — or a {@link Task}, whose Σyx
   * and Σxx are used (then without `sigmaXX`).
   */
  sigmaYX: MatrixLike | Task;
  /** Input covariance Σxx = XXᵀ/P, input×input (Ni×Ni), symmetric; default the identity. */
  sigmaXX?: MatrixLike;
  /** Time constant τ > 0 of the flow (τ dW/dt = −∇L); default 1. */
  tau?: number;
  /**
   * Times t ≥ 0 at which to report the weights, in any order, repeats allowed; the
   * result lists them in the order given.
   */
  times: readonly number[];
  /**
   * Fixed step size (in units of t). When given, every step has exactly this length,
   * except the step that lands on a requested time, which is shortened; the default
   * state-dependent rule is then not used. When omitted, each step is
   * h = 0.0025·τ/rate(W1, W2) (see {@link integrateGradientFlow}).
   */
  maxStep?: number;
}

/**
 * Result of {@link integrateGradientFlow}: entry k of every array belongs to `times[k]`.
 *
 * @example
 * ```ts
 * import { integrateGradientFlow, type GradientFlowResult } from 'exact-dln';
 * const r: GradientFlowResult = integrateGradientFlow({ w1: [[0.1]], w2: [[0.1]], sigmaYX: [[1]], times: [1] });
 * console.log(r.loss[0]);
 * ```
 */
export interface GradientFlowResult {
  /** The requested times, in the order given. */
  times: number[];
  /** W1(t), Nh×Ni, one fresh Matrix per requested time. */
  w1: Matrix[];
  /** W2(t), No×Nh, one fresh Matrix per requested time. */
  w2: Matrix[];
  /**
   * ½‖Σyx − W2W1‖²_F + ½tr(W2W1(Σxx − I)(W2W1)ᵀ): the data loss L up to the additive
   * constant ½tr Σyy − ½‖Σyx‖²_F, which does not depend on the weights (MATH.md §1).
   * Without `sigmaXX` (whitened inputs) it is ½‖Σyx − W2W1‖²_F, the excess loss L − L*
   * of a network without bottleneck.
   */
  loss: number[];
}

/**
 * Integrates the gradient flow of a two-layer linear network y = W2W1x (MATH.md §1)
 *
 *     τ dW1/dt = W2ᵀ (Σyx − W2W1Σxx),   τ dW2/dt = (Σyx − W2W1Σxx) W1ᵀ
 *
 * with the classical fourth-order Runge–Kutta method and returns the weights and the
 * loss at each requested time. Works from any initialisation (balanced or not) and for
 * any symmetric Σxx; it is the numerical reference of MATH.md §11 (oracle 1). The
 * balance W2ᵀW2 − W1W1ᵀ is a constant of the motion (MATH.md §2) that RK4 preserves to
 * its truncation error.
 *
 * Step rule. With `maxStep` given, steps are exactly `maxStep` long (the step landing on a
 * requested time is shortened). Otherwise every step is chosen from the current state as
 * h = 0.0025·τ/rate with
 *
 *     rate = ‖Σyx‖_F + 2·s·(‖W1‖²_F + ‖W2‖²_F),   s = min(‖Σxx‖_F, ‖Σxx‖_∞)  (s = 1 for Σxx = I),
 *
 * an upper bound on the spectral norm of the Jacobian of the vector field (in units of
 * 1/τ): perturbing the right-hand side gives ‖J‖ ≤ ‖E‖ + 1.5·s(‖W1‖² + ‖W2‖²) and
 * ‖E‖ ≤ ‖Σyx‖ + s‖W1‖‖W2‖. RK4's error per unit of rate·t/τ is then of order
 * (h·rate)⁴/120 ≈ 3e-13 (the bound overestimates the true rate, so in practice less):
 * measured 1e-15 to 1e-12 relative on scalar networks with exact solutions and 1e-13 to
 * 1e-11 on random networks up to 6×6×6 over t ≤ 20τ. Because the rate is recomputed each
 * step, the step shrinks automatically as the weights grow.
 *
 * Cost: O(Ni·No·(Nh + Ni)) per evaluation of the vector field (O(Ni·Nh·No) with Σxx = I),
 * four per step; about 400·rate·T/τ steps to reach time T with the default rule.
 * Inputs are never mutated.
 *
 * @param options - see {@link GradientFlowOptions}.
 * @returns the weights and loss at each requested time, see {@link GradientFlowResult}.
 * @throws {@link ShapeError} if a matrix has the wrong shape: `sigmaYX` must have Ni
 *   columns, `w2` must be No×Nh, `sigmaXX` must be Ni×Ni (Nh×Ni from `w1`).
 * @throws {@link NonFiniteError} if a matrix entry, `tau`, `maxStep` or a time is NaN or infinite.
 * @throws {@link InvalidArgumentError} if a time is negative, `tau` or `maxStep` is not
 *   positive, `times` is not an array, `sigmaXX` is not symmetric, or the run would take
 *   more than 1e9 RK4 steps (refused up front where the step rule bounds the count from
 *   below: about 400·‖Σyx‖_F·T/τ steps at least for the automatic step).
 * @throws {@link ExactDlnError} if the state becomes non-finite during integration (the
 *   step was too large for the dynamics, or Σxx is not positive semi-definite so the flow
 *   itself diverges).
 * @example
 * ```ts
 * import { integrateGradientFlow } from 'exact-dln';
 * // Scalar network: a = w2·w1 follows a sigmoid towards σ = 1.
 * const r = integrateGradientFlow({ w1: [[0.1]], w2: [[0.1]], sigmaYX: [[1]], times: [0, 2, 8] });
 * console.log(r.w2[2].get(0, 0) * r.w1[2].get(0, 0)); // 0.99998885914…
 * console.log(r.loss); // [0.49005, 0.20771…, 6.2059…e-11]
 * ```
 */
export function integrateGradientFlow(options: GradientFlowOptions): GradientFlowResult {
  assertOptionsObject(options, 'integrateGradientFlow');
  assertKnownOptions(options, 'integrateGradientFlow', {
    w1: true,
    w2: true,
    sigmaYX: true,
    sigmaXX: true,
    tau: true,
    times: true,
    maxStep: true,
  } satisfies Record<keyof GradientFlowOptions, true>);
  const problem = prepareProblem(options.w1, options.w2, options.sigmaYX, options.sigmaXX);
  const tau = optionalNumber(options.tau, 1, 'tau', assertPositiveNumber);
  const times = toTimes(options.times, 'times');
  const maxStep = options.maxStep === undefined ? undefined : optionalNumber(options.maxStep, 1, 'maxStep', assertPositiveNumber);

  const integrator = new Rk4Integrator(problem, tau, maxStep);
  const order = times.map((_, i) => i).sort((i, j) => times[i] - times[j]);
  const w1Out: Matrix[] = new Array(times.length);
  const w2Out: Matrix[] = new Array(times.length);
  const lossOut: number[] = new Array(times.length);
  for (const idx of order) {
    integrator.advanceTo(times[idx]);
    w1Out[idx] = fromArray(integrator.w1, problem.nh, problem.ni);
    w2Out[idx] = fromArray(integrator.w2, problem.no, problem.nh);
    lossOut[idx] = integrator.field.loss(integrator.w1, integrator.w2);
  }
  return { times: times.slice(), w1: w1Out, w2: w2Out, loss: lossOut };
}

/** Most RK4 steps a fixed `maxStep` may ask for (at about a microsecond each for small networks, a quarter of an hour). */
const MAX_RK4_STEPS = 1e9;

/**
 * Classical RK4 on the state y = [W1 | W2] (row-major), with all buffers allocated once.
 * The hot loop lives in a method of its own (not in a closure of the exported function)
 * so that V8 optimises it once and keeps it optimised across calls.
 */
class Rk4Integrator {
  readonly field: VectorField;
  /** Current time t. */
  t = 0;
  /** Views of the state: W1 (Nh×Ni) and W2 (No×Nh). */
  readonly w1: Float64Array;
  readonly w2: Float64Array;
  private readonly y: Float64Array;
  private readonly stage: Float64Array;
  private readonly stage1: Float64Array;
  private readonly stage2: Float64Array;
  /** The four RK4 slopes, and their W1 and W2 parts (views). */
  private readonly k: Float64Array[];
  private readonly kW1: Float64Array[];
  private readonly kW2: Float64Array[];
  private readonly invTau: number;
  private readonly maxStep: number | undefined;
  /** ‖Σyx‖_F and the bound s on ‖Σxx‖₂ of the default step rule. */
  private readonly syxNorm: number;
  private readonly sxxNorm: number;
  private readonly tau: number;
  /** ‖W1‖²_F + ‖W2‖²_F at the current state. */
  private q2: number;
  /** RK4 steps taken so far (all calls of advanceTo). */
  private steps = 0;

  constructor(problem: TwoLayerProblem, tau: number, maxStep: number | undefined) {
    const n1 = problem.nh * problem.ni;
    const n = n1 + problem.no * problem.nh;
    this.field = new VectorField(problem);
    this.y = new Float64Array(n);
    this.y.set(problem.w1, 0);
    this.y.set(problem.w2, n1);
    this.w1 = this.y.subarray(0, n1);
    this.w2 = this.y.subarray(n1);
    this.stage = new Float64Array(n);
    this.stage1 = this.stage.subarray(0, n1);
    this.stage2 = this.stage.subarray(n1);
    this.k = [0, 1, 2, 3].map(() => new Float64Array(n));
    this.kW1 = this.k.map((a) => a.subarray(0, n1));
    this.kW2 = this.k.map((a) => a.subarray(n1));
    this.tau = tau;
    this.invTau = 1 / tau;
    this.maxStep = maxStep;
    this.syxNorm = frobeniusOf(problem.syx);
    this.sxxNorm = problem.sxx === null ? 1 : symmetricNormBound(problem.sxx, problem.ni);
    this.q2 = this.norm2();
  }

  /** Integrates from the current time to `target` ≥ t, landing exactly on it. */
  advanceTo(target: number): void {
    if (this.maxStep !== undefined && (target - this.t) / this.maxStep + this.steps > MAX_RK4_STEPS) {
      throw new InvalidArgumentError(
        `invalid argument. \`maxStep\` = ${this.maxStep} would take ${((target - this.t) / this.maxStep).toExponential(2)} steps to reach t = ${target}; ` +
          `at most ${MAX_RK4_STEPS.toExponential(0)} are allowed. Pass a larger maxStep, or omit it for the automatic step.`,
        'maxStep',
      );
    }
    if (this.maxStep === undefined) {
      // The automatic step is at most DEFAULT_STEP_FACTOR·τ/‖Σyx‖ (weights of any size only
      // shorten it), so this many steps at least: refused up front beyond the fixed step's
      // limit (t = 1e12 ran for days).
      const fewest = (target - this.t) / ((DEFAULT_STEP_FACTOR * this.tau) / (this.syxNorm + 1e-300));
      if (fewest + this.steps > MAX_RK4_STEPS) {
        throw new InvalidArgumentError(
          `invalid argument. Reaching t = ${target} takes at least ${fewest.toExponential(2)} steps of the automatic RK4 rule ` +
            `(h ≤ ${DEFAULT_STEP_FACTOR}·τ/‖Σyx‖_F = ${((DEFAULT_STEP_FACTOR * this.tau) / this.syxNorm).toPrecision(3)}); at most ${MAX_RK4_STEPS.toExponential(0)} are allowed. ` +
            'Integrate over a shorter span (exactDynamics(...).at(t) gives any time in closed form).',
          'times',
        );
      }
    }
    while (this.t < target) {
      if (++this.steps > MAX_RK4_STEPS) {
        // The automatic step shrinks with the weights: the count can still exceed the limit.
        throw new InvalidArgumentError(
          `invalid argument. Integration reached t = ${this.t} of ${target} after ${MAX_RK4_STEPS.toExponential(0)} RK4 steps, the most allowed: ` +
            'the weights are large and the automatic step short. Integrate over a shorter span, or pass `maxStep`.',
          'times',
        );
      }
      let h = this.maxStep ?? (DEFAULT_STEP_FACTOR * this.tau) / (this.syxNorm + 2 * this.sxxNorm * this.q2 + 1e-300);
      if (this.t + h === this.t) {
        // The step is below the resolution of t: the loop would never end.
        throw new InvalidArgumentError(
          `invalid argument. The RK4 step h = ${h} is below the resolution of t = ${this.t} (t + h = t), so t = ${target} cannot be reached` +
            (this.maxStep === undefined ? '; the weights are too large for steps that short.' : '. Pass a larger `maxStep`.'),
          this.maxStep === undefined ? 'times' : 'maxStep',
        );
      }
      const remaining = target - this.t;
      const lands = remaining <= h * (1 + 1e-10);
      if (lands) h = remaining;
      this.step(h * this.invTau);
      this.t = lands ? target : this.t + h;
      this.q2 = this.norm2();
      if (!Number.isFinite(this.q2)) {
        throw new ExactDlnError(
          `integrateGradientFlow diverged: the weights became non-finite (or overflowed) at t ≈ ${this.t} ` +
            `after a step of h = ${h}. The step was too large for the dynamics: pass a smaller ` +
            `\`maxStep\` (or omit it to use the automatic step); if \`sigmaXX\` is not positive ` +
            `semi-definite the flow itself diverges.`,
          this.maxStep === undefined ? 'sigmaXX' : 'maxStep',
        );
      }
    }
  }

  /** One RK4 step of length c = h/τ in the scaled time s = t/τ. */
  private step(c: number): void {
    const { y, stage, field, kW1, kW2 } = this;
    const [k1, k2, k3, k4] = this.k;
    const n = y.length;
    field.evaluate(this.w1, this.w2, kW1[0], kW2[0]);
    for (let i = 0; i < n; i++) stage[i] = y[i] + 0.5 * c * k1[i];
    field.evaluate(this.stage1, this.stage2, kW1[1], kW2[1]);
    for (let i = 0; i < n; i++) stage[i] = y[i] + 0.5 * c * k2[i];
    field.evaluate(this.stage1, this.stage2, kW1[2], kW2[2]);
    for (let i = 0; i < n; i++) stage[i] = y[i] + c * k3[i];
    field.evaluate(this.stage1, this.stage2, kW1[3], kW2[3]);
    const c6 = c / 6;
    for (let i = 0; i < n; i++) y[i] += c6 * (k1[i] + 2 * (k2[i] + k3[i]) + k4[i]);
  }

  /** ‖W1‖²_F + ‖W2‖²_F: feeds the step rule and is the per-step finiteness check. */
  private norm2(): number {
    const y = this.y;
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i] * y[i];
    return s;
  }
}

// ---------------------------------------------------------------------------------------
// Shared internals (used by ./gradient-descent.ts as well; not re-exported by the package).
// ---------------------------------------------------------------------------------------

/**
 * A validated problem in row-major Float64Array form.
 *
 * @internal
 */
export interface TwoLayerProblem {
  /** Input, hidden and output widths. */
  ni: number;
  nh: number;
  no: number;
  /** W1 (Nh×Ni) and W2 (No×Nh), fresh copies. */
  w1: Float64Array;
  w2: Float64Array;
  /** Σyx (No×Ni). */
  syx: Float64Array;
  /** Σxx (Ni×Ni), or null for the identity. */
  sxx: Float64Array | null;
}

/** Throws unless `options` is a plain object. @internal */
export function assertOptionsObject(options: unknown, fn: string): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(
      `invalid argument. ${fn} expects an options object. Value: ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}.`,
      'options',
    );
  }
}

/**
 * Validates the weights and covariances of a two-layer problem. W1 fixes Nh×Ni, Σyx fixes
 * No; every other shape is checked against them.
 *
 * @internal
 */
export function prepareProblem(w1Like: unknown, w2Like: unknown, syxLikeOrTask: unknown, sxxLikeOrUndefined: unknown): TwoLayerProblem {
  let syxLike = syxLikeOrTask;
  let sxxLike = sxxLikeOrUndefined;
  if (isTask(syxLikeOrTask)) {
    // A Task brings its own Σxx (the identity, to rounding, for a whitened one).
    if (sxxLikeOrUndefined !== undefined) {
      throw new InvalidArgumentError('invalid argument. `sigmaXX` is given with a Task as `sigmaYX`, which has its own Σxx: give one of them.', 'sigmaXX');
    }
    syxLike = syxLikeOrTask.sigmaYX;
    sxxLike = syxLikeOrTask.sigmaXX;
  }
  const w1 = toMatrix(w1Like, 'w1');
  const nh = w1.rows;
  const ni = w1.columns;
  const w2 = toMatrix(w2Like, 'w2');
  const syx = toMatrix(syxLike, 'sigmaYX');
  assertLayersNotTransposed(w1, w2, syx);
  assertShape(syx, undefined, ni, 'sigmaYX', `output×input; its columns must match the ${ni} columns (inputs) of w1, which is ${nh}×${ni}`);
  const no = syx.rows;
  assertShape(
    w2,
    no,
    nh,
    'w2',
    `output×hidden: ${no} rows as sigmaYX (${no}×${ni}) has, ${nh} columns as w1 (${nh}×${ni}) has rows`,
  );
  let sxx: Float64Array | null = null;
  if (sxxLike !== undefined) {
    const m = toMatrix(sxxLike, 'sigmaXX');
    assertShape(m, ni, ni, 'sigmaXX', `input×input, matching the ${ni} columns of w1 (${nh}×${ni})`);
    sxx = toArray(m);
    assertSymmetric(sxx, ni, 'sigmaXX');
  }
  return { ni, nh, no, w1: toArray(w1), w2: toArray(w2), syx: toArray(syx), sxx };
}

/** Throws {@link InvalidArgumentError} unless the n×n matrix is symmetric to rounding. @internal */
export function assertSymmetric(a: Float64Array, n: number, name: string): void {
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.abs(a[i * n + j] - a[j * n + i]);
      if (d > SYMMETRY_TOLERANCE * scale) {
        throw new InvalidArgumentError(
          `invalid argument. \`${name}\` must be symmetric (a covariance XXᵀ/P); entries (${i}, ${j}) = ${a[i * n + j]} ` +
            `and (${j}, ${i}) = ${a[j * n + i]} differ.`,
          name,
        );
      }
    }
  }
}

/**
 * The vector field of the weight ODE, −∇L(W1, W2), and the loss, with preallocated
 * workspace: the one kernel shared by gradient flow (RK4) and gradient descent (Euler).
 *
 * @internal
 */
export class VectorField {
  private readonly ni: number;
  private readonly nh: number;
  private readonly no: number;
  private readonly syx: Float64Array;
  private readonly sxx: Float64Array | null;
  /** W = W2W1 (filled only when Σxx ≠ I) and the residual E = Σyx − WΣxx, No×Ni each. */
  private readonly w: Float64Array;
  private readonly e: Float64Array;
  /**
   * Transposes for the blocked products (W1ᵀ, W2ᵀ, Eᵀ), allocated only for networks large
   * enough to use them ({@link BLOCKED_PRODUCTS_MIN_WORK}).
   */
  private readonly blocked: { w1t: Float64Array; w2t: Float64Array; et: Float64Array; sxxT: Float64Array | null } | null;

  constructor(p: TwoLayerProblem) {
    this.ni = p.ni;
    this.nh = p.nh;
    this.no = p.no;
    this.syx = p.syx;
    this.sxx = p.sxx;
    this.w = new Float64Array(p.no * p.ni);
    this.e = new Float64Array(p.no * p.ni);
    this.blocked =
      p.ni * p.nh * p.no >= BLOCKED_PRODUCTS_MIN_WORK
        ? {
            w1t: new Float64Array(p.ni * p.nh),
            w2t: new Float64Array(p.nh * p.no),
            et: new Float64Array(p.ni * p.no),
            sxxT: p.sxx === null ? null : transpose(p.sxx, p.ni, p.ni),
          }
        : null;
  }

  /**
   * Writes d1 = W2ᵀE (Nh×Ni) and d2 = E·W1ᵀ (No×Nh) with E = Σyx − W2W1Σxx: minus the
   * gradient of the loss (MATH.md §1). Reads w1, w2 only; d1, d2 must not alias them.
   * Small networks use fused loops (no temporaries: there the call and copy overhead of
   * general products costs more than the arithmetic); from
   * {@link BLOCKED_PRODUCTS_MIN_WORK} multiply-adds on, the blocked (WebAssembly SIMD
   * where available) products of linalg/dense.ts, 5–20× faster at n ≥ 64.
   */
  evaluate(w1: Float64Array, w2: Float64Array, d1: Float64Array, d2: Float64Array): void {
    const { ni, nh, no, e, blocked } = this;
    this.residual(w1, w2);
    if (blocked !== null) {
      transpose(w2, no, nh, blocked.w2t);
      transpose(e, no, ni, blocked.et);
      matmulT(blocked.w2t, blocked.et, nh, no, ni, d1); // W2ᵀE
      matmulT(e, w1, no, ni, nh, d2); // E·W1ᵀ
      return;
    }
    for (let h = 0; h < nh; h++) {
      const hi = h * ni;
      for (let i = 0; i < ni; i++) {
        let s = 0;
        for (let o = 0; o < no; o++) s += w2[o * nh + h] * e[o * ni + i];
        d1[hi + i] = s;
      }
    }
    for (let o = 0; o < no; o++) {
      const oi = o * ni;
      const oh = o * nh;
      for (let h = 0; h < nh; h++) {
        const hi = h * ni;
        let s = 0;
        for (let i = 0; i < ni; i++) s += e[oi + i] * w1[hi + i];
        d2[oh + h] = s;
      }
    }
  }

  /**
   * ½‖Σyx − W‖²_F + ½tr(W(Σxx − I)Wᵀ) with W = W2W1: the loss up to the weight-independent
   * constant ½tr Σyy − ½‖Σyx‖²_F. The first term has no cancellation for whitened inputs;
   * the second vanishes for Σxx = I and is not computed then.
   */
  loss(w1: Float64Array, w2: Float64Array): number {
    const { syx, w, e } = this;
    this.residual(w1, w2);
    let s = 0;
    if (this.sxx === null) {
      for (let k = 0; k < e.length; k++) s += e[k] * e[k]; // E = Σyx − W
      return 0.5 * s;
    }
    let curvature = 0;
    for (let k = 0; k < w.length; k++) {
      const r = syx[k] - w[k];
      s += r * r;
      curvature += w[k] * (r - e[k]); // (WΣxx − W)_k = (Σyx − E)_k − W_k = r − E_k
    }
    return 0.5 * (s + curvature);
  }

  /** Fills E = Σyx − W2W1Σxx (and W = W2W1 when Σxx ≠ I). */
  private residual(w1: Float64Array, w2: Float64Array): void {
    const { ni, nh, no, syx, sxx, w, e, blocked } = this;
    if (blocked !== null) {
      transpose(w1, nh, ni, blocked.w1t);
      if (blocked.sxxT === null) {
        matmulT(w2, blocked.w1t, no, nh, ni, e); // W2W1
      } else {
        matmulT(w2, blocked.w1t, no, nh, ni, w);
        matmulT(w, blocked.sxxT, no, ni, ni, e); // W·Σxx
      }
      for (let k = 0; k < e.length; k++) e[k] = syx[k] - e[k];
      return;
    }
    if (sxx === null) {
      // One pass, E = Σyx − W2W1 directly: measurably faster than forming W first.
      for (let o = 0; o < no; o++) {
        const oi = o * ni;
        const oh = o * nh;
        for (let i = 0; i < ni; i++) {
          let s = syx[oi + i];
          for (let h = 0; h < nh; h++) s -= w2[oh + h] * w1[h * ni + i];
          e[oi + i] = s;
        }
      }
      return;
    }
    for (let o = 0; o < no; o++) {
      const oi = o * ni;
      const oh = o * nh;
      for (let i = 0; i < ni; i++) {
        let s = 0;
        for (let h = 0; h < nh; h++) s += w2[oh + h] * w1[h * ni + i];
        w[oi + i] = s;
      }
    }
    for (let o = 0; o < no; o++) {
      const oi = o * ni;
      for (let j = 0; j < ni; j++) {
        let s = syx[oi + j];
        for (let i = 0; i < ni; i++) s -= w[oi + i] * sxx[i * ni + j];
        e[oi + j] = s;
      }
    }
  }
}

/**
 * From this many multiply-adds per product (Ni·Nh·No) on, the vector field uses the
 * blocked products of linalg/dense.ts instead of its fused loops.
 */
const BLOCKED_PRODUCTS_MIN_WORK = 4096;

/** Frobenius norm of a row-major array. @internal */
export function frobeniusOf(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/**
 * An upper bound on the spectral norm of a symmetric n×n matrix: the smaller of its
 * Frobenius norm and its largest absolute row sum (both bound the spectral radius).
 */
function symmetricNormBound(a: Float64Array, n: number): number {
  let rowMax = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < n; j++) r += Math.abs(a[i * n + j]);
    rowMax = Math.max(rowMax, r);
  }
  return Math.min(rowMax, frobeniusOf(a));
}
