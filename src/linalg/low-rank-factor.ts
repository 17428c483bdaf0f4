/**
 * A factor of a low-rank symmetric positive semi-definite matrix without an
 * eigendecomposition: Cholesky with diagonal pivoting, certified by its residual.
 *
 * @module
 * @internal
 */
import { gramOfRows } from './dense.js';

/**
 * A certified low-rank factor: QQᵀ = P up to `residual`.
 *
 * @internal
 */
export interface LowRankFactor {
  /** Q, n×k row-major; columns beyond `rank` are zero. */
  q: Float64Array;
  /** Number of pivots taken (the numerical rank found, ≤ k). */
  rank: number;
  /** ‖P − QQᵀ‖_F. */
  residual: number;
  /** max_i P_ii, a lower bound on P's largest eigenvalue. */
  maxDiagonal: number;
  /** The last pivot taken (the Schur-complement diagonal it had; Infinity if none). */
  smallestPivot: number;
}

/**
 * Q (n×k, row-major) with QQᵀ = P for a symmetric n×n P that is positive semi-definite of
 * rank ≤ k, by Cholesky with diagonal pivoting (left-looking, as LAPACK's `dpstrf`): each
 * step takes the row with the largest remaining Schur-complement diagonal, and the
 * factorisation stops after k pivots or once that diagonal is ≤ n·ε·max_i P_ii. Cost
 * n·k²/2 multiply-adds for the factor plus n²·k/2 for the residual ‖P − QQᵀ‖_F, against
 * O(n³) for an eigendecomposition — for the 794×794 state of a 784×100×10 network, a few
 * milliseconds instead of seconds.
 *
 * The result is certified, not assumed: it is returned only when
 * ‖P − QQᵀ‖_F ≤ `relativeTolerance`·max_i P_ii, and `undefined` otherwise (P of rank above
 * k, P not positive semi-definite, or — rarely — pivot growth on an ill-conditioned P), so
 * that the caller can fall back to an eigendecomposition and report exactly what is wrong.
 * Because max_i P_ii ≤ λ_max(P) and ‖·‖₂ ≤ ‖·‖_F, a returned factor implies (Weyl) that
 * P's (k+1)-th eigenvalue and its most negative one are within `relativeTolerance`·λ_max(P)
 * of zero: every P accepted here passes the eigenvalue checks of the fallback.
 *
 * P is read, never modified; only its lower triangle and diagonal are used, so P must be
 * exactly symmetric (symmetrise it first).
 *
 * @param p - symmetric n×n, row-major.
 * @param n - the order of P.
 * @param k - the rank bound (number of columns of Q), ≥ 0.
 * @param relativeTolerance - accepted ‖P − QQᵀ‖_F relative to max_i P_ii.
 * @returns the factor, or `undefined` when it cannot be certified.
 * @internal
 * @example
 * ```ts
 * import { pivotedCholeskyFactor } from './low-rank-factor.js'; // internal
 * // P = vvᵀ with v = (1, 2, 2): rank 1.
 * const f = pivotedCholeskyFactor(new Float64Array([1, 2, 2, 2, 4, 4, 2, 4, 4]), 3, 2, 1e-12)!;
 * console.log(f.rank, f.q); // 1, Float64Array [1, 0, 2, 0, 2, 0] (up to rounding)
 * ```
 */
export function pivotedCholeskyFactor(p: Float64Array, n: number, k: number, relativeTolerance: number): LowRankFactor | undefined {
  const q = new Float64Array(n * k);
  const d = new Float64Array(n);
  const done = new Uint8Array(n);
  let maxDiagonal = -Infinity;
  for (let i = 0; i < n; i++) {
    d[i] = p[i * n + i];
    if (d[i] > maxDiagonal) maxDiagonal = d[i];
  }
  if (!(maxDiagonal >= 0)) return undefined; // a negative diagonal entry: not PSD
  if (maxDiagonal === 0) {
    // A PSD matrix with a zero diagonal is zero; anything else is indefinite.
    for (let i = 0; i < n * n; i++) if (p[i] !== 0) return undefined;
    return { q, rank: 0, residual: 0, maxDiagonal, smallestPivot: Infinity };
  }
  const stop = n * Number.EPSILON * maxDiagonal;
  let rank = 0;
  let smallestPivot = Infinity;
  for (; rank < k; rank++) {
    let pivot = -1;
    let best = stop;
    for (let i = 0; i < n; i++) {
      if (done[i] === 0 && d[i] > best) {
        best = d[i];
        pivot = i;
      }
    }
    if (pivot < 0) break;
    done[pivot] = 1;
    smallestPivot = best;
    const root = Math.sqrt(best);
    const po = pivot * k;
    q[po + rank] = root;
    for (let i = 0; i < n; i++) {
      if (done[i] === 1) continue;
      const io = i * k;
      // L_i,rank = (P_i,pivot − Σ_{c<rank} L_ic·L_pivot,c) / L_pivot,rank
      let s = i > pivot ? p[i * n + pivot] : p[pivot * n + i];
      for (let c = 0; c < rank; c++) s -= q[io + c] * q[po + c];
      const l = s / root;
      q[io + rank] = l;
      d[i] -= l * l;
    }
  }
  const g = gramOfRows(q, n, k);
  // Summed in units of max_i P_ii, so that squares neither underflow (a P of size 1e-200
  // would otherwise have a residual of 0 whatever its rank) nor overflow.
  const unit = 1 / maxDiagonal;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const io = i * n;
    for (let j = 0; j < i; j++) {
      const r = (p[io + j] - g[io + j]) * unit;
      sum += 2 * r * r;
    }
    const r = (p[io + i] - g[io + i]) * unit;
    sum += r * r;
  }
  const residual = Math.sqrt(sum) / unit;
  if (!(residual <= relativeTolerance * maxDiagonal)) return undefined;
  return { q, rank, residual, maxDiagonal, smallestPivot };
}
