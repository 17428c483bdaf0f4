/**
 * integrateGradientFlow (MATH.md §1, §11 oracle 1) against mathematics that does not
 * share its code: the closed-form sigmoid of a λ = 0 scalar network, the exact
 * separable-ODE solution of a λ ≠ 0 scalar network, the fourth-order convergence of RK4,
 * the conserved balance (MATH.md §2), the monotone loss, and a time-rescaling identity
 * that exercises the general-Σxx kernel against the whitened one. All randomness is
 * seeded (createRng).
 */
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { integrateGradientFlow } from '../../src/simulation/gradient-flow.js';
import { ExactDlnError, InvalidArgumentError, NonFiniteError, ShapeError } from '../../src/errors.js';
import { createRng, gaussianMatrix, randomOrthogonal } from '../../src/random.js';
import { expectTypedError } from '../helpers/errors.js';

/** ‖a − b‖_F / ‖b‖_F. */
const relErr = (a: Matrix, b: Matrix): number => a.clone().sub(b).norm('frobenius') / b.norm('frobenius');
const scalar = (m: Matrix): number => m.get(0, 0);
const ones = (rows: number, cols: number): number[][] => Array.from({ length: rows }, () => new Array<number>(cols).fill(1));

/** Balance B = W2ᵀW2 − W1W1ᵀ (MATH.md §2), computed with ml-matrix. */
const balance = (w1: Matrix, w2: Matrix): Matrix => w2.transpose().mmul(w2).sub(w1.mmul(w1.transpose()));

describe('integrateGradientFlow: scalar networks with exact solutions', () => {
  // 1×1×1 with w1 = w2 = √a0 (λ = 0). The product a = w2·w1 obeys τ da/dt = 2a(σ − a),
  // solved by the sigmoid a(t) = σe^{2σs}/(e^{2σs} − 1 + σ/a0), s = t/τ (MATH.md §5).
  // Tolerance 1e-10 relative: the default step targets ~1e-12 (h·rate = 0.0025 gives an
  // RK4 error ≈ (h·rate)⁴/120 ≈ 3e-13 per unit of rate·s), leaving a 100× margin.
  it('λ = 0 follows the sigmoid to 1e-10 relative (τ = 2, times unsorted)', () => {
    const sigma = 1.5;
    const a0 = 0.01;
    const tau = 2;
    const times = [16, 0, 1, 3, 5, 8, 12, 24];
    const r = integrateGradientFlow({ w1: [[Math.sqrt(a0)]], w2: [[Math.sqrt(a0)]], sigmaYX: [[sigma]], tau, times });
    let worst = 0;
    times.forEach((t, k) => {
      const s = t / tau;
      const exact = (sigma * Math.exp(2 * sigma * s)) / (Math.exp(2 * sigma * s) - 1 + sigma / a0);
      const a = scalar(r.w2[k]) * scalar(r.w1[k]);
      worst = Math.max(worst, Math.abs(a - exact) / exact);
      // loss = ½(σ − a)² for whitened inputs
      expect(r.loss[k]).toBeCloseTo(0.5 * (sigma - a) ** 2, 15);
    });
    expect(worst).toBeLessThan(1e-10);
  });

  // λ ≠ 0: w2² − w1² = λ is conserved and a = w1·w2 obeys τ da/dt = √(λ² + 4a²)(σ − a)
  // (MATH.md §5). The ODE is separable: t/τ = G(a) − G(a0) with the antiderivative
  // G(x) = (1/K)·ln|(4σx + λ² + K√(4x² + λ²)) / (x − σ)|, K = √(λ² + 4σ²). The reference
  // a(t) inverts G by bisection to machine precision: no time stepping at all.
  const antiderivative = (x: number, sigma: number, lambda: number): number => {
    const k = Math.hypot(lambda, 2 * sigma);
    return Math.log(Math.abs((4 * sigma * x + lambda * lambda + k * Math.hypot(2 * x, lambda)) / (x - sigma))) / k;
  };
  const integrand = (x: number, sigma: number, lambda: number): number => 1 / (Math.hypot(lambda, 2 * x) * (sigma - x));
  const exactA = (s: number, a0: number, sigma: number, lambda: number): number => {
    const target = antiderivative(a0, sigma, lambda) + s;
    let lo = a0;
    let hi = sigma; // G increases from G(a0) to +∞ on [a0, σ)
    for (let i = 0; i < 200 && hi - lo > 0; i++) {
      const mid = 0.5 * (lo + hi);
      if (mid === lo || mid === hi) break;
      if (antiderivative(mid, sigma, lambda) < target) lo = mid;
      else hi = mid;
    }
    return 0.5 * (lo + hi);
  };

  it('the separable-ODE reference is itself right: G′ equals the integrand (finite differences)', () => {
    for (const [sigma, lambda, x] of [
      [1, 2, 0.3],
      [1, -1.5, 0.7],
      [2, 0.5, 1.9],
    ]) {
      const h = 1e-5;
      const fd = (antiderivative(x + h, sigma, lambda) - antiderivative(x - h, sigma, lambda)) / (2 * h);
      // central differences: error O(h²·G‴) ≈ 1e-10 relative here
      expect(Math.abs(fd - integrand(x, sigma, lambda)) / integrand(x, sigma, lambda)).toBeLessThan(1e-8);
    }
  });

  for (const lambda of [2, -1.5]) {
    it(`λ = ${lambda}: a(t) matches the separable-ODE solution to 1e-10 relative, λ conserved`, () => {
      const sigma = 1;
      const a0 = 0.02;
      // balanced scalar weights with product a0 and w2² − w1² = λ (MATH.md §2)
      const root = Math.hypot(lambda, 2 * a0);
      const c = Math.sqrt((root - lambda) / 2);
      const d = Math.sqrt((root + lambda) / 2);
      const times = [0.5, 1, 2, 4, 8];
      const r = integrateGradientFlow({ w1: [[c]], w2: [[d]], sigmaYX: [[sigma]], times });
      let worst = 0;
      times.forEach((t, k) => {
        const a = scalar(r.w2[k]) * scalar(r.w1[k]);
        const ref = exactA(t, a0, sigma, lambda);
        worst = Math.max(worst, Math.abs(a - ref) / ref);
        const lam = scalar(r.w2[k]) ** 2 - scalar(r.w1[k]) ** 2;
        expect(Math.abs(lam - lambda)).toBeLessThan(1e-12 * Math.abs(lambda));
      });
      expect(worst).toBeLessThan(1e-10);
    });
  }
});

describe('integrateGradientFlow: RK4 is fourth order', () => {
  // Global error C·h⁴: halving the step divides it by 16. The reference uses h/16 (error
  // 65536× smaller than at h). h·rate ≈ 0.2 makes the error ~1e-6, far above rounding
  // (~1e-14), so the measured ratio shows the truncation order; 10–22 allows the h⁵ term.
  it('halving maxStep reduces the error by 10–22× (≈ 16)', () => {
    const rng = createRng(11);
    const w1 = gaussianMatrix(3, 3, rng, 0.3);
    const w2 = gaussianMatrix(3, 3, rng, 0.3);
    const sigmaYX = gaussianMatrix(3, 3, rng);
    const T = 3;
    const run = (h: number) => integrateGradientFlow({ w1, w2, sigmaYX, times: [T], maxStep: h });
    const h = T / 40;
    const ref = run(h / 16);
    const err = (step: number) => {
      const r = run(step);
      return Math.max(relErr(r.w1[0], ref.w1[0]), relErr(r.w2[0], ref.w2[0]));
    };
    const e1 = err(h);
    const e2 = err(h / 2);
    const e3 = err(h / 4);
    expect(e1).toBeGreaterThan(1e-9); // truncation dominates rounding
    expect(e1 / e2).toBeGreaterThan(10);
    expect(e1 / e2).toBeLessThan(22);
    expect(e2 / e3).toBeGreaterThan(10);
    expect(e2 / e3).toBeLessThan(22);
  });
});

describe('integrateGradientFlow: invariants of the flow', () => {
  // d/dt (W2ᵀW2 − W1W1ᵀ) = W1EᵀW2 + W2ᵀEW1ᵀ − W2ᵀEW1ᵀ − W1EᵀW2 = 0 for ANY E, hence for any
  // Σxx and any (unbalanced) start. RK4 keeps it to its truncation error; measured
  // relative to ‖W2ᵀW2‖ + ‖W1W1ᵀ‖ (the size of the terms whose difference B is).
  const configs = [
    { name: 'random unbalanced 4×3×5, Σxx = I', seed: 21, sxx: false },
    { name: 'random unbalanced 4×3×5, random Σxx', seed: 22, sxx: true },
    { name: 'random unbalanced 2×5×3 (wide hidden layer), Σxx = I', seed: 23, sxx: false, dims: [2, 5, 3] },
  ];
  for (const cfg of configs) {
    it(`${cfg.name}: B is conserved to 1e-12 and the loss never increases`, () => {
      const [ni, nh, no] = cfg.dims ?? [4, 3, 5];
      const rng = createRng(cfg.seed);
      const w1 = gaussianMatrix(nh, ni, rng, 0.2);
      const w2 = gaussianMatrix(no, nh, rng, 0.6); // deliberately unbalanced
      const sigmaYX = gaussianMatrix(no, ni, rng);
      let sigmaXX: Matrix | undefined;
      if (cfg.sxx) {
        const g = gaussianMatrix(ni, 3 * ni, rng);
        sigmaXX = g.mmul(g.transpose()).div(3 * ni); // a sample covariance, SPD, ≠ I
      }
      const times = Array.from({ length: 41 }, (_, k) => 0.1 * k);
      const r = integrateGradientFlow({ w1, w2, sigmaYX, sigmaXX, times });
      const b0 = balance(w1, w2);
      let worstB = 0;
      times.forEach((_, k) => {
        const scale = r.w2[k].transpose().mmul(r.w2[k]).norm('frobenius') + r.w1[k].mmul(r.w1[k].transpose()).norm('frobenius');
        worstB = Math.max(worstB, balance(r.w1[k], r.w2[k]).sub(b0).norm('frobenius') / scale);
      });
      expect(worstB).toBeLessThan(1e-12);
      // The loss is a Lyapunov function: dL/dt = −‖∇L‖²/τ ≤ 0. Allow rounding only.
      for (let k = 1; k < times.length; k++) expect(r.loss[k]).toBeLessThanOrEqual(r.loss[k - 1] + 1e-14 * r.loss[0]);
      expect(r.loss[times.length - 1]).toBeLessThan(0.5 * r.loss[0]); // it actually learns
    });
  }

  // With data (X, Y), loss must be the data loss 1/(2P)‖W2W1X − Y‖² minus the constant
  // ½tr Σyy − ½‖Σyx‖²_F (documented meaning). Checked from the data directly, 1e-12 relative
  // (a handful of O(1) sums, rounding ~1e-15).
  it('loss equals the data loss minus ½tr Σyy − ½‖Σyx‖²_F for non-whitened data', () => {
    const rng = createRng(31);
    const P = 9;
    const X = gaussianMatrix(3, P, rng);
    const Y = gaussianMatrix(2, P, rng);
    const sigmaXX = X.mmul(X.transpose()).div(P);
    const sigmaYX = Y.mmul(X.transpose()).div(P);
    const w1 = gaussianMatrix(4, 3, rng, 0.5);
    const w2 = gaussianMatrix(2, 4, rng, 0.5);
    const r = integrateGradientFlow({ w1, w2, sigmaYX, sigmaXX, times: [0, 0.7, 2] });
    const offset = 0.5 * (Y.norm('frobenius') ** 2 / P - sigmaYX.norm('frobenius') ** 2);
    r.times.forEach((_, k) => {
      const dataLoss = r.w2[k].mmul(r.w1[k]).mmul(X).sub(Y).norm('frobenius') ** 2 / (2 * P);
      expect(Math.abs(r.loss[k] + offset - dataLoss) / dataLoss).toBeLessThan(1e-12);
    });
  });

  // Σxx = cI: τ dW1/dt = c·W2ᵀ(Σyx/c − W2W1), so W(t; cI, Σyx) = W(c·t; I, Σyx/c). The left
  // side runs the general-Σxx kernel, the right side the whitened one. Both default-step
  // runs are accurate to ~1e-12, so 1e-10 relative leaves room.
  it('Σxx = c·I equals the whitened flow with Σyx/c at time c·t', () => {
    const rng = createRng(41);
    const w1 = gaussianMatrix(3, 4, rng, 0.1);
    const w2 = gaussianMatrix(2, 3, rng, 0.1);
    const sigmaYX = gaussianMatrix(2, 4, rng);
    const c = 2.5;
    const times = [0.4, 1, 3];
    const a = integrateGradientFlow({ w1, w2, sigmaYX, sigmaXX: Matrix.eye(4).mul(c), times });
    const b = integrateGradientFlow({ w1, w2, sigmaYX: sigmaYX.clone().div(c), times: times.map((t) => c * t) });
    times.forEach((_, k) => {
      expect(relErr(a.w1[k], b.w1[k])).toBeLessThan(1e-10);
      expect(relErr(a.w2[k], b.w2[k])).toBeLessThan(1e-10);
    });
  });

  // τ only rescales time: W(t; τ) = W(t/τ; 1). The default step is proportional to τ, so
  // the two runs take the same steps in s = t/τ; only rounding of h and t differs.
  it('τ rescales time: W(t; τ) = W(t/τ; τ = 1)', () => {
    const rng = createRng(51);
    const w1 = gaussianMatrix(2, 3, rng, 0.2);
    const w2 = gaussianMatrix(3, 2, rng, 0.2);
    const sigmaYX = gaussianMatrix(3, 3, rng);
    const tau = 3.7;
    const a = integrateGradientFlow({ w1, w2, sigmaYX, tau, times: [tau * 0.5, tau * 2] });
    const b = integrateGradientFlow({ w1, w2, sigmaYX, times: [0.5, 2] });
    [0, 1].forEach((k) => {
      expect(relErr(a.w1[k], b.w1[k])).toBeLessThan(1e-12);
      expect(relErr(a.w2[k], b.w2[k])).toBeLessThan(1e-12);
    });
  });
});

describe('integrateGradientFlow: requested times', () => {
  const rng = createRng(61);
  const w1 = gaussianMatrix(2, 3, rng, 0.3);
  const w2 = gaussianMatrix(2, 2, rng, 0.3);
  const sigmaYX = gaussianMatrix(2, 3, rng);

  it('returns t = 0 as the initial weights, unsorted and repeated times in the order given', () => {
    const sorted = integrateGradientFlow({ w1, w2, sigmaYX, times: [0, 0.5, 1.5] });
    const mixed = integrateGradientFlow({ w1, w2, sigmaYX, times: [1.5, 0, 0.5, 1.5, 0] });
    expect(mixed.times).toEqual([1.5, 0, 0.5, 1.5, 0]);
    expect(sorted.w1[0].to2DArray()).toEqual(w1.to2DArray());
    expect(sorted.w2[0].to2DArray()).toEqual(w2.to2DArray());
    // Same set of targets ⇒ same step grid ⇒ identical numbers.
    const map = [2, 0, 1, 2, 0];
    map.forEach((j, k) => {
      expect(mixed.w1[k].to2DArray()).toEqual(sorted.w1[j].to2DArray());
      expect(mixed.w2[k].to2DArray()).toEqual(sorted.w2[j].to2DArray());
      expect(mixed.loss[k]).toBe(sorted.loss[j]);
    });
    // repeated times are separate matrices
    expect(mixed.w1[0]).not.toBe(mixed.w1[3]);
  });

  it('lands exactly on requested times: maxStep that does not divide them still agrees', () => {
    // h = 0.03 does not divide 1 (33⅓ steps); the last step is shortened to land on t = 1.
    // RK4 error ≈ (h·rate)⁴·rate·t/120 ≲ 1e-6 here (h·rate ≈ 0.08), so the two runs agree
    // to 1e-6 relative; stopping one step early or late would be off by ~h·rate ≈ 1e-2.
    const a = integrateGradientFlow({ w1, w2, sigmaYX, times: [1], maxStep: 0.03 });
    const b = integrateGradientFlow({ w1, w2, sigmaYX, times: [1], maxStep: 0.001 });
    expect(relErr(a.w1[0], b.w1[0])).toBeLessThan(1e-6);
    expect(relErr(a.w2[0], b.w2[0])).toBeLessThan(1e-6);
  });

  it('accepts an empty list of times and a Float64Array', () => {
    expect(integrateGradientFlow({ w1, w2, sigmaYX, times: [] })).toEqual({ times: [], w1: [], w2: [], loss: [] });
    const r = integrateGradientFlow({ w1, w2, sigmaYX, times: Float64Array.from([0.25]) as unknown as number[] });
    expect(r.times).toEqual([0.25]);
  });
});

describe('integrateGradientFlow: input validation', () => {
  const w1 = [
    [0.1, 0.2, 0.3],
    [0.0, -0.1, 0.2],
  ]; // Nh = 2, Ni = 3
  const w2 = [
    [0.3, 0.1],
    [0.2, -0.2],
    [0.1, 0.4],
    [0.0, 0.1],
  ]; // No = 4
  const sigmaYX = new Matrix([
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [1, 1, 1],
  ]);
  const ok = { w1, w2, sigmaYX, times: [0, 1] };

  it('rejects shapes that do not fit, naming the argument and both shapes', () => {
    const e = expectTypedError(() => integrateGradientFlow({ ...ok, sigmaYX: ones(4, 2) }), ShapeError, /`sigmaYX`/, /4×2/, /2×3/); // 2×3: w1's shape
    expect(e.argument).toBe('sigmaYX');
    expectTypedError(() => integrateGradientFlow({ ...ok, w2: ones(4, 3) }), ShapeError, /`w2` must be 4×2/, /Value: 4×3/);
    expectTypedError(() => integrateGradientFlow({ ...ok, w2: ones(3, 2) }), ShapeError, /`w2` must be 4×2.*sigmaYX \(4×3\)/);
    expectTypedError(() => integrateGradientFlow({ ...ok, sigmaXX: Matrix.eye(2) }), ShapeError, /`sigmaXX` must be 3×3/, /Value: 2×2/);
    expectTypedError(() => integrateGradientFlow({ ...ok, w1: [[1, 2], [3]] }), ShapeError, /`w1`/);
  });

  it('rejects NaN and infinite entries, naming the argument', () => {
    for (const name of ['w1', 'w2', 'sigmaYX', 'sigmaXX'] as const) {
      const base: Record<string, Matrix> = {
        w1: new Matrix(w1),
        w2: new Matrix(w2),
        sigmaYX: sigmaYX.clone(),
        sigmaXX: Matrix.eye(3),
      };
      base[name].set(1, 1, name === 'w2' ? Infinity : NaN);
      const e = expectTypedError(() => integrateGradientFlow({ ...(base as unknown as typeof ok), times: [1] }), NonFiniteError, `\`${name}\``);
      expect(e.argument).toBe(name);
    }
  });

  it('rejects negative, NaN and non-numeric times, naming the entry', () => {
    expectTypedError(() => integrateGradientFlow({ ...ok, times: [0, -0.5] }), InvalidArgumentError, /`times\[1\]`.*-0\.5/);
    expectTypedError(() => integrateGradientFlow({ ...ok, times: [NaN] }), NonFiniteError, /`times\[0\]`/);
    expectTypedError(() => integrateGradientFlow({ ...ok, times: [Infinity] }), NonFiniteError);
    expectTypedError(() => integrateGradientFlow({ ...ok, times: 3 as unknown as number[] }), InvalidArgumentError, /`times`/);
    expectTypedError(() => integrateGradientFlow({ ...ok, times: ['1'] as unknown as number[] }), InvalidArgumentError);
  });

  it('rejects bad tau and maxStep, naming them', () => {
    for (const [name, value, cls] of [
      ['tau', 0, InvalidArgumentError],
      ['tau', -1, InvalidArgumentError],
      ['tau', NaN, NonFiniteError],
      ['maxStep', 0, InvalidArgumentError],
      ['maxStep', Infinity, NonFiniteError],
      ['maxStep', '0.1', InvalidArgumentError],
    ] as const) {
      expectTypedError(() => integrateGradientFlow({ ...ok, [name]: value }), cls, `\`${name}\``);
    }
  });

  it('rejects a non-symmetric sigmaXX and a missing options object', () => {
    expectTypedError(() => integrateGradientFlow({ ...ok, sigmaXX: [[1, 0.5, 0], [0, 1, 0], [0, 0, 1]] }), InvalidArgumentError, /`sigmaXX` must be symmetric/);
    expectTypedError(() => integrateGradientFlow(undefined as never), InvalidArgumentError, /options/);
  });

  it('reports divergence when the step is far too large', () => {
    // h·rate ≈ 5: RK4 is unstable and the cubic right-hand side overflows within a few steps.
    const e = expectTypedError(
      () => integrateGradientFlow({ w1: [[2]], w2: [[2]], sigmaYX: [[1]], times: [50], maxStep: 1 }),
      ExactDlnError,
      /diverged/,
      /`maxStep`/,
    );
    expect(e.argument).toBe('maxStep');
  });

  it('never mutates its inputs', () => {
    const rng = createRng(81);
    const m1 = gaussianMatrix(2, 3, rng);
    const m2 = gaussianMatrix(4, 2, rng);
    const q = randomOrthogonal(3, rng);
    const sxx = q.mmul(Matrix.diag([1, 2, 3])).mmul(q.transpose());
    const sxxSym = sxx.clone().add(sxx.transpose()).div(2);
    const arr1 = m1.to2DArray();
    const times = [2, 0, 1];
    const before = JSON.stringify([m1, m2, sigmaYX, sxxSym, arr1, times].map((x) => (Array.isArray(x) ? x : x.to2DArray())));
    integrateGradientFlow({ w1: m1, w2: m2, sigmaYX, sigmaXX: sxxSym, times, tau: 2 });
    integrateGradientFlow({ w1: arr1, w2: m2, sigmaYX, times });
    const after = JSON.stringify([m1, m2, sigmaYX, sxxSym, arr1, times].map((x) => (Array.isArray(x) ? x : x.to2DArray())));
    expect(after).toBe(before);
  });
});

describe('integrateGradientFlow refuses step sizes it could never finish with', () => {
  const w = { w1: [[0.5]], w2: [[0.5]], sigmaYX: [[1]] };
  it('a maxStep below the resolution of the times (t + h = t: the loop never ended) is an InvalidArgumentError', () => {
    const e = expectTypedError(() => integrateGradientFlow({ ...w, times: [1e6], maxStep: 1e-11 }), InvalidArgumentError, /maxStep/);
    expect(e.argument).toBe('maxStep');
  });

  it('a maxStep that needs more than 1e9 steps is refused before the first one', () => {
    const e = expectTypedError(() => integrateGradientFlow({ ...w, times: [1e4], maxStep: 1e-6 }), InvalidArgumentError, /1\.00e\+10 steps/, /at most 1e\+9/);
    expect(e.argument).toBe('maxStep');
    // A grid it can finish still runs (2000 steps).
    expect(integrateGradientFlow({ ...w, times: [2], maxStep: 1e-3 }).loss[0]).toBeLessThan(0.5);
  });

  it('the automatic step too: times it needs more than 1e9 steps for are refused before the first (t = 1e12 ran for days)', () => {
    // h ≤ 0.0025·τ/‖Σyx‖_F = 0.0025: t = 1e12 needs at least 4e14 steps, t = 1e7 (τ = 1e-3) 4e12.
    const e = expectTypedError(() => integrateGradientFlow({ ...w, times: [0, 1e12] }), InvalidArgumentError, /at least 4\.00e\+14 steps/, /at most 1e\+9/);
    expect(e.argument).toBe('times');
    expectTypedError(() => integrateGradientFlow({ ...w, times: [1e4], tau: 1e-6 }), InvalidArgumentError, /at least 4\.00e\+12 steps/);
    // Times it can reach still run (t = 20: 8000 steps at most).
    expect(integrateGradientFlow({ ...w, times: [0, 20] }).loss[1]).toBeLessThan(1e-12);
  });
});
