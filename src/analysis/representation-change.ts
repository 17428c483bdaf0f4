/**
 * The change of the representations W1ᵀW1 and W2W2ᵀ between two states of one exact
 * dynamics, with the large block's change taken from the balance identity instead of a
 * difference of two large matrices (MATH.md §2, §5).
 *
 * Why: for |λ| far above the task's scale one representation is of size |λ| (W2W2ᵀ ≈ λI for
 * λ > 0), while it changes during learning by only about ‖Σyx‖²/|λ|. Each state's W2W2ᵀ
 * carries a rounding of about ε·|λ|, so R(t) − R(0) formed as a difference has an error of
 * ε·|λ| — relative error ε·λ²/‖Σyx‖², which is 5e-5 at λ = 1e6 and larger than the change
 * itself from λ ≈ 1e7 (measured against the integral of dR/dt, see the tests). The balance
 * fixes the large block from the small product Y = W2W1 alone:
 *
 *     R² − λR = YYᵀ    and    A² + λA = YᵀY        (A = W1ᵀW1, R = W2W2ᵀ, any widths),
 *
 * so for λ > 0 with W2 square (Nh = No, hence W2ᵀW2 ⪰ λI: W2 invertible) R is the positive
 * root R = λI + h(YYᵀ), h(m) = m/(λ/2 + √(λ²/4 + m)); and for λ < 0 with W1 square
 * (Nh = Ni), A = |λ|I + h(YᵀY) with |λ|. The change is h(M_b) − h(M_a), two matrices of the
 * size of the change, accurate to about ε·‖Y‖²/|λ| (h′ ≤ 1/|λ|).
 *
 * When the hidden layer does not span the large side (Nh < No for λ > 0), R = λ·Π + h(YYᵀ)
 * with Π the projection on W2's column space, whose rotation during learning is no smaller
 * than the learning itself (the lazy limit needs the spanning layer): the difference is kept.
 *
 * @module
 * @internal
 */
import type { Snapshot } from '../core/snapshot.js';
import { ExactDlnError } from '../errors.js';
import { frobenius, gramOfRows, matmul, matmulT, matmulTNormal, powerOfTwoTowardOne, transpose } from '../linalg/dense.js';
import { symmetricEigen } from '../linalg/symmetric-eigen.js';
import type { NetworkRepresentations } from './network-representations.js';

/**
 * ΔA = A_b − A_a and ΔR = R_b − R_a in the states' stored basis (the shapes of their
 * `storedRepresentations`), and which block, if any, came from the balance identity.
 *
 * @internal
 */
export interface RepresentationChange {
  /** a's representations as `storedRepresentations(a)` forms them (unscaled). */
  readonly ra: NetworkRepresentations;
  /** A_b − A_a, aSize×aSize row-major. */
  readonly da: Float64Array;
  /** R_b − R_a, rSize×rSize row-major. */
  readonly dr: Float64Array;
  /** 'r' or 'a': that block's change is h(M_b) − h(M_a); null: both are plain differences. */
  readonly fromBalance: 'a' | 'r' | null;
}

/**
 * The large block of a's dynamics whose change the balance identity gives ('r' for λ > 0
 * with Nh = No, 'a' for λ < 0 with Nh = Ni), or null.
 *
 * @internal
 */
export function balancedSide(a: Snapshot): 'a' | 'r' | null {
  const { inputRows, outputRows } = a.storedFactor;
  if (a.lambda > 0 && a.hiddenDim === a.outputDim && outputRows === a.outputDim) return 'r';
  if (a.lambda < 0 && a.hiddenDim === a.inputDim && inputRows === a.inputDim) return 'a';
  return null;
}

/**
 * The change of the representations from Snapshot `a` to Snapshot `b` (of one dynamics),
 * given their `storedRepresentations` `ra`, `rb` formed unscaled. The large block comes from
 * the balance identity when {@link balancedSide} names it, |λ| ≥ ‖Y‖_F at both states (where
 * h(M)'s error ε·‖Y‖²/|λ| is below the difference's ε·|λ|; Y is scaled by a power of two, so
 * this holds up to |λ| ≈ 1e308); otherwise both blocks are differences.
 * A state's h(M) is kept with it (a trajectory compares every time with one reference).
 * Cost O(rSize·aSize·Nh) for Y and, for the n×n block of the identity, a few n×n products
 * (|λ| ≥ 20·‖Y‖: the power series of h) or an eigendecomposition; O(aSize² + rSize²) otherwise.
 *
 * @internal
 */
export function representationChange(a: Snapshot, b: Snapshot, ra: NetworkRepresentations, rb: NetworkRepresentations): RepresentationChange {
  if (a.solution !== b.solution) throw new ExactDlnError('exact-dln internal error: representationChange needs two states of one dynamics.');
  const da = difference(rb.a, ra.a);
  const dr = difference(rb.r, ra.r);
  const side = balancedSide(a);
  if (side === null) return { ra, da, dr, fromBalance: null };
  const lambda = Math.abs(a.lambda);
  const pa = balanceParts(a);
  const pb = balanceParts(b);
  if (!(Math.max(pa.size, pb.size) <= lambda)) return { ra, da, dr, fromBalance: null };
  const dh = difference(balanceRoot(pb, side, lambda), balanceRoot(pa, side, lambda));
  return side === 'r' ? { ra, da, dr: dh, fromBalance: side } : { ra, da: dh, dr, fromBalance: side };
}

/** x − y entry by entry, in a new array. */
function difference(x: Float64Array, y: Float64Array): Float64Array {
  const d = new Float64Array(x.length);
  for (let k = 0; k < d.length; k++) d[k] = x[k] - y[k];
  return d;
}

/** A state's product Y in the stored basis, its size, and h(M) once computed. */
interface BalanceParts {
  /** Y = W2W1: the output rows of the factor times the input rows, transposed (rows×cols). */
  readonly y: Float64Array;
  readonly rows: number;
  readonly cols: number;
  /** ‖Y‖_F. */
  readonly size: number;
  /** h(M) of the large side, once computed. */
  root?: Float64Array;
}

const partsOf = new WeakMap<Snapshot, BalanceParts>();

function balanceParts(s: Snapshot): BalanceParts {
  let parts = partsOf.get(s);
  if (parts === undefined) {
    const { z, inputRows, outputRows, careful } = s.storedFactor;
    const nh = s.hiddenDim;
    const times = careful ? matmulTNormal : matmulT;
    const y = times(z.subarray(inputRows * nh, (inputRows + outputRows) * nh), z.subarray(0, inputRows * nh), outputRows, nh, inputRows);
    parts = { y, rows: outputRows, cols: inputRows, size: frobenius(y) };
    partsOf.set(s, parts);
  }
  return parts;
}

/** Below this 4‖M‖/λ² the power series of h converges fast enough (≤ 9 terms) to replace the eigendecomposition. */
const SERIES_LIMIT = 1e-2;

/**
 * h(M) = M·(|λ|/2 + (λ²/4 + M)^{1/2})⁻¹ for M = YYᵀ (side 'r') or YᵀY (side 'a'), formed
 * from M̃ = M·p², p the power of two bringing ‖Y‖_F to [1, 2) (so M̃ is of order 1 and
 * neither overflows nor underflows). With ρ = 1/(p·|λ|) ≤ 2 (as ‖Y‖_F ≤ |λ|) and
 * g(x) = (√(1 + 4x) − 1)/2, h(M) = |λ|·g(ρ²·M̃):
 * - 4ρ²‖M̃‖ ≤ 1e-2 (|λ| ≥ 20·‖Y‖_F, the lazy regime): g's power series with the Catalan
 *   numbers, g(X) = X·(1 − X + 2X² − 5X³ + 14X⁴ − …), to the term below 2⁻⁵⁶ of the first, by Horner;
 * - otherwise through the eigendecomposition of M̃: h = p⁻¹·ρ·m̃/(½ + √(¼ + ρ²·m̃)) per eigenvalue m̃.
 */
function balanceRoot(parts: BalanceParts, side: 'a' | 'r', lambda: number): Float64Array {
  const { y, rows, cols, size } = parts;
  const n = side === 'r' ? rows : cols;
  if (parts.root !== undefined) return parts.root;
  if (size === 0) return (parts.root = new Float64Array(n * n));
  const p = powerOfTwoTowardOne(size);
  const scaled = y.map((x) => x * p);
  const m = side === 'r' ? gramOfRows(scaled, rows, cols) : gramOfRows(transpose(scaled, rows, cols), cols, rows);
  const rho = 1 / p / lambda;
  const x = 4 * rho * rho * size * size * p * p; // ≥ 4‖ρ²M̃‖₂
  const root = x <= SERIES_LIMIT ? seriesRoot(m, n, rho, p, x) : eigenRoot(m, n, rho, p);
  return (parts.root = root);
}

/** h(M) = (ρ/p)·M̃·Σ_k (−1)^k C_k (ρ²M̃)^k, C_k the Catalan numbers; 4‖ρ²M̃‖ ≤ x ≤ 1e-2. */
function seriesRoot(m: Float64Array, n: number, rho: number, p: number, x: number): Float64Array {
  // Terms fall like x^k (C_k < 4^k): enough of them for x^K < 2⁻⁵⁶.
  const terms = Math.min(9, Math.max(1, Math.ceil((56 * Math.LN2) / -Math.log(x))));
  const catalan = [1, 1, 2, 5, 14, 42, 132, 429, 1430, 4862];
  // Horner with X = −ρ²·M̃: s = C_0·I + X·(C_1·I + X·(C_2·I + …)).
  const minusX = m.map((v) => -rho * rho * v);
  let s: Float64Array = new Float64Array(n * n);
  for (let i = 0; i < n; i++) s[i * n + i] = catalan[terms];
  for (let k = terms - 1; k >= 0; k--) {
    s = matmul(minusX, s, n, n, n);
    for (let i = 0; i < n; i++) s[i * n + i] += catalan[k];
  }
  const h = matmul(m, s, n, n, n);
  const f = rho / p;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = 0.5 * (h[i * n + j] + h[j * n + i]) * f;
      h[i * n + j] = v;
      h[j * n + i] = v;
    }
  }
  return h;
}

/** h(M) through the eigendecomposition of M̃ (see {@link balanceRoot}). */
function eigenRoot(m: Float64Array, n: number, rho: number, p: number): Float64Array {
  const { values, vectors } = symmetricEigen(m, n);
  const f = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const mk = Math.max(values[k], 0);
    f[k] = (mk * rho) / (0.5 + Math.sqrt(0.25 + rho * rho * mk)) / p;
  }
  // Eᵀ·diag(f)·E, E's rows the eigenvectors.
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const fk = f[k];
    if (fk === 0) continue;
    const row = k * n;
    for (let i = 0; i < n; i++) {
      const vi = fk * vectors[row + i];
      if (vi === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += vi * vectors[row + j];
    }
  }
  return out;
}
