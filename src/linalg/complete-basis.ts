/**
 * Completing a set of orthonormal vectors to an orthonormal basis of Rⁿ. Used to turn the
 * thin singular-vector matrices of an SVD into full square orthogonal ones.
 *
 * @module
 * @internal
 */

/**
 * Completes the r orthonormal columns of the row-major n×r array `q` to an n×n orthogonal
 * matrix (row-major), keeping the given columns as columns 0..r−1.
 *
 * The new columns are standard basis vectors e_k orthogonalised against the current basis
 * by modified Gram–Schmidt, applied twice ("twice is enough") and normalised. At each step
 * the e_k with the largest remaining component outside the current basis is chosen; that
 * component is 1 − Σ_j Q_kj² ≥ (n − m)/n when m columns exist, so every new column comes
 * from a residual of norm ≥ 1/√n and is orthogonal to working precision.
 *
 * Cost: O(n²·(n − r)) plus O(n·r·(n − r)). The input is not modified.
 *
 * @param q - row-major n×r array whose columns are orthonormal (r ≤ n; r = 0 allowed).
 * @param n - the dimension.
 * @param r - the number of given columns.
 * @returns a row-major n×n array; its first r columns equal those of `q`.
 */
export function completeOrthonormalBasis(q: ArrayLike<number>, n: number, r: number): Float64Array {
  if (r > n) throw new RangeError(`completeOrthonormalBasis: ${r} columns cannot be orthonormal in R^${n}.`);
  // Work column-major: basis[j] is column j.
  const basis: Float64Array[] = [];
  for (let j = 0; j < r; j++) {
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = q[i * r + j];
    basis.push(col);
  }
  // outside[k] = squared norm of the part of e_k outside span(basis) = 1 − Σ_j basis[j][k]².
  const outside = new Float64Array(n).fill(1);
  for (const col of basis) for (let k = 0; k < n; k++) outside[k] -= col[k] * col[k];
  const used = new Uint8Array(n);
  while (basis.length < n) {
    let best = -1;
    for (let k = 0; k < n; k++) if (!used[k] && (best < 0 || outside[k] > outside[best])) best = k;
    used[best] = 1;
    const w = new Float64Array(n);
    w[best] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (const col of basis) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += col[i] * w[i];
        for (let i = 0; i < n; i++) w[i] -= dot * col[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += w[i] * w[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) w[i] /= norm;
    basis.push(w);
    for (let k = 0; k < n; k++) outside[k] -= w[k] * w[k];
  }
  const out = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const col = basis[j];
    for (let i = 0; i < n; i++) out[i * n + j] = col[i];
  }
  return out;
}
