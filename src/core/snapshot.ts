/**
 * The state of the network at one time, as returned by `exactDynamics(...).at(t)`.
 *
 * @module
 */
import { Matrix } from 'ml-matrix';
import { adoptArray, copyMatrix, gramOfRows, gramOfRowsNormal, matmul, matmulT, matmulTNormal, transpose } from '../linalg/dense.js';
import type { RiccatiSolution } from './riccati.js';
import { InvalidArgumentError } from '../errors.js';
import { lossOfSingularProduct, singularProductOf } from './trajectory-summaries.js';

/**
 * The exact state of the network at time `t`: the network function, the hidden
 * representations, QQᵀ and the loss (MATH.md §3). Matrices are computed on first access
 * and cached, so reading only `loss` never builds the (Ni+No)×(Ni+No) matrix QQᵀ. Every
 * read returns a fresh copy (O(size), against O(size·Nh) to compute it): ml-matrix's
 * arithmetic works in place, and `snap.w2w1.sub(sigmaYX)` must not change what the
 * Snapshot, or anything computed from it later, reports. Snapshots come from the
 * dynamics (`at`, `converged`); `new Snapshot(…)` throws an {@link InvalidArgumentError}.
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
  /** @internal */
  readonly solution: RiccatiSolution;
  /**
   * The factor as the solution returned it: in the task's singular basis, input rows
   * first; compressed (RiccatiSolution.compressedFactorAt) when `#compressed`.
   */
  readonly #z: Float64Array;
  readonly #compressed: boolean;
  readonly #solutionTime: number;
  /**
   * Whether products of the factor's rows may be subnormal: in its Gram matrices
   * (RiccatiSolution.mayUnderflow) and in Ũᵀ W2W1 Ṽ (productsMayUnderflow, earlier).
   */
  readonly #careful: boolean;
  readonly #productsCareful: boolean;
  /** Rows of #z on the input and on the output side. */
  readonly #inputRows: number;
  readonly #outputRows: number;
  // Lazily computed values (undefined until first read).
  #singularFactor: Float64Array | undefined;
  #factorArray: Float64Array | undefined;
  #qqt: Matrix | undefined;
  #w2w1: Matrix | undefined;
  #w1tw1: Matrix | undefined;
  #w2w2t: Matrix | undefined;
  #productArray: Float64Array | undefined;
  #singularProduct: Matrix | undefined;
  #loss: number | undefined;

  /**
   * @internal `z` is the factor from `solution.factorAt`, or from
   * `solution.compressedFactorAt` when `compressed` is true; `careful` and `productsCareful`
   * are `solution.mayUnderflow` and `solution.productsMayUnderflow` at its time;
   * `solutionTime` is the solution's s = (t − offset)/τ of this state (NaN when not known).
   */
  constructor(
    t: number,
    lambda: number,
    solution: RiccatiSolution,
    z: Float64Array,
    compressed = false,
    careful = false,
    productsCareful = careful,
    solutionTime = Number.NaN,
  ) {
    // The class is exported (for instanceof and its type), so `new Snapshot()` can be tried:
    // a typed error rather than a TypeError from inside.
    if (typeof (solution as Partial<RiccatiSolution> | undefined)?.storedRows !== 'function' || !(z instanceof Float64Array)) {
      throw new InvalidArgumentError(
        'invalid argument. A Snapshot is not constructed directly: get one from exactDynamics(...).at(t) or .converged(), ' +
          'exactDynamicsFromQQt(...).at(t), or a task sequence’s at(t).',
        'solution',
      );
    }
    this.t = t;
    this.lambda = lambda;
    this.solution = solution;
    this.#z = z;
    this.#compressed = compressed;
    this.#solutionTime = solutionTime;
    this.#careful = careful;
    this.#productsCareful = productsCareful || careful;
    this.inputDim = solution.inputDim;
    this.hiddenDim = solution.hiddenDim;
    this.outputDim = solution.outputDim;
    this.sigma = solution.spectrum.sigma;
    // The sizes only: the expansion maps (an O(Ni·|⊥|·Nh) product for a wide network) are
    // computed when a getter first needs the original coordinates.
    ({ inputRows: this.#inputRows, outputRows: this.#outputRows } = solution.storedRows(compressed));
  }

  /**
   * @internal The factor as stored — the singular-basis factor, or its compressed form
   * (RiccatiSolution.compressedFactorAt) for wide and tall networks — with its numbers of
   * input-side and output-side rows. Its Gram matrices have the traces of W1ᵀW1 and W2W2ᵀ.
   * `careful`: products of its entries may be subnormal (form them with gramOfRowsNormal /
   * matmulTNormal) — the singular-basis rows, like Ũᵀ W2W1 Ṽ, from productsMayUnderflow on.
   * Not a copy: never modify it.
   */
  get storedFactor(): { z: Float64Array; inputRows: number; outputRows: number; careful: boolean } {
    return { z: this.#z, inputRows: this.#inputRows, outputRows: this.#outputRows, careful: this.#productsCareful };
  }

  /**
   * @internal The solution's time s = (t − offset)/τ of this state (∞ for `converged()`, NaN
   * when not known), and whether its stored factor is the compressed one: what
   * `representationChange` needs to evaluate the same solution between two states.
   */
  get solutionState(): { s: number; compressed: boolean } {
    return { s: this.#solutionTime, compressed: this.#compressed };
  }

  /** @internal The factor in the task's singular basis: N×Nh, input rows first. */
  get singularFactor(): Float64Array {
    return (this.#singularFactor ??= this.#compressed ? this.solution.expandCompressed(this.#z) : this.#z);
  }

  /**
   * [E_in Z_in; E_out Z_out] (N×Nh), written to `out`: row-major [W1ᵀ; W2]·R for some
   * orthogonal R, in the original coordinates (E = Ṽ and Ũ, or their compressed forms, see
   * RiccatiSolution.expansion). Cost O((Ni·Ni' + No·No')·Nh), Ni', No' the factor's rows.
   */
  private rotateInto(out: Float64Array, scratch: Float64Array): Float64Array {
    const ni = this.inputDim;
    const no = this.outputDim;
    const nh = this.hiddenDim;
    const z = this.#z;
    const e = this.solution.expansion(this.#compressed);
    const ri = this.#inputRows;
    const ro = this.#outputRows;
    // Row products: E·Z = E·(Zᵀ)ᵀ.
    matmulT(e.input, transpose(z.subarray(0, ri * nh), ri, nh, scratch), ni, ri, nh, out.subarray(0, ni * nh));
    matmulT(e.output, transpose(z.subarray(ri * nh, (ri + ro) * nh), ro, nh, scratch), no, ro, nh, out.subarray(ni * nh));
    return out;
  }

  /** The rotated factor, computed once and kept (the representations are read from it). */
  private factorArray(): Float64Array {
    if (this.#factorArray === undefined) {
      const n = (this.inputDim + this.outputDim) * this.hiddenDim;
      this.#factorArray = this.rotateInto(new Float64Array(n), this.solution.scratch(this.hiddenDim * Math.max(this.#inputRows, this.#outputRows)));
    }
    return this.#factorArray;
  }

  /**
   * A factor Q̃ (N×Nh, N = Ni + No) with Q̃Q̃ᵀ = QQᵀ: Q̃ = [W1ᵀ; W2]·R for an orthogonal
   * R. The weights themselves are determined only up to this hidden-layer rotation, which
   * changes nothing observable. `factor` is a valid λ-balanced initialisation to restart
   * from (rows 0..Ni−1 are W1ᵀ, the rest W2).
   */
  get factor(): Matrix {
    return adoptArray(this.factorArray().slice(), this.inputDim + this.outputDim, this.hiddenDim);
  }

  /** Representative weights { w1: Nh×Ni, w2: No×Nh } with the same QQᵀ (see {@link Snapshot.factor}). */
  get weights(): { w1: Matrix; w2: Matrix } {
    const ni = this.inputDim;
    const nh = this.hiddenDim;
    const f = this.factorArray();
    return {
      w1: adoptArray(transpose(f.subarray(0, ni * nh), ni, nh), nh, ni),
      w2: adoptArray(f.slice(ni * nh), this.outputDim, nh),
    };
  }

  /** QQᵀ = [[W1ᵀW1, W1ᵀW2ᵀ], [W2W1, W2W2ᵀ]], (Ni+No)×(Ni+No), exactly symmetric. Cost O((Ni+No)²·Nh). */
  get qqt(): Matrix {
    if (this.#qqt === undefined) {
      const n = this.inputDim + this.outputDim;
      const nh = this.hiddenDim;
      let f = this.#factorArray;
      if (f === undefined) {
        // QQᵀ alone does not need to keep the rotated factor: build it in scratch space.
        const transposeSize = nh * Math.max(this.#inputRows, this.#outputRows);
        const scratch = this.solution.scratch(n * nh + transposeSize);
        f = this.rotateInto(scratch.subarray(0, n * nh), scratch.subarray(n * nh));
      }
      this.#qqt = adoptArray((this.#careful ? gramOfRowsNormal : gramOfRows)(f, n, nh), n, n);
    }
    return copyMatrix(this.#qqt);
  }

  /**
   * The network function W2W1 (No×Ni). Cost O(Ni·No·Nh) from the factor in the original
   * coordinates (rotated once and kept for the other getters); for a wide or tall network
   * whose stored factor is compressed, and whose rotated factor has not been asked for,
   * E_out·(Z_out·Z_inᵀ)·E_inᵀ instead (O(No'·Ni'·(Nh + No) + No·Ni'·Ni) with Ni' = No + Nh ≪ Ni,
   * without rotating the whole factor).
   */
  get w2w1(): Matrix {
    if (this.#w2w1 === undefined) {
      const ni = this.inputDim;
      const no = this.outputDim;
      const nh = this.hiddenDim;
      const f = this.#compressed ? this.#factorArray : this.factorArray();
      if (f !== undefined) {
        this.#w2w1 = adoptArray((this.#careful ? matmulTNormal : matmulT)(f.subarray(ni * nh), f.subarray(0, ni * nh), no, nh, ni), no, ni);
      } else {
        const e = this.solution.expansion(this.#compressed);
        const ri = this.#inputRows;
        const ro = this.#outputRows;
        const right = matmulT(this.productArray(), e.input, ro, ri, ni); // (Z_out·Z_inᵀ)·E_inᵀ, No'×Ni
        this.#w2w1 = adoptArray(matmul(e.output, right, no, ro, ni), no, ni);
      }
    }
    return copyMatrix(this.#w2w1);
  }

  /** The input-side representation W1ᵀW1 (Ni×Ni), exactly symmetric. */
  get w1tw1(): Matrix {
    if (this.#w1tw1 === undefined) {
      const ni = this.inputDim;
      this.#w1tw1 = adoptArray((this.#careful ? gramOfRowsNormal : gramOfRows)(this.factorArray().subarray(0, ni * this.hiddenDim), ni, this.hiddenDim), ni, ni);
    }
    return copyMatrix(this.#w1tw1);
  }

  /** The output-side representation W2W2ᵀ (No×No), exactly symmetric. */
  get w2w2t(): Matrix {
    if (this.#w2w2t === undefined) {
      const ni = this.inputDim;
      const no = this.outputDim;
      this.#w2w2t = adoptArray((this.#careful ? gramOfRowsNormal : gramOfRows)(this.factorArray().subarray(ni * this.hiddenDim), no, this.hiddenDim), no, no);
    }
    return copyMatrix(this.#w2w2t);
  }

  /**
   * Z_out·Z_inᵀ of the factor as stored (#outputRows × #inputRows, never handed out): Ũᵀ W2W1 Ṽ
   * itself, or for a compressed factor the same up to the orthonormal W on the compressed
   * side (whose coordinates σ does not reach), which the loss does not see.
   */
  private productArray(): Float64Array {
    return (this.#productArray ??= singularProductOf(this.#z, this.#inputRows, this.hiddenDim, this.#outputRows, undefined, this.#productsCareful));
  }

  /**
   * Ũᵀ W2W1 Ṽ (No×Ni): the network function in the task's singular basis; its diagonal
   * holds the mode strengths. Computed without rotating back: O(Ni·No·Nh).
   */
  get singularProduct(): Matrix {
    if (this.#singularProduct === undefined) {
      const m = this.#compressed
        ? singularProductOf(this.singularFactor, this.inputDim, this.hiddenDim, this.outputDim, undefined, this.#productsCareful)
        : this.productArray(); // the cached Matrix is never handed out (copies are)
      this.#singularProduct = adoptArray(m, this.outputDim, this.inputDim);
    }
    return copyMatrix(this.#singularProduct);
  }

  /**
   * The loss above its minimum, ½‖Σyx − W2W1‖²_F (for whitened inputs this is L − L*,
   * MATH.md §1). Computed in the task's singular basis, O(Ni·No·Nh), accurate down to
   * losses of order 1e-30 (no cancellation).
   */
  get loss(): number {
    return (this.#loss ??= lossOfSingularProduct(this.productArray(), this.sigma, this.#inputRows, this.#outputRows));
  }
}
