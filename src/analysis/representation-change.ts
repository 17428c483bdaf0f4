/**
 * The change of the representations W1ᵀW1 and W2W2ᵀ between two states of one exact
 * dynamics, with the large block's change taken from the balance identity, or from the
 * integral of its time derivative, instead of a difference of two large matrices (MATH.md §2, §5).
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
 * with Π the projection on W2's column space, whose small rotation Y does not carry to better
 * than ε: a small change at a finite time is then the integral of its time derivative along
 * the closed form (see `integratedOr`; also for |λ| < ‖Y‖ and at λ = 0, where small changes
 * — early times — lose digits the same way), a larger one or one at t = ∞ the difference.
 *
 * @module
 * @internal
 */
import type { Snapshot } from '../core/snapshot.js';
import { ExactDlnError } from '../errors.js';
import { frobenius, gramOfRows, matmul, matmulT, matmulTNormal, powerOfTwoTowardOne, tmatmul, transpose } from '../linalg/dense.js';
import { symmetricEigen } from '../linalg/symmetric-eigen.js';
import type { NetworkRepresentations } from './network-representations.js';

/**
 * ΔA = A_b − A_a and ΔR = R_b − R_a in the states' stored basis (the shapes of their
 * `storedRepresentations`), and how they were formed.
 *
 * @internal
 */
export interface RepresentationChange {
  /** a's and b's representations as `storedRepresentations` forms them (unscaled). */
  readonly ra: NetworkRepresentations;
  readonly rb: NetworkRepresentations;
  /** A_b − A_a, aSize×aSize row-major. */
  readonly da: Float64Array;
  /** R_b − R_a, rSize×rSize row-major. */
  readonly dr: Float64Array;
  /**
   * How the large block's change was formed: 'balance' (h(M_b) − h(M_a), spanning hidden
   * layer), 'integral' (both blocks as integrals of their time derivatives, see
   * {@link representationChange}), or 'difference' (both blocks as plain differences).
   */
  readonly route: 'balance' | 'integral' | 'difference';
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
 * this holds up to |λ| ≈ 1e308); otherwise a small change at finite times is integrated
 * (`integratedOr`), and anything else is the plain differences.
 * A state's h(M) is kept with it (a trajectory compares every time with one reference).
 * Cost O(rSize·aSize·Nh) for Y and, for the n×n block of the identity, a few n×n products
 * (|λ| ≥ 20·‖Y‖: the power series of h) or an eigendecomposition; O(aSize² + rSize²) otherwise.
 *
 * @internal
 */
export function representationChange(
  a: Snapshot,
  b: Snapshot,
  ra: NetworkRepresentations,
  rb: NetworkRepresentations,
): RepresentationChange {
  if (a.solution !== b.solution) throw new ExactDlnError('exact-dln internal error: representationChange needs two states of one dynamics.');
  const da = difference(rb.a, ra.a);
  const dr = difference(rb.r, ra.r);
  const side = balancedSide(a);
  if (side === null) return integratedOr(a, b, ra, rb, da, dr);
  const lambda = Math.abs(a.lambda);
  const pa = balanceParts(a);
  const pb = balanceParts(b);
  if (!(Math.max(pa.size, pb.size) <= lambda)) return integratedOr(a, b, ra, rb, da, dr);
  const dh = difference(balanceRoot(pb, side, lambda), balanceRoot(pa, side, lambda));
  return side === 'r' ? { ra, rb, da, dr: dh, route: 'balance' } : { ra, rb, da: dh, dr, route: 'balance' };
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

/**
 * Below this ratio of the large block's change to its size, a difference has lost more than
 * about N·ε/1e-5 ≈ 1e-10·N relative: the change is integrated instead.
 */
const SMALL_CHANGE = 1e-5;

/**
 * When the balance identity does not give the change — the hidden layer does not span the
 * large side (R = λ·Π + h(YYᵀ) with Π the projector on W2's column space, which rotates by an
 * angle that Y does not carry to better than ε), or |λ| < ‖Y‖ (a rich network, e.g. at early
 * times) — and the larger block's difference is small against its size (below
 * {@link SMALL_CHANGE}) with both states at finite times of the same evaluation: the changes
 * as integrals of
 *
 *     τ d(W2W2ᵀ)/dt = (Σyx − Y)Yᵀ + Y(Σyx − Y)ᵀ,   τ d(W1ᵀW1)/dt = Yᵀ(Σyx − Y) + (Σyx − Y)ᵀY
 *
 * (the gradient flow with Σxx = I; no balance used), Y(s) from the closed form at the nodes
 * of 10-point Gauss–Legendre panels that grow geometrically (×1.3) from 1e-3 of the fastest
 * time scale: accurate to about ε·‖Y‖·‖Σyx‖ per unit of s, relative to the change itself.
 * Otherwise the plain differences.
 */
function integratedOr(
  a: Snapshot,
  b: Snapshot,
  ra: NetworkRepresentations,
  rb: NetworkRepresentations,
  da: Float64Array,
  dr: Float64Array,
): RepresentationChange {
  const plain: RepresentationChange = { ra, rb, da, dr, route: 'difference' };
  // The larger representation (W2W2ᵀ for λ > 0, W1ᵀW1 for λ < 0; at λ = 0 whichever is).
  const sizeR = frobenius(ra.r);
  const sizeA = frobenius(ra.a);
  const onR = a.lambda > 0 || (a.lambda === 0 && sizeR >= sizeA);
  if (!(frobenius(onR ? dr : da) < SMALL_CHANGE * (onR ? sizeR : sizeA))) return plain;
  const sa = a.solutionState;
  const sb = b.solutionState;
  if (!(Number.isFinite(sa.s) && Number.isFinite(sb.s)) || sa.compressed !== sb.compressed || sa.s === sb.s) return plain;
  // I(s_b) − I(s_a), each ∫ from 0 in one canonical order of panels: the same numbers for a
  // pair, along a trajectory, and in any worker of 'exact-dln/parallel'.
  const rule = integrand(a);
  const ib = rule.from0(sb.s);
  if (sa.s === 0) return { ra, rb, da: ib.da, dr: ib.dr, route: 'integral' };
  const ia = rule.from0(sa.s);
  return { ra, rb, da: difference(ib.da, ia.da), dr: difference(ib.dr, ia.dr), route: 'integral' };
}

/** Nodes and weights of 10-point Gauss–Legendre quadrature on [−1, 1] (positive half; symmetric). */
const GAUSS_NODES = [0.1488743389816312, 0.4333953941292472, 0.6794095682990244, 0.8650633666889845, 0.9739065285171717];
const GAUSS_WEIGHTS = [0.2955242247147529, 0.2692667193099963, 0.219086362515982, 0.1494513491505806, 0.0666713443086881];

/** The time derivative of the representations along one evaluation, and its integral from 0. */
interface Integrand {
  /** ∫ from 0 to s (fresh arrays): the whole panels below s summed in order, then the part panel up to s. */
  from0(s: number): { da: Float64Array; dr: Float64Array };
}

const integrands = new WeakMap<Snapshot['solution'], Map<boolean, Integrand>>();

/** Panels between the kept partial sums of an integrand (memory: one pair of Ni²+No² arrays per stride). */
const CHECKPOINT_STRIDE = 8;

/**
 * The integrand of `state`'s solution (in the stored basis of `state`), formed once per
 * solution and storage. Panels: the edges of one geometric grid from s = 0 (first panel 1e-3
 * of the fastest time scale, each next ×1.3, so no panel is longer than 0.3·s), the last one
 * cut at the requested time, each with 10-point Gauss–Legendre. The fastest time scale is the largest
 * of the growth rates 2|γ| and ‖Q(0)‖² (large weights shrink at that rate).
 */
function integrand(state: Snapshot): Integrand {
  const { solution } = state;
  const { compressed } = state.solutionState;
  let bySolution = integrands.get(solution);
  if (bySolution === undefined) integrands.set(solution, (bySolution = new Map()));
  const known = bySolution.get(compressed);
  if (known !== undefined) return known;
  const { inputRows: ni, outputRows: no } = state.storedFactor;
  const nh = state.hiddenDim;
  const sigma = state.sigma;
  const factorAt = (s: number): Float64Array => (compressed ? solution.compressedFactorAt(s) : solution.factorAt(s));
  let rate = 0;
  for (const m of solution.spectrum.modes) rate = Math.max(rate, 2 * Math.abs(m.gamma));
  // Kept within [1e-290, 1e300] so that the first panel and the grid's edges stay finite and
  // non-zero (an overflowing 2|γ| at |λ| ≈ 1e308, or a network that does not move at all).
  rate = Math.min(Math.max(rate, frobenius(factorAt(0)) ** 2, 1e-290), 1e300);
  const first = 1e-3 / rate;
  const e = new Float64Array(no * ni);
  const tProduct = new Float64Array(no * no);
  const uProduct = new Float64Array(ni * ni);
  const add = (s: number, w: number, da: Float64Array, dr: Float64Array): void => {
    const z = factorAt(s);
    const y = matmulTNormal(z.subarray(ni * nh, (ni + no) * nh), z.subarray(0, ni * nh), no, nh, ni);
    for (let k = 0; k < e.length; k++) e[k] = -y[k];
    for (let k = 0; k < Math.min(ni, no, sigma.length); k++) e[k * ni + k] += sigma[k];
    // (Σ − Y)Yᵀ + Y(Σ − Y)ᵀ = T + Tᵀ with T = (Σ − Y)Yᵀ, and Yᵀ(Σ − Y) + (Σ − Y)ᵀY = U + Uᵀ with
    // U = Yᵀ(Σ − Y): lower triangles, mirrored at the end.
    const t = matmulT(e, y, no, ni, no, tProduct);
    for (let i = 0; i < no; i++) for (let j = 0; j <= i; j++) dr[i * no + j] += w * (t[i * no + j] + t[j * no + i]);
    const u = tmatmul(y, e, no, ni, ni, uProduct);
    for (let i = 0; i < ni; i++) for (let j = 0; j <= i; j++) da[i * ni + j] += w * (u[i * ni + j] + u[j * ni + i]);
  };
  const panel = (left: number, right: number, da: Float64Array, dr: Float64Array): void => {
    const mid = 0.5 * (left + right);
    const half = 0.5 * (right - left);
    for (let k = 0; k < GAUSS_NODES.length; k++) {
      add(mid - half * GAUSS_NODES[k], half * GAUSS_WEIGHTS[k], da, dr);
      add(mid + half * GAUSS_NODES[k], half * GAUSS_WEIGHTS[k], da, dr);
    }
  };
  const edge = (k: number): number => (first * Math.expm1(k * Math.log(1.3))) / 0.3;
  // The sum of the whole panels 0..k−1, kept for the next, later time (a trajectory pays
  // for each panel once). An earlier time goes on from the last checkpoint at or below it —
  // the sum of panels 0..c−1 kept every CHECKPOINT_STRIDE panels — in the same order, so
  // the result is the same as summing from 0 (times in descending order re-summed every
  // panel from 0: 16× slower over 50 times).
  let whole = 0;
  let sum = { da: new Float64Array(ni * ni), dr: new Float64Array(no * no) };
  const checkpoints = new Map<number, { da: Float64Array; dr: Float64Array }>([[0, { da: sum.da.slice(), dr: sum.dr.slice() }]]);
  const rule: Integrand = {
    from0(s: number) {
      if (!(s > 0)) return { da: new Float64Array(ni * ni), dr: new Float64Array(no * no) };
      // The grid's index of s from logarithms (0.3·s/first itself may overflow), then adjusted.
      const ratio = (0.3 * s) / first;
      let k = Math.max(0, Math.floor((Number.isFinite(ratio) ? Math.log1p(ratio) : Math.log(0.3) + Math.log(s) - Math.log(first)) / Math.log(1.3)));
      while (k > 0 && edge(k) > s) k--;
      while (edge(k + 1) <= s) k++;
      if (k < whole) {
        whole = Math.floor(k / CHECKPOINT_STRIDE) * CHECKPOINT_STRIDE;
        const c = checkpoints.get(whole)!;
        sum = { da: c.da.slice(), dr: c.dr.slice() };
      }
      for (; whole < k; whole++) {
        const p = { da: new Float64Array(ni * ni), dr: new Float64Array(no * no) };
        panel(edge(whole), edge(whole + 1), p.da, p.dr);
        for (let i = 0; i < p.da.length; i++) sum.da[i] += p.da[i];
        for (let i = 0; i < p.dr.length; i++) sum.dr[i] += p.dr[i];
        if ((whole + 1) % CHECKPOINT_STRIDE === 0 && !checkpoints.has(whole + 1)) checkpoints.set(whole + 1, { da: sum.da.slice(), dr: sum.dr.slice() });
      }
      const da = sum.da.slice();
      const dr = sum.dr.slice();
      if (s > edge(k)) {
        const p = { da: new Float64Array(ni * ni), dr: new Float64Array(no * no) };
        panel(edge(k), s, p.da, p.dr);
        for (let i = 0; i < p.da.length; i++) da[i] += p.da[i];
        for (let i = 0; i < p.dr.length; i++) dr[i] += p.dr[i];
      }
      for (const [m, n] of [[da, ni], [dr, no]] as const) {
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) m[j * n + i] = m[i * n + j];
      }
      return { da, dr };
    },
  };
  bySolution.set(compressed, rule);
  return rule;
}
