/**
 * alignedMode (MATH.md §5) against independent references:
 *  - the full closed form `exactDynamics` on aligned λ-balanced initialisations (the diagonal
 *    of Ũᵀ W2W1 Ṽ), for λ ∈ {−5, −0.3, 0, 0.3, 5, 100}, small / large / negative a0, t ∈ [0, 1e3] and 1e8;
 *  - a classical RK4 integration of the scalar ODE τ da/dt = sqrt(λ² + 4a²)(σ − a), written here;
 *  - the λ = 0 sigmoid (and its a0 < 0 counterpart) and the |λ| ≫ σ exponential;
 *  - overflow-freedom up to t = Number.MAX_VALUE, evenness in λ, input validation.
 */
import { Matrix } from 'ml-matrix';
import { afterAll, describe, expect, it } from 'vitest';
import { alignedMode } from '../../src/analysis/aligned-mode.js';
import { learningTime } from '../../src/analysis/learning-time.js';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { lambdaBalancedWeights } from '../../src/core/weights.js';
import { createRng, randomOrthogonal } from '../../src/random.js';
import { ExactDlnError, InvalidArgumentError, NonFiniteError } from '../../src/errors.js';
import { expectTypedError, thrown } from '../helpers/errors.js';
import { scalarModeRk4 } from '../helpers/oracles.js';

/** Σyx = U diag(sigma) Vᵀ (n×n) with seeded random orthogonal U, V. */
function taskWithSingularValues(sigma: number[], seed: number): Matrix {
  const rng = createRng(seed);
  const n = sigma.length;
  const u = randomOrthogonal(n, rng);
  const v = randomOrthogonal(n, rng);
  return u.mmul(Matrix.diag(sigma)).mmul(v.transpose());
}

describe('alignedMode vs exactDynamics on aligned initialisations', () => {
  let worstOverall = 0;
  afterAll(() => console.log(`alignedMode vs exactDynamics: worst |Δa| ${worstOverall.toExponential(2)}`));
  const sigma = [3, 1.5, 0.5];
  const sigmaYX = taskWithSingularValues(sigma, 11);
  const times = [0, 1e-3, 0.01, 0.05, 0.1, 0.3, 0.5, 1, 2, 3, 5, 10, 30, 100, 1e3];
  const initialisations: Record<string, number[]> = {
    small: [1e-3, 1e-4, 2e-3],
    large: [10, 4, 2.5],
    mixed: [0.5, 2, 0.49],
    negative: [-2.5, -1.5, -0.5],
    'negative small': [-1e-3, -0.2, -1e-4],
  };
  // Tolerance 1e-10 absolute (all a(t) here are O(1..10)): both computations are exact
  // formulas; what separates them is rounding in the N×Nh evaluator (~1e-14·|λ|).
  for (const lambda of [-5, -0.3, 0, 0.3, 5, 100]) {
    for (const [name, a0] of Object.entries(initialisations)) {
      // At λ = 0 a reversed mode sits on a saddle that the matrix evaluator leaves through
      // round-off (MATH.md §8), so a0 < 0 is compared at λ ≠ 0 only (the saddle: see RK4 below).
      if (lambda === 0 && name.startsWith('negative')) continue;
      it(`λ = ${lambda}, a0 ${name} (${a0.join(', ')}): diag(Ũᵀ W2W1(t) Ṽ) = a(t) to 1e-10`, () => {
        const { w1, w2 } = lambdaBalancedWeights({
          inputDim: 3,
          hiddenDim: 3,
          outputDim: 3,
          lambda,
          seed: 5,
          alignTo: sigmaYX,
          productSingularValues: a0,
        });
        const tau = 1.7;
        const dyn = exactDynamics({ w1, w2, sigmaYX, tau });
        sigma.forEach((s, i) => expect(dyn.sigma[i]).toBeCloseTo(s, 13));
        const modes = sigma.map((s, i) => alignedMode({ sigma: dyn.sigma[i], a0: a0[i], lambda: dyn.lambda, tau }));
        let worst = 0;
        for (const t of [...times, 1e8]) {
          const product = dyn.at(t).singularProduct;
          for (let i = 0; i < 3; i++) {
            const a = modes[i].at(t);
            expect(Number.isFinite(a)).toBe(true);
            worst = Math.max(worst, Math.abs(a - product.get(i, i)));
            for (let j = 0; j < 3; j++) if (j !== i) expect(Math.abs(product.get(i, j))).toBeLessThan(1e-10);
          }
        }
        expect(worst).toBeLessThan(1e-10);
        worstOverall = Math.max(worstOverall, worst);
        // t = 1e8: converged, every mode at σ (λ ≠ 0 or a0 > 0).
        modes.forEach((m, i) => expect(Math.abs(m.at(1e8) - sigma[i])).toBeLessThan(1e-12));
      });
    }
  }
});

describe('alignedMode vs RK4 integration of the scalar ODE', () => {
  // RK4 with h·rate = 1e-3 (rate = |λ| + 2·max(|a0|, σ) bounds |f'(a)| on the trajectory)
  // has a global error ≲ s·rate·(h·rate)⁴ ≈ 1e-11, so 1e-9 (relative to max(1, |a0|, σ))
  // leaves room for it while any error in the formula would show up at O(1).
  const cases: Array<[number, number, number]> = [];
  for (const lambda of [-5, -0.3, 0, 1e-6, 0.3, 5, 30]) {
    for (const sigma of [0, 0.2, 1, 3]) {
      for (const a0 of [-4, -0.5, -1e-3, 0, 1e-3, 0.5, 10]) cases.push([sigma, a0, lambda]);
    }
  }
  it(`agrees to 1e-9 on ${cases.length} (σ, a0, λ) combinations incl. σ = 0, λ = 0, a0 ≤ 0`, () => {
    let worst = 0;
    for (const [sigma, a0, lambda] of cases) {
      const tau = 0.5;
      const mode = alignedMode({ sigma, a0, lambda, tau });
      const rate = Math.abs(lambda) + 2 * Math.max(Math.abs(a0), sigma) + 1;
      for (const s of [0.05, 0.4, 1.5]) {
        const ref = scalarModeRk4(sigma, a0, lambda, s, Math.ceil((s * rate) / 1e-3));
        const err = Math.abs(mode.at(s * tau) - ref) / Math.max(1, Math.abs(a0), sigma);
        worst = Math.max(worst, err);
        expect(err, `σ=${sigma} a0=${a0} λ=${lambda} s=${s}`).toBeLessThan(1e-9);
      }
    }
    console.log(`alignedMode vs RK4: worst error ${worst.toExponential(2)} over ${cases.length} cases`);
  });
});

describe('alignedMode limits and special cases', () => {
  it('λ = 0, a0 > 0: the sigmoid σe^{2σs}/(e^{2σs} − 1 + σ/a0) to 1e-13 relative', () => {
    for (const sigma of [0.3, 1, 4]) {
      for (const a0 of [1e-6, 0.01, 0.5 * sigma, 2 * sigma]) {
        const mode = alignedMode({ sigma, a0, lambda: 0 });
        for (const s of [0, 0.1, 1, 3, 10, 40 / sigma]) {
          const e = Math.exp(2 * sigma * s);
          const sigmoid = (sigma * e) / (e - 1 + sigma / a0);
          expect(Math.abs(mode.at(s) - sigmoid) / sigmoid).toBeLessThan(1e-13);
        }
      }
    }
  });

  it('λ = 0, a0 < 0: decays to the saddle at 0 (σ a0 e^{−2σs}/(σ − a0(1 − e^{−2σs}))), a0 = 0 stays 0', () => {
    for (const sigma of [0.3, 1, 4]) {
      for (const a0 of [-3, -0.5, -1e-4]) {
        const mode = alignedMode({ sigma, a0, lambda: 0 });
        for (const s of [0.1, 1, 3, 10, 1e3, 1e8]) {
          const e = Math.exp(-2 * sigma * s);
          const ref = (sigma * a0 * e) / (sigma - a0 * (1 - e));
          const a = mode.at(s);
          expect(a).toBeLessThanOrEqual(0);
          expect(Math.abs(a - ref)).toBeLessThanOrEqual(1e-14 * Math.abs(a0));
        }
      }
      expect(alignedMode({ sigma, a0: 0, lambda: 0 }).values([0, 1, 1e8])).toEqual(new Float64Array([0, 0, 0]));
    }
  });

  it("agrees with MATH.md §5's explicit λ ≠ 0 formula (tanh(θ/2) form) where that one is well conditioned", () => {
    // MATH.md: K = sqrt(λ² + 4σ²), T0 = sgn(λ)·2a0/(sqrt(λ² + 4a0²) + |λ|),
    // C0 = (K + λ + 2σT0)/(K − λ − 2σT0), E = e^{sgn(λ)Ks}, x = (K(C0E − 1) − λ(C0E + 1))/(2σ(C0E + 1)),
    // a = λx/(1 − x²). It overflows for λ > 0 at large s and loses accuracy as λ → 0 (it
    // divides by λ-dependent differences), so it is compared at moderate λ and s only.
    const mathMd = (sigma: number, a0: number, lambda: number, s: number): number => {
      const k = Math.sqrt(lambda * lambda + 4 * sigma * sigma);
      const sg = Math.sign(lambda);
      const t0 = (sg * 2 * a0) / (Math.sqrt(lambda * lambda + 4 * a0 * a0) + Math.abs(lambda));
      const c0 = (k + lambda + 2 * sigma * t0) / (k - lambda - 2 * sigma * t0);
      const e = Math.exp(sg * k * s);
      const x = (k * (c0 * e - 1) - lambda * (c0 * e + 1)) / (2 * sigma * (c0 * e + 1));
      return (lambda * x) / (1 - x * x);
    };
    for (const lambda of [-5, -0.3, 0.3, 5]) {
      for (const sigma of [0.2, 1, 3]) {
        for (const a0 of [1e-3, 0.5, 10, -0.5, -4]) {
          const mode = alignedMode({ sigma, a0, lambda });
          for (const s of [0.01, 0.3, 1, 3]) {
            expect(Math.abs(mode.at(s) - mathMd(sigma, a0, lambda, s))).toBeLessThan(1e-10 * Math.max(1, Math.abs(a0)));
          }
        }
      }
    }
  });

  it('MATH.md §5 sigmoid is only valid for a0 > 0: for a0 < 0 it blows up where the ODE solution stays in (a0, 0)', () => {
    // Evidence for the documentation fix: with σ = 1, a0 = −0.5 the sigmoid's denominator
    // e^{2s} − 1 + σ/a0 vanishes at s* = ln 3 / 2 ≈ 0.549, whereas the ODE (RK4 here) is finite.
    const sigma = 1;
    const a0 = -0.5;
    const sigmoid = (s: number): number => (sigma * Math.exp(2 * sigma * s)) / (Math.exp(2 * sigma * s) - 1 + sigma / a0);
    const sStar = Math.log(1 - sigma / a0) / (2 * sigma);
    expect(Math.abs(sigmoid(sStar * (1 - 1e-9)))).toBeGreaterThan(1e6);
    const ref = scalarModeRk4(sigma, a0, 0, 1, 20000);
    expect(ref).toBeLessThan(0);
    expect(ref).toBeGreaterThan(a0);
    expect(sigmoid(1)).toBeGreaterThan(1); // the sigmoid claims a(1) > σ
    expect(Math.abs(alignedMode({ sigma, a0, lambda: 0 }).at(1) - ref)).toBeLessThan(1e-12);
  });

  it('|λ| ≫ σ: approaches the lazy exponential σ + (a0 − σ)e^{−|λ|s}, deviation shrinking like 1/λ²', () => {
    const sigma = 1;
    const a0 = 0.2;
    const deviations = [10, 100, 1000, 10000].map((lambda) => {
      const mode = alignedMode({ sigma, a0, lambda: -lambda });
      let worst = 0;
      for (let k = 0; k <= 400; k++) {
        const s = (k * 0.05) / lambda; // covers the transient, 0 .. 20/|λ|
        worst = Math.max(worst, Math.abs(mode.at(s) - (sigma + (a0 - sigma) * Math.exp(-lambda * s))));
      }
      return worst;
    });
    console.log(`|a − lazy exponential| max over the transient at |λ| = 10..1e4: ${deviations.map((d) => d.toExponential(2)).join(', ')}`);
    // Rate sqrt(λ² + 4a²) = |λ|(1 + O(a²/λ²)): the gap is O(σ²/λ²), i.e. 100× per decade.
    for (let i = 1; i < deviations.length; i++) expect(deviations[i]).toBeLessThan(deviations[i - 1] / 30);
    expect(deviations[0]).toBeLessThan(0.05);
  });

  it('depends on λ only through λ² (a(t; λ) = a(t; −λ))', () => {
    for (const [sigma, a0, lambda] of [[2, 0.1, 0.7], [1, -3, 4], [0, 2, 1e-3], [3, 5, 50]] as const) {
      const plus = alignedMode({ sigma, a0, lambda }).values([0.01, 0.3, 2, 50]);
      const minus = alignedMode({ sigma, a0, lambda: -lambda }).values([0.01, 0.3, 2, 50]);
      plus.forEach((p, i) => expect(Math.abs(p - minus[i])).toBeLessThan(1e-14 * Math.max(1, Math.abs(a0), sigma)));
    }
  });

  it('never overflows: finite for t up to Number.MAX_VALUE, with the right limit', () => {
    const huge = [1e3, 1e8, 1e100, 1e300, Number.MAX_VALUE];
    const expectations: Array<[number, number, number, number]> = [
      [2, 1e-3, 50, 2], // λ > 0
      [2, -5, 50, 2], // λ > 0, reversal
      [2, -5, -50, 2], // λ < 0, reversal
      [2, 3, 0, 2], // λ = 0 sigmoid from above
      [2, -0.5, 0, 0], // λ = 0 saddle
      [0, 1, 3, 0], // σ = 0
      [0, -1, 0, 0], // σ = λ = 0 (algebraic decay a0/(1 + 2|a0|s): checked separately below)
      [1e-3, 1e3, 1e3, 1e-3], // large a0 and λ, tiny σ
    ];
    for (const [sigma, a0, lambda, limit] of expectations) {
      const values = alignedMode({ sigma, a0, lambda, tau: 1e-3 }).values(huge);
      values.forEach((v, i) => {
        expect(Number.isFinite(v)).toBe(true);
        // σ = λ = 0 decays only like 1/(2s), s = t/τ; every other case exponentially.
        const tolerance = sigma === 0 && lambda === 0 ? 1 / (2 * huge[i] * 1e3) : 1e-12;
        expect(Math.abs(v - limit)).toBeLessThanOrEqual(tolerance);
      });
    }
  });

  it('at(0) is a0 exactly; values() equals at() pointwise; τ only rescales time', () => {
    const mode = alignedMode({ sigma: 1.3, a0: -0.7, lambda: 0.4, tau: 2 });
    expect(mode.at(0)).toBe(-0.7);
    const ts = [0, 0.2, 1, 7, 3];
    const v = mode.values(new Float64Array(ts));
    ts.forEach((t, i) => expect(v[i]).toBe(mode.at(t)));
    const unit = alignedMode({ sigma: 1.3, a0: -0.7, lambda: 0.4 });
    expect(Math.abs(mode.at(7) - unit.at(3.5))).toBeLessThan(1e-15);
    expect(mode.sigma).toBe(1.3);
    expect(mode.tau).toBe(2);
  });
});

describe('alignedMode input validation', () => {
  it('rejects bad parameters with typed errors naming the argument', () => {
    const cases: Array<[() => unknown, new (...args: never[]) => Error, string]> = [
      [() => alignedMode({ sigma: NaN, a0: 0.1, lambda: 0 }), NonFiniteError, 'sigma'],
      [() => alignedMode({ sigma: -1, a0: 0.1, lambda: 0 }), InvalidArgumentError, 'sigma'],
      [() => alignedMode({ sigma: 1, a0: Infinity, lambda: 0 }), NonFiniteError, 'a0'],
      [() => alignedMode({ sigma: 1, a0: 0.1, lambda: NaN }), NonFiniteError, 'lambda'],
      [() => alignedMode({ sigma: 1, a0: 0.1, lambda: 0, tau: 0 }), InvalidArgumentError, 'tau'],
      [() => alignedMode({ sigma: 1, a0: '0.1' as unknown as number, lambda: 0 }), InvalidArgumentError, 'a0'],
      [() => alignedMode(null as never), InvalidArgumentError, 'options'],
      [() => alignedMode({ sigma: 1, a0: 0.1, lambda: 0 }).at(-1), InvalidArgumentError, 't'],
      [() => alignedMode({ sigma: 1, a0: 0.1, lambda: 0 }).at(NaN), NonFiniteError, 't'],
      [() => alignedMode({ sigma: 1, a0: 0.1, lambda: 0 }).at(Infinity), NonFiniteError, 't'],
      [() => alignedMode({ sigma: 1, a0: 0.1, lambda: 0 }).values([0, 1, NaN]), NonFiniteError, 'times[2]'],
      [() => alignedMode({ sigma: 1, a0: 0.1, lambda: 0 }).values([0, -2]), InvalidArgumentError, 'times[1]'],
      [() => alignedMode({ sigma: 1, a0: 0.1, lambda: 0 }).values(3 as never), InvalidArgumentError, 'times'],
    ];
    for (const [fn, type, name] of cases) {
      const e = expectTypedError(fn, type, name === 'options' ? 'options object' : `\`${name}\``);
      expect(e).toBeInstanceOf(ExactDlnError);
    }
    expect(thrown(() => alignedMode({ sigma: -1, a0: 0.1, lambda: 0 })).message).toContain('mirror');
  });
});

describe('alignedMode where p₊ = p₊₋²/p₋ underflows (a review)', () => {
  it('a reversal at λ = 1e-163 … 1e-300 is learned, as RK4 says (it stayed on its saddle for ever), at the time learningTime gives', () => {
    for (const [sigma, a0, lambda] of [
      [1, -1, 1e-163],
      [1, -0.5, 1e-300],
      [2, -3, 1e-170],
    ]) {
      const mode = alignedMode({ sigma, a0, lambda });
      const half = learningTime({ sigma, a0, lambda, fraction: 0.5 });
      expect(Math.abs(mode.at(half) - 0.5 * sigma)).toBeLessThan(1e-12 * sigma);
      for (const t of [0.5 * half, 0.99 * half, half, 1.01 * half, 1.5 * half]) {
        // RK4 at n and 2n steps: their difference bounds RK4's own error (fourth order).
        const coarse = scalarModeRk4(sigma, a0, lambda, t, 100_000);
        const fine = scalarModeRk4(sigma, a0, lambda, t, 200_000);
        const tolerance = 10 * Math.abs(fine - coarse) + 1e-12 * Math.abs(fine);
        expect(Math.abs(mode.at(t) - fine), `σ = ${sigma}, a0 = ${a0}, λ = ${lambda}, t = ${t}`).toBeLessThanOrEqual(tolerance);
      }
    }
  });

  it('σ = 1e200, a0 = −1e250, λ = 1 is finite at every time (it was NaN) and reaches σ', () => {
    const mode = alignedMode({ sigma: 1e200, a0: -1e250, lambda: 1 });
    for (const t of [1e-260, 1e-230, 1e-210, 1e-199, 1e-198, 1e-190, 1, 1e10]) expect(Number.isFinite(mode.at(t)), `t = ${t}`).toBe(true);
    expect(mode.at(1)).toBe(1e200);
    // Early on the mode decays as for λ = 0: a(t) = a0/(1 + 2|a0|t) while |a| ≫ σ.
    expect(mode.at(1e-260) / (-1e250 / (1 + 2e-10))).toBeCloseTo(1, 12);
  });
});
