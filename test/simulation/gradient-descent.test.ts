/**
 * simulateGradientDescent / gradientDescentFromTask (MATH.md §1, §2, §11) against
 * mathematics computed independently: hand-derived steps, finite-difference gradients of
 * the data loss, the data loss evaluated from X and Y, the exact one-step change of the
 * balance, and the O(η) convergence to the RK4 gradient flow. All randomness is seeded.
 */
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { firstLossRise, gradientDescentFromTask, simulateGradientDescent } from '../../src/simulation/gradient-descent.js';
import { integrateGradientFlow } from '../../src/simulation/gradient-flow.js';
import { DivergenceError, ExactDlnError, InvalidArgumentError, NonFiniteError, ShapeError } from '../../src/errors.js';
import { createRng, gaussianMatrix, randomOrthogonal } from '../../src/random.js';
import { expectTypedError } from '../helpers/errors.js';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { taskFromData } from '../../src/core/task.js';

const relErr = (a: Matrix, b: Matrix): number => a.clone().sub(b).norm('frobenius') / b.norm('frobenius');
/** Data loss 1/(2P)‖W2W1X − Y‖²_F straight from the data (MATH.md §1). */
const dataLoss = (w1: Matrix, w2: Matrix, X: Matrix, Y: Matrix): number =>
  w2.mmul(w1).mmul(X).sub(Y).norm('frobenius') ** 2 / (2 * X.columns);
const balance = (w1: Matrix, w2: Matrix): Matrix => w2.transpose().mmul(w2).sub(w1.mmul(w1.transpose()));

/** Whitened inputs: X = √P · (first Ni rows of a random P×P orthogonal matrix), so XXᵀ/P = I. */
function whitenedX(ni: number, samples: number, seed: number): Matrix {
  const q = randomOrthogonal(samples, createRng(seed));
  return q.subMatrix(0, ni - 1, 0, samples - 1).mul(Math.sqrt(samples));
}

describe('gradient descent: single steps derived by hand', () => {
  it('whitened 2×1×1 example', () => {
    // X = [[1, 1], [1, −1]] (P = 2): Σxx = I, Y = [[3, 1]]: Σyx = [[2, 1]].
    // W1 = [[1, 1]], W2 = [[2]]: W = [[2, 2]], E = Σyx − W = [[0, −1]].
    // η = 0.1: W1 ← W1 + η W2ᵀE = [[1, 0.8]];  W2 ← W2 + η E W1ᵀ = 2 + 0.1·(−1) = 1.9.
    // Loss: step 0 residual WX − Y = [[1, −1]] → 2/4 = 0.5;
    //       step 1 W = [[1.9, 1.52]], WX − Y = [[0.42, −0.62]] → 0.5608/4 = 0.1402.
    const r = simulateGradientDescent({ w1: [[1, 1]], w2: [[2]], X: [[1, 1], [1, -1]], Y: [[3, 1]], learningRate: 0.1, steps: 1 });
    expect(r.steps).toEqual([0, 1]);
    expect(r.times).toEqual([0, 0.1]);
    expect(r.w1[1].get(0, 0)).toBeCloseTo(1, 15);
    expect(r.w1[1].get(0, 1)).toBeCloseTo(0.8, 15);
    expect(r.w2[1].get(0, 0)).toBeCloseTo(1.9, 15);
    expect(r.loss[0]).toBeCloseTo(0.5, 14);
    expect(r.loss[1]).toBeCloseTo(0.1402, 14);
  });

  it('non-whitened 1×1×1 example (Σxx = 2.5)', () => {
    // X = [[1, 2]], Y = [[1, 3]]: Σxx = 5/2, Σyx = 7/2. W1 = 0.5, W2 = 1: E = 3.5 − 0.5·2.5 = 2.25.
    // η = 0.1: W1 ← 0.5 + 0.1·1·2.25 = 0.725;  W2 ← 1 + 0.1·2.25·0.5 = 1.1125.
    // Loss: step 0 residuals [−0.5, −2] → 4.25/4 = 1.0625;
    //       step 1 W = 0.8065625, residuals [−0.1934375, −1.386875] → 1.96084033203125/4.
    const r = simulateGradientDescent({ w1: [[0.5]], w2: [[1]], X: [[1, 2]], Y: [[1, 3]], learningRate: 0.1, steps: 1 });
    expect(r.w1[1].get(0, 0)).toBeCloseTo(0.725, 15);
    expect(r.w2[1].get(0, 0)).toBeCloseTo(1.1125, 15);
    expect(r.loss[0]).toBeCloseTo(1.0625, 14);
    expect(r.loss[1]).toBeCloseTo(1.96084033203125 / 4, 14);
  });

  // The update must be −η·∇L of the data loss, for non-whitened data and both layers.
  // Central differences with h = 1e-6 have truncation O(h²) ≈ 1e-12 and rounding
  // ≈ 1e-16·L/h ≈ 1e-10, so 1e-7 relative to ‖∇L‖ is a safe but discriminating bound.
  it('one step is −η times the finite-difference gradient of 1/(2P)‖W2W1X − Y‖² (3×2×4, P = 7)', () => {
    const rng = createRng(101);
    const X = gaussianMatrix(3, 7, rng);
    const Y = gaussianMatrix(4, 7, rng);
    const w1 = gaussianMatrix(2, 3, rng, 0.7);
    const w2 = gaussianMatrix(4, 2, rng, 0.7);
    const eta = 0.1;
    const r = simulateGradientDescent({ w1, w2, X, Y, learningRate: eta, steps: 1 });
    const h = 1e-6;
    const fdGrad = (which: 'w1' | 'w2'): Matrix => {
      const base = which === 'w1' ? w1 : w2;
      const g = new Matrix(base.rows, base.columns);
      for (let i = 0; i < base.rows; i++) {
        for (let j = 0; j < base.columns; j++) {
          const plus = base.clone();
          const minus = base.clone();
          plus.set(i, j, base.get(i, j) + h);
          minus.set(i, j, base.get(i, j) - h);
          const lp = which === 'w1' ? dataLoss(plus, w2, X, Y) : dataLoss(w1, plus, X, Y);
          const lm = which === 'w1' ? dataLoss(minus, w2, X, Y) : dataLoss(w1, minus, X, Y);
          g.set(i, j, (lp - lm) / (2 * h));
        }
      }
      return g;
    };
    const step1 = r.w1[1].clone().sub(w1).div(-eta);
    const step2 = r.w2[1].clone().sub(w2).div(-eta);
    expect(relErr(step1, fdGrad('w1'))).toBeLessThan(1e-7);
    expect(relErr(step2, fdGrad('w2'))).toBeLessThan(1e-7);
  });
});

describe('gradient descent at widths that use the blocked products', () => {
  // From Ni·Nh·No ≥ 4096 the vector field switches from fused loops to the blocked
  // (WebAssembly) products. One step must still be W ← W + η·(−∇L) with the gradient
  // formed independently by ml-matrix: −∇_{W1} = W2ᵀE, −∇_{W2} = E·W1ᵀ, E = Σyx − W2W1Σxx;
  // both sides round differently, so 1e-13 relative (sums of ≤ 20 terms of size O(1)).
  it.each([
    ['whitened', false],
    ['Σxx ≠ I', true],
  ])('one step (20×18×16, %s) equals the step from an independently computed gradient, and the loss matches', (_label, coloured) => {
    const rng = createRng(202);
    const ni = 20;
    const nh = 18;
    const no = 16;
    expect(ni * nh * no).toBeGreaterThanOrEqual(4096);
    const w1 = gaussianMatrix(nh, ni, rng, 0.3);
    const w2 = gaussianMatrix(no, nh, rng, 0.3);
    const sigmaYX = gaussianMatrix(no, ni, rng);
    const a = gaussianMatrix(ni, 2 * ni, rng);
    const sigmaXX = coloured ? a.mmul(a.transpose()).div(2 * ni) : Matrix.eye(ni);
    const eta = 0.05;
    const run = gradientDescentFromTask({ w1, w2, sigmaYX, ...(coloured ? { sigmaXX } : {}), learningRate: eta, steps: 1 });
    const e = sigmaYX.clone().sub(w2.mmul(w1).mmul(sigmaXX));
    expect(relErr(run.w1[1], w1.clone().add(w2.transpose().mmul(e).mul(eta)))).toBeLessThan(1e-13);
    expect(relErr(run.w2[1], w2.clone().add(e.mmul(w1.transpose()).mul(eta)))).toBeLessThan(1e-13);
    // Loss ½‖Σyx − W‖² + ½tr(W(Σxx − I)Wᵀ), W = W2W1, formed by ml-matrix.
    const w = w2.mmul(w1);
    const expected = 0.5 * sigmaYX.clone().sub(w).norm('frobenius') ** 2 + 0.5 * w.mmul(sigmaXX.clone().sub(Matrix.eye(ni))).mmul(w.transpose()).trace();
    expect(Math.abs(run.loss[0] - expected)).toBeLessThan(1e-12 * expected);
  });
});

describe('gradient descent: the reported loss', () => {
  // Computed from the covariances (½tr(WΣxxWᵀ) − tr(ΣyxᵀW) + ½tr Σyy); must equal the loss
  // from the data. The losses here are O(1) and the covariance form has rounding
  // ~1e-16·(tr Σyy + ‖Σyx‖²), so 1e-12 relative.
  it('equals 1/(2P)‖W2W1X − Y‖²_F from the data at every recorded step (non-whitened)', () => {
    const rng = createRng(111);
    const X = gaussianMatrix(4, 15, rng);
    const Y = gaussianMatrix(3, 15, rng);
    const w1 = gaussianMatrix(2, 4, rng, 0.3);
    const w2 = gaussianMatrix(3, 2, rng, 0.3);
    const r = simulateGradientDescent({ w1, w2, X, Y, learningRate: 0.05, steps: 200, recordEvery: 20 });
    r.steps.forEach((_, k) => {
      const direct = dataLoss(r.w1[k], r.w2[k], X, Y);
      expect(Math.abs(r.loss[k] - direct) / direct).toBeLessThan(1e-12);
    });
    expect(r.loss.at(-1)!).toBeLessThan(r.loss[0]);
  });

  it('a realisable task fitted to rounding: the loss is never below 0 and stays within ε·tr Σyy of the data loss', () => {
    // Y = A·X exactly (to rounding) and a network that can represent A: the data loss goes to
    // ≈ 1e-32 while the covariance form carries ≈ ε·tr Σyy ≈ 1e-16 of rounding, which left
    // it a few ε below 0 (the CLI printed loss = −4.24e-16).
    let fitted = 0;
    for (let seed = 0; seed < 20; seed++) {
      const rng = createRng(500 + seed);
      const X = gaussianMatrix(3, 12, rng);
      const Y = gaussianMatrix(3, 3, rng).mmul(X);
      const w1 = gaussianMatrix(3, 3, rng, 0.5);
      const w2 = gaussianMatrix(3, 3, rng, 0.5);
      const r = simulateGradientDescent({ w1, w2, X, Y, learningRate: 0.02, steps: 4000, recordEvery: 400 });
      const trYY = Y.norm('frobenius') ** 2 / 12;
      r.steps.forEach((_, k) => {
        expect(r.loss[k]).toBeGreaterThanOrEqual(0);
        expect(Math.abs(r.loss[k] - dataLoss(r.w1[k], r.w2[k], X, Y))).toBeLessThan(64 * Number.EPSILON * trYY + 1e-12 * r.loss[k]);
      });
      if (dataLoss(r.w1.at(-1)!, r.w2.at(-1)!, X, Y) < 1e-20) fitted++;
    }
    // Most of the runs reach the fit to rounding, where the clamp matters.
    expect(fitted).toBeGreaterThan(10);
  });

  it('gradientDescentFromTask reports ½‖Σyx − W2W1‖²_F for whitened inputs', () => {
    const rng = createRng(112);
    const sigmaYX = gaussianMatrix(3, 2, rng);
    const r = gradientDescentFromTask({
      w1: gaussianMatrix(2, 2, rng, 0.2),
      w2: gaussianMatrix(3, 2, rng, 0.2),
      sigmaYX,
      learningRate: 0.02,
      steps: 50,
      recordEvery: 10,
    });
    r.steps.forEach((_, k) => {
      const direct = 0.5 * sigmaYX.clone().sub(r.w2[k].mmul(r.w1[k])).norm('frobenius') ** 2;
      expect(Math.abs(r.loss[k] - direct) / direct).toBeLessThan(1e-13);
    });
  });
});

describe('gradient descent vs gradient flow and the covariance-only variant', () => {
  // MATH.md §11: GD step k with rate η sits O(η) away from the flow at t = kη. The largest
  // gap over t ∈ [0, 5] must halve with η; 1.6–2.5 tolerates the O(η²) term at the
  // larger rate. The flow (default RK4 step, ~1e-12) is exact on this scale.
  it('the gap to the RK4 flow is O(η): it halves when η halves (seeded 4×3×5)', () => {
    const rng = createRng(121);
    const [ni, nh, no] = [4, 3, 5];
    const w1 = gaussianMatrix(nh, ni, rng, 0.3);
    const w2 = gaussianMatrix(no, nh, rng, 0.3);
    const sigmaYX = gaussianMatrix(no, ni, rng);
    const T = 5;
    const worstGap = (eta: number): number => {
      const steps = Math.round(T / eta);
      const gd = gradientDescentFromTask({ w1, w2, sigmaYX, learningRate: eta, steps, recordEvery: steps / 25 });
      const flow = integrateGradientFlow({ w1, w2, sigmaYX, times: gd.times });
      let worst = 0;
      gd.times.forEach((_, k) => {
        const num = gd.w1[k].clone().sub(flow.w1[k]).norm('frobenius') + gd.w2[k].clone().sub(flow.w2[k]).norm('frobenius');
        worst = Math.max(worst, num / (flow.w1[k].norm('frobenius') + flow.w2[k].norm('frobenius')));
      });
      return worst;
    };
    const g1 = worstGap(0.02);
    const g2 = worstGap(0.01);
    const g3 = worstGap(0.005);
    expect(g1 / g2).toBeGreaterThan(1.6);
    expect(g1 / g2).toBeLessThan(2.5);
    expect(g2 / g3).toBeGreaterThan(1.6);
    expect(g2 / g3).toBeLessThan(2.5);
    expect(g3).toBeLessThan(0.05);
  });

  // On whitened data Σxx = XXᵀ/P equals I up to rounding (~1e-16), so both entry points run
  // the same iteration; differences are rounding amplified over 300 steps: 1e-12 relative.
  it('simulateGradientDescent on whitened data equals gradientDescentFromTask on its Σyx', () => {
    const P = 12;
    const X = whitenedX(3, P, 131);
    const rng = createRng(132);
    const Y = gaussianMatrix(2, P, rng);
    const w1 = gaussianMatrix(4, 3, rng, 0.2);
    const w2 = gaussianMatrix(2, 4, rng, 0.2);
    const sigmaYX = Y.mmul(X.transpose()).div(P);
    const opts = { w1, w2, learningRate: 0.05, steps: 300, recordEvery: 50 };
    const a = simulateGradientDescent({ ...opts, X, Y });
    const b = gradientDescentFromTask({ ...opts, sigmaYX });
    expect(a.steps).toEqual(b.steps);
    expect(a.times).toEqual(b.times);
    // data loss = task loss + the weight-independent ½tr Σyy − ½‖Σyx‖²_F
    const offset = 0.5 * (Y.norm('frobenius') ** 2 / P - sigmaYX.norm('frobenius') ** 2);
    a.steps.forEach((_, k) => {
      expect(relErr(a.w1[k], b.w1[k])).toBeLessThan(1e-12);
      expect(relErr(a.w2[k], b.w2[k])).toBeLessThan(1e-12);
      expect(Math.abs(a.loss[k] - (b.loss[k] + offset))).toBeLessThan(1e-12 * (1 + Math.abs(offset)));
    });
    // and with Σxx passed explicitly, on non-whitened data, the two agree as well
    const Xn = gaussianMatrix(3, P, rng);
    const c = simulateGradientDescent({ ...opts, X: Xn, Y });
    const d = gradientDescentFromTask({ ...opts, sigmaYX: Y.mmul(Xn.transpose()).div(P), sigmaXX: Xn.mmul(Xn.transpose()).div(P) });
    c.steps.forEach((_, k) => {
      expect(relErr(c.w1[k], d.w1[k])).toBeLessThan(1e-12);
      expect(relErr(c.w2[k], d.w2[k])).toBeLessThan(1e-12);
    });
  });
});

describe('gradient descent: balance drift (MATH.md §2)', () => {
  // Expanding one step: W1' = W1 + ηW2ᵀE, W2' = W2 + ηEW1ᵀ gives exactly
  // B(W1', W2') − B(W1, W2) = η²(W1EᵀEW1ᵀ − W2ᵀEEᵀW2), E = Σyx − W2W1Σxx. The first-order
  // terms cancel. Checked to 1e-9 relative (B' − B is a difference of O(1) matrices, so
  // rounding ~1e-16/η² ≈ 1e-13 relative to the η² term).
  it('one step changes B by exactly η²(W1EᵀEW1ᵀ − W2ᵀEEᵀW2), for non-whitened data', () => {
    const rng = createRng(141);
    const X = gaussianMatrix(3, 10, rng);
    const Y = gaussianMatrix(4, 10, rng);
    const w1 = gaussianMatrix(2, 3, rng, 0.8);
    const w2 = gaussianMatrix(4, 2, rng, 0.8);
    const sxx = X.mmul(X.transpose()).div(10);
    const syx = Y.mmul(X.transpose()).div(10);
    const E = syx.clone().sub(w2.mmul(w1).mmul(sxx));
    for (const eta of [0.05, 0.025]) {
      const r = simulateGradientDescent({ w1, w2, X, Y, learningRate: eta, steps: 1 });
      const drift = balance(r.w1[1], r.w2[1]).sub(balance(w1, w2));
      const predicted = w1
        .mmul(E.transpose())
        .mmul(E)
        .mmul(w1.transpose())
        .sub(w2.transpose().mmul(E).mmul(E.transpose()).mmul(w2))
        .mul(eta * eta);
      expect(relErr(drift, predicted)).toBeLessThan(1e-9);
    }
  });

  // Over a fixed horizon T the T/η steps each drift O(η²): total O(η), halving with η.
  it('the accumulated drift over a fixed horizon halves when η halves', () => {
    const rng = createRng(142);
    const sigmaYX = gaussianMatrix(3, 3, rng);
    const w1 = gaussianMatrix(3, 3, rng, 0.3);
    const w2 = gaussianMatrix(3, 3, rng, 0.3);
    const b0 = balance(w1, w2);
    const drift = (eta: number): number => {
      const steps = Math.round(3 / eta);
      const r = gradientDescentFromTask({ w1, w2, sigmaYX, learningRate: eta, steps, recordEvery: steps });
      return balance(r.w1[1], r.w2[1]).sub(b0).norm('frobenius');
    };
    const d1 = drift(0.02);
    const d2 = drift(0.01);
    expect(d1 / d2).toBeGreaterThan(1.6);
    expect(d1 / d2).toBeLessThan(2.5);
  });
});

describe('gradient descent: recording', () => {
  const task = { w1: [[0.1, 0.2]], w2: [[0.3]], sigmaYX: [[1, -1]], learningRate: 0.1 };

  it('a Task as sigmaYX brings its Σxx: the same run as its Σyx and Σxx given apart (descent and RK4 flow)', () => {
    const rng = createRng(77);
    const raw = taskFromData(gaussianMatrix(3, 20, rng), gaussianMatrix(2, 20, rng), { tolerance: Infinity }); // Σxx ≠ I
    const w = { w1: gaussianMatrix(2, 3, rng, 0.3), w2: gaussianMatrix(2, 2, rng, 0.3) };
    const viaTask = gradientDescentFromTask({ ...w, sigmaYX: raw, learningRate: 0.05, steps: 20, recordEvery: 10 });
    const apart = gradientDescentFromTask({ ...w, sigmaYX: raw.sigmaYX, sigmaXX: raw.sigmaXX, learningRate: 0.05, steps: 20, recordEvery: 10 });
    expect(viaTask.loss).toEqual(apart.loss);
    expect(viaTask.w1.map((m) => m.to2DArray())).toEqual(apart.w1.map((m) => m.to2DArray()));
    const flow = integrateGradientFlow({ ...w, sigmaYX: raw, times: [1] });
    const flowApart = integrateGradientFlow({ ...w, sigmaYX: raw.sigmaYX, sigmaXX: raw.sigmaXX, times: [1] });
    expect(flow.loss).toEqual(flowApart.loss);
    expectTypedError(() => gradientDescentFromTask({ ...w, sigmaYX: raw, sigmaXX: raw.sigmaXX, learningRate: 0.05, steps: 1 }), InvalidArgumentError, '`sigmaXX` is given with a Task');
  });

  it('tau puts step k at t = k·η·τ, the time of exactDynamics({ tau }), and changes nothing else', () => {
    const w = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 2, outputDim: 2, lambda: 0.5, scale: 0.5, seed: 4 });
    const sigmaYX = [[1, 0.2, 0], [0, 0.6, 0.1]];
    const plain = gradientDescentFromTask({ ...w, sigmaYX, learningRate: 0.01, steps: 400, recordEvery: 100 });
    const slow = gradientDescentFromTask({ ...w, sigmaYX, learningRate: 0.01, steps: 400, recordEvery: 100, tau: 2 });
    expect(slow.times).toEqual(plain.times.map((t) => 2 * t));
    expect(slow.w1.map((m) => m.to2DArray())).toEqual(plain.w1.map((m) => m.to2DArray()));
    // Compared at its own times with the τ = 2 flow: the O(η) gap (2e-4 of the initial loss
    // here), where the times of τ = 1 against that flow are off by the whole trajectory (0.3).
    const flow = exactDynamics({ ...w, sigmaYX, tau: 2 });
    const gap = (times: number[]): number => Math.max(...times.map((t, k) => Math.abs(flow.at(t).loss - slow.loss[k]) / flow.at(0).loss));
    expect(gap(slow.times)).toBeLessThan(1e-2);
    expect(gap(plain.times)).toBeGreaterThan(10 * gap(slow.times));
    expectTypedError(() => gradientDescentFromTask({ ...task, steps: 1, tau: 0 }), InvalidArgumentError, '`tau`');
    expectTypedError(() => simulateGradientDescent({ w1: [[0.1]], w2: [[0.1]], X: [[1, -1]], Y: [[1, -1]], learningRate: 0.1, steps: 1, tau: Number.NaN }), NonFiniteError, '`tau`');
  });

  it('records step 0, every recordEvery steps and always the last step', () => {
    expect(gradientDescentFromTask({ ...task, steps: 10, recordEvery: 3 }).steps).toEqual([0, 3, 6, 9, 10]);
    expect(gradientDescentFromTask({ ...task, steps: 10, recordEvery: 5 }).steps).toEqual([0, 5, 10]);
    expect(gradientDescentFromTask({ ...task, steps: 4, recordEvery: 100 }).steps).toEqual([0, 4]);
    expect(gradientDescentFromTask({ ...task, steps: 3 }).steps).toEqual([0, 1, 2, 3]);
    const none = gradientDescentFromTask({ ...task, steps: 0 });
    expect(none.steps).toEqual([0]);
    expect(none.w1[0].to2DArray()).toEqual(task.w1);
    expect(none.w2[0].to2DArray()).toEqual(task.w2);
  });

  it('times are step·η, and a record equals the state of a shorter run', () => {
    const r = gradientDescentFromTask({ ...task, learningRate: 0.05, steps: 7, recordEvery: 2 });
    expect(r.times).toEqual(r.steps.map((s) => s * 0.05));
    const short = gradientDescentFromTask({ ...task, learningRate: 0.05, steps: 4 });
    expect(r.w1[2].to2DArray()).toEqual(short.w1[4].to2DArray());
    expect(r.w2[2].to2DArray()).toEqual(short.w2[4].to2DArray());
    expect(r.loss[2]).toBe(short.loss[4]);
    expect([r.w1.length, r.w2.length, r.loss.length, r.times.length]).toEqual([5, 5, 5, 5]);
  });
});

describe('gradient descent: input validation', () => {
  const X = [
    [1, 0, -1],
    [0, 1, 1],
  ]; // Ni = 2, P = 3
  const Y = [[1, 2, 3]]; // No = 1
  const ok = { w1: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], w2: [[0.1, 0.2, 0.3]], X, Y, learningRate: 0.1, steps: 5 };

  it('rejects X and Y with different sample counts, and weights that do not fit', () => {
    expectTypedError(() => simulateGradientDescent({ ...ok, Y: [[1, 2]] }), ShapeError, /`Y` must be any×3/, /X, which is 2×3/, /Value: 1×2/);
    expectTypedError(() => simulateGradientDescent({ ...ok, w1: [[1, 2, 3]] }), ShapeError, /`w1` must be any×2.*Value: 1×3/);
    expectTypedError(() => simulateGradientDescent({ ...ok, w2: [[1, 2]] }), ShapeError, /`w2` must be 1×3/, /w1 \(3×2\)/);
    expectTypedError(
      () => gradientDescentFromTask({ w1: ok.w1, w2: ok.w2, sigmaYX: [[1, 2, 3]], learningRate: 0.1, steps: 1 }),
      ShapeError,
      /`sigmaYX`.*Value: 1×3/,
    );
    expectTypedError(
      () => gradientDescentFromTask({ w1: ok.w1, w2: ok.w2, sigmaYX: [[1, 2]], sigmaXX: [[1]], learningRate: 0.1, steps: 1 }),
      ShapeError,
      /`sigmaXX` must be 2×2/,
    );
  });

  it('names data given samples×features as transposed', () => {
    const Xt = X[0].map((_, j) => X.map((row) => row[j])); // 3×2: samples×inputs
    expectTypedError(() => simulateGradientDescent({ ...ok, X: Xt }), ShapeError, /`X` looks transposed: it must be 2×3 \(inputs×samples\)/, /Value: 3×2/);
    expectTypedError(() => simulateGradientDescent({ ...ok, Y: [[1], [2], [3]] }), ShapeError, /`Y` looks transposed: it must be 1×3/);
  });

  it('rejects NaN entries, naming the argument', () => {
    for (const name of ['X', 'Y', 'w1', 'w2'] as const) {
      const bad = { ...ok, [name]: ok[name].map((row, i) => row.map((v, j) => (i === 0 && j === 0 ? NaN : v))) };
      expectTypedError(() => simulateGradientDescent(bad), NonFiniteError, `\`${name}\``);
    }
    expectTypedError(
      () => gradientDescentFromTask({ w1: ok.w1, w2: ok.w2, sigmaYX: [[NaN, 1]], learningRate: 0.1, steps: 1 }),
      NonFiniteError,
      '`sigmaYX`',
    );
  });

  it('rejects bad learning rates, step counts and recording intervals, naming them', () => {
    const cases: Array<[string, unknown, new (...a: never[]) => Error]> = [
      ['learningRate', 0, InvalidArgumentError],
      ['learningRate', -0.1, InvalidArgumentError],
      ['learningRate', NaN, NonFiniteError],
      ['learningRate', Infinity, NonFiniteError],
      ['learningRate', '0.1', InvalidArgumentError],
      ['steps', -1, InvalidArgumentError],
      ['steps', 2.5, InvalidArgumentError],
      ['steps', NaN, NonFiniteError],
      ['steps', undefined, InvalidArgumentError],
      ['recordEvery', 0, InvalidArgumentError],
      ['recordEvery', 1.5, InvalidArgumentError],
      // A run that could never end (η or τ wrong by orders of magnitude upstream), refused up front.
      ['steps', 1e300, InvalidArgumentError],
      ['steps', 1e9 + 1, InvalidArgumentError],
    ];
    for (const [name, value, cls] of cases) {
      for (const run of [
        () => simulateGradientDescent({ ...ok, [name]: value }),
        () => gradientDescentFromTask({ w1: ok.w1, w2: ok.w2, sigmaYX: [[1, 2]], learningRate: 0.1, steps: 5, [name]: value }),
      ]) {
        expectTypedError(run, cls, `\`${name}\``);
      }
    }
  });

  it('refuses to record more than 1e7 states (it ran out of memory), not the steps themselves', () => {
    const e = expectTypedError(() => gradientDescentFromTask({ w1: [[0.1]], w2: [[0.1]], sigmaYX: [[1]], learningRate: 1e-9, steps: 2e7 }), InvalidArgumentError, '`recordEvery`', /20000001 states/);
    expect(e.message).toContain('larger recordEvery');
    const fine = gradientDescentFromTask({ w1: [[0.1]], w2: [[0.1]], sigmaYX: [[1]], learningRate: 1e-9, steps: 2e5, recordEvery: 1e5 });
    expect(fine.steps).toEqual([0, 1e5, 2e5]);
  });

  it('reports divergence with the step at which it happened', () => {
    // Scalar network at a = 1 = σ, curvature of the loss ≈ 2(w1² + w2²) = 4: η = 10 is far
    // beyond the stability limit ≈ 2/4, so the weights overflow within a few steps.
    const e = expectTypedError(
      () => gradientDescentFromTask({ w1: [[1]], w2: [[1]], sigmaYX: [[2]], learningRate: 10, steps: 100 }),
      DivergenceError,
      /diverged.*at step \d+ of 100/,
      /`learningRate`/,
    );
    expect(e.argument).toBe('learningRate');
    expect(e instanceof ExactDlnError).toBe(true);
    // The step it carries is the first whose weights are non-finite: the run one step
    // shorter still finishes.
    expect(e.steps).toBe(100);
    expect(e.learningRate).toBe(10);
    expect(e.message).toContain(`at step ${e.step} of 100`);
    const before = gradientDescentFromTask({ w1: [[1]], w2: [[1]], sigmaYX: [[2]], learningRate: 10, steps: e.step - 1 });
    const last = [...before.w1.at(-1)!.to1DArray(), ...before.w2.at(-1)!.to1DArray()];
    expect(last.every(Number.isFinite)).toBe(true);
    expectTypedError(() => simulateGradientDescent({ ...ok, learningRate: 50, steps: 100 }), DivergenceError, /simulateGradientDescent diverged/);
  });

  it('never mutates its inputs', () => {
    const rng = createRng(151);
    const Xm = gaussianMatrix(2, 6, rng);
    const Ym = gaussianMatrix(3, 6, rng);
    const w1m = gaussianMatrix(2, 2, rng);
    const w2a = gaussianMatrix(3, 2, rng).to2DArray();
    const snapshot = () => JSON.stringify([Xm.to2DArray(), Ym.to2DArray(), w1m.to2DArray(), w2a]);
    const before = snapshot();
    simulateGradientDescent({ w1: w1m, w2: w2a, X: Xm, Y: Ym, learningRate: 0.01, steps: 20, recordEvery: 7 });
    gradientDescentFromTask({ w1: w1m, w2: w2a, sigmaYX: Ym.mmul(Xm.transpose()), sigmaXX: Xm.mmul(Xm.transpose()), learningRate: 0.01, steps: 20 });
    expect(snapshot()).toBe(before);
  });
});

describe('firstLossRise (the CLI and explorer warning)', () => {
  it('finds a real rise, and ignores the rounding jitter of a converged run', () => {
    expect(firstLossRise([1, 0.5, 0.6, 0.2])).toBe(2);
    expect(firstLossRise([1, 0.5, 0.25, 0.125])).toBe(-1);
    expect(firstLossRise([1, 1e-3, 6.04e-31, 6.37e-31, 5e-31])).toBe(-1); // converged: jitter near 1e-31
    // A real run at η = 0.1 well past convergence (1×1×1, σ = 1): no rise is reported.
    const run = gradientDescentFromTask({ w1: [[0.1]], w2: [[0.1]], sigmaYX: [[1]], learningRate: 0.1, steps: 3000, recordEvery: 7 });
    expect(Math.min(...run.loss)).toBeLessThan(1e-25);
    expect(firstLossRise(run.loss)).toBe(-1);
    // η = 1.2 at σ = 1: past the stability limit 1/σ, the loss oscillates.
    const unstable = gradientDescentFromTask({ w1: [[0.5]], w2: [[0.5]], sigmaYX: [[1]], learningRate: 1.2, steps: 50, recordEvery: 1 });
    expect(firstLossRise(unstable.loss)).toBeGreaterThan(0);
  });
});
