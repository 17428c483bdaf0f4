/**
 * The state of the network at one time, as returned by `exactDynamics(...).at(t)`.
 *
 * @module
 */
import { Matrix } from 'ml-matrix';
import { fromArray, matmul, matmulT } from '../linalg/dense.js';
import type { RiccatiSolution } from './riccati.js';

/**
 * The exact state of the network at time `t`: the network function, the hidden
 * representations, QQᵀ and the loss (MATH.md §3). Matrices are computed on first access
 * and cached, so reading only `loss` never builds the (Ni+No)×(Ni+No) matrix QQᵀ.
 *
 * @example
 * ```ts
 * import { exactDynamics, lambdaBalancedWeights, randomTask } from 'exact-dln';
 * const task = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 1 });
 * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 1, scale: 0.01, seed: 2 });
 * const snap = exactDynamics({ w1, w2, sigmaYX: task.sigmaYX }).at(5);
 * console.log(snap.loss, snap.w2w1.to2DArray());
 * ```
 */
export class Snapshot {
  /** The time t (in the same units as τ); `Infinity` for the converged state. */
  readonly t: number;
  /** λ, the conserved balance W2ᵀW2 − W1W1ᵀ = λI. */
  readonly lambda: number;
  /** Ni, Nh, No. */
  readonly inputDim: number;
  readonly hiddenDim: number;
  readonly outputDim: number;
  /** Singular values of Σyx (descending). */
  readonly sigma: readonly number[];
  /** @internal The factor in the task's singular basis: N×Nh, input rows first. */
  readonly singularFactor: Float64Array;
  /** @internal */
  readonly solution: RiccatiSolution;
  private cache = new Map<string, unknown>();

  /** @internal */
  constructor(t: number, lambda: number, solution: RiccatiSolution, singularFactor: Float64Array) {
    this.t = t;
    this.lambda = lambda;
    this.solution = solution;
    this.singularFactor = singularFactor;
    this.inputDim = solution.inputDim;
    this.hiddenDim = solution.hiddenDim;
    this.outputDim = solution.outputDim;
    this.sigma = solution.spectrum.sigma;
  }

  private memo<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  /** Row-major [W1ᵀ; W2]·R (N×Nh) for some orthogonal R, in the original coordinates. */
  private factorArray(): Float64Array {
    return this.memo('factorArray', () => {
      const ni = this.inputDim;
      const no = this.outputDim;
      const nh = this.hiddenDim;
      const z = this.singularFactor;
      const out = new Float64Array((ni + no) * nh);
      out.set(matmul(this.solution.vArr, z.subarray(0, ni * nh), ni, ni, nh), 0);
      out.set(matmul(this.solution.uArr, z.subarray(ni * nh), no, no, nh), ni * nh);
      return out;
    });
  }

  /**
   * A factor Q̃ (N×Nh, N = Ni + No) with Q̃Q̃ᵀ = QQᵀ: Q̃ = [W1ᵀ; W2]·R for an orthogonal
   * R. The weights themselves are determined only up to this hidden-layer rotation, which
   * changes nothing observable. `factor` is a valid λ-balanced initialisation to restart
   * from (rows 0..Ni−1 are W1ᵀ, the rest W2).
   */
  get factor(): Matrix {
    return this.memo('factor', () => fromArray(this.factorArray(), this.inputDim + this.outputDim, this.hiddenDim));
  }

  /** Representative weights { w1: Nh×Ni, w2: No×Nh } with the same QQᵀ (see {@link Snapshot.factor}). */
  get weights(): { w1: Matrix; w2: Matrix } {
    return this.memo('weights', () => {
      const f = this.factor;
      const ni = this.inputDim;
      return {
        w1: f.subMatrix(0, ni - 1, 0, this.hiddenDim - 1).transpose(),
        w2: f.subMatrix(ni, ni + this.outputDim - 1, 0, this.hiddenDim - 1),
      };
    });
  }

  /** QQᵀ = [[W1ᵀW1, W1ᵀW2ᵀ], [W2W1, W2W2ᵀ]], (Ni+No)×(Ni+No). Cost O((Ni+No)²·Nh). */
  get qqt(): Matrix {
    return this.memo('qqt', () => {
      const n = this.inputDim + this.outputDim;
      const f = this.factorArray();
      return fromArray(matmulT(f, f, n, this.hiddenDim, n), n, n);
    });
  }

  /** The network function W2W1 (No×Ni). Cost O(Ni·No·Nh). */
  get w2w1(): Matrix {
    return this.memo('w2w1', () => {
      const ni = this.inputDim;
      const no = this.outputDim;
      const nh = this.hiddenDim;
      const f = this.factorArray();
      return fromArray(matmulT(f.subarray(ni * nh), f.subarray(0, ni * nh), no, nh, ni), no, ni);
    });
  }

  /** The input-side representation W1ᵀW1 (Ni×Ni). */
  get w1tw1(): Matrix {
    return this.memo('w1tw1', () => {
      const ni = this.inputDim;
      const nh = this.hiddenDim;
      const f = this.factorArray().subarray(0, ni * nh);
      return fromArray(matmulT(f, f, ni, nh, ni), ni, ni);
    });
  }

  /** The output-side representation W2W2ᵀ (No×No). */
  get w2w2t(): Matrix {
    return this.memo('w2w2t', () => {
      const ni = this.inputDim;
      const no = this.outputDim;
      const nh = this.hiddenDim;
      const f = this.factorArray().subarray(ni * nh);
      return fromArray(matmulT(f, f, no, nh, no), no, no);
    });
  }

  /**
   * Ũᵀ W2W1 Ṽ (No×Ni): the network function in the task's singular basis; its diagonal
   * holds the mode strengths. Computed without rotating back: O(Ni·No·Nh).
   */
  get singularProduct(): Matrix {
    return this.memo('singularProduct', () => {
      const ni = this.inputDim;
      const no = this.outputDim;
      const nh = this.hiddenDim;
      const z = this.singularFactor;
      return fromArray(matmulT(z.subarray(ni * nh), z.subarray(0, ni * nh), no, nh, ni), no, ni);
    });
  }

  /**
   * The loss above its minimum, ½‖Σyx − W2W1‖²_F (for whitened inputs this is L − L*,
   * MATH.md §1). Computed in the task's singular basis, O(Ni·No·Nh), accurate down to
   * losses of order 1e-30 (no cancellation).
   */
  get loss(): number {
    return this.memo('loss', () => {
      const ni = this.inputDim;
      const no = this.outputDim;
      const nh = this.hiddenDim;
      const z = this.singularFactor;
      let sum = 0;
      for (let o = 0; o < no; o++) {
        const zo = (ni + o) * nh;
        for (let i = 0; i < ni; i++) {
          const zi = i * nh;
          let w = 0;
          for (let j = 0; j < nh; j++) w += z[zo + j] * z[zi + j];
          const r = (o === i ? this.sigma[o] : 0) - w;
          sum += r * r;
        }
      }
      return 0.5 * sum;
    });
  }
}
