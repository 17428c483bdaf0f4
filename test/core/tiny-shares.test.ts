/**
 * A hidden layer that holds a mode only by a tiny share η while another mode of the same
 * growth rate (a repeated singular value) is held fully. The graded orthogonalisation may take
 * rows of one rate in any order; taking the tiny one first made two pivot columns of L nearly
 * parallel, the Gram matrix S = Ê⁻² + BᵀB ill-conditioned by 1/η² after any scaling, and its
 * Cholesky factor lost that many digits: converged loss 0.06 for 0 at η = 1e-8 (a review's
 * case: 3×2×3, Σyx = diag(1, 1, 0), λ = −3, weights aligned to a slightly perturbed
 * diag(1, 2, 3)). Rows of one rate are now taken by largest residual (Gram–Schmidt with
 * pivoting), which also covers a run of equal rates whose rows are nearly dependent.
 *
 * Reference: MATH.md §4's plain formula in decimal arithmetic (test/helpers/precise-riccati.ts)
 * and MATH.md §5: a rank-2 task with Nh = 2 and a generic start converges to loss 0.
 */
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { createRng, randomOrthogonal } from '../../src/random.js';
import { kernelDistanceTrajectory } from '../../src/analysis/kernel-distance-trajectory.js';
import { integrateGradientFlow } from '../../src/simulation/gradient-flow.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { relErr } from '../helpers/oracles.js';
import { preciseP } from '../helpers/precise-riccati.js';

/** The n×n rotation by `angle` in the (p, q) plane. */
function turn(n: number, p: number, q: number, angle: number): Matrix {
  const r = Matrix.eye(n);
  r.set(p, p, Math.cos(angle));
  r.set(q, q, Math.cos(angle));
  r.set(p, q, -Math.sin(angle));
  r.set(q, p, Math.sin(angle));
  return r;
}

describe('a mode held by a tiny share next to a fully held mode of the same rate', () => {
  for (const lambda of [-3, 0.5, 4]) {
    it(`λ = ${lambda}, 3×2×3, Σyx = diag(1, 1, 0), shares η = 1e-4, 1e-6, 1e-8: P(t) to 1e-12 of the decimal oracle up to t = 100τ, converged loss 0`, () => {
      for (const eta of [1e-4, 1e-6, 1e-8]) {
        // Aligned to diag(1, 2, 3) perturbed by η: the hidden layer holds e₃ (σ = 0) and e₂
        // (σ = 1) and, through the perturbation, e₁ (σ = 1, the same rate as e₂) by ≈ η.
        const alignTo = [[1, eta, eta], [-eta, 2, 0], [eta, 0, 3]];
        const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 2, outputDim: 3, lambda, scale: 1, seed: 1, alignTo });
        const sigma = [1, 1, 0];
        const dyn = exactDynamics({ w1, w2, sigmaYX: [[1, 0, 0], [0, 1, 0], [0, 0, 0]] });
        for (const t of [1, 10, 30, 100]) {
          // The closed form's rounding: a few hundred ε (see large-lambda-selection.test.ts).
          expect(relErr(dyn.at(t).qqt, preciseP(w1, w2, sigma, dyn.lambda, t)), `η = ${eta}, t = ${t}`).toBeLessThan(1e-12);
        }
        // Both σ = 1 modes are learned in the end (the tiny share is far above the saddle
        // threshold 1e-12·‖Q(0)‖): loss 0 up to rounding of ½‖Σyx‖² = 1.
        expect(dyn.converged().loss, `η = ${eta}`).toBeLessThan(1e-20);
      }
    });
  }
});

describe('a run of equal rates whose rows are nearly dependent (a review’s case: four equal modes at λ = 0, one near its saddle)', () => {
  it('4×4×5, Σyx = [I₄; 0], λ = 0, permuted and slightly rotated layers: P(t) through the escape to 1e-9 of the decimal oracle, converged loss 0', () => {
    // W1 = C·Vᵀ, W2 = U·C: U, V permutations, V turned by 1e-3 and 1e-7 in two planes. One of
    // the four σ = 1 modes is held ≈ 1e-7 of the others: it escapes its plateau (loss 1) at
    // t ≈ ln(1e7) ≈ 16. Taken in the given order the rows left S ill-conditioned by ≈ 1e14:
    // 8e-2 off at t = 20 and converged loss 3e-4.
    const a = [3.0683562275022265, 1.3880668931175024, 1.3743249298073352, 1.0583630268462003];
    const u = Matrix.zeros(5, 4);
    for (const [i, j] of [[3, 0], [1, 1], [0, 2], [2, 3]]) u.set(i, j, 1);
    let v = Matrix.zeros(4, 4);
    for (const [i, j] of [[2, 0], [0, 1], [1, 2], [3, 3]]) v.set(i, j, 1);
    v = v.mmul(turn(4, 2, 1, 1e-3)).mmul(turn(4, 2, 3, 1e-7));
    const c = Matrix.diag(a.map(Math.sqrt));
    const w1 = c.mmul(v.transpose());
    const w2 = u.mmul(c);
    const sigmaYX = Matrix.zeros(5, 4);
    for (let i = 0; i < 4; i++) sigmaYX.set(i, i, 1);
    const dyn = exactDynamics({ w1, w2, sigmaYX });
    for (const t of [5, 12, 15, 20, 50]) {
      // Near the escape the state moves with the share's relative rounding, ε·‖Q(0)‖/1e-7 ≈ 1e-9.
      expect(relErr(dyn.at(t).qqt, preciseP(w1, w2, [1, 1, 1, 1], dyn.lambda, t)), `t = ${t}`).toBeLessThan(1e-9);
    }
    expect(dyn.converged().loss).toBeLessThan(1e-20);
  });
});

describe('a tiny share on a faster mode ahead of a large share of a slower one (their order is fixed by the rates)', () => {
  // 3×2×3, σ = (1, 0.8, 0.3): the hidden layer holds the σ = 0.8 and 0.3 modes and the
  // fastest, σ = 1, only by ≈ η, which takes over from σ = 0.3 at s ≈ ln(1/η)/(κ₁ − κ₃). The
  // graded orthogonalisation in rate order takes the tiny row first (it grows fastest), and
  // the large row of σ = 0.8 then leaves the first two columns of L̂ nearly parallel around
  // the takeover: S = Ê⁻² + BᵀB is ill-conditioned by ≈ (a·e^{−(κ₁−κ₂)s}/η)², and its
  // Cholesky factor lost digits (1.0–12 times the sensitivity below). Where the pivots cancel
  // more than 1e4 of S's diagonal the rows are now taken in the order of their size at t
  // (docs/MATH.md, addendum). The bound proved here: the error stays within a small factor of
  // what the problem itself does under perturbations of the weights by ε·‖W‖ (the rounding of
  // any rotation into F's eigenbasis in double precision; measured 0.5–2.0×, bound 10× for the
  // sampling of that sensitivity), and it returns to rounding once the takeover is over.
  const sigma = [1, 0.8, 0.3];
  const epsilon = 2 ** -52;
  for (const lambda of [0.5, -0.5, 3]) {
    it(`λ = ${lambda}, η = 1e-6 and 1e-8, aligned and in a rotated frame: within 10× of the problem’s sensitivity, rounding after the takeover`, () => {
      for (const eta of [1e-6, 1e-8]) {
        const alignTo = [[1, eta, eta], [-eta, 2, 0], [eta, 0, 3]];
        const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 2, outputDim: 3, lambda, scale: 1, seed: 1, alignTo });
        const rng = createRng(11);
        const u = randomOrthogonal(3, rng);
        const v = randomOrthogonal(3, rng);
        const rotation = Matrix.zeros(6, 6);
        rotation.setSubMatrix(v, 0, 0);
        rotation.setSubMatrix(u, 3, 3);
        const aligned = exactDynamics({ w1, w2, sigmaYX: Matrix.diag(sigma) });
        const rotated = exactDynamics({ w1: w1.mmul(v.transpose()), w2: u.mmul(w2), sigmaYX: u.mmul(Matrix.diag(sigma)).mmul(v.transpose()) });
        const perturbed = (w: Matrix): Matrix => {
          const size = epsilon * w.norm();
          return new Matrix(w.to2DArray().map((row) => row.map((x) => x + size * (2 * rng.uniform() - 1))));
        };
        const takeover = Math.log(1 / eta) / (Math.hypot(1, lambda / 2) - Math.hypot(0.3, lambda / 2));
        let worstError = 0;
        let worstSensitivity = 0;
        for (const f of [0.5, 0.8, 0.9, 1, 1.1, 1.2, 1.5, 2, 3]) {
          const t = f * takeover;
          const exact = preciseP(w1, w2, sigma, aligned.lambda, t);
          const error = Math.max(relErr(aligned.at(t).qqt, exact), relErr(rotation.transpose().mmul(rotated.at(t).qqt).mmul(rotation), exact));
          for (let k = 0; k < 4; k++) worstSensitivity = Math.max(worstSensitivity, relErr(preciseP(perturbed(w1), perturbed(w2), sigma, aligned.lambda, t), exact));
          worstError = Math.max(worstError, error);
          // Long after the takeover the state is the converged one again, to rounding.
          if (f === 3) expect(error, `η = ${eta}, t = ${t}`).toBeLessThan(1e-14);
        }
        expect(worstError, `η = ${eta}`).toBeLessThan(10 * worstSensitivity);
      }
    });
  }
});

describe('a tiny share on the fastest mode next to a large share of a slower mode of close rate (a review’s cases)', () => {
  // Unit 1 holds the σ = 1.99 mode fully and, with unit 2, the σ = 2 mode by ±η. In rate order
  // the tiny row is the first pivot and the large row projects on it at O(1): two columns of
  // L̂ parallel to within η·e^{0.01·s}, S's Cholesky pivots cancelling up to 1e15 of its
  // diagonal — P(t) 7e-2 off at λ = 0 (the loss stuck at 0.0197 for 0), or "lost positive
  // definiteness" at λ = 0.5 from t = 20, until s ≈ ln(1/η)/0.01. Beyond a cancellation of
  // 1e4 the pivot rows are now taken in the order of their size at t.
  const eta = 1e-8;
  const a = new Matrix([[eta, 1], [-eta, 0]]);
  const b = new Matrix([[1e-10, 0, 1], [-1e-10, 1, 0]]);
  const cases = [
    { name: '2×2×2, λ = 0, σ = (2, 1.99), η = 1e-8', w1: a, w2: a.transpose(), sigma: [2, 1.99], times: [5, 10, 15, 20, 30, 100, 1000, 3000] },
    { name: '3×2×3, λ = 0.5, σ = (2, 1.99, 1), η = 1e-10', w1: b, w2: b.transpose().mul(Math.sqrt(1.5)), sigma: [2, 1.99, 1], times: [5, 10, 12, 15, 20, 30, 100] },
  ];
  for (const c of cases) {
    it(`${c.name}: P(t) to 1e-12 of the decimal oracle at every time, the loss never rising, the curves equal to at(t)`, () => {
      const dyn = exactDynamics({ w1: c.w1, w2: c.w2, sigmaYX: Matrix.diag(c.sigma) });
      let previous = Infinity;
      for (const t of c.times) {
        const exact = preciseP(c.w1, c.w2, c.sigma, dyn.lambda, t);
        const snap = dyn.at(t);
        // The rounding of the closed form, a few hundred ε (measured ≤ 1.7e-13; the same bound
        // as the tests above).
        expect(relErr(snap.qqt, exact), `t = ${t}`).toBeLessThan(1e-12);
        // (Once learned, the loss is rounding of ½‖Σyx‖², ≈ 1e-31, in any order.)
        expect(snap.loss, `t = ${t}`).toBeLessThanOrEqual(previous * (1 + 1e-12) + 1e-28);
        previous = snap.loss;
      }
      const curve = dyn.lossCurve(c.times);
      c.times.forEach((t, k) => expect(Math.abs(curve[k] - dyn.at(t).loss)).toBeLessThanOrEqual(1e-14 * dyn.at(0).loss));
    });
  }

  it('4×3×4, λ = 0, σ = (2, 1.99, 1.5, 1), a hidden rotation: a row exactly in the span of its pivots keeps exact zeros on later ones (a review: rounding times e^{(γ_i − g_j)s} ≈ 1e85 made the reordered S fail at t = 400 … 1200)', () => {
    const rotation = turn(3, 0, 1, 0.3).mmul(turn(3, 1, 2, 0.7)).mmul(turn(3, 0, 2, 1.1));
    const aligned = new Matrix([[1e-8, 1, 0, 0], [-1e-8, 0, 0, 0], [0, 0, 1, 0]]);
    const w1 = rotation.mmul(aligned);
    const w2 = aligned.transpose().mmul(rotation.transpose());
    const sigma = [2, 1.99, 1.5, 1];
    const dyn = exactDynamics({ w1, w2, sigmaYX: Matrix.diag(sigma) });
    const times = [20, 50, 100, 200, 400, 800, 1200, 1600, 2000, 3000];
    for (const t of times) expect(relErr(dyn.at(t).qqt, preciseP(w1, w2, sigma, dyn.lambda, t)), `t = ${t}`).toBeLessThan(1e-12);
    // Nh = 3 of four modes: the σ = 1 mode stays unlearned, loss ½·1².
    const curve = dyn.lossCurve(times);
    expect(Math.abs(curve[times.length - 1] - 0.5)).toBeLessThan(1e-12);
  });

  it('the same network with four input directions Σyx does not reach (7×2×3): the summaries and kernel distances of the compressed wide path agree with the oracle and with RK4', () => {
    // b padded with zero columns: a wide network whose summaries and kernel distances take
    // the left-over directions apart (and compress them: 4 > Nh = 2).
    const w1 = new Matrix(b.to2DArray().map((row) => [...row, 0, 0, 0, 0]));
    const w2 = b.transpose().mul(Math.sqrt(1.5));
    const sigmaYX = Matrix.zeros(3, 7);
    [2, 1.99, 1].forEach((sg, k) => sigmaYX.set(k, k, sg));
    const dyn = exactDynamics({ w1, w2, sigmaYX });
    const times = [5, 12, 15, 20, 30];
    const { loss } = dyn.summaries(times);
    times.forEach((t, k) => {
      const exact = preciseP(w1, w2, [2, 1.99, 1], dyn.lambda, t);
      const product = exact.subMatrix(7, 9, 0, 6);
      const exactLoss = 0.5 * sigmaYX.clone().sub(product).norm() ** 2;
      expect(Math.abs(loss[k] - exactLoss), `t = ${t}`).toBeLessThan(1e-12 * Math.max(exactLoss, 1e-3));
    });
    // The kernel distance from t = 0 along the exact dynamics (compressed) and along weights
    // integrated by RK4 (explicit kernels): the RK4 tolerance, 1e-9 relative, on the weights.
    const exactDistance = kernelDistanceTrajectory(dyn, times).distance;
    const run = integrateGradientFlow({ w1, w2, sigmaYX, times: [0, ...times], maxStep: 2e-3 });
    const simulated = kernelDistanceTrajectory(run).distance.slice(1);
    times.forEach((t, k) => expect(Math.abs(exactDistance[k] - simulated[k]), `t = ${t}`).toBeLessThan(1e-7));
  });
});
