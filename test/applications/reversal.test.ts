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
import { createRng, randomOrthogonal } from '../../src/random.js';
import { scalarModeRk4 } from '../helpers/oracles.js';

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

/**
 * λ ≠ 0 but tiny against ‖W‖²: the saddles of λ = 0 are gone (MATH.md §8), and the weakest
 * growing direction's projection is of order |λ|/‖Q(0)‖ — 1e-13 to 1e-11 of ‖Q(0)‖ here, far
 * above Q's rounding (≈ ε·‖Q(0)‖) but below the rank tolerances that keep λ = 0 saddles
 * exact; those are now lowered when λ is resolved (|λ| > 32·N·ε·‖Q(0)‖²).
 *
 * Accuracy: the projection is computed from Q(0) with an absolute rounding of a few ε·‖Q(0)‖,
 * so its relative error is up to ≈ 10·ε·‖Q(0)‖²/|λ| (projection ≥ 0.35·|λ|/‖Q(0)‖), and the
 * escape, at a time ≈ ln(1/projection)/κ, shifts by that over 2κ: the tolerances below are
 * this bound (`escapeTolerance`), not a fit to the measured errors.
 */
describe('reversal and the determinant-sign saddle at tiny λ ≠ 0 (|λ| = 1e-13 … 1e-11 of ‖W‖²)', () => {
  const escapeTolerance = (lambda: number, qNorm2: number, kappa: number): number => (10 * Number.EPSILON * qNorm2) / Math.abs(lambda) / (2 * kappa);

  /** a(t) of a scalar network from its scalar flow (MATH.md §8), by RK4 in a with step about h. */
  const scalarStrength = (a0v: number, sigma: number, lambda: number, t: number, h = 2e-4): number =>
    scalarModeRk4(sigma, a0v, lambda, t, Math.ceil(t / h));

  it('a 1×1×1 network with w1w2 < 0 crosses zero and learns, as the scalar flow of its exact λ does', () => {
    // w1 = −1, w2 = 1 + 2⁻ᵏ are doubles whose λ = w2² − w1² = 2^{1−k} + 2^{−2k} and
    // a0 = −(1 + 2⁻ᵏ) are exact: the reference integrates the scalar flow of exactly these weights.
    for (const k of [40, 44]) {
      const w2v = 1 + 2 ** -k;
      const lambda = 2 ** (1 - k) + 2 ** (-2 * k);
      const a0v = -w2v;
      const dyn = exactDynamics({ w1: [[-1]], w2: [[w2v]], sigmaYX: [[1]] });
      expect(Math.abs(dyn.lambda / lambda - 1)).toBeLessThan(1e-12); // λ̂ from the rounded squares
      const a = (t: number): number => dyn.at(t).w2w1.get(0, 0);
      // The escape: the time a reaches σ/2, on the closed form by bisection and on the scalar flow.
      const closed = firstCrossing((t) => a(t) >= 0.5, 100);
      let lo = 0;
      let hi = 100;
      for (let it = 0; it < 40; it++) {
        const mid = (lo + hi) / 2;
        if (scalarStrength(a0v, 1, lambda, mid, 5e-3) >= 0.5) hi = mid;
        else lo = mid;
      }
      const tolerance = escapeTolerance(lambda, 1 + w2v * w2v, 1);
      expect(Math.abs(closed - hi)).toBeLessThan(tolerance); // measured 2e-5 (k = 40), 1.1e-4 (k = 44); tolerance 1.2e-3, 0.020
      expect(hi).toBeGreaterThan(20); // a real plateau: ≈ ln(1/λ)/σ … not an instant escape
      // … and the learned state: a(t) → σ.
      expect(Math.abs(a(60) - scalarStrength(a0v, 1, lambda, 60))).toBeLessThan(1e-9);
      expect(a(60)).toBeCloseTo(1, 9);
    }
  });

  it('MATH.md §8 from a(0) = −(2.5, 1.5, 0.5) at λ = ±1e-12, ±5e-13: every mode reaches 90 % when learningTime says', () => {
    for (const lambda of [1e-12, -1e-12, 5e-13, -5e-13]) {
      const { w1, w2, dyn } = reversed(lambda);
      const qNorm2 = w1.norm('frobenius') ** 2 + w2.norm('frobenius') ** 2;
      for (let alpha = 0; alpha < 3; alpha++) {
        const sigma = dyn.sigma[alpha];
        const want = learningTime({ sigma, a0: a0[alpha], lambda: dyn.lambda });
        expect(want).toBeLessThan(40);
        const kappa = Math.hypot(sigma, lambda / 2);
        // measured ≤ 1.3e-3 (mode 0 at |λ| = 5e-13, tolerance 0.013)
        expect(Math.abs(timeTo90(dyn, alpha) - want)).toBeLessThan(escapeTolerance(lambda, qNorm2, kappa));
      }
    }
  });

  // Random 3×3×3 initialisations of unit scale whose det W2W1 has the wrong sign (the seeds
  // of the λ = 0 test above that get stuck there).
  const wrongSign = [5, 7, 8];
  function escapeTime(lambda: number, seed: number, times: number[], withRk4: boolean): { closed: number; rk4: number } {
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda, scale: 1, seed });
    expect(Math.sign(determinant(w2.mmul(w1)))).not.toBe(Math.sign(determinant(sigmaYX)));
    const dyn = exactDynamics({ w1, w2, sigmaYX });
    // The loss falls from its plateau ½σ_min² = 0.5 once the weakest mode escapes: when it crosses 0.25.
    const crossing = (loss: number[]): number => {
      for (let k = 1; k < loss.length; k++) {
        if (loss[k] < 0.25) return times[k - 1] + ((loss[k - 1] - 0.25) / (loss[k - 1] - loss[k])) * (times[k] - times[k - 1]);
      }
      return Infinity;
    };
    const rk4 = withRk4 ? crossing(integrateGradientFlow({ w1, w2, sigmaYX, times }).loss) : Number.NaN;
    return { closed: crossing(times.map((t) => dyn.at(t).loss)), rk4 };
  }

  it('a square network of the wrong determinant sign escapes for λ = 1e-9 … 1e-12: ln(10)/σ_min later per decade, as RK4 does', () => {
    const times = Array.from({ length: 181 }, (_, k) => 15 + k * 0.1); // 15 … 33
    for (const seed of wrongSign) {
      const escapes = [1e-9, 1e-10, 1e-11, 1e-12].map((lambda, k) => escapeTime(lambda, seed, times, k < 3));
      // The weakest direction's projection is linear in λ and grows like e^{σ_min·t} in Q:
      // each decade of λ delays the escape by ln(10)/σ_min (σ_min = 1), up to O(λ).
      for (let k = 1; k < escapes.length; k++) {
        expect(Math.abs(escapes[k].closed - escapes[k - 1].closed - Math.LN10)).toBeLessThan(1e-3); // measured ≤ 5e-4 (linear interpolation on a 0.1 grid)
      }
      // RK4 on the weights conserves λ only to its rounding (≈ ε·‖Q‖² per step over ≈ 1e4 steps),
      // which moves its own escape by up to ≈ 1e-3 at λ = 1e-11 (measured 3e-4); compared where that
      // is below 2e-3.
      for (const e of escapes.slice(0, 3)) expect(Math.abs(e.closed - e.rk4)).toBeLessThan(2e-3);
    }
  });

  it('an exact saddle at λ ≠ 0 stays one however small λ is (Ni = 2 < No = 3, a hidden unit parked on the spare output)', () => {
    // The other side of the tolerance: unit 2 with W1 column 0 and W2 column √λ·ũ3 (ũ3 ⟂ range Σyx)
    // is a fixed point of the flow (dW1 = W2ᵀ(Σyx − W2W1) and dW2 = (Σyx − W2W1)W1ᵀ vanish on it),
    // so mode 2 is never learned: the loss stays ½σ2² = 0.5 for ever. Its projection on mode 2's
    // growing direction is 0 up to the rounding of the rotations (≈ ε·‖Q‖), whatever λ is.
    const small = randomTask({ inputDim: 2, outputDim: 3, samples: 6, seed: 3 }).sigmaYX;
    const { u: uu, v: vv } = fullSvd(small);
    const task = uu.mmul(new Matrix([[2, 0], [0, 1], [0, 0]])).mmul(vv.transpose());
    for (const lambda of [1e-6, 1e-9, 1e-11, 1e-12, 1e-13, -1e-12]) {
      for (const seed of [1, 2, 3]) {
        // λ < 0 mirrored: the spare direction is then on the input side (Ni = 3 > No = 2).
        const positive = lambda > 0;
        const root = Math.sqrt(Math.abs(lambda));
        const c = 0.5;
        const d = Math.sqrt(c * c + lambda);
        const rot = randomOrthogonal(2, createRng(seed));
        const target = positive ? task : task.transpose();
        const { u: tu, v: tv } = fullSvd(target);
        const w1h = positive ? new Matrix([[c, 0], [0, 0]]) : new Matrix([[c, 0, 0], [0, 0, root]]);
        const w2h = positive ? new Matrix([[d, 0], [0, 0], [0, root]]) : new Matrix([[d, 0], [0, 0]]);
        const w1 = rot.mmul(w1h).mmul(tv.transpose());
        const w2 = tu.mmul(w2h).mmul(rot.transpose());
        const dyn = exactDynamics({ w1, w2, sigmaYX: target });
        expect(Math.abs(dyn.lambda / lambda - 1)).toBeLessThan(1e-2);
        for (const t of [10, 100, 1e4, 1e8]) expect(dyn.at(t).loss).toBeCloseTo(0.5, 12);
        expect(dyn.converged().loss).toBeCloseTo(0.5, 12);
      }
    }
  });

  it('an exact saddle at λ ≠ 0 next to a close or a dominant singular value stays one (the SVD’s rounding is no projection)', () => {
    // Σyx = H diag(σ) Hᵀ with H the 4×4 Hadamard matrix / 2: every entry, and H's columns, exact.
    // One hidden unit sits on the mode of σ = 1 (W1 = c·h, W2 = d·h, d² − c² = λ), a fixed point;
    // the modes it does not sit on are exactly invariant (Σyx·h' = σ'h', W1h' = 0, h'ᵀW2 = 0), so
    // the loss stays ½Σ_{σ' ≠ 1} σ'² + ½(1 − cd)² for ever. But the SVD finds the singular vectors
    // only to an angle ≈ ε·‖Σyx‖/gap, so the faster modes' rows of Ψ are ≈ that fraction of the
    // unit's row instead of 0 — 2.2e-13·‖Q(0)‖ for σ = 1 + 2⁻¹⁰ — which a tolerance of 0.1·|λ|/‖Q(0)‖
    // alone took for a real projection (the unit switched modes at t ≈ 3e4, or at t ≈ 60 under
    // σ_max = 1024).
    const h4 = new Matrix([[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]]).mul(0.5);
    const cases: { sigma: number[]; rel: number }[] = [];
    for (const g of [2 ** -10, 2 ** -13]) for (const rel of [1e-13, 1e-12, 1e-11]) cases.push({ sigma: [1 + g, 1, 0.5, 0.25], rel });
    for (const top of [1024, 16384]) for (const rel of [1e-13, 1e-12]) cases.push({ sigma: [top, 1.5, 1, 0.25], rel });
    for (const { sigma, rel } of cases) {
      const task = h4.mmul(Matrix.diag(sigma)).mmul(h4.transpose());
      const k = sigma.indexOf(1);
      const columns = [0, 1, 2, 3].map((i) => h4.getColumnVector(i));
      for (const lambda of [2 * rel, -2 * rel]) {
        const c = lambda > 0 ? 1 : Math.sqrt(1 - lambda);
        const d = lambda > 0 ? Math.sqrt(1 + lambda) : 1;
        const dyn = exactDynamics({ w1: columns[k].transpose().mul(c), w2: columns[k].clone().mul(d), sigmaYX: task });
        const want = 0.5 * sigma.reduce((acc, x, i) => (i === k ? acc : acc + x * x), 0) + 0.5 * (1 - c * d) ** 2;
        for (const t of [1e2, 1e5, 1e12]) expect(Math.abs(dyn.at(t).loss - want)).toBeLessThan(1e-12 * want);
        expect(Math.abs(dyn.converged().loss - want)).toBeLessThan(1e-12 * want);
      }
    }
  });

  it('trainSequence: after learning a task at λ = 1e-12, its reversal is learned when learningTime says', () => {
    const task = randomTask({ inputDim: 3, outputDim: 3, samples: 9, seed: 8 });
    const lambda = 1e-12;
    const { u: uu, s, v: vv } = fullSvd(task.sigmaYX);
    const { w1, w2 } = lambdaBalancedWeights({ inputDim: 3, hiddenDim: 3, outputDim: 3, lambda, seed: 2, alignTo: task.sigmaYX, productSingularValues: [0.01, 0.01, 0.01] });
    const seq = trainSequence({ w1, w2, tasks: [{ task, duration: 60 }, { task: reversedTask(task), duration: 200 }], times: [60, 260] });
    const strength = (t: number, alpha: number): number => {
      const w = seq.at(t).w2w1;
      return Matrix.rowVector(uu.getColumn(alpha)).mmul(w).mmul(Matrix.columnVector(vv.getColumn(alpha))).get(0, 0);
    };
    expect(seq.losses[0][0]).toBeLessThan(1e-20); // the first task is learned: a_α(60) = σ_α
    expect(seq.losses[1][1]).toBeLessThan(1e-20); // and so is its reversal (at λ = 0 it stays at ½‖Σyx‖²)
    const wNorm2 = seq.at(60).weights.w1.norm('frobenius') ** 2 + seq.at(60).weights.w2.norm('frobenius') ** 2;
    for (let alpha = 0; alpha < 3; alpha++) {
      // Against the reversed task the mode starts at −σ_α and must reach −0.9σ_α.
      const want = learningTime({ sigma: s[alpha], a0: -strength(60, alpha), lambda });
      const got = firstCrossing((t) => -strength(60 + t, alpha) >= 0.9 * s[alpha], 200);
      expect(Math.abs(got - want)).toBeLessThan(escapeTolerance(lambda, wNorm2, s[alpha])); // measured ≤ 1e-3 (mode 2 at t ≈ 89τ; tolerance 0.024)
    }
  });
});
