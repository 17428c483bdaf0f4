/**
 * Independent reference computations used as test oracles. None of them shares code with
 * the closed-form evaluator: they use ml-matrix's general eigensolver and SVD directly.
 */
import { EigenvalueDecomposition, Matrix, SingularValueDecomposition, solve } from 'ml-matrix';

/** ‖a − b‖_F / max(‖b‖_F, floor). */
export function relErr(a: Matrix, b: Matrix, floor = 1e-300): number {
  return a.clone().sub(b).norm('frobenius') / Math.max(b.norm('frobenius'), floor);
}

/** F = [[−(λ/2)I, Σyxᵀ], [Σyx, (λ/2)I]] (MATH.md §3). */
export function riccatiF(sigmaYX: Matrix, lambda: number): Matrix {
  const no = sigmaYX.rows;
  const ni = sigmaYX.columns;
  const f = new Matrix(ni + no, ni + no);
  for (let i = 0; i < ni; i++) f.set(i, i, -lambda / 2);
  for (let o = 0; o < no; o++) f.set(ni + o, ni + o, lambda / 2);
  for (let o = 0; o < no; o++) {
    for (let i = 0; i < ni; i++) {
      f.set(ni + o, i, sigmaYX.get(o, i));
      f.set(i, ni + o, sigmaYX.get(o, i));
    }
  }
  return f;
}

/** Q = [W1ᵀ; W2]. */
export function stackQ(w1: Matrix, w2: Matrix): Matrix {
  const q = new Matrix(w1.columns + w2.rows, w1.rows);
  q.setSubMatrix(w1.transpose(), 0, 0);
  q.setSubMatrix(w2, w1.columns, 0);
  return q;
}

/**
 * The naive closed form of MATH.md §4, P(t) = O·EΨ M⁻¹ ΨᵀE·Oᵀ with M = I + ΨᵀΦΨ, using a
 * numerical symmetric eigendecomposition of F. Overflows for large γ·s: small t only.
 */
export function naiveP(w1: Matrix, w2: Matrix, sigmaYX: Matrix, lambda: number, s: number): Matrix {
  const f = riccatiF(sigmaYX, lambda);
  const evd = new EigenvalueDecomposition(f, { assumeSymmetric: true });
  const o = evd.eigenvectorMatrix;
  const g = evd.realEigenvalues;
  const psi = o.transpose().mmul(stackQ(w1, w2));
  const n = g.length;
  const ePsi = psi.clone();
  const phiPsi = psi.clone();
  for (let i = 0; i < n; i++) {
    const e = Math.exp(g[i] * s);
    const phi = g[i] === 0 ? s : Math.expm1(2 * g[i] * s) / (2 * g[i]);
    for (let j = 0; j < psi.columns; j++) {
      ePsi.set(i, j, e * psi.get(i, j));
      phiPsi.set(i, j, phi * psi.get(i, j));
    }
  }
  const m = Matrix.eye(psi.columns).add(psi.transpose().mmul(phiPsi));
  const inner = ePsi.mmul(solve(m, ePsi.transpose()));
  return o.mmul(inner).mmul(o.transpose());
}

/**
 * The converged state of MATH.md §5 for a network without a bottleneck and a generic
 * initialisation: W2W1 = Σyx, W1ᵀW1 = Ṽ diag(κ − λ/2) Ṽᵀ, W2W2ᵀ = Ũ diag(κ + λ/2) Ũᵀ
 * (+ λ on the ũ⊥ directions the hidden layer keeps for λ > 0, and |λ| on ṽ⊥ for λ < 0).
 * Returns P(∞) assembled from those blocks, via ml-matrix's SVD.
 */
export function convergedP(sigmaYX: Matrix, lambda: number, hiddenDim: number): Matrix {
  const no = sigmaYX.rows;
  const ni = sigmaYX.columns;
  const r = Math.min(ni, no);
  const tall = no >= ni;
  const svd = new SingularValueDecomposition(tall ? sigmaYX : sigmaYX.transpose(), { autoTranspose: false });
  const uThin = tall ? svd.leftSingularVectors : svd.rightSingularVectors;
  const vThin = tall ? svd.rightSingularVectors : svd.leftSingularVectors;
  const s = svd.diagonal;
  const k = Math.min(r, hiddenDim);
  const a = new Matrix(ni, ni);
  const rr = new Matrix(no, no);
  const w = new Matrix(no, ni);
  for (let alpha = 0; alpha < k; alpha++) {
    const kappa = Math.hypot(s[alpha], lambda / 2);
    const u = uThin.getColumnVector(alpha);
    const v = vThin.getColumnVector(alpha);
    a.add(v.mmul(v.transpose()).mul(kappa - lambda / 2));
    rr.add(u.mmul(u.transpose()).mul(kappa + lambda / 2));
    w.add(u.mmul(v.transpose()).mul(s[alpha]));
  }
  // Extra hidden directions beyond r keep |λ| on the complement of the task's subspace.
  const extra = hiddenDim - r;
  if (extra > 0 && lambda > 0 && no > ni) {
    const proj = Matrix.eye(no).sub(uThin.mmul(uThin.transpose()));
    if (extra >= no - r) rr.add(proj.mul(lambda));
    else throw new Error('convergedP: partial complement is initialisation-dependent');
  }
  if (extra > 0 && lambda < 0 && ni > no) {
    const proj = Matrix.eye(ni).sub(vThin.mmul(vThin.transpose()));
    if (extra >= ni - r) a.add(proj.mul(-lambda));
    else throw new Error('convergedP: partial complement is initialisation-dependent');
  }
  const p = new Matrix(ni + no, ni + no);
  p.setSubMatrix(a, 0, 0);
  p.setSubMatrix(w.transpose(), 0, ni);
  p.setSubMatrix(w, ni, 0);
  p.setSubMatrix(rr, ni, ni);
  return p;
}

/**
 * a(s) of one aligned mode from its scalar flow da/ds = √(λ² + 4a²)(σ − a) (MATH.md §8;
 * s = t/τ), by classical RK4 in a with n equal steps from 0 to s.
 */
export function scalarModeRk4(sigma: number, a0: number, lambda: number, s: number, n: number): number {
  // hypot: λ² and 4a² underflow below 1e-162, where the rate itself does not.
  const f = (a: number): number => Math.hypot(lambda, 2 * a) * (sigma - a);
  const h = s / n;
  let a = a0;
  for (let i = 0; i < n; i++) {
    const k1 = f(a);
    const k2 = f(a + (h / 2) * k1);
    const k3 = f(a + (h / 2) * k2);
    const k4 = f(a + h * k3);
    a += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  return a;
}

/**
 * The change of W1ᵀW1 and W2W2ᵀ from t = 0 to t = s (τ = 1, whitened inputs) by RK4 on the
 * weight ODE dW1/dt = W2ᵀ(Σyx − W2W1), dW2/dt = (Σyx − W2W1)W1ᵀ, with the changes carried as
 * their own integrals,
 *
 *     d(W1ᵀW1)/dt = Yᵀ(Σyx − Y) + (Σyx − Y)ᵀY,   d(W2W2ᵀ)/dt = (Σyx − Y)Yᵀ + Y(Σyx − Y)ᵀ   (Y = W2W1),
 *
 * which hold for any weights (no balance used). The changes are never formed as differences
 * of the representations, so they keep their relative accuracy when one representation is
 * much larger than its change (|λ| ≫ ‖Σyx‖: W2W2ᵀ ≈ λI changes by ~‖Σyx‖²/λ).
 */
export function representationChangeRk4(w1: Matrix, w2: Matrix, sigmaYX: Matrix, s: number, n: number): { dA: Matrix; dR: Matrix } {
  const h = s / n;
  const derivative = (a: Matrix, b: Matrix): Matrix[] => {
    const y = b.mmul(a);
    const e = Matrix.sub(sigmaYX, y);
    const ye = y.transpose().mmul(e);
    const ey = e.mmul(y.transpose());
    return [b.transpose().mmul(e), e.mmul(a.transpose()), ye.clone().add(ye.transpose()), ey.clone().add(ey.transpose())];
  };
  let a = w1.clone();
  let b = w2.clone();
  const dA = Matrix.zeros(w1.columns, w1.columns);
  const dR = Matrix.zeros(w2.rows, w2.rows);
  const step = (x: Matrix, k: Matrix, c: number): Matrix => Matrix.add(x, Matrix.mul(k, c));
  for (let i = 0; i < n; i++) {
    const k1 = derivative(a, b);
    const k2 = derivative(step(a, k1[0], h / 2), step(b, k1[1], h / 2));
    const k3 = derivative(step(a, k2[0], h / 2), step(b, k2[1], h / 2));
    const k4 = derivative(step(a, k3[0], h), step(b, k3[1], h));
    const combine = (j: number): Matrix => k1[j].clone().add(Matrix.mul(k2[j], 2)).add(Matrix.mul(k3[j], 2)).add(k4[j]).mul(h / 6);
    a = a.add(combine(0));
    b = b.add(combine(1));
    dA.add(combine(2));
    dR.add(combine(3));
  }
  return { dA, dR };
}
