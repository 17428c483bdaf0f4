/**
 * A brute-force Neural Tangent Kernel built from its definition, independent of
 * src/analysis/ntk.ts: K[(o,p),(o',p')] = Σ_θ ∂f_o(x_p)/∂θ · ∂f_o'(x_p')/∂θ over all
 * parameters θ = (W1, W2) of f(x) = W2W1x, from an explicit parameter Jacobian.
 */
import { Matrix } from 'ml-matrix';

/**
 * The parameter Jacobian J, (P·No)×(Nh·Ni + No·Nh): row o·P + p is the gradient of the
 * output f_o(x_p) (output-major, as in ntk()); columns are W1 entries (h, i) at h·Ni + i,
 * then W2 entries (o, h) at Nh·Ni + o·Nh + h.
 *   ∂f_o(x)/∂W1[h][i] = W2[o][h]·x_i,    ∂f_o(x)/∂W2[o2][h] = δ(o, o2)·(W1x)_h.
 */
export function parameterJacobian(w1: Matrix, w2: Matrix, x: Matrix): Matrix {
  const nh = w1.rows;
  const ni = w1.columns;
  const no = w2.rows;
  const p = x.columns;
  const j = new Matrix(p * no, nh * ni + no * nh);
  for (let o = 0; o < no; o++) {
    for (let q = 0; q < p; q++) {
      const row = o * p + q;
      for (let h = 0; h < nh; h++) {
        for (let i = 0; i < ni; i++) j.set(row, h * ni + i, w2.get(o, h) * x.get(i, q));
        let hidden = 0;
        for (let i = 0; i < ni; i++) hidden += w1.get(h, i) * x.get(i, q);
        j.set(row, nh * ni + o * nh + h, hidden);
      }
    }
  }
  return j;
}

/** f(x_p) for every probe: the No×P matrix W2W1X', for finite-difference checks of the Jacobian. */
export function outputs(w1: Matrix, w2: Matrix, x: Matrix): Matrix {
  return w2.mmul(w1).mmul(x);
}

/**
 * The parameter Jacobian by central finite differences of `outputs` (step h). f is
 * linear in each single parameter, so central differences are exact up to rounding
 * (error ~ ε·|f|/h): an independent check of `parameterJacobian`.
 */
export function finiteDifferenceJacobian(w1: Matrix, w2: Matrix, x: Matrix, h = 1e-4): Matrix {
  const nh = w1.rows;
  const ni = w1.columns;
  const no = w2.rows;
  const p = x.columns;
  const j = new Matrix(p * no, nh * ni + no * nh);
  const column = (col: number, plus: Matrix, minus: Matrix): void => {
    for (let o = 0; o < no; o++) for (let q = 0; q < p; q++) j.set(o * p + q, col, (plus.get(o, q) - minus.get(o, q)) / (2 * h));
  };
  for (let a = 0; a < nh; a++) {
    for (let b = 0; b < ni; b++) {
      const up = w1.clone();
      const down = w1.clone();
      up.set(a, b, up.get(a, b) + h);
      down.set(a, b, down.get(a, b) - h);
      column(a * ni + b, outputs(up, w2, x), outputs(down, w2, x));
    }
  }
  for (let a = 0; a < no; a++) {
    for (let b = 0; b < nh; b++) {
      const up = w2.clone();
      const down = w2.clone();
      up.set(a, b, up.get(a, b) + h);
      down.set(a, b, down.get(a, b) - h);
      column(nh * ni + a * nh + b, outputs(w1, up, x), outputs(w1, down, x));
    }
  }
  return j;
}

/** K = J Jᵀ, entry by entry: Σ_θ ∂f_o(x_p)/∂θ · ∂f_o'(x_p')/∂θ. */
export function jacobianNtk(w1: Matrix, w2: Matrix, x: Matrix): Matrix {
  const j = parameterJacobian(w1, w2, x);
  const n = j.rows;
  const k = new Matrix(n, n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      let s = 0;
      for (let c = 0; c < j.columns; c++) s += j.get(a, c) * j.get(b, c);
      k.set(a, b, s);
    }
  }
  return k;
}

/** d = 1 − ⟨Ka, Kb⟩_F / (‖Ka‖_F ‖Kb‖_F) from explicit matrices. */
export function explicitKernelDistance(ka: Matrix, kb: Matrix): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < ka.rows; i++) {
    for (let j = 0; j < ka.columns; j++) {
      ab += ka.get(i, j) * kb.get(i, j);
      aa += ka.get(i, j) ** 2;
      bb += kb.get(i, j) ** 2;
    }
  }
  return 1 - ab / Math.sqrt(aa * bb);
}
