/**
 * Growth rates of distinct singular values at |λ| ≫ σ: κ = √(σ² + λ²/4) differs from the
 * left-over directions' |λ|/2, and from the rate of another singular value, by only
 * ≈ Δσ²/|λ|, far below the rounding of κ itself (ε·|λ|/2) from |λ| ≈ 1e8·√Δσ² on. A network
 * whose hidden layer is narrower than the large side chooses between such rates over a time
 * ≈ |λ|/Δσ². The spectrum used to merge them (a 1×1×2 network at λ = 1e7 stayed at loss
 * 1.25e-2 for ever); then, with rates formed as γ, the choice came out with a relative error
 * ≈ ε·λ²/Δσ² (1e-9 at λ = 1e4, 1e-3 at λ = 1e7) and beyond λ ≈ 1e8 could not be made at all
 * (refused). The evaluator now forms rate differences as (σ_a − σ_b)(σ_a + σ_b)/(κ_a + κ_b).
 *
 * References: a 120-digit evaluation of MATH.md §4's plain formula (test/helpers/precise-riccati.ts,
 * which shares nothing with the evaluator), and MATH.md §5: the converged state of a
 * bottlenecked network is the rank-Nh truncated SVD of Σyx.
 */
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { convergedRepresentations } from '../../src/analysis/converged-representations.js';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { ExactDlnError, InvalidArgumentError } from '../../src/errors.js';
import { thrown } from '../helpers/errors.js';
import { relErr } from '../helpers/oracles.js';
import { preciseP } from '../helpers/precise-riccati.js';

/** Σyx (No×Ni) with σ_α at (α, α). */
function diagonalTask(no: number, ni: number, sigma: number[]): Matrix {
  const m = new Matrix(no, ni);
  sigma.forEach((v, a) => m.set(a, a, v));
  return m;
}

/** The three blocks of P: W1ᵀW1 (Ni×Ni), W2W1 (No×Ni), W2W2ᵀ (No×No). */
function blocks(p: Matrix, ni: number): Matrix[] {
  const n = p.rows;
  return [p.subMatrix(0, ni - 1, 0, ni - 1), p.subMatrix(ni, n - 1, 0, ni - 1), p.subMatrix(ni, n - 1, ni, n - 1)];
}

describe('distinct singular values stay distinct at large |λ| (rates merged only for repeated σ)', () => {
  for (const lambda of [1e7, 5e7, 1e9, 1e12, -1e7, -5e7, -1e9, -1e12]) {
    it(`λ = ${lambda}: the task's direction wins (loss → 0 at t = ∞ and by t = 40·|λ|/σ²), though it never does within the lazy time 10/|λ|`, () => {
      // λ > 0: 1×1×2, the output side has a left-over direction; λ < 0: 2×1×1, the mirror.
      const [ni, no] = lambda > 0 ? [1, 2] : [2, 1];
      const sigmaYX = lambda > 0 ? [[1], [0]] : [[1, 0]];
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: 1, outputDim: no, lambda, scale: 0.5, seed: 3 });
      const dyn = exactDynamics({ w1, w2, sigmaYX });
      const lazy = dyn.at(10 / Math.abs(lambda)).loss;
      expect(lazy).toBeGreaterThan(1e-3); // the part of the task outside the hidden layer's initial reach
      // The slow rotation's rate is 2·σ²/(κ + |λ|/2) ≈ 2/|λ|: e^{−80} ≈ 2e-35 of the loss left at 40·|λ|.
      expect(dyn.at(40 * Math.abs(lambda)).loss).toBeLessThan(1e-12);
      expect(dyn.summaries([40 * Math.abs(lambda)]).loss[0]).toBeLessThan(1e-12);
      expect(dyn.converged().loss).toBeLessThan(1e-20);
    });
  }
});

describe('the slow choice against a 120-digit evaluation of the closed form (non-spanning hidden layers)', () => {
  // (Ni, Nh, No) for λ > 0; the mirror (No, Nh, Ni) with Σyxᵀ for λ < 0. Nh is below the
  // large side, so the hidden layer chooses among task modes and left-over directions.
  const shapes: [number, number, number, number[]][] = [
    [1, 1, 2, [1]],
    [2, 1, 3, [1, 0.5]],
    [2, 2, 3, [1, 0.5]],
    [3, 2, 4, [1, 0.6, 0.3]],
    [2, 1, 5, [1, 0.5]], // more left-over directions than hidden units: the compressed summaries
  ];
  for (const magnitude of [1e5, 1e7, 1e10, 1e13]) {
    for (const sign of [1, -1]) {
      const lambda = sign * magnitude;
      it(`λ = ${lambda}: W1ᵀW1, W2W1, W2W2ᵀ and the loss from the lazy phase to the end of the choice, to 1e-12`, () => {
        for (const [a, nh, b, sigma] of shapes) {
          const [ni, no] = sign > 0 ? [a, b] : [b, a];
          const sigmaYX = diagonalTask(no, ni, sigma);
          const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda, scale: 0.5, seed: 7 + ni + nh });
          const dyn = exactDynamics({ w1, w2, sigmaYX });
          const smallest = sigma[sigma.length - 1];
          // The lazy phase (10/|λ|), and the choice: the slowest gap is ≈ σ_min²/|λ| (to a
          // left-over direction), so |λ|/σ_min² is its time scale; at 100 of it e^{−200} is left.
          const times = [10 / magnitude, ...[0.1, 0.3, 1, 3, 10, 100].map((k) => (k * magnitude) / smallest ** 2)];
          const losses = dyn.summaries(times).loss;
          times.forEach((s, k) => {
            const want = preciseP(w1, w2, sigma, dyn.lambda, s);
            const got = dyn.at(s).qqt;
            const where = `${ni}×${nh}×${no} at t/τ = ${s}`;
            const [gotA, gotY, gotR] = blocks(got, ni);
            const [wantA, wantY, wantR] = blocks(want, ni);
            // The evaluator's rounding: a few hundred ε (exponentials of up to 600 ε·γs, a
            // triangular solve); each block against its own size (W1ᵀW1 is ≈ σ²/|λ|, W2W2ᵀ ≈ |λ|).
            expect(relErr(gotA, wantA), `W1ᵀW1, ${where}`).toBeLessThan(1e-12);
            expect(relErr(gotY, wantY), `W2W1, ${where}`).toBeLessThan(1e-12);
            expect(relErr(gotR, wantR), `W2W2ᵀ, ${where}`).toBeLessThan(1e-12);
            const wantLoss = 0.5 * sigmaYX.clone().sub(wantY).norm('frobenius') ** 2;
            expect(Math.abs(losses[k] - wantLoss), `loss, ${where}`).toBeLessThan(1e-12 * sigma[0] ** 2);
          });
        }
      });
    }
  }
});

describe('nearly repeated singular values: the slow choice between them at any λ, against the decimal oracle', () => {
  // Rates of σ and σ(1 − g) differ by ≈ g·σ²/κ; formed from the rates (or from their offsets
  // σ²/(κ + |λ|/2) from |λ|/2) that gap carried their rounding, ε·κ: relative errors ≈ ε/g in the choice
  // (old code: 3e-7 at λ = 3, g = 1e-9; 4e-2 at λ = 1e3). Gaps are now (σ_a − σ_b)(σ_a + σ_b)/(κ_a + κ_b).
  for (const lambda of [0.3, 3, 1e3, 1e7, -1e-3, -1e10]) {
    it(`λ = ${lambda}: relative gaps 1e-6, 1e-9 and 1e-11 (not merged: above 1e-12) followed to 10/gap, to 1e-12`, () => {
      for (const g of [1e-6, 1e-9, 1e-11]) {
        const sigma = [0.6147579770302399, 0.6147579770302399 * (1 - g)];
        const [ni, no] = lambda > 0 ? [2, 3] : [3, 2];
        const sigmaYX = diagonalTask(no, ni, sigma);
        const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: 1, outputDim: no, lambda, scale: 0.3, seed: 1 });
        const dyn = exactDynamics({ w1, w2, sigmaYX });
        const gap = (sigma[0] ** 2 - sigma[1] ** 2) / (Math.hypot(sigma[0], lambda / 2) + Math.hypot(sigma[1], lambda / 2));
        for (const k of [0.3, 1, 3, 10]) {
          const s = k / gap;
          const got = blocks(dyn.at(s).qqt, ni);
          const want = blocks(preciseP(w1, w2, sigma, dyn.lambda, s), ni);
          got.forEach((block, b) => expect(relErr(block, want[b]), `g = ${g}, t/τ = ${s}, block ${b}`).toBeLessThan(1e-12));
        }
      }
    });
  }
});

describe('converged states at large |λ| are the truncated SVD (MATH.md §5)', () => {
  for (const lambda of [1e9, 1e12, -1e9, -1e12]) {
    it(`λ = ${lambda}: exactDynamics(…).converged() and convergedRepresentations agree, and keep the Nh strongest modes`, () => {
      const [ni, no] = lambda > 0 ? [3, 4] : [4, 3];
      const sigma = [1, 0.6, 0.3];
      const sigmaYX = diagonalTask(no, ni, sigma);
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: 2, outputDim: no, lambda, scale: 0.5, seed: 11 });
      const dyn = exactDynamics({ w1, w2, sigmaYX });
      const limit = dyn.converged();
      // The rank-2 truncation of diag(1, 0.6, 0.3): the loss is σ₃²/2 = 0.045.
      expect(Math.abs(limit.loss - 0.3 ** 2 / 2)).toBeLessThan(1e-12);
      // convergedRepresentations used to call the three rates one (they agree to 1e-12·|λ|)
      // and refuse: "not determined by sigmaYX, lambda and hiddenDim alone".
      const closed = convergedRepresentations({ sigmaYX, lambda: dyn.lambda, hiddenDim: 2 });
      expect(relErr(limit.w2w1, closed.w2w1)).toBeLessThan(1e-12);
      expect(relErr(limit.w1tw1, closed.w1tw1)).toBeLessThan(1e-12);
      expect(relErr(limit.w2w2t, closed.w2w2t)).toBeLessThan(1e-12);
    });
  }
});

describe('convergedRepresentations at large |λ| refuses only true ties, and names them', () => {
  it('λ = 1e9, σ = (1, 1, 0.5) on a 4×3 task: Nh = 1 splits the repeated σ = 1 (refused as such); Nh = 3 keeps (1, 1, 0.5) over the left-over direction', () => {
    const sigmaYX = [[1, 0, 0], [0, 1, 0], [0, 0, 0.5], [0, 0, 0]];
    const error = thrown(() => convergedRepresentations({ sigmaYX, lambda: 1e9, hiddenDim: 1 }));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    // (It said "directions outside the task's output space": every rate there rounds to |λ|/2.)
    expect(error.message).toMatch(/keeps only 1 of 2 directions .*a repeated singular value of sigmaYX at the bottleneck/);
    const kept = convergedRepresentations({ sigmaYX, lambda: 1e9, hiddenDim: 3 });
    // W2W1 → the task itself (rank 3 ≤ Nh), and W2W2ᵀ holds no |λ| along the left-over ũ₄.
    expect(relErr(kept.w2w1, new Matrix(sigmaYX))).toBeLessThan(1e-15);
    expect(Math.abs(kept.w2w2t.get(3, 3))).toBe(0);
  });
});

describe('beyond double precision the slow choice is refused, not returned frozen', () => {
  it('σ²/|λ| ≈ 1e-320 (σ = 1e-160 at λ = 1, σ = 1e-60 at λ = 1e200): converged() throws a typed error; every finite time still evaluates', () => {
    for (const [sigma, lambda] of [[1e-160, 1], [1e-60, 1e200]]) {
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: 1, hiddenDim: 1, outputDim: 2, lambda, scale: 0.5, seed: 3 });
      const dyn = exactDynamics({ w1, w2, sigmaYX: [[sigma], [0]] });
      const error = thrown(() => dyn.converged());
      expect(error).toBeInstanceOf(ExactDlnError);
      expect(error.message).toMatch(/σ = 1\.00000e-\d+ and a direction Σyx does not use/);
      expect(error.message).toMatch(/below 5\.6e-309.*subnormal/);
      expect(error.message).toMatch(/docs\/model\.md/);
      // The gap ≈ σ²/|λ| ≈ 1e-320 is so small that the choice does not start within
      // any finite time a double can hold: there the network keeps its initial mixture, exactly.
      // (From t/τ = 1e3 on, far past the fast phase of rate |λ|/2 ≥ 0.5, nothing moves: gap·t ≤ 2e-12.)
      // (Entrywise, against the largest entry: ‖·‖_F would square entries of 1e200.)
      const late = dyn.at(Number.MAX_VALUE).qqt.to1DArray();
      const early = dyn.at(1e3).qqt.to1DArray();
      const size = Math.max(...early.map(Math.abs));
      expect(Math.max(...late.map((v, k) => Math.abs(v - early[k]))) / size).toBeLessThan(1e-11);
    }
  });

  it('a subnormal gap above 5.6e-309 is still followed: σ = 1e-154 at λ = 1 (gap 1e-308) to t/τ = 1e307, against the decimal oracle', () => {
    const sigma = 1e-154;
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 1, hiddenDim: 1, outputDim: 2, lambda: 1, scale: 0.5, seed: 3 });
    const dyn = exactDynamics({ w1, w2, sigmaYX: [[sigma], [0]] });
    // The choice moves by 2·gap·t: 2e-5, 2e-3, 0.2 of its way. Each block against its largest
    // entry (‖·‖_F would square entries of 1e-154 into subnormal numbers).
    for (const s of [1e303, 1e305, 1e307]) {
      const got = blocks(dyn.at(s).qqt, 1);
      const want = blocks(preciseP(w1, w2, [sigma], dyn.lambda, s), 1);
      got.forEach((g, k) => {
        const w = want[k].to1DArray();
        const size = Math.max(...w.map(Math.abs));
        const worst = Math.max(...g.to1DArray().map((v, i) => Math.abs(v - w[i])));
        expect(worst / size, `block ${k} at t/τ = ${s}`).toBeLessThan(1e-12);
      });
    }
    // The converged state chooses σ: W2W1 → Σyx.
    expect(Math.abs(dyn.converged().w2w1.get(0, 0) - sigma) / sigma).toBeLessThan(1e-12);
  });

  it('a hidden layer that spans the large side has no choice to make: 3×3×3 at λ = ±1e12 with distinct σ converges to loss 0', () => {
    for (const lambda of [1e12, -1e12]) {
      const sigmaYX = [[3, 0, 0], [0, 2, 0], [0, 0, 1]];
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda, scale: 0.5, seed: 4 });
      expect(exactDynamics({ w1, w2, sigmaYX }).converged().loss, `λ = ${lambda}`).toBeLessThan(1e-20);
    }
  });
});

describe('an aligned start has no choice to make either (a review found it refused: its other modes had rounding-level shares)', () => {
  for (const lambda of [1e9, 1e12, -1e9]) {
    it(`λ = ${lambda}, a non-diagonal 3×2 task, one hidden unit on its stronger mode: converged and late losses are σ₂²/2 (the truncated SVD)`, () => {
      const base = [[0.6, 0.8], [-0.8, 0.6], [0.3, 0.1]];
      const sigmaYX = lambda > 0 ? base : [[0.6, -0.8, 0.3], [0.8, 0.6, 0.1]];
      const [ni, no] = lambda > 0 ? [2, 3] : [3, 2];
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: ni, hiddenDim: 1, outputDim: no, lambda, scale: 0.5, seed: 5, alignTo: sigmaYX });
      const dyn = exactDynamics({ w1, w2, sigmaYX });
      // σ₂ of [[0.6, 0.8], [−0.8, 0.6], [0.3, 0.1]]: ΣᵀΣ = [[1.09, 0.03], [0.03, 1.01]], eigenvalues 1.05 ± √(0.04² + 0.03²) = 1.05 ± 0.05.
      const lost = 1.0 / 2;
      expect(Math.abs(dyn.converged().loss - lost)).toBeLessThan(1e-12);
      expect(Math.abs(dyn.at(1e4).loss - lost)).toBeLessThan(1e-12);
    });
  }
});
