/**
 * Reversal learning (MATH.md §8): reversedTask, the λ = 0 saddle, escape for every λ ≠ 0,
 * faster with larger |λ|, closed form vs RK4; and the determinant-sign saddle that
 * generalises it for square networks at λ = 0.
 */
import { determinant, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  exactDynamics,
  integrateGradientFlow,
  InvalidArgumentError,
  lambdaBalancedWeights,
  learningTime,
  NotWhitenedError,
  randomTask,
  type Task,
} from '../../src/index.js';
import { firstCrossing } from '../../src/applications/crossing-time.js';
import { reversedTask } from '../../src/applications/reversed-task.js';
import { trainSequence } from '../../src/applications/task-sequence.js';
import { fullSvd } from '../../src/core/svd.js';

/** Σyx = Ũ diag(3, 2, 1) Ṽᵀ with random singular vectors (3×3). */
const base = randomTask({ inputDim: 3, outputDim: 3, samples: 9, seed: 4 }).sigmaYX;
const { u, v } = fullSvd(base);
const sigmaYX = u.mmul(Matrix.diag([3, 2, 1])).mmul(v.transpose());
const a0 = [-2.5, -1.5, -0.5];

/** Exact dynamics from the aligned init whose product is Ũ diag(a0) Ṽᵀ (pointing against the task). */
function reversed(lambda: number) {
  const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda, seed: 1, alignTo: sigmaYX, productSingularValues: a0 });
  return { w1, w2, dyn: exactDynamics({ w1, w2, sigmaYX }) };
}

/** Mode strengths a_α(t) = diag(Ũᵀ W2W1 Ṽ) in the dynamics' own basis. */
function strengths(dyn: ReturnType<typeof reversed>['dyn'], t: number): number[] {
  const m = dyn.at(t).singularProduct;
  return [0, 1, 2].map((i) => m.get(i, i));
}

/** Time for mode α to reach 90 % of σ_α, by scan + bisection on the closed form. */
function timeTo90(dyn: ReturnType<typeof reversed>['dyn'], alpha: number, horizon = 100): number {
  return firstCrossing((t) => strengths(dyn, t)[alpha] >= 0.9 * dyn.sigma[alpha], horizon);
}

describe('reversal learning from an aligned initialisation pointing against the task', () => {
  it('reproduces MATH.md §8 at t = 2τ: λ = 0 → (−0.000, −0.0003, −0.006), λ = ±0.5 → (2.995, 1.932, 0.724)', () => {
    expect(strengths(reversed(0).dyn, 2).map((x) => Number(x.toFixed(4)))).toEqual([-0, -0.0003, -0.0061]);
    for (const lambda of [0.5, -0.5]) {
      expect(strengths(reversed(lambda).dyn, 2).map((x) => Number(x.toFixed(3)))).toEqual([2.995, 1.932, 0.724]);
    }
  });

  it('λ = 0 stays on the saddle: strengths shrink to exactly 0 and stay there (t = 1e3, 1e6)', () => {
    const { dyn } = reversed(0);
    const early = strengths(dyn, 1);
    early.forEach((a, i) => {
      expect(a).toBeLessThan(0);
      expect(Math.abs(a)).toBeLessThan(Math.abs(a0[i]));
    });
    expect(strengths(dyn, 1e3)).toEqual([0, 0, 0]);
    expect(strengths(dyn, 1e6)).toEqual([0, 0, 0]);
    expect(dyn.at(1e6).loss).toBeCloseTo(0.5 * (9 + 4 + 1), 12);
    for (let alpha = 0; alpha < 3; alpha++) expect(timeTo90(dyn, alpha)).toBe(Infinity);
  });

  const lambdas = [0.01, 0.1, 1, 5];
  it('every λ ≠ 0 reaches the task, and the time to 90 % of each mode falls as |λ| grows (both signs)', () => {
    const times: number[][] = [];
    for (const magnitude of lambdas) {
      const plus = reversed(magnitude).dyn;
      const minus = reversed(-magnitude).dyn;
      for (const dyn of [plus, minus]) {
        strengths(dyn, 1e6).forEach((a, i) => expect(Math.abs(a - dyn.sigma[i])).toBeLessThan(1e-9));
      }
      const t = [0, 1, 2].map((alpha) => timeTo90(plus, alpha));
      // Bisection on the closed form agrees with the closed-form learning time of the mode…
      t.forEach((ti, alpha) => {
        expect(Math.abs(ti - learningTime({ sigma: plus.sigma[alpha], a0: a0[alpha], lambda: magnitude }))).toBeLessThan(1e-8);
        expect(Math.abs(timeTo90(minus, alpha) - ti)).toBeLessThan(1e-8); // … and only |λ| matters
      });
      times.push(t);
    }
    // Measured (modes σ = 3, 2, 1): |λ| = 0.01: 2.598, 3.680, 6.541; 0.1: 1.830, 2.528, 4.235;
    // 1: 1.054, 1.353, 1.859; 5: 0.478, 0.517, 0.526.
    for (let k = 1; k < times.length; k++) {
      for (let alpha = 0; alpha < 3; alpha++) expect(times[k][alpha]).toBeLessThan(times[k - 1][alpha]);
    }
  });

  it('the closed form matches RK4 for every λ ≠ 0 (where RK4 is not stuck) to 1e-9 relative', () => {
    let worst = 0;
    for (const magnitude of lambdas) {
      for (const lambda of [magnitude, -magnitude]) {
        const { w1, w2, dyn } = reversed(lambda);
        const times = [0.5, 2, 5];
        const run = integrateGradientFlow({ w1, w2, sigmaYX, times });
        times.forEach((t, k) => {
          const exact = dyn.at(t).w2w1;
          worst = Math.max(worst, run.w2[k].mmul(run.w1[k]).sub(exact).norm('frobenius') / exact.norm('frobenius'));
        });
      }
    }
    expect(worst).toBeLessThan(1e-9); // measured ≈ 5e-14
  });

  it('trainSequence: learning a task and then its reversal gives the same saddle at λ = 0', () => {
    const task = randomTask({ inputDim: 3, outputDim: 3, samples: 9, seed: 8 });
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0, seed: 2, alignTo: task.sigmaYX, productSingularValues: [0.01, 0.01, 0.01] });
    const seq = trainSequence({ w1, w2, tasks: [{ task, duration: 60 }, { task: reversedTask(task), duration: 1e6 }], times: [60, 1e6] });
    expect(seq.losses[0][0]).toBeLessThan(1e-20); // learned
    expect(seq.losses[1][1]).toBeCloseTo(0.5 * task.sigmaYX.norm('frobenius') ** 2, 9); // stuck at W = 0
    expect(seq.at(1e6).w2w1.norm('frobenius')).toBe(0);
  });
});

describe('reversedTask', () => {
  const task = randomTask({ inputDim: 4, outputDim: 3, samples: 12, seed: 5 });

  it('flips the listed modes only: Σyx′ = Σyx − 2Σ σ_α ũ_α ṽ_αᵀ, same singular values, Σyy unchanged', () => {
    const { u: uu, s, v: vv } = fullSvd(task.sigmaYX);
    const flipped = reversedTask(task, { modes: [0, 2] });
    const want = task.sigmaYX.clone();
    for (const a of [0, 2]) want.sub(Matrix.columnVector(uu.getColumn(a)).mmul(Matrix.rowVector(vv.getColumn(a))).mul(2 * s[a]));
    expect(flipped.sigmaYX.clone().sub(want).norm('frobenius')).toBeLessThan(1e-13);
    fullSvd(flipped.sigmaYX).s.forEach((x, i) => expect(x).toBeCloseTo(s[i], 13));
    // Ũᵀ Σyx′ Ṽ = diag(−σ1, σ2, −σ3)
    const inBasis = uu.transpose().mmul(flipped.sigmaYX).mmul(vv);
    expect([0, 1, 2].map((i) => inBasis.get(i, i))).toEqual([-s[0], s[1], -s[2]].map((x) => expect.closeTo(x, 13)));
    // The data follow: Y′Xᵀ/P = Σyx′ and Y′Y′ᵀ/P = Σyy.
    const p = task.samples;
    expect(flipped.Y!.mmul(flipped.X!.transpose()).div(p).sub(flipped.sigmaYX).norm('frobenius')).toBeLessThan(1e-12);
    expect(flipped.Y!.mmul(flipped.Y!.transpose()).div(p).sub(task.sigmaYY).norm('frobenius')).toBeLessThan(1e-12);
    expect(flipped.sigmaYY.clone().sub(task.sigmaYY).norm('frobenius')).toBe(0);
  });

  it('flips everything by default (exactly −Σyx), returns the same kind, never mutates', () => {
    const before = task.sigmaYX.to2DArray();
    const all: Task = reversedTask(task);
    expect(all.sigmaYX.to2DArray()).toEqual(before.map((r) => r.map((x) => -x)));
    expect(all.Y!.to2DArray()).toEqual(task.Y!.to2DArray().map((r) => r.map((x) => -x)));
    expect(task.sigmaYX.to2DArray()).toEqual(before);
    const m = reversedTask([[3, 0], [0, 1]], { modes: [0] });
    expect(m).toBeInstanceOf(Matrix);
    expect(m.get(0, 0)).toBeCloseTo(-3, 14);
    expect(m.get(1, 1)).toBeCloseTo(1, 14);
  });

  it('validates mode indices and whitening', () => {
    expect(() => reversedTask(task, { modes: [3] })).toThrow(/modes\[0\]/);
    expect(() => reversedTask(task, { modes: [0, 0] })).toThrow(/twice/);
    expect(() => reversedTask(task, { modes: [0.5] })).toThrow(InvalidArgumentError);
    expect(() => reversedTask(task, { modes: 1 as unknown as number[] })).toThrow(/`modes`/);
    const skewed: Task = { ...task, sigmaXX: Matrix.eye(4).mul(2) };
    expect(() => reversedTask(skewed)).toThrow(NotWhitenedError);
  });
});

describe('the determinant-sign saddle: reversal learning in disguise (Ni = No, λ = 0)', () => {
  it('a random λ = 0 init learns Σyx iff sign det W2W1(0) = sign det Σyx; otherwise it loses the weakest mode', () => {
    // At λ = 0, W2ᵀW2 = W1W1ᵀ forces W2 = O·W1ᵀ with O (No×Ni) orthogonal when Ni = No, so
    // W = O·W1ᵀW1 and sign det W = det O cannot change while W is invertible: if it disagrees
    // with sign det Σyx the flow converges to the saddle missing the weakest mode (loss
    // ½σ_min²) — exactly, as in MATH.md §8. Half of all random λ = 0 initialisations are like this.
    const outcomes = new Set<number>();
    for (let seed = 1; seed <= 8; seed++) {
      const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0, scale: 0.1, seed });
      const same = Math.sign(determinant(w2.mmul(w1))) === Math.sign(determinant(sigmaYX));
      outcomes.add(same ? 1 : -1);
      const loss = exactDynamics({ w1, w2, sigmaYX }).at(1e3).loss;
      if (same) expect(loss).toBeLessThan(1e-25);
      else expect(loss).toBeCloseTo(0.5, 12); // ½σ_min² with σ_min = 1
      // λ ≠ 0 removes the obstruction.
      const rescued = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda: 0.1, scale: 0.1, seed });
      expect(exactDynamics({ ...rescued, sigmaYX }).at(1e3).loss).toBeLessThan(1e-25);
    }
    expect(outcomes.size).toBe(2); // both cases occur among these seeds
  });

  it('holds for any hidden width when Ni = No (rank ≤ Ni at λ = 0), and not when Ni ≠ No', () => {
    // Ni = No = 2, Nh = 3: W2 = O·W1ᵀ with O 2×2 orthogonal, the same obstruction.
    const square = randomTask({ inputDim: 2, outputDim: 2, samples: 8, seed: 3 }).sigmaYX;
    // Ni = 4 ≠ No = 3, Nh = 3: O is 3×3 but W = O·W1ᵀW1 is 3×4 — no determinant, and
    // every seed converges (the set of 3×4 matrices of rank 3 is connected).
    const wide = randomTask({ inputDim: 4, outputDim: 3, samples: 8, seed: 3 }).sigmaYX;
    let stuck = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const a = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 3, outputDim: 2, lambda: 0, scale: 0.1, seed });
      const same = Math.sign(determinant(a.w2.mmul(a.w1))) === Math.sign(determinant(square));
      const loss = exactDynamics({ ...a, sigmaYX: square }).at(1e4).loss;
      if (same) expect(loss).toBeLessThan(1e-25);
      else {
        stuck++;
        expect(loss).toBeCloseTo(0.5 * fullSvd(square).s[1] ** 2, 10);
      }
      const b = lambdaBalancedWeights({ inputDim: 4, hiddenDim: 3, outputDim: 3, lambda: 0, scale: 0.1, seed });
      expect(exactDynamics({ ...b, sigmaYX: wide }).at(1e4).loss).toBeLessThan(1e-25);
    }
    expect(stuck).toBeGreaterThan(0);
  });
});
