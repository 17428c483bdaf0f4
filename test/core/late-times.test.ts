/**
 * Late times, where the rows of decayed modes hold entries like e^{−400}·e^{−350}: the
 * closed form then keeps subnormal numbers out of its kernels (rows of G_all normalised by
 * powers of two as they are formed, entries below 2⁻²⁰⁰ of their row dropped from Bᵀ and
 * from the singular product, entries of the factor below 2⁻¹⁰⁰⁰ dropped after the
 * solve; RiccatiSolution.mayUnderflow decides when) — and, from earlier times on, forms the
 * products of the factor's rows from rows normalised by powers of two
 * (RiccatiSolution.productsMayUnderflow). These paths must give the same trajectory as the
 * plain one: all are run on the same configurations and times (the decisions forced) and
 * compared.
 *
 * Tolerances: scaling by powers of two is exact (and G_all's entries are formed with the
 * same products in the same order), so the two paths differ only by the dropped parts
 * (2⁻²⁰⁰ of their row, or below 2⁻¹⁰⁰⁰ with the factor's largest entry above 2⁻⁸⁰⁰: below
 * rounding; measured identical here) and any subnormal intermediate the plain path
 * rounds: loss to 1e-12 relative plus 1e-28·(1 + ‖Σ‖²) (the loss floor of the other
 * accuracy tests), mode strengths (with the loss, and alone) to 1e-13·(1 + ‖Σ‖), the
 * factor's P = ZZᵀ and its blocks W1ᵀW1, W2W2ᵀ, W2W1 to 1e-13·‖P‖, and the kernel distance
 * from t = 0 (formed from Gram matrices of the factor's rows) to 1e-12.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exactDynamics } from '../../src/core/exact-dynamics.js';
import { RiccatiSolution } from '../../src/core/riccati.js';
import { kernelDistance } from '../../src/analysis/kernel-distance.js';
import { buildConfig, configParams, type ConfigParams } from '../helpers/configs.js';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { createRng, gaussianMatrix } from '../../src/random.js';
import { relErr } from '../helpers/oracles.js';

const TIMES = [5, 30, 120, 400, 2000];

/**
 * Forces the decisions: 'plain' (neither), 'products' (products of the factor's rows
 * normalised, the solve plain: times between the two thresholds) or 'careful' (both).
 */
type Path = 'plain' | 'products' | 'careful';
function force(path: Path) {
  return [
    vi.spyOn(RiccatiSolution.prototype, 'mayUnderflow').mockReturnValue(path === 'careful'),
    vi.spyOn(RiccatiSolution.prototype, 'productsMayUnderflow').mockReturnValue(path !== 'plain'),
  ];
}

function run(p: ConfigParams, path: Path) {
  const [spy, productSpy] = force(path);
  const c = buildConfig(p);
  // Σyx scaled up so that γ·s spans hundreds at these times.
  const dyn = exactDynamics({ w1: c.w1, w2: c.w2, sigmaYX: c.sigmaYX.clone().mul(4) });
  const s = dyn.summaries(TIMES);
  const strengthsOnly = dyn.modeStrengthCurves(TIMES); // the diagonal alone: another path
  const qqts = TIMES.map((t) => dyn.at(t).qqt);
  // The other getters and the kernel distance form their own products of the factor.
  const start = dyn.at(0);
  const others = TIMES.map((t) => {
    const snap = dyn.at(t);
    // A network that has decayed to exactly zero (a reversed mode at λ = 0 falls into its
    // saddle, MATH.md §8) has no kernel, and no kernel distance: compared as NaN on both paths.
    const alive = snap.w1tw1.norm('frobenius') + snap.w2w2t.norm('frobenius') > 0;
    return { w1tw1: snap.w1tw1, w2w2t: snap.w2w2t, w2w1: snap.w2w1, kernel: alive ? kernelDistance(start, snap) : Number.NaN };
  });
  expect(spy).toHaveBeenCalled(); // the decisions were forced
  expect(productSpy).toHaveBeenCalled();
  spy.mockRestore();
  productSpy.mockRestore();
  return { dyn, s, strengthsOnly, qqts, others };
}

describe('late times: the subnormal-free path is the same trajectory', () => {
  afterEach(() => vi.restoreAllMocks());

  it('summaries and QQᵀ agree with the plain path on 60 random configurations, with the products alone normalised and with both', () => {
    let worstLoss = 0;
    let worstP = 0;
    fc.assert(
      fc.property(configParams, (p) => {
        const plain = run(p, 'plain');
        for (const path of ['products', 'careful'] as const) {
          const careful = run(p, path);
          const norm = plain.dyn.sigmaYX.norm('frobenius');
          TIMES.forEach((_, k) => {
            const a = plain.s.loss[k];
            const b = careful.s.loss[k];
            const gap = Math.abs(a - b);
            expect(gap, path).toBeLessThanOrEqual(1e-12 * a + 1e-28 * (1 + norm * norm));
            if (a > 1e-20) worstLoss = Math.max(worstLoss, gap / a);
            plain.s.modeStrengths.forEach((curve, m) => {
              expect(Math.abs(curve[k] - careful.s.modeStrengths[m][k]), path).toBeLessThanOrEqual(1e-13 * (1 + norm));
              expect(Math.abs(curve[k] - careful.strengthsOnly[m][k]), path).toBeLessThanOrEqual(1e-13 * (1 + norm));
            });
            const pNorm = plain.qqts[k].norm('frobenius');
            const diff = plain.qqts[k].clone().sub(careful.qqts[k]).norm('frobenius');
            expect(diff, path).toBeLessThanOrEqual(1e-13 * pNorm + 1e-300);
            if (pNorm > 0) worstP = Math.max(worstP, diff / pNorm);
            // The blocks of P, each to 1e-13 of ‖P‖ like P itself; the kernel distance (a ratio of
            // norms of kernel changes, O(1)) to 1e-12 absolute.
            const [x, y] = [plain.others[k], careful.others[k]];
            for (const key of ['w1tw1', 'w2w2t', 'w2w1'] as const) {
              expect(x[key].clone().sub(y[key]).norm('frobenius'), `${path} ${key}`).toBeLessThanOrEqual(1e-13 * pNorm + 1e-300);
            }
            if (Number.isNaN(x.kernel) || Number.isNaN(y.kernel)) expect(Number.isNaN(x.kernel) && Number.isNaN(y.kernel)).toBe(true);
            else expect(Math.abs(x.kernel - y.kernel), path).toBeLessThanOrEqual(1e-12);
          });
        }
      }),
      { numRuns: 60 },
    );
    console.log(`late times, normalised vs plain: worst relative loss gap ${worstLoss.toExponential(2)}, worst ‖ΔP‖/‖P‖ ${worstP.toExponential(2)}`);
  });

  it('an initialisation spanning 250 decades (a hidden unit at 1e-250, λ = 0) normalises its products from t = 0, with the same results either way', () => {
    const c = buildConfig({ ni: 5, no: 4, nhChoice: 3, lambda: 0, scale: 0.3, taskKind: 'generic', aligned: false, seed: 17 });
    // At λ = 0 scaling one hidden unit's incoming and outgoing weights together keeps B = 0.
    const w1 = c.w1.clone();
    const w2 = c.w2.clone();
    for (let i = 0; i < w1.columns; i++) w1.set(1, i, w1.get(1, i) * 1e-250);
    for (let o = 0; o < w2.rows; o++) w2.set(o, 1, w2.get(o, 1) * 1e-250);
    const times = [0, 0.5, 3, 20, 200];
    const results = (['plain', 'careful'] as const).map((path) => {
      const spies = force(path);
      const dyn = exactDynamics({ w1, w2, sigmaYX: c.sigmaYX });
      const out = { loss: dyn.summaries(times).loss, qqt: times.map((t) => dyn.at(t).qqt) };
      spies.forEach((spy) => {
        expect(spy).toHaveBeenCalled();
        spy.mockRestore();
      });
      return out;
    });
    const dyn = exactDynamics({ w1, w2, sigmaYX: c.sigmaYX });
    // 830 bits of spread from t = 0: the products' threshold (700) is passed, the solve's (1000) not.
    expect(dyn.at(0).solution.productsMayUnderflow(0)).toBe(true);
    expect(dyn.at(0).solution.mayUnderflow(0)).toBe(false);
    times.forEach((_, k) => {
      expect(Math.abs(results[0].loss[k] - results[1].loss[k])).toBeLessThanOrEqual(1e-12 * results[0].loss[k] + 1e-28);
      const norm = results[0].qqt[k].norm('frobenius');
      expect(results[0].qqt[k].clone().sub(results[1].qqt[k]).norm('frobenius')).toBeLessThanOrEqual(1e-13 * norm);
    });
  });

  it('normalises the products where the exponentials span more than 2^700, the solve beyond 2^1000, and neither on ordinary time scales', () => {
    const c = buildConfig({ ni: 4, no: 3, nhChoice: 3, lambda: 0.5, scale: 0.1, taskKind: 'generic', aligned: false, seed: 5 });
    const dyn = exactDynamics({ w1: c.w1, w2: c.w2, sigmaYX: c.sigmaYX });
    const solution = dyn.at(0).solution;
    const fastest = Math.max(...dyn.sigma.map((s) => Math.hypot(s, dyn.lambda / 2)));
    for (const s of [1, 10 / fastest]) {
      expect(solution.productsMayUnderflow(s)).toBe(false);
      expect(solution.mayUnderflow(s)).toBe(false);
    }
    // 2·γ_max·s/ln 2 bits: ≈ 735 + Ψ's spread at 255/γ_max, ≈ 1154 + it at 400/γ_max.
    expect(solution.productsMayUnderflow(255 / fastest)).toBe(true);
    expect(solution.mayUnderflow(255 / fastest)).toBe(false);
    expect(solution.productsMayUnderflow(400 / fastest)).toBe(true);
    expect(solution.mayUnderflow(400 / fastest)).toBe(true);
  });
});

describe('λ = 0 with more hidden units than min(Ni, No): modes of rate 0 at late times', () => {
  // With Σyx = 0 and λ = 0 the Riccati equation is dP/dt = −P², so P(t) = P0·(I + t·P0)⁻¹ =
  // V·diag(μ/(1 + tμ))·Vᵀ from P0's eigendecomposition (ml-matrix, no code shared): every
  // direction decays like 1/t. Q(0) is rank-deficient here (rank ≤ min(Ni, No) < Nh); the
  // directions it does not reach used to get rounding of size ε·|ψ| that t·|ψ|² amplified
  // past the identity: "not positive definite" (an untyped Error) from t·‖W‖² ≈ 1e16 on.
  it('1×2×1 from weights of 1e5 rotated in the hidden layer: P00 = a²/(1 + 2a²t) up to t = 1e8', () => {
    const a = 1e5;
    const dyn = exactDynamics({ w1: [[0.6 * a], [0.8 * a]], w2: [[0.6 * a, 0.8 * a]], sigmaYX: [[0]] });
    for (const t of [1e5, 3e6, 1e7, 1e8]) {
      const exact = (a * a) / (1 + 2 * a * a * t);
      expect(Math.abs(dyn.at(t).qqt.get(0, 0) - exact) / exact, `t = ${t}`).toBeLessThan(1e-13);
      expect(Math.abs(dyn.lossCurve([t])[0] - 0.5 * (dyn.at(t).qqt.get(1, 0) ** 2)) / exact ** 2).toBeLessThan(1e-12);
    }
  });

  it('random 3×5×2, 4×6×3 and 4×7×1 networks on Σyx = 0: P(t) = P0(I + tP0)⁻¹ to 1e-11 for t·‖P0‖ up to 1e20', () => {
    // W1 = W2ᵀ·Eᵀ with E the first No columns of I_Ni: W2ᵀW2 − W1W1ᵀ is exactly 0 in floating
    // point (the same products), so λ̂ = 0 exactly. (Weights balanced only to rounding give
    // λ̂ ≈ 1e-17, whose rates ±λ̂/2 then really do act over t ≈ 1e17: the input's precision.)
    for (const [ni, nh, no, seed] of [
      [3, 5, 2, 1],
      [4, 6, 3, 2],
      [4, 7, 1, 3],
    ]) {
      const w2 = gaussianMatrix(no, nh, createRng(seed));
      const w1 = new Matrix(nh, ni);
      for (let h = 0; h < nh; h++) for (let o = 0; o < no; o++) w1.set(h, o, w2.get(o, h));
      const dyn = exactDynamics({ w1, w2, sigmaYX: new Matrix(no, ni) });
      expect(dyn.lambda).toBe(0);
      const p0 = dyn.at(0).qqt;
      const evd = new EigenvalueDecomposition(p0, { assumeSymmetric: true });
      const v = evd.eigenvectorMatrix;
      const mu = evd.realEigenvalues;
      const top = Math.max(...mu);
      for (const scaled of [1e2, 1e8, 1e14, 1e17, 1e20]) {
        const t = scaled / top;
        const d = Matrix.diag(mu.map((m) => (m > 1e-12 * top ? m / (1 + t * m) : 0)));
        const expected = v.mmul(d).mmul(v.transpose());
        expect(relErr(dyn.at(t).qqt, expected), `${ni}×${nh}×${no}, t·μ_max = ${scaled}`).toBeLessThan(1e-11);
      }
    }
  });
});
