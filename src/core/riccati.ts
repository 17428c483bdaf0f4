/**
 * The overflow-free closed-form solution of the matrix Riccati equation
 * τ dP/dt = FP + PF − P² (MATH.md §3–§4).
 *
 * Everything that does not depend on t is done once in the constructor: the exact
 * spectrum of F, the initial factor in the eigenbasis (Ψ = OᵀQ(0)), and the graded
 * orthogonalisation Ψ_G = L Kᵀ of the growing rows. {@link RiccatiSolution.factorAt}
 * then costs O(N·Nh² + Nh³) and returns an N×Nh factor of P(t) in the task's singular
 * basis, without ever forming e^{γs} for a growing mode.
 *
 * @module
 * @internal
 */
import { choleskyInPlace, solveRowsLowerTInPlace, toArray } from '../linalg/dense.js';
import type { Spectrum } from './spectrum.js';

/**
 * A row whose residual after orthogonalisation is below RELATIVE_RANK_TOLERANCE·‖ψ_i‖ or
 * ABSOLUTE_RANK_TOLERANCE·‖Q(0)‖_F is treated as dependent on faster-growing rows (it
 * starts no new growing direction). The absolute part makes projections that are zero
 * up to rounding, such as the reversed mode of an aligned initialisation at λ = 0
 * (MATH.md §8), stay exactly on their saddle instead of amplifying round-off.
 */
export const RELATIVE_RANK_TOLERANCE = 1e-10;
/** See {@link RELATIVE_RANK_TOLERANCE}. */
export const ABSOLUTE_RANK_TOLERANCE = 1e-12;

/** The time-independent part of the closed form for one (Q(0), F) pair. */
export class RiccatiSolution {
  readonly spectrum: Spectrum;
  readonly inputDim: number;
  readonly outputDim: number;
  readonly hiddenDim: number;
  /** Ṽ (Ni×Ni) and Ũ (No×No), row-major. */
  readonly vArr: Float64Array;
  readonly uArr: Float64Array;
  /** Number of growing modes (γ > 0); they come first in the sorted mode order. */
  private readonly nG: number;
  /** Growth rates of the sorted modes. */
  private readonly gamma: Float64Array;
  /** Number of pivots (basis vectors with their own growth rate). */
  readonly pivots: number;
  /** Growth rate of each pivot column. */
  private readonly pivotGamma: Float64Array;
  /** L (nG×Nh): L_ij for j < cols[i], zero elsewhere. */
  private readonly lMat: Float64Array;
  /** Number of pivots that exist once growing row i has been processed. */
  private readonly cols: Int32Array;
  /** Ψ_Z K (nZ×Nh). */
  private readonly psiZK: Float64Array;

  /**
   * @param spectrum - exact spectrum of F.
   * @param q - Q(0) = [W1ᵀ; W2] as an N×Nh row-major array (first Ni rows W1ᵀ).
   * @param hiddenDim - Nh.
   */
  constructor(spectrum: Spectrum, q: Float64Array, hiddenDim: number) {
    this.spectrum = spectrum;
    const ni = spectrum.inputDim;
    const no = spectrum.outputDim;
    const nh = hiddenDim;
    const n = ni + no;
    this.inputDim = ni;
    this.outputDim = no;
    this.hiddenDim = nh;
    this.vArr = toArray(spectrum.v);
    this.uArr = toArray(spectrum.u);

    // Q in the singular basis: [Ṽᵀ W1ᵀ ; Ũᵀ W2].
    const qs = new Float64Array(n * nh);
    for (let k = 0; k < ni; k++) {
      for (let r = 0; r < ni; r++) {
        const vrk = this.vArr[r * ni + k];
        if (vrk === 0) continue;
        for (let j = 0; j < nh; j++) qs[k * nh + j] += vrk * q[r * nh + j];
      }
    }
    for (let k = 0; k < no; k++) {
      for (let r = 0; r < no; r++) {
        const urk = this.uArr[r * no + k];
        if (urk === 0) continue;
        for (let j = 0; j < nh; j++) qs[(ni + k) * nh + j] += urk * q[(ni + r) * nh + j];
      }
    }
    // Ψ = OᵀQ in the sorted mode order.
    const modes = spectrum.modes;
    const psi = new Float64Array(n * nh);
    let qNorm2 = 0;
    for (let i = 0; i < n; i++) {
      const m = modes[i];
      for (let j = 0; j < nh; j++) {
        let v = 0;
        if (m.input >= 0) v += m.a * qs[m.input * nh + j];
        if (m.output >= 0) v += m.b * qs[(ni + m.output) * nh + j];
        psi[i * nh + j] = v;
        qNorm2 += v * v;
      }
    }
    const qNorm = Math.sqrt(qNorm2);

    this.gamma = Float64Array.from(modes, (m) => m.gamma);
    let nG = 0;
    while (nG < n && this.gamma[nG] > 0) nG++;
    this.nG = nG;

    // Graded orthogonalisation of the growing rows (modified Gram–Schmidt, twice).
    const basis: Float64Array[] = [];
    const pivotGamma: number[] = [];
    const lMat = new Float64Array(nG * nh);
    const cols = new Int32Array(nG);
    const work = new Float64Array(nh);
    for (let i = 0; i < nG; i++) {
      work.set(psi.subarray(i * nh, (i + 1) * nh));
      let rowNorm2 = 0;
      for (let j = 0; j < nh; j++) rowNorm2 += work[j] * work[j];
      const rowNorm = Math.sqrt(rowNorm2);
      for (let pass = 0; pass < 2; pass++) {
        for (let b = 0; b < basis.length; b++) {
          const kb = basis[b];
          let c = 0;
          for (let j = 0; j < nh; j++) c += work[j] * kb[j];
          for (let j = 0; j < nh; j++) work[j] -= c * kb[j];
          lMat[i * nh + b] += c;
        }
      }
      let res2 = 0;
      for (let j = 0; j < nh; j++) res2 += work[j] * work[j];
      const res = Math.sqrt(res2);
      if (basis.length < nh && res > RELATIVE_RANK_TOLERANCE * rowNorm && res > ABSOLUTE_RANK_TOLERANCE * qNorm) {
        const kNew = new Float64Array(nh);
        for (let j = 0; j < nh; j++) kNew[j] = work[j] / res;
        lMat[i * nh + basis.length] = res;
        basis.push(kNew);
        pivotGamma.push(this.gamma[i]);
      }
      cols[i] = basis.length;
    }
    this.pivots = basis.length;
    // Complete K with orthonormal directions (growth rate 0, not pivots). Each new direction
    // is the standard basis vector with the largest residual against the basis so far: the
    // residuals' squares sum to nh − |basis|, so the largest is ≥ (nh − |basis|)/nh > 0. (A
    // fixed threshold such as 0.25 can fail: with one missing direction spread evenly over
    // nh ≥ 5 coordinates every residual² is 1/nh.)
    const residual = (e: number, out: Float64Array): number => {
      out.fill(0);
      out[e] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (const kb of basis) {
          let c = 0;
          for (let j = 0; j < nh; j++) c += out[j] * kb[j];
          for (let j = 0; j < nh; j++) out[j] -= c * kb[j];
        }
      }
      let res2 = 0;
      for (let j = 0; j < nh; j++) res2 += out[j] * out[j];
      return res2;
    };
    while (basis.length < nh) {
      let best = 0;
      let bestRes2 = -1;
      for (let e = 0; e < nh; e++) {
        const r2 = residual(e, work);
        if (r2 > bestRes2) {
          bestRes2 = r2;
          best = e;
        }
      }
      const res = Math.sqrt(residual(best, work));
      basis.push(Float64Array.from(work, (x) => x / res));
    }
    this.pivotGamma = Float64Array.from(pivotGamma);
    this.lMat = lMat;
    this.cols = cols;

    // Ψ_Z K for the non-growing rows.
    const nZ = n - nG;
    const psiZK = new Float64Array(nZ * nh);
    for (let z = 0; z < nZ; z++) {
      const ro = (nG + z) * nh;
      for (let b = 0; b < nh; b++) {
        const kb = basis[b];
        let c = 0;
        for (let j = 0; j < nh; j++) c += psi[ro + j] * kb[j];
        psiZK[z * nh + b] = c;
      }
    }
    this.psiZK = psiZK;
  }

  /**
   * An N×Nh factor W̃ of P(t) in the task's singular basis (first Ni rows: input
   * coordinates in Ṽ; last No rows: output coordinates in Ũ), for s = t/τ ≥ 0 or
   * s = Infinity (the converged state). P(t) = O_s W̃ W̃ᵀ O_sᵀ with O_s = blockdiag(Ṽ, Ũ).
   */
  factorAt(s: number): Float64Array {
    const nh = this.hiddenDim;
    const ni = this.inputDim;
    const n = ni + this.outputDim;
    const nG = this.nG;
    const nZ = n - nG;
    const p = this.pivots;
    const gamma = this.gamma;
    const limit = s === Infinity;
    // Columns that take part: all of them for finite s, only pivots in the limit
    // (completion columns decay to zero, at rate 1/s at the slowest).
    const m = limit ? p : nh;

    const einv = new Float64Array(m);
    for (let j = 0; j < m; j++) einv[j] = j < p ? (limit ? 0 : Math.exp(-this.pivotGamma[j] * s)) : 1;

    // G_all = [L̂; Y_Z] (N×m) and S (m×m).
    const g = new Float64Array(n * m);
    const sMat = new Float64Array(m * m);
    for (let i = 0; i < nG; i++) {
      const gi = gamma[i];
      const ci = Math.min(this.cols[i], m);
      const go = i * m;
      for (let j = 0; j < ci; j++) {
        const l = this.lMat[i * nh + j];
        if (l === 0) continue;
        const dg = gi - this.pivotGamma[j];
        g[go + j] = dg === 0 ? l : limit ? 0 : l * Math.exp(dg * s);
      }
      const d = limit ? 1 / (2 * gi) : -Math.expm1(-2 * gi * s) / (2 * gi);
      if (d === 0) continue;
      for (let j = 0; j < ci; j++) {
        const dj = d * g[go + j];
        if (dj === 0) continue;
        for (let k = 0; k <= j; k++) sMat[j * m + k] += dj * g[go + k];
      }
    }
    if (!limit) {
      // A = I + (Ψ_Z K)ᵀ Φ_Z (Ψ_Z K); S += Ê⁻¹ A Ê⁻¹; Y_Z = E_Z Ψ_Z K Ê⁻¹.
      const a = new Float64Array(m * m);
      for (let j = 0; j < m; j++) a[j * m + j] = 1;
      for (let z = 0; z < nZ; z++) {
        const gz = gamma[nG + z];
        const phi = gz === 0 ? s : Math.expm1(2 * gz * s) / (2 * gz);
        const ez = gz === 0 ? 1 : Math.exp(gz * s);
        const zo = z * nh;
        const go = (nG + z) * m;
        for (let j = 0; j < m; j++) {
          const x = this.psiZK[zo + j];
          g[go + j] = ez * x * einv[j];
          if (phi === 0 || x === 0) continue;
          const px = phi * x;
          for (let k = 0; k <= j; k++) a[j * m + k] += px * this.psiZK[zo + k];
        }
      }
      for (let j = 0; j < m; j++) {
        for (let k = 0; k <= j; k++) sMat[j * m + k] += einv[j] * a[j * m + k] * einv[k];
      }
    }
    if (m > 0 && !choleskyInPlace(sMat, m)) {
      throw new Error('exact-dln internal error: the Riccati Gram matrix is not positive definite');
    }
    solveRowsLowerTInPlace(g, n, sMat, m);

    // Rotate from the eigenbasis of F to the singular basis: each mode touches at most
    // one input and one output coordinate.
    const out = new Float64Array(n * nh);
    const modes = this.spectrum.modes;
    for (let i = 0; i < n; i++) {
      const md = modes[i];
      const go = i * m;
      if (md.input >= 0 && md.a !== 0) {
        const o = md.input * nh;
        for (let j = 0; j < m; j++) out[o + j] += md.a * g[go + j];
      }
      if (md.output >= 0 && md.b !== 0) {
        const o = (ni + md.output) * nh;
        for (let j = 0; j < m; j++) out[o + j] += md.b * g[go + j];
      }
    }
    return out;
  }
}
