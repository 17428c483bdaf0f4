/**
 * Decoupled (aligned) initialisations in the general evaluator (MATH.md §5): when the
 * initial state P̃(0) in the task's singular basis is block-diagonal — each task mode α
 * coupling only its own input direction ṽ_α and output direction ũ_α, held by at most one
 * hidden direction, and the left-over directions of the wider layer coupling to no mode —
 * the Riccati equation splits into independent 2×2 problems, one per mode, and never
 * couples them later (the off-block parts of P̃ start at zero and stay there). Each is the
 * aligned mode of MATH.md §5, a(t) in closed form (`alignedMode`), so the loss and
 * mode-strength curves cost O(min(Ni, No)) per time instead of an Nh×Nh factorisation.
 *
 * The detection is exact up to rounding: couplings between blocks must be at the rounding
 * level of P̃(0) (where the general evaluator, too, treats the projections they imply as
 * zero); each mode's closed form is built from the projections ψ± of its hidden direction
 * on F's eigenvectors, read off the initial factor as the general evaluator reads them.
 * Anything larger, two hidden directions in one mode, a growing projection below 1e-6 of
 * ‖Q(0)‖_F (a reversed mode near its saddle, where the general evaluator's tolerances
 * decide) or a near-degenerate rate, and the general evaluator is used.
 *
 * @module
 * @internal
 */
import { evaluateMode, projectedModeConstants, type ModeConstants } from '../analysis/aligned-mode.js';
import { frobenius, gramOfRows, SMALLEST_NORMAL } from '../linalg/dense.js';
import { ABSOLUTE_RANK_TOLERANCE, type RiccatiSolution } from './riccati.js';
import { growingEigenvector } from './spectrum.js';

/**
 * The modes of a decoupled initialisation: `modes[α]` evaluates a_α(s) (s = t/τ), or is
 * undefined for a mode no hidden direction holds (a_α ≡ 0).
 *
 * @internal
 */
export interface DecoupledModes {
  modes: (ModeConstants | undefined)[];
  /** a_α(0), for s = 0 exactly. */
  initial: number[];
}

const cache = new WeakMap<RiccatiSolution, DecoupledModes | null>();

/** Couplings up to this many N·ε·tr P̃(0) count as rounding. */
const ROUNDING_MULTIPLE = 8;
/** Modes whose growing projection is below this fraction of ‖Q(0)‖_F take the general path. */
const SADDLE_MARGIN = 1e-6;
/** Modes whose rate κ is below this fraction of λ/2 + σ_max take the general path. */
const DEGENERATE_RATE = 1e-8;


/**
 * The decoupled modes of `solution`'s initial state, or undefined if it is not decoupled.
 * Computed once per solution: O(N·Nh) for a generic initialisation (rejected on the first
 * coupled pair of rows), O(N²·Nh) for the Gram matrix P̃(0) of a decoupled one.
 *
 * @internal
 * @example
 * ```ts
 * import { exactDynamics, lambdaBalancedWeights, randomTask } from 'exact-dln';
 * // Aligned weights: summaries take the per-mode closed form.
 * const task = randomTask({ inputDim: 3, outputDim: 3, samples: 30, seed: 1 });
 * const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0.5, scale: 0.01, seed: 2, alignTo: task.sigmaYX });
 * console.log(exactDynamics({ w1, w2, sigmaYX: task.sigmaYX }).summaries([0, 1, 10]).loss.length); // 3
 * ```
 */
export function decoupledModes(solution: RiccatiSolution): DecoupledModes | undefined {
  let found = cache.get(solution);
  if (found === undefined) {
    found = detect(solution) ?? null;
    cache.set(solution, found);
  }
  return found ?? undefined;
}

function detect(solution: RiccatiSolution): DecoupledModes | undefined {
  const ni = solution.inputDim;
  const no = solution.outputDim;
  const nh = solution.hiddenDim;
  const n = ni + no;
  const r = Math.min(ni, no);
  const { sigma, lambda } = solution.spectrum;
  const z = solution.initialFactor; // Q(0): rows ṽ coordinates, then ũ coordinates
  // ‖W1‖_F and ‖W2‖_F (rescaled where squares would underflow: one side may be 1e-160 and
  // the other O(1)).
  const sideIn = frobenius(z.subarray(0, ni * nh));
  const sideOut = frobenius(z.subarray(ni * nh, n * nh));
  const inputs2 = sideIn * sideIn;
  const outputs2 = sideOut * sideOut;
  const trace = inputs2 + outputs2;
  // Q(0) = 0: nothing to gain. A tiny Q(0) (‖Q(0)‖² below 2⁻⁹⁰⁰, weights below about 1e-135):
  // the modes' constants, quadratic in the projections, would lose their digits to subnormal
  // arithmetic; the general evaluator scales such an initialisation exactly.
  if (!(trace > 2 ** -900)) return undefined;
  // The rounding of P̃(0)_ij: the rows come from rotating W1ᵀ (input rows) and W2 (output
  // rows), each to about ε times its side's norm, so a coupling of rows i and j is rounding up
  // to (multiple)·N·ε·s_i·s_j with s = ‖W1‖_F or ‖W2‖_F. (Not N·ε·tr P̃: at |λ| ≫ 1 the sides
  // differ by a factor |λ|, tr P̃ ≈ |λ|·Nh is all W2 (λ > 0), and couplings of the size of the
  // network function, O(σ), passed for rounding — 2×2×2 at λ = 1e14 got the loss 0.84 for 1.42.)
  const unit = ROUNDING_MULTIPLE * n * Number.EPSILON;
  const side = (row: number): number => (row < ni ? sideIn : sideOut);
  // (Plus the subnormal range, where products of rows of 1e-160 keep no relative accuracy.)
  const rounding = (i: number, j: number): number => unit * side(i) * side(j) + nh * SMALLEST_NORMAL;
  // Block of each row: mode α for ṽ_α and ũ_α (α < r), −1 for the left-over rows.
  const block = (row: number): number => (row < ni ? (row < r ? row : -1) : row - ni < r ? row - ni : -1);
  // A quick look first (O(N·Nh)): consecutive rows of different blocks are coupled in any
  // generic initialisation, which then costs no Gram matrix.
  for (let i = 1; i < n; i++) {
    const bi = block(i);
    const bj = block(i - 1);
    if ((bi === bj && bi >= 0) || (bi < 0 && bj < 0)) continue;
    let dot = 0;
    for (let k = 0; k < nh; k++) dot += z[i * nh + k] * z[(i - 1) * nh + k];
    if (Math.abs(dot) > rounding(i, i - 1)) return undefined;
  }
  const g = gramOfRows(z, n, nh); // P̃(0)
  for (let i = 0; i < n; i++) {
    const bi = block(i);
    for (let j = 0; j < i; j++) {
      const bj = block(j);
      if (bi === bj && bi >= 0) continue; // within one mode
      if (bi < 0 && bj < 0) continue; // among the left-over rows
      if (Math.abs(g[i * n + j]) > rounding(i, j)) return undefined;
    }
  }
  const modes: (ModeConstants | undefined)[] = [];
  const initial: number[] = [];
  const qNorm = Math.sqrt(trace);
  for (let a = 0; a < r; a++) {
    const vv = g[a * n + a];
    const uu = g[(ni + a) * n + (ni + a)];
    const vu = g[(ni + a) * n + a];
    // No hidden direction (a_α ≡ 0) where the general evaluator sees none either: rows below
    // ABSOLUTE_RANK_TOLERANCE·‖Q(0)‖_F. (Not P̃'s rounding level, N·ε·tr P̃: that is ≈ 1e-7 of
    // ‖Q(0)‖ in Q's terms, and would take a small but real mode — products 1e-14 of the largest
    // — for an absent one; those modes take the general path below, SADDLE_MARGIN.)
    if (vv + uu <= (ABSOLUTE_RANK_TOLERANCE * qNorm) ** 2) {
      modes.push(undefined);
      initial.push(0);
      continue;
    }
    // One hidden direction w on the mode: rows ṽ_α and ũ_α of the factor are c·w and d·w,
    // the block [[c², cd], [cd, d²]] has rank 1: its determinant c²d²·sin²θ is zero up to
    // unit·(c²d² + s_in²d² + s_out²c²) — sin²θ up to a few units for a mode that holds most of
    // its sides (a block that far from rank 1 changes the curves by about sin²θ of themselves).
    if (Math.abs(vv * uu - vu * vu) > unit * (vv * uu + inputs2 * uu + outputs2 * vv)) return undefined;
    const sigmaA = sigma[a] ?? 0;
    const { kappa, a: ov, b: ou } = growingEigenvector(sigmaA, lambda);
    // Near-degenerate rates (which the spectrum snaps) are left to the general evaluator.
    if (!(kappa > DEGENERATE_RATE * (Math.abs(lambda) / 2 + (sigma[0] ?? 0)))) return undefined;
    // c and d at the level of Q (not from P's entries: their square roots would lose half the
    // digits of a small projection), with the sign of cd = P̃_{uα,vα}.
    const c = frobenius(z.subarray(a * nh, (a + 1) * nh));
    const d = (vu < 0 ? -1 : 1) * frobenius(z.subarray((ni + a) * nh, (ni + a + 1) * nh));
    const psiPlus = ov * c + ou * d; // on o₊ = (ov, ou), growth +κ
    const psiMinus = ou * c - ov * d; // on o₋ = (ou, −ov), growth −κ
    // A small growing projection is where the general evaluator's conventions decide (below
    // ABSOLUTE_RANK_TOLERANCE·‖Q(0)‖_F it is a saddle, MATH.md §8; just above, the escape
    // time depends on rounding): those initialisations take the general path.
    if (!(Math.abs(psiPlus) > SADDLE_MARGIN * qNorm)) return undefined;
    modes.push(projectedModeConstants(sigmaA, lambda, psiPlus, psiMinus, c * d));
    initial.push(vu);
  }
  return { modes, initial };
}

/**
 * a_α(s) for every mode into `out` (length min(Ni, No)).
 *
 * @internal
 */
export function decoupledStrengthsInto(d: DecoupledModes, s: number, out: Float64Array): void {
  for (let a = 0; a < d.modes.length; a++) {
    const m = d.modes[a];
    out[a] = m === undefined ? 0 : s === 0 ? d.initial[a] : evaluateMode(m, s);
  }
}
