/**
 * An oracle for the closed form at any λ and any time: MATH.md §4's plain formula
 * P(s) = O·EΨ M⁻¹ ΨᵀE·Oᵀ, M = I + ΨᵀΦΨ, evaluated in decimal arithmetic of 60 digits plus
 * the decimal span of the Nh fastest growing modes' e^{2γs} (M's entries are sums of those:
 * without them M would be singular to working precision once the slower ones drop below the
 * fastest)
 * plus the digits the rates need to hold their offsets σ²/(κ + |λ|/2) from |λ|/2
 * (decimal.js) for a task whose Σyx is diagonal (σ_α at (α, α), so Ũ = I and Ṽ = I and F's
 * eigenvectors are the 2×2 rotations of MATH.md §4, "Spectrum of F", formed here in decimal).
 *
 * It shares nothing with the evaluator: no SVD, no graded orthogonalisation, no rate
 * bookkeeping — the growth rates are decimal numbers with the digits to tell apart rates that
 * differ by σ²/|λ| (in the 24th digit at |λ| = 1e12, σ = 1) and 60 more, and e^{γs} is taken relative to e^{γ_max·s} (numerator and M scaled by e^{−2γ_max·s}), so
 * nothing overflows. The weights and λ (the double λ̂ the evaluator uses) are taken as exact.
 * Slow (Nh, N ≤ 6 or so: a few hundred decimal operations per time), for tests only.
 */
import Decimal from 'decimal.js';
import { Matrix } from 'ml-matrix';

type D = Decimal;

/**
 * P(s) = Q(s)Q(s)ᵀ (N×N, inputs first) of the network Q(0) = [W1ᵀ; W2] under
 * τ dP/dt = FP + PF − P² with F built from λ and Σyx = diag(sigma) (No×Ni), at s = t/τ.
 */
export function preciseP(w1: Matrix, w2: Matrix, sigma: readonly number[], lambda: number, s: number): Matrix {
  const nh = w1.rows;
  const ni = w1.columns;
  const no = w2.rows;
  const n = ni + no;
  // M's smallest eigenvalue is set by the Nh-th fastest growing mode: e^{2γs} of the Nh fastest
  // span 2·(γ_1 − γ_Nh)·s nepers; the growing rates are |λ|/2 + δ with δ = σ²/(κ + |λ|/2) (0 for
  // left-over directions; estimated in doubles).
  const offsets = Array.from({ length: Math.min(ni, no) }, (_, a) => {
    const sg = a < sigma.length ? sigma[a] : 0;
    return sg === 0 ? 0 : (sg * sg) / (Math.hypot(sg, lambda / 2) + Math.abs(lambda) / 2);
  });
  if (ni !== no) offsets.push(0);
  offsets.sort((x, y) => y - x);
  const spread = (2 * (offsets[0] - offsets[Math.min(nh, offsets.length) - 1]) * s) / Math.LN10;
  // …and the digits that κ = |λ|/2 + δ needs to hold the smallest δ > 0 (σ²/|λ| may be 1e-308).
  const positive = offsets.filter((d) => d > 0);
  const rateDigits = positive.length === 0 ? 0 : Math.max(0, Math.log10((Math.abs(lambda) / 2 + Math.max(...positive)) / Math.min(...positive)));
  const Dec = Decimal.clone({ precision: Math.min(3000, 60 + Math.ceil(spread + rateDigits)), minE: -9e15, maxE: 9e15 });
  if (sigma.length > Math.min(ni, no)) throw new Error('preciseP: more singular values than min(Ni, No)');
  // A double's exact value (new Dec(x) would read its shortest decimal string, which for
  // singular values 1e-9 apart is already a change of the task).
  const exact = (x: number): D => new Dec((x < 0 ? '-' : '') + '0b' + Math.abs(x).toString(2));
  const lam = exact(lambda);
  const half = lam.div(2);
  const zero = new Dec(0);
  // Modes: γ and the eigenvector as a dense N-vector.
  const modes: { gamma: D; vec: D[] }[] = [];
  const unit = (k: number, coef: D = new Dec(1)): D[] => Array.from({ length: n }, (_, i) => (i === k ? coef : zero));
  for (let alpha = 0; alpha < Math.min(ni, no); alpha++) {
    const sg = exact(alpha < sigma.length ? sigma[alpha] : 0);
    const kappa = sg.mul(sg).add(half.mul(half)).sqrt();
    // (σ = 0 at λ = 0: κ = 0, a double zero eigenvalue, any orthonormal pair serves.)
    const degenerate = kappa.isZero();
    const a = degenerate ? new Dec(0.5).sqrt() : kappa.sub(half).div(kappa.mul(2)).sqrt(); // on ṽ_α
    const b = degenerate ? a : kappa.add(half).div(kappa.mul(2)).sqrt(); // on ũ_α
    const plus = unit(alpha, a);
    plus[ni + alpha] = b;
    const minus = unit(alpha, b);
    minus[ni + alpha] = a.neg();
    modes.push({ gamma: kappa, vec: plus }, { gamma: kappa.neg(), vec: minus });
  }
  for (let k = Math.min(ni, no); k < no; k++) modes.push({ gamma: half, vec: unit(ni + k) });
  for (let k = Math.min(ni, no); k < ni; k++) modes.push({ gamma: half.neg(), vec: unit(k) });

  // Ψ = OᵀQ(0).
  const q: D[][] = [];
  for (let i = 0; i < ni; i++) q.push(Array.from({ length: nh }, (_, j) => exact(w1.get(j, i))));
  for (let o = 0; o < no; o++) q.push(Array.from({ length: nh }, (_, j) => exact(w2.get(o, j))));
  const psi = modes.map((m) => Array.from({ length: nh }, (_, j) => m.vec.reduce((acc, v, i) => (v.isZero() ? acc : acc.add(v.mul(q[i][j]))), zero)));

  // Everything relative to e^{g·s}, g = max γ: E' = e^{(γ−g)s}, Φ' = e^{−2gs}Φ, M' = e^{−2gs}M.
  const sd = exact(s);
  const g = modes.reduce((m, x) => Dec.max(m, x.gamma), modes[0].gamma);
  const floor = g.mul(sd).mul(-2).exp(); // e^{−2gs}
  const ePrime = modes.map((m) => m.gamma.sub(g).mul(sd).exp());
  const phiPrime = modes.map((m, i) =>
    m.gamma.isZero() ? sd.mul(floor) : ePrime[i].mul(ePrime[i]).sub(floor).div(m.gamma.mul(2)),
  );
  const mMat: D[][] = [];
  for (let a = 0; a < nh; a++) {
    mMat.push([]);
    for (let b = 0; b < nh; b++) {
      let v = a === b ? floor : zero;
      for (let i = 0; i < n; i++) v = v.add(psi[i][a].mul(phiPrime[i]).mul(psi[i][b]));
      mMat[a].push(v);
    }
  }
  // Y = E'Ψ (N×Nh, eigenbasis) and X = M'⁻¹Yᵀ (Nh×N) by Gaussian elimination with pivoting.
  const y = psi.map((row, i) => row.map((v) => v.mul(ePrime[i])));
  const x = solveDecimal(
    mMat,
    Array.from({ length: nh }, (_, a) => y.map((row) => row[a])),
  );
  // P̃ = Y·X in the eigenbasis, then P = O P̃ Oᵀ.
  const out = new Matrix(n, n);
  const pt: D[][] = y.map((row) => Array.from({ length: n }, (_, k) => row.reduce((acc, v, a) => acc.add(v.mul(x[a][k])), zero)));
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      let v = zero;
      for (let i = 0; i < n; i++) {
        const oi = modes[i].vec[r];
        if (oi.isZero()) continue;
        for (let k = 0; k < n; k++) {
          const ok = modes[k].vec[c];
          if (!ok.isZero()) v = v.add(oi.mul(pt[i][k]).mul(ok));
        }
      }
      out.set(r, c, v.toNumber());
    }
  }
  return out;
}

/** A⁻¹B for a square A (m×m) and B (m×k), Gaussian elimination with partial pivoting; inputs not modified. */
function solveDecimal(a: D[][], b: D[][]): D[][] {
  const m = a.length;
  const aa = a.map((row) => row.slice());
  const bb = b.map((row) => row.slice());
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (aa[r][c].abs().gt(aa[p][c].abs())) p = r;
    [aa[c], aa[p]] = [aa[p], aa[c]];
    [bb[c], bb[p]] = [bb[p], bb[c]];
    if (aa[c][c].isZero()) throw new Error('preciseP: M is singular');
    for (let r = c + 1; r < m; r++) {
      const f = aa[r][c].div(aa[c][c]);
      for (let k = c; k < m; k++) aa[r][k] = aa[r][k].sub(f.mul(aa[c][k]));
      for (let k = 0; k < bb[r].length; k++) bb[r][k] = bb[r][k].sub(f.mul(bb[c][k]));
    }
  }
  for (let c = m - 1; c >= 0; c--) {
    for (let k = 0; k < bb[c].length; k++) {
      let v = bb[c][k];
      for (let j = c + 1; j < m; j++) v = v.sub(aa[c][j].mul(bb[j][k]));
      bb[c][k] = v.div(aa[c][c]);
    }
  }
  return bb;
}
