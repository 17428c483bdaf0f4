/**
 * Representation changes and kernel distances of lazy networks (|λ| ≫ ‖Σyx‖), where one
 * representation is of size |λ| (W2W2ᵀ ≈ λI for λ > 0) and changes by only ~‖Σyx‖²/|λ|.
 * Formed as differences of the two states' matrices they carry an error of ε·|λ|, relative
 * ε·λ²/‖Σyx‖² (5e-5 at λ = 1e6, larger than the change from λ ≈ 1e7); the library takes the
 * large block's change from the balance identity instead (src/analysis/representation-change.ts).
 *
 * Oracle: RK4 on the weight ODE carrying d(W1ᵀW1)/dt and d(W2W2ᵀ)/dt as their own integrals
 * (test/helpers/oracles.ts), so no difference of large matrices is formed; step h with
 * h·|λ| = 2e-3, whose truncation error (h|λ|)⁴ ≈ 2e-11 bounds the oracle's relative error.
 * Tolerance 1e-9 relative: the oracle's error with margin, against errors of 5e-5 and more
 * before (measured: λ = 1e6 5e-5, λ = 1e8 1.4, λ = 1e10 2e4 for ‖ΔW2W2ᵀ‖).
 */
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { lazyRichSweep } from '../../src/analysis/lazy-rich-sweep.js';
import { kernelDistance } from '../../src/analysis/kernel-distance.js';
import { kernelDistanceTrajectory } from '../../src/analysis/kernel-distance-trajectory.js';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { randomTask } from '../../src/core/task.js';
import { frobenius } from '../../src/linalg/dense.js';
import { createRng, gaussianMatrix } from '../../src/random.js';
import { representationChangeRk4 } from '../helpers/oracles.js';

const rel = (x: number, y: number): number => Math.abs(x - y) / Math.abs(y);

interface Case {
  ni: number;
  nh: number;
  no: number;
  lambda: number;
}

/** Widths where the hidden layer spans the large side (Nh = No for λ > 0, Nh = Ni for λ < 0), compressed or not. */
const cases: Case[] = [
  { ni: 3, nh: 3, no: 3, lambda: 1e4 },
  { ni: 3, nh: 3, no: 3, lambda: -1e6 },
  { ni: 3, nh: 3, no: 3, lambda: 1e8 },
  { ni: 8, nh: 2, no: 2, lambda: 1e6 }, // wide: input side compressed
  { ni: 2, nh: 2, no: 5, lambda: -1e9 }, // tall: output side compressed
  { ni: 4, nh: 3, no: 3, lambda: 10 }, // moderate λ (both routes accurate)
];

/**
 * Widths where it does not (λ > 0 with Nh < No, λ < 0 with Nh < Ni): the large block is λ times
 * the projector on W2's (W1ᵀ's) column space, whose small rotation Y does not carry; the
 * library integrates the changes' derivatives along the closed form instead. Changes at a time
 * only: these networks converge on the slow time scale of that rotation (≈ |λ|/σ²).
 */
const nonSpanned: Case[] = [
  { ni: 2, nh: 2, no: 4, lambda: 1e6 }, // was 3 % off
  { ni: 4, nh: 2, no: 2, lambda: -1e6 },
  { ni: 3, nh: 1, no: 5, lambda: -1.88e6 },
  { ni: 5, nh: 2, no: 9, lambda: 1e7 }, // tall: output side compressed (at 1e9 its converged state is beyond double precision, see below)
  { ni: 9, nh: 2, no: 5, lambda: -1e8 }, // wide: input side compressed
  { ni: 3, nh: 2, no: 3, lambda: 1e5 },
];

function setUp(c: Case, seed: number) {
  const task = randomTask({ inputDim: c.ni, outputDim: c.no, samples: 40, seed });
  const weights = lambdaBalancedWeights({ inputDim: c.ni, hiddenDim: c.nh, outputDim: c.no, lambda: c.lambda, scale: 0.5, seed: seed + 1 });
  const sigmaYX = new Matrix(task.sigmaYX);
  const rate = Math.max(Math.abs(c.lambda), 1);
  return { task, weights, sigmaYX, rate, time: 5 / rate };
}

/** The oracle's change at s (rate·s/2e-3 RK4 steps). */
function oracle(w: { w1: Matrix; w2: Matrix }, sigmaYX: Matrix, s: number, rate: number) {
  return representationChangeRk4(w.w1, w.w2, sigmaYX, s, Math.ceil((s * rate) / 2e-3));
}

/** The NTK on probes X' (Ni×P'), output-major, built explicitly: I_No ⊗ X'ᵀAX' + R ⊗ X'ᵀX'. */
function explicitKernel(a: Matrix, r: Matrix, x: Matrix): Matrix {
  const inner = x.transpose().mmul(a).mmul(x);
  return Matrix.eye(r.rows).kroneckerProduct(inner).add(r.kroneckerProduct(x.transpose().mmul(x)));
}

const frob = (m: Matrix, n: Matrix): number => {
  let s = 0;
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.columns; j++) s += m.get(i, j) * n.get(i, j);
  return s;
};

/**
 * d(K_a, K_a + ΔK) = ½‖K̂_a − K̂_b‖² written without the cancellation of 1 − cos:
 * K̂_a − K̂_b = (u·K_a − ΔK)/‖K_b‖ with u = (‖K_b‖ − ‖K_a‖)/‖K_a‖ = (2⟨K_a,ΔK⟩ + ‖ΔK‖²)/((‖K_a‖+‖K_b‖)‖K_a‖).
 */
function distanceFromChange(ka: Matrix, dk: Matrix): number {
  const na2 = frob(ka, ka);
  const cross = frob(ka, dk);
  const dd = frob(dk, dk);
  const nb2 = na2 + 2 * cross + dd;
  const u = (2 * cross + dd) / ((Math.sqrt(na2) + Math.sqrt(nb2)) * Math.sqrt(na2));
  const diff = Matrix.mul(ka, u).sub(dk);
  return (0.5 * frob(diff, diff)) / nb2;
}

describe('representation changes of lazy networks: lazyRichSweep vs RK4 with the changes as integrals', () => {
  for (const c of cases) {
    it(`${c.ni}×${c.nh}×${c.no}, λ = ${c.lambda}: ‖ΔW1ᵀW1‖ and ‖ΔW2W2ᵀ‖ at t and at convergence to 1e-9`, () => {
      const seed = 11;
      const { task, weights, sigmaYX, rate, time } = setUp(c, seed);
      const row = lazyRichSweep({ lambdas: [c.lambda], scales: [0.5], task, hiddenDim: c.nh, time, seed: seed + 1 }).rows[0];
      const mid = oracle(weights, sigmaYX, time, rate);
      // Converged: 40/rate is e⁻⁴⁰ ≈ 4e-18 from the limit for the lazy rate |λ| (at λ = 10, 40/10 with σ ~ 1 is not: use 60).
      const end = oracle(weights, sigmaYX, (Math.abs(c.lambda) >= 1e3 ? 40 : 60) / rate, rate);
      const checks: [string, number, Matrix][] = [
        ['deltaW1tW1', row.deltaW1tW1, mid.dA],
        ['deltaW2W2t', row.deltaW2W2t, mid.dR],
        ['convergedDeltaW1tW1', row.convergedDeltaW1tW1, end.dA],
        ['convergedDeltaW2W2t', row.convergedDeltaW2W2t, end.dR],
      ];
      for (const [name, got, want] of checks) expect(rel(got, want.norm()), name).toBeLessThan(1e-9);
    });
  }

  for (const c of nonSpanned) {
    it(`${c.ni}×${c.nh}×${c.no}, λ = ${c.lambda} (hidden layer narrower than the large side): ‖ΔW1ᵀW1‖ and ‖ΔW2W2ᵀ‖ at t to 1e-9`, () => {
      const seed = 11;
      const { task, weights, sigmaYX, rate, time } = setUp(c, seed);
      const row = lazyRichSweep({ lambdas: [c.lambda], scales: [0.5], task, hiddenDim: c.nh, time, seed: seed + 1 }).rows[0];
      const mid = oracle(weights, sigmaYX, time, rate);
      expect(rel(row.deltaW1tW1, mid.dA.norm()), 'deltaW1tW1').toBeLessThan(1e-9);
      expect(rel(row.deltaW2W2t, mid.dR.norm()), 'deltaW2W2t').toBeLessThan(1e-9);
    });
  }

  for (const lambda of [0, 0.5, -0.3]) {
    it(`a rich network at an early time (3×3×3 and 2×2×4, λ = ${lambda}, t = 1e-9): the changes to 1e-9, not the representations' rounding`, () => {
      // ‖ΔR‖ ≈ 1e-8 against ‖R‖ ≈ 3: a difference would be ~1e-7 off.
      for (const [ni, nh, no] of [[3, 3, 3], [2, 2, 4]]) {
        const task = randomTask({ inputDim: ni, outputDim: no, samples: 40, seed: 41 });
        const weights = lambdaBalancedWeights({ inputDim: ni, hiddenDim: nh, outputDim: no, lambda, scale: 1, seed: 42 });
        const row = lazyRichSweep({ lambdas: [lambda], scales: [1], task, hiddenDim: nh, time: 1e-9, seed: 42 }).rows[0];
        const want = representationChangeRk4(weights.w1, weights.w2, new Matrix(task.sigmaYX), 1e-9, 10);
        expect(rel(row.deltaW1tW1, want.dA.norm()), `${ni}×${nh}×${no} deltaW1tW1`).toBeLessThan(1e-9);
        expect(rel(row.deltaW2W2t, want.dR.norm()), `${ni}×${nh}×${no} deltaW2W2t`).toBeLessThan(1e-9);
      }
    });
  }

  it('the changes scale exactly like 1/λ deep in the lazy limit: λ = 1e10 and 1e200 agree after multiplying by λ (were 0 or rounding at 1e200)', () => {
    const task = randomTask({ inputDim: 3, outputDim: 3, samples: 40, seed: 5 });
    const lambdas = [1e10, 1e200, 1e250, 1e300, -1e10, -1e200, -1e250, -1e300];
    const rows = lambdas.map((lambda) => lazyRichSweep({ lambdas: [lambda], scales: [1], task, hiddenDim: 3, time: 10, seed: 6 }).rows[0]);
    // ΔR = Δ(YYᵀ)/λ + O(‖Y‖⁴/λ³): at λ = 1e10 the correction is 1e-20 relative. Above 2⁸⁰⁰ ≈ 6.7e240
    // the representations are out of the range where they are formed unscaled (a review found
    // 1.7e235 for a change of 2.4e-250 there before the balance route ignored that range).
    const pairs = [1, 2, 3, 5, 6, 7].map((k) => [rows[k < 4 ? 0 : 4], rows[k]]);
    for (const [small, large] of pairs) {
      for (const key of ['deltaW1tW1', 'deltaW2W2t', 'convergedDeltaW1tW1', 'convergedDeltaW2W2t'] as const) {
        expect(small[key], key).toBeGreaterThan(0);
        expect(rel(large[key] * Math.abs(large.lambda), small[key] * Math.abs(small.lambda)), `${key} at λ = ${large.lambda}`).toBeLessThan(1e-12);
      }
    }
  });
});

describe('kernel distances of lazy networks: relative accuracy far below d = ε²', () => {
  const probeSets: [string, (ni: number) => Matrix | undefined][] = [
    ['whitened probes', () => undefined],
    ['random probes', (ni) => gaussianMatrix(ni, 4, createRng(3))],
  ];
  for (const c of [...cases, ...nonSpanned]) {
    for (const [probeName, probes] of probeSets) {
      it(`${c.ni}×${c.nh}×${c.no}, λ = ${c.lambda}, ${probeName}: kernelDistance, kernelDistanceTrajectory and the sweep vs the explicit NTK change`, () => {
        const seed = 21;
        const { task, weights, sigmaYX, rate, time } = setUp(c, seed);
        const x = probes(c.ni);
        const options = x === undefined ? {} : { inputs: x };
        const xp = x ?? Matrix.eye(c.ni); // whitened: X' = I (X'X'ᵀ = I)
        const a0 = weights.w1.transpose().mmul(weights.w1);
        const r0 = weights.w2.mmul(weights.w2.transpose());
        const ka = explicitKernel(a0, r0, xp);
        const { dA, dR } = oracle(weights, sigmaYX, time, rate);
        const dk = explicitKernel(dA, dR, xp);
        const want = distanceFromChange(ka, dk);
        const dyn = exactDynamics({ w1: weights.w1, w2: weights.w2, sigmaYX: task.sigmaYX });
        const got = {
          kernelDistance: kernelDistance(dyn.at(0), dyn.at(time), options),
          trajectory: kernelDistanceTrajectory(dyn, [0, time], options).distance[1],
          // Along a trajectory of several times (later times reuse the earlier panels), and out of order.
          trajectoryOfMany: kernelDistanceTrajectory(dyn, [time / 3, time, time / 2], options).distance[1],
          sweep: lazyRichSweep({ lambdas: [c.lambda], scales: [0.5], task, hiddenDim: c.nh, time, seed: seed + 1, kernel: options }).rows[0].kernelDistance,
        };
        for (const [name, d] of Object.entries(got)) expect(rel(d, want), `${name}: ${d} vs ${want}`).toBeLessThan(1e-9);
      });
    }
  }

  it('a distance just above 1e-10 from a review (2×2×2, λ = −1324, random probes): 7.79e-10 to 1e-9, was 8.8e-9 off', () => {
    const task = randomTask({ inputDim: 2, outputDim: 2, samples: 40, seed: 307500, scale: 0.0019392521263850986 });
    const weights = lambdaBalancedWeights({ inputDim: 2, hiddenDim: 2, outputDim: 2, lambda: -1323.6864207061262, scale: 8.068611556058245, seed: 307501 });
    const x = new Matrix([
      [-0.30049991933628917, -0.39216526388190687, 0.350204941816628, 0.11684529553167522],
      [0.15161283453926444, -0.4105205580126494, -0.49575803242623806, -0.40285631106235087],
    ]);
    const t = 0.000769929294699226;
    const ka = explicitKernel(weights.w1.transpose().mmul(weights.w1), weights.w2.mmul(weights.w2.transpose()), x);
    // Rate from the weights' scale (‖W‖² ≈ 65 + |λ|): 1e-3/rate per RK4 step.
    const { dA, dR } = representationChangeRk4(weights.w1, weights.w2, new Matrix(task.sigmaYX), t, Math.ceil((t * 2000) / 1e-3));
    const want = distanceFromChange(ka, explicitKernel(dA, dR, x));
    const dyn = exactDynamics({ w1: weights.w1, w2: weights.w2, sigmaYX: task.sigmaYX });
    expect(rel(kernelDistance(dyn.at(0), dyn.at(t), { inputs: x }), want)).toBeLessThan(1e-9);
    expect(rel(kernelDistanceTrajectory(dyn, [t], { inputs: x }).distance[0], want)).toBeLessThan(1e-9);
  });

  it('Ni = No = 1: the kernel is (W1ᵀW1 + W2W2ᵀ)·XᵀX, so d is 0 at every time (the refinement does not print its rounding)', () => {
    const task = randomTask({ inputDim: 1, outputDim: 1, samples: 40, seed: 433669, scale: 0.2721969716025203 });
    const weights = lambdaBalancedWeights({ inputDim: 1, hiddenDim: 1, outputDim: 1, lambda: 0.36280147620804293, scale: 0.008195559878587005, seed: 433670 });
    const dyn = exactDynamics({ w1: weights.w1, w2: weights.w2, sigmaYX: task.sigmaYX });
    for (const t of [0.1, 1, 15.794756475662803, 100]) {
      expect(kernelDistance(dyn.at(0), dyn.at(t)), `t = ${t}`).toBe(0);
      expect(kernelDistanceTrajectory(dyn, [t]).distance[0], `t = ${t}`).toBe(0);
    }
  });

  it('the oracle formula is the kernel distance: at λ = 1 (d ≈ 1e-2, no cancellation to fear) it equals 1 − ⟨K_a, K_b⟩/(‖K_a‖‖K_b‖) to 1e-13', () => {
    const { weights, sigmaYX } = setUp({ ni: 3, nh: 3, no: 3, lambda: 1 }, 31);
    const xp = Matrix.eye(3);
    const ka = explicitKernel(weights.w1.transpose().mmul(weights.w1), weights.w2.mmul(weights.w2.transpose()), xp);
    const { dA, dR } = oracle(weights, sigmaYX, 2, 1);
    const dk = explicitKernel(dA, dR, xp);
    const kb = Matrix.add(ka, dk);
    const cosine = 1 - frob(ka, kb) / Math.sqrt(frob(ka, ka) * frob(kb, kb));
    expect(cosine).toBeGreaterThan(1e-3);
    expect(rel(distanceFromChange(ka, dk), cosine)).toBeLessThan(1e-13);
  });
});

describe('the integral route at the ends of the range (a review found an endless loop where s·rate overflowed)', () => {
  it('λ = 1e300 at t = 1e6 (sweep, against λ = 1e9 by the λ-scaling laws), λ = 1.5e308 at t = 1 and λ = −1e290 at t = 1e16 (kernelDistance) return', () => {
    const task = randomTask({ inputDim: 2, outputDim: 3, samples: 12, seed: 5, scale: 0.001 });
    // The sweep's converged columns need the hidden unit's choice between rates ≈ 1e-306 apart
    // (once refused). Deep in the lazy regime the columns follow λ-scaling laws: at a fixed t
    // the loss and ‖ΔW2W2ᵀ‖ (≈ t·σ², the slow turn of W2 times its size √|λ|, squared)
    // reach a limit; converged, ‖ΔW2W2ᵀ‖ ∝ |λ| and ‖ΔW1ᵀW1‖ ∝ 1/|λ| (the hidden direction
    // turns by O(1)), and the kernel distance is a limit. Against λ = 1e9, where the
    // corrections are O(σ²·t/|λ|) ≈ 1e-9 at t = 1e6 and O(σ²/|λ|) ≈ 1e-15 at convergence.
    const [huge, large] = lazyRichSweep({ lambdas: [1e300, 1e9], scales: [0.5], task, hiddenDim: 1, time: 1e6, seed: 6 }).rows;
    expect(rel(huge.loss, large.loss)).toBeLessThan(1e-7);
    expect(rel(huge.deltaW2W2t, large.deltaW2W2t)).toBeLessThan(1e-7);
    expect(rel(huge.convergedKernelDistance, large.convergedKernelDistance)).toBeLessThan(1e-12);
    expect(rel(huge.convergedDeltaW2W2t / 1e300, large.convergedDeltaW2W2t / 1e9)).toBeLessThan(1e-12);
    expect(rel(huge.convergedDeltaW1tW1 * 1e300, large.convergedDeltaW1tW1 * 1e9)).toBeLessThan(1e-12);
    for (const [lambda, t] of [[1.5e308, 1], [-1e290, 1e16]]) {
      const [ni, no] = lambda > 0 ? [2, 3] : [3, 2];
      const tk = randomTask({ inputDim: ni, outputDim: no, samples: 12, seed: 5 });
      const w = lambdaBalancedWeights({ inputDim: ni, hiddenDim: 1, outputDim: no, lambda, scale: 0.5, seed: 6 });
      const dyn = exactDynamics({ w1: w.w1, w2: w.w2, sigmaYX: tk.sigmaYX });
      const d = kernelDistance(dyn.at(0), dyn.at(t));
      // The kernel moves by ~1/|λ| of its size: d ≈ 1/λ² underflows to 0 (it was the ε² floor, 1.6e-33).
      expect(d, `λ = ${lambda}`).toBe(0);
    }
  });
});

describe('frobenius keeps tiny and huge matrices (the sweep reports changes of 1e-199)', () => {
  for (const scale of [1e-200, 1e-160, 1e160, 1e200, 2 ** -1070]) {
    it(`entries 3·${scale} and 4·${scale}: norm 5·${scale} to 1e-15`, () => {
      const want = 5 * scale;
      expect(rel(frobenius(new Float64Array([3 * scale, 4 * scale])), want)).toBeLessThan(scale < 1e-300 ? 0.01 : 1e-15);
    });
  }
});

describe('the integral route along a trajectory in any order of times', () => {
  it('kernelDistanceTrajectory gives the same numbers for ascending, descending and shuffled times (each from the same panel sums)', () => {
    // 6×2×6 at λ = 1e6 (hidden layer narrower than the output side: the integral route).
    const task = randomTask({ inputDim: 6, outputDim: 6, samples: 30, seed: 4 });
    const w = lambdaBalancedWeights({ inputDim: 6, hiddenDim: 2, outputDim: 6, lambda: 1e6, scale: 1, seed: 5 });
    const times = Array.from({ length: 30 }, (_, k) => (5 * (k + 1)) / 30);
    const ascending = kernelDistanceTrajectory(exactDynamics({ ...w, sigmaYX: task.sigmaYX }), times).distance;
    const descending = kernelDistanceTrajectory(exactDynamics({ ...w, sigmaYX: task.sigmaYX }), [...times].reverse()).distance;
    const order = [17, 3, 29, 0, 11, 24, 6, 19, 1, 28, 9, 14, 22, 4, 27, 12, 2, 25, 8, 20, 15, 26, 5, 18, 10, 23, 7, 21, 13, 16];
    const shuffled = kernelDistanceTrajectory(exactDynamics({ ...w, sigmaYX: task.sigmaYX }), order.map((k) => times[k])).distance;
    for (let k = 0; k < times.length; k++) {
      expect(descending[times.length - 1 - k]).toBe(ascending[k]);
      expect(shuffled[order.indexOf(k)]).toBe(ascending[k]);
    }
    expect(ascending[29]).toBeGreaterThan(0);
  });
});
